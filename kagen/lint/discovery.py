"""Which files ``kagen lint .`` reads in a repository that holds keepalived configurations next
to everything else, the way ruff walks a tree.

- Files named on the command line are always read (with ``--force-exclude``, excludes apply to
  them too: pre-commit names every file it was given).
- A walk skips hidden files and directories and virtual environments, what ``.gitignore``/
  ``.ignore`` files and ``.git/info/exclude`` ignore (with ``--respect-gitignore``, the default),
  and the default excludes: ``build/``, ``dist/``, ``node_modules/``, ``site-packages/``,
  ``__pycache__``, ``*.egg-info`` (``--exclude`` replaces these, ``--extend-exclude`` adds to them).
- A walk keeps a file when its name is a configuration's and its content is keepalived's by
  evidence that fits keepalived and not nginx, Apache, ld.so, systemd or INI files: most of its
  top-level statements are keepalived keywords and one at least opens a keepalived block. An
  ``include`` alone is no evidence (ld.so.conf is all includes; nginx's includes end in ';').
- Templates (Jinja, ERB, EPP ...) of configurations found by a walk are skipped and counted; a
  template named on the command line is read (KA015 then explains its syntax).
"""

from __future__ import annotations

import contextlib
import fnmatch
import functools
import os
import pathlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from kagen.keepalived.keywords import table
from kagen.reading import KERNEL_FILES, refusal, shown

NAME_PATTERNS = ("*.conf", "keepalived*", "*.keepalived", "*.cfg")
TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2", ".tmpl", ".tpl", ".erb", ".epp")
DEFAULT_EXCLUDE = ("build", "dist", "node_modules", "site-packages", "__pycache__", "*.egg-info")
IGNORE_FILES = (".gitignore", ".ignore")
SNIFF_BYTES = 65536


@dataclass
class Discovery:
    files: list[str] = field(default_factory=list)  # to read, in order
    templates: list[str] = field(default_factory=list)  # configurations' templates a walk skipped
    roots: list[str] = field(default_factory=list)  # real paths of the directories given (and named files')
    missing: list[str] = field(default_factory=list)  # why paths given could not be read
    reals: dict[str, str] = field(default_factory=dict)  # the real paths of files a walk found


@functools.cache
def _root_keywords() -> tuple[frozenset[str], frozenset[str]]:
    """keepalived's top-level keywords, and those of them that open a block."""
    root = table().root
    return frozenset(root), frozenset(name for name, keyword in root.items() if keyword.kind in ("block", "list"))


_COMMENT = re.compile(r"[#!].*")
_FIRST = re.compile(r"[^\s{}]+")


def looks_like_keepalived(text: str) -> bool:
    """Most top-level statements are keepalived keywords, and one at least opens a keepalived
    block. ``include``, ``$NAME=`` and ``~SEQ`` lines count neither way; ``@ID`` is skipped."""
    keywords, blocks = _root_keywords()
    depth = known = unknown = opened = 0
    for raw in text.splitlines():
        line = _COMMENT.sub("", raw) if "#" in raw or "!" in raw else raw
        if depth == 0 and line and not line.isspace():
            words = _FIRST.findall(line)
            word = words[1] if words and words[0].startswith("@") and len(words) > 1 else (words or [""])[0]
            if word and not word.startswith(("include", "$", "~", "@")):
                if word in keywords:
                    known += 1
                    opened += word in blocks
                else:
                    unknown += 1
        depth = max(0, depth + line.count("{") - line.count("}"))
    return opened > 0 and known > unknown


def sniffed(data: bytes) -> bool:
    """Whether a file that starts with ``data`` is keepalived's (its first SNIFF_BYTES decide)."""
    return looks_like_keepalived(data[:SNIFF_BYTES].decode("utf-8", "replace"))


def _sniff(path: str, real: str) -> bool:
    try:
        with open(path, "rb") as handle:
            return sniffed(handle.read(SNIFF_BYTES))
    except OSError:
        return False


def _virtualenv(directory: str) -> bool:
    return os.path.isfile(os.path.join(directory, "pyvenv.cfg")) or os.path.isdir(os.path.join(directory, "conda-meta"))


