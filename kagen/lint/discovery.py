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
from dataclasses import dataclass, field

from kagen.keepalived.keywords import table
from kagen.reading import refusal, shown

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


def _sniff(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            return looks_like_keepalived(handle.read(SNIFF_BYTES).decode("utf-8", "replace"))
    except OSError:
        return False


def _excluded(path: str, patterns: list[str], base: str = ".") -> bool:
    """A pattern with a '/' matches the path relative to ``base`` (where the walk started); one
    without matches the file's or directory's own name, at any depth (as in ruff and git)."""
    name = os.path.basename(os.path.normpath(path))
    relative = os.path.relpath(path, base)
    return any(fnmatch.fnmatch(relative if "/" in pattern else name, pattern) for pattern in patterns)


def _virtualenv(directory: str) -> bool:
    return os.path.isfile(os.path.join(directory, "pyvenv.cfg")) or os.path.isdir(os.path.join(directory, "conda-meta"))


class _Ignores:
    """The ignore files that apply inside a walk: ``(directory, spec)`` from the outermost."""

    def __init__(self, start: str, given: bool = False) -> None:
        import pathspec  # only for a walk: a pre-commit run names its files

        self._pathspec = pathspec
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
            self.specs.append((base, self._pathspec.GitIgnoreSpec.from_lines(lines)))

    def add(self, directory: str) -> None:
        self._load(directory, [os.path.join(directory, name) for name in IGNORE_FILES])

    def ignored(self, path: str, is_dir: bool) -> bool:
        """The innermost ignore file with a pattern for ``path`` decides."""
        for base, spec in reversed(self.specs):
            relative = os.path.relpath(path, base)
            if relative.startswith(".."):
                continue
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


def _walk(directory: str, patterns: list[str], gitignore: bool, found: Discovery) -> None:
    ignores = _Ignores(directory, given=True) if gitignore else None
    for root, dirs, files in os.walk(directory):
        real_root = os.path.realpath(root)
        shown_root = os.path.normpath(root)  # one path style: no ./ in front
        if ignores is not None and root != directory:
            ignores.add(real_root)
        kept = []
        for name in sorted(dirs):
            path = os.path.join(root, name)
            if name.startswith(".") or _excluded(path, patterns, directory) or _virtualenv(path):
                continue
            if ignores is not None and ignores.ignored(os.path.join(real_root, name), True):
                continue
            kept.append(name)
        dirs[:] = kept
        for name in sorted(files):
            path = os.path.join(shown_root, name)
            if name.startswith(".") or _excluded(path, patterns, directory) or refusal(path) is not None:
                continue  # regular files only: a FIFO or a device found in a tree would block or never end
            if ignores is not None and ignores.ignored(os.path.join(real_root, name), False):
                continue
            stem, suffix = os.path.splitext(name)
            if suffix in TEMPLATE_SUFFIXES:
                if any(fnmatch.fnmatch(stem, pattern) for pattern in NAME_PATTERNS) and _sniff(path):
                    found.templates.append(path)
            elif any(fnmatch.fnmatch(name, pattern) for pattern in NAME_PATTERNS) and _sniff(path):
                found.files.append(path)


def _forced_out(path: str, patterns: list[str], gitignore: bool) -> bool:
    """A named file that a walk would not have found (``--force-exclude``): excluded itself or
    in an excluded directory or a virtual environment, hidden, or ignored."""
    normal = os.path.normpath(path)
    steps = [normal, *(str(parent) for parent in pathlib.PurePath(normal).parents if str(parent) not in (".", os.sep))]
    for step in steps:
        name = os.path.basename(step)
        if (name.startswith(".") and name != "..") or _excluded(step, patterns):
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
) -> Discovery:
    """Every file to lint: those named, and those a walk of the directories named finds.
    ``exclude`` replaces the default excludes (None: the defaults)."""
    patterns = [*(DEFAULT_EXCLUDE if exclude is None else exclude), *(extend_exclude or [])]
    found = Discovery()
    for path in paths:
        if path == "-":
            found.files.append(path)
        elif os.path.isdir(path):
            found.roots.append(os.path.realpath(path))
            _walk(path, patterns, respect_gitignore, found)
        elif os.path.lexists(path):
            found.roots.append(os.path.dirname(os.path.realpath(path)))
            if not (force_exclude and _forced_out(path, patterns, respect_gitignore)):
                found.files.append(path)
        else:
            found.missing.append(f"{path}: No such file or directory")
    found.files = _once([shown(path) for path in found.files])
    found.templates = [shown(path) for path in found.templates]
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
