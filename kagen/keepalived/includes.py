"""keepalived's ``include`` statements: which files a pattern names, and opening each one the way
keepalived would (``read_conf_file``/``check_include`` in ``lib/parser.c``), with what it
refuses or skips as diagnostics and kagen's own guards against runaway input.

The include variants (``includer``, ``includem``, ``includew``, ``includeb``, ``includea``) make
problems that plain ``include`` only logs into errors; ``INCLUDE_STRICT`` says which.
"""

from __future__ import annotations

import glob
import itertools
import os
import stat

from kagen.diagnostics import Check, Diagnostic, Position, Severity, diagnostic
from kagen.keepalived.checks import EXPANSION_LIMIT, INCLUDE_CYCLE, INCLUDE_MISSING
from kagen.keepalived.tree import BLANKS, SourceFile
from kagen.reading import shown

# What each include variant makes an error (keepalived's include_t bits: read, match, wildcard,
# brace); plain "include" only warns.
INCLUDE_STRICT = {"": "", "r": "r", "m": "rm", "w": "rmw", "b": "rb", "a": "rmwb"}

_KERNEL_FILES = ("/proc/", "/sys/", "/dev/")
LISTED = 10  # files an include may match, in multiples of the run's file limit


class TooManyFiles(Exception):
    """The run has read as many files as kagen allows: stop reading."""


def include_variant(text: str) -> tuple[str, int] | None:
    """keepalived's ``is_include``: ``include`` or ``include[rmwba]`` followed by a blank; the
    variant's letter and where the pattern starts."""
    if len(text) > 8 and text[7] in BLANKS:
        return "", 8
    if len(text) > 9 and text[7] in "rmwba" and text[8] in BLANKS:
        return text[7], 9
    return None


def _first_group(pattern: str) -> tuple[str, list[str], str] | None:
    """The pattern's first ``{...}`` group: what comes before it, its alternatives (split at its
    own commas), and what comes after; None when there is none. The first ``{`` always opens it,
    and if that ``{`` is never closed there is no group at all (glob's GLOB_BRACE)."""
    start = pattern.find("{")
    if start < 0:
        return None
    depth = 0
    cuts = [start]
    for index in range(start, len(pattern)):
        char = pattern[index]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                cuts.append(index)
                alternatives = [pattern[a + 1 : b] for a, b in itertools.pairwise(cuts)]
                return pattern[:start], alternatives, pattern[index + 1 :]
        elif char == "," and depth == 1:
            cuts.append(index)
    return None


def expand_braces(pattern: str, limit: int | None = None) -> list[str] | None:
    """Shell-style ``{a,b}`` alternatives (glob's GLOB_BRACE), nested, in order; None when there
    are more than ``limit`` (twenty groups of two make a million: they are made one by one, on a
    stack, and counted as they come)."""
    out: list[str] = []
    stack = [pattern]
    while stack:
        current = stack.pop()
        group = _first_group(current)
        if group is None:
            out.append(current)
            if limit is not None and len(out) > limit:
                return None
            continue
        head, alternatives, tail = group
        stack.extend(head + alternative + tail for alternative in reversed(alternatives))
    return out