class _Ignores:
    """The ignore files that apply inside a walk: ``(directory, spec)`` from the outermost."""

    def __init__(self, start: str, given: bool = False) -> None:
        self.specs: list[tuple[str, object]] = []
        top = os.path.realpath(start)
        # A directory named on the command line is walked even where an ignore file ignores it
        # (as ruff and git's explicit paths do): the pattern that ignores it is not applied inside.
        self.given = top if given else None
        git = top
        while not os.path.isdir(os.path.join(git, ".git")) and os.path.dirname(git) != git:
            git = os.path.dirname(git)
        if os.path.isdir(os.path.join(git, ".git")):
            self._load(git, [os.path.join(git, ".git", "info", "exclude")])
            for directory in _ancestors(git, top):
                self.add(directory)
        else:
            self.add(top)

    def _load(self, base: str, paths: list[str]) -> None:
        lines: list[str] = []
        for path in paths:
            if refusal(path) is None:
                with open(path, encoding="utf-8", errors="replace") as handle:
                    lines.extend(handle.read(SNIFF_BYTES).splitlines())
        if lines:
            import pathspec  # only where there are ignore files: it takes a while to load

            self.specs.append((base, pathspec.GitIgnoreSpec.from_lines(lines)))

    def add(self, directory: str) -> None:
        self._load(directory, [os.path.join(directory, name) for name in IGNORE_FILES])

    def ignored(self, path: str, is_dir: bool) -> bool:
        """The innermost ignore file with a pattern for ``path`` decides."""
        for base, spec in reversed(self.specs):
            prefix = os.path.join(base, "")
            if not path.startswith(prefix):
                continue
            relative = path[len(prefix) :]
            verdict = spec.check_file(relative + "/" if is_dir else relative)  # type: ignore[attr-defined]
            if verdict.include and self.given is not None and self._ignores_given(base, spec, verdict.index):
                continue
            if verdict.include is not None:
                return bool(verdict.include)
        return False

    def _ignores_given(self, base: str, spec: object, index: int | None) -> bool:
        """Whether the pattern at ``index`` is the one that ignores the directory given."""
        assert self.given is not None
        relative = os.path.relpath(self.given, base)
        if relative == "." or relative.startswith(".."):
            return False
        return spec.check_file(relative + "/").index == index  # type: ignore[attr-defined]


def _ancestors(top: str, directory: str) -> list[str]:
    """``top`` and every directory from it down to ``directory`` (real paths)."""
    chain = []
    while True:
        chain.append(directory)
        if directory == top or os.path.dirname(directory) == directory:
            return chain[::-1]
        directory = os.path.dirname(directory)


class _Excludes:
    """Whether a path is excluded: a pattern with a '/' matches the path relative to ``base``
    (where the walk started); one without matches the file's or directory's own name, at any
    depth (as in ruff and git). Compiled once: a walk asks it of every entry."""

    def __init__(self, patterns: list[str], base: str) -> None:
        names = [pattern for pattern in patterns if "/" not in pattern]
        self.names = re.compile("|".join(map(fnmatch.translate, names))) if names else None
        self.paths = [pattern for pattern in patterns if "/" in pattern]
        self.base = base

    def __call__(self, path: str, name: str) -> bool:
        if self.names is not None and self.names.match(name):
            return True
        relative = os.path.relpath(path, self.base) if self.paths else ""
        return any(fnmatch.fnmatch(relative, pattern) for pattern in self.paths)


_CONFIG_NAME = re.compile("|".join(map(fnmatch.translate, NAME_PATTERNS)))


def _within(root: str, name: str) -> str:
    return name if root == os.curdir else f"{root}{name}" if root.endswith(os.sep) else f"{root}{os.sep}{name}"


def _walk(
    directory: str, patterns: list[str], gitignore: bool, found: Discovery, sniff: Callable[[str, str], bool]
) -> None:
    """Depth first, each directory's entries by name, its files before its subdirectories (as
    ``os.walk`` lists them); links to directories are not followed, links to files are."""
    ignores = _Ignores(directory, given=True) if gitignore else None
    excluded = _Excludes(patterns, directory)
    stack = [(directory, os.path.realpath(directory))]
    while stack:
        root, real_root = stack.pop()
        if ignores is not None and root != directory:
            ignores.add(real_root)
        try:
            with os.scandir(root) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError:
            continue  # as os.walk: a directory that cannot be listed is passed over
        # Names as kagen shows them (kagen.reading.shown), worked out once per directory.
        shown_root = shown(root) if os.pardir not in root.split(os.sep) else None
        kernel = os.path.join(real_root, "").startswith(KERNEL_FILES)
        below = []
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            path = f"{root}{name}" if root.endswith(os.sep) else f"{root}{os.sep}{name}"
            try:
                is_dir = entry.is_dir()
                linked = entry.is_symlink()
            except OSError:
                continue
            real = os.path.realpath(path) if linked else f"{real_root.rstrip(os.sep)}{os.sep}{name}"
            if is_dir:
                if excluded(path, name) or _virtualenv(path) or linked:
                    continue
                if ignores is None or not ignores.ignored(real, True):
                    below.append((path, real))
                continue
            if excluded(path, name) or kernel or (linked and refusal(path) is not None):
                continue  # regular files only: a FIFO or a device found in a tree would block or never end
            if not linked and not entry.is_file():
                continue
            if ignores is not None and ignores.ignored(real, False):
                continue
            stem, suffix = os.path.splitext(name)
            named = _within(shown_root, name) if shown_root is not None and not linked else shown(path)
            if suffix in TEMPLATE_SUFFIXES:
                if _CONFIG_NAME.match(stem) and sniff(path, real):
                    found.templates.append(named)
            elif _CONFIG_NAME.match(name) and sniff(path, real):
                found.files.append(named)
                found.reals[named] = real
        stack.extend(reversed(below))


def _forced_out(path: str, patterns: list[str], gitignore: bool) -> bool:
    """A named file that a walk would not have found (``--force-exclude``): excluded itself or
    in an excluded directory or a virtual environment, hidden, or ignored."""
    normal = os.path.normpath(path)
    excluded = _Excludes(patterns, os.curdir)
    steps = [normal, *(str(parent) for parent in pathlib.PurePath(normal).parents if str(parent) not in (".", os.sep))]
    for step in steps:
        name = os.path.basename(step)
        if (name.startswith(".") and name != "..") or excluded(step, name):
            return True
        if step != normal and _virtualenv(step):
            return True
    real = os.path.realpath(path)
    return gitignore and _Ignores(os.path.dirname(real)).ignored(real, False)


def discover(
    paths: list[str],
    exclude: list[str] | None = None,
    extend_exclude: list[str] | None = None,
    force_exclude: bool = False,
    respect_gitignore: bool = True,
    sniff: Callable[[str, str], bool] | None = None,
) -> Discovery:
    """Every file to lint: those named, and those a walk of the directories named finds.
    ``exclude`` replaces the default excludes (None: the defaults); ``sniff`` tells a file
    keepalived's by its content (the lint cache remembers its verdicts)."""
    patterns = [*(DEFAULT_EXCLUDE if exclude is None else exclude), *(extend_exclude or [])]
    found = Discovery()
    named = set(paths)  # walked files are already named as kagen shows them
    for path in paths:
        if path == "-":
            found.files.append(path)
        elif os.path.isdir(path):
            found.roots.append(os.path.realpath(path))
            _walk(path, patterns, respect_gitignore, found, sniff or _sniff)
        elif os.path.lexists(path):
            found.roots.append(os.path.dirname(os.path.realpath(path)))
            if not (force_exclude and _forced_out(path, patterns, respect_gitignore)):
                found.files.append(path)
        else:
            found.missing.append(f"{path}: No such file or directory")
    found.files = _once([shown(path) if path in named else path for path in found.files])
    return found


def _once(paths: list[str]) -> list[str]:
    """Each file once, however often it was given or found (``kagen lint . a.conf``, a link)."""
    seen: set[object] = set()
    kept = []
    for path in paths:
        key: object = path
        if path != "-":
            with contextlib.suppress(OSError):
                info = os.stat(path)
                key = (info.st_dev, info.st_ino)
        if key not in seen:
            seen.add(key)
            kept.append(path)
    return kept