class Includes:
    """Resolves and opens included files for one reader, adding what it finds to the reader's
    ``diagnostics`` (a list, not the reader: no reference cycle for a run without the cyclic
    garbage collector to keep alive). ``limits`` is the reader's (kagen.keepalived.logical.LIMITS);
    ``overlay`` holds contents to read instead of the disk's."""

    def __init__(self, diagnostics: list[Diagnostic], limits: dict[str, int], overlay: dict[str, bytes]) -> None:
        self.diagnostics = diagnostics
        self.limits = limits
        self.overlay = overlay
        # Every pattern looked up and what it matched: the lint cache (kagen.lint.cache) looks
        # them up again to tell whether a cached reading still stands.
        self.patterns: list[tuple[str, str, str, tuple[str, ...]]] = []

    def report(self, check: Check, pos: Position, message: str, severity: Severity | None = None) -> None:
        self.diagnostics.append(diagnostic(check, pos, message, severity))

    def matches(self, pattern: str, kind: str, file: SourceFile, pos: Position) -> list[str]:
        """The files ``include<kind> pattern`` reads, in keepalived's order (relative to the
        including file's directory unless absolute); what it cannot read is reported here."""
        found = self.lookup(pattern, kind, file.path, pos)
        self.patterns.append((pattern, kind, file.path, tuple(found)))
        return found

    def lookup(self, pattern: str, kind: str, path: str, pos: Position) -> list[str]:
        """``matches`` for a file at ``path``, without recording the lookup."""
        strict = INCLUDE_STRICT[kind]
        keyword = "include" + kind
        base = os.path.dirname(path)
        found: list[str] = []
        missing: list[str] = []
        # Counted while they are made: twenty brace groups make a million patterns, and a glob
        # can match millions of files. Up to ten times the file limit are listed (the reading
        # then stops at the limit itself, as for any include); more are not even sorted.
        most = LISTED * self.limits["files"]
        alternatives = expand_braces(pattern, self.limits["files"])
        if alternatives is None:
            message = f"{keyword} '{pattern}' has more than {self.limits['files']} brace alternatives"
            self.report(EXPANSION_LIMIT, pos, message)
            return []
        for alternative in alternatives:
            absolute = os.path.isabs(alternative)
            if glob.has_magic(alternative):
                listing = glob.iglob(alternative) if absolute else glob.iglob(alternative, root_dir=base)
                hits = sorted(itertools.islice(listing, most + 1 - len(found)))
                if len(found) + len(hits) > most:
                    self.report(EXPANSION_LIMIT, pos, f"{keyword} '{pattern}' matches more than {most} files")
                    return []
                directory = os.path.dirname(os.path.join(base, alternative))
                if not hits and not glob.has_magic(directory) and not os.path.isdir(directory):
                    missing.append(alternative)
            else:
                hits = [alternative] if os.path.lexists(os.path.join(base, alternative)) else []
                if not hits:
                    missing.append(alternative)
            found.extend(hits)
        if not found:
            if missing:
                self.report(
                    INCLUDE_MISSING,
                    pos,
                    f"{keyword} '{pattern}': no such file" + ("" if "m" in strict else " (keepalived only logs this)"),
                    _severity(strict, "m"),
                )
            elif "w" in strict:
                self.report(INCLUDE_MISSING, pos, f"{keyword} '{pattern}' matches no file", Severity.ERROR)
            return []
        if missing:
            self.report(
                INCLUDE_MISSING, pos, f"{keyword} '{pattern}': missing {', '.join(missing)}", _severity(strict, "b")
            )
            if "b" in strict:
                return []
        kernel = [m for m in found if os.path.realpath(os.path.join(base, m)).startswith(_KERNEL_FILES)]
        if kernel:
            # Reading /proc/kmsg and the like can block forever; no configuration lives there.
            self.report(
                INCLUDE_MISSING,
                pos,
                f"{keyword} '{pattern}' names kernel interfaces (/proc, /sys, /dev); kagen does not read them",
                _severity(strict, "r"),
            )
            found = [m for m in found if m not in kernel]
        return found

    def open(
        self, match: str, kind: str, parent: SourceFile, pos: Position, chain: list[SourceFile], files: int
    ) -> tuple[SourceFile, bytes] | None:
        """The file ``match`` (one of ``matches``) and its content, or None when it is not read;
        ``chain`` is the files being read, outermost first, and ``files`` how many were read in
        all. Raises TooManyFiles when the run may read no more."""
        keyword = "include" + kind
        severity = _severity(INCLUDE_STRICT[kind], "r")
        real = os.path.normpath(os.path.join(os.path.dirname(parent.path), match))
        name = (
            shown(match)
            if os.path.isabs(match)
            else os.path.normpath(os.path.join(os.path.dirname(parent.name), match))
        )
        try:
            info = os.stat(real)
        except OSError as exc:
            self.report(INCLUDE_MISSING, pos, f"{keyword}: cannot read '{name}': {exc.strerror}", severity)
            return None
        if stat.S_ISDIR(info.st_mode):
            self.report(INCLUDE_MISSING, pos, f"{keyword}: '{name}' is a directory; keepalived skips it", severity)
            return None
        if not stat.S_ISREG(info.st_mode) or info.st_mode & 0o111:
            self.report(
                INCLUDE_MISSING,
                pos,
                f"{keyword}: '{name}' is not a regular non-executable file; keepalived skips it",
                severity,
            )
            return None
        resolved = os.path.realpath(real)
        if any(file.realpath == resolved for file in chain):
            first = next(index for index, file in enumerate(chain) if file.realpath == resolved)
            cycle = " -> ".join([*(file.name for file in chain[first:]), name])
            self.report(INCLUDE_CYCLE, pos, f"include cycle: {cycle}")
            return None
        limits = self.limits
        if len(chain) > limits["include_depth"]:
            self.report(EXPANSION_LIMIT, pos, f"includes nested deeper than {limits['include_depth']} levels")
            return None
        if files >= limits["files"]:
            self.report(EXPANSION_LIMIT, pos, f"more than {limits['files']} files included")
            raise TooManyFiles
        if info.st_size > limits["file_bytes"]:
            self.report(
                EXPANSION_LIMIT,
                pos,
                f"'{name}' is {info.st_size / 2**20:.1f} MiB; kagen reads files of at most "
                f"{limits['file_bytes'] // 2**20} MiB",
            )
            return None
        try:
            if resolved in self.overlay:
                data = self.overlay[resolved]
            else:
                with open(real, "rb") as handle:
                    data = handle.read(limits["file_bytes"] + 1)[: limits["file_bytes"]]  # it may grow
        except OSError as exc:
            self.report(INCLUDE_MISSING, pos, f"{keyword}: cannot read '{name}': {exc.strerror}", severity)
            return None
        return SourceFile(name, real, resolved, pos), data


def _severity(strict: str, bit: str) -> Severity:
    return Severity.ERROR if bit in strict else Severity.WARNING
