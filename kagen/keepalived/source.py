"""Physical lines to logical lines, the way keepalived's ``read_line()`` does it.

Order per line (keepalived ``lib/parser.c``): cut at 1023 bytes, strip ``#``/``!`` comments outside
double quotes, apply ``@ID``/``@^ID`` conditionals, record ``$NAME=value`` definitions (multi-line
with a trailing ``\\``), repeat ``~SEQ``/``~LST`` lines, substitute ``$NAME``/``${NAME}``, read
``include`` files in place, then split the line at its first unquoted ``{`` or ``}``. Every
logical line keeps the file, line and column of its text. Anything keepalived would reject or
silently mangle here becomes a diagnostic; nothing raises.
"""

from __future__ import annotations

import glob
import itertools
import os
import re
import stat
import sys

from kagen.diagnostics import (
    ESCAPED_COMMENT,
    EXPANSION_LIMIT,
    INCLUDE_CYCLE,
    INCLUDE_MISSING,
    LINE_TOO_LONG,
    SYNTAX_ERROR,
    Check,
    Diagnostic,
    InputError,
    Position,
    Severity,
    diagnostic,
)
from kagen.keepalived import expand
from kagen.keepalived.tree import BLANKS, Comment, Line, SourceFile, Span, split_words

# Guards against inputs that would make keepalived (or kagen) run away.
LIMITS = {
    "include_depth": 32,  # nested include levels
    "files": 1000,  # files read in one run
    "file_bytes": 16 * 1024 * 1024,  # size of one file (the largest benchmark configuration is 9 MB)
    "lines": 2_000_000,  # logical lines in one run, after ~SEQ/~LST and includes
}
BINARY_SNIFF = 8192  # a NUL byte in the first 8 KiB means "not a text file", as for git and grep

# What each include variant makes an error (keepalived's include_t bits: read, match, wildcard,
# brace); plain "include" only warns.
INCLUDE_STRICT = {"": "", "r": "r", "m": "rm", "w": "rmw", "b": "rb", "a": "rmwb"}

_KERNEL_FILES = ("/proc/", "/sys/", "/dev/")
_DECOMMENT = re.compile(r'[#!"\\]')
# Characters that need the general path (see Reader._feed_lines); lines over _SHORT characters
# take it too, for the length check.
_SPECIAL = re.compile(r'[#!"\\$@~{}\x00-\x08\x0b\x0c\x0e-\x1f\x7f]')
_SHORT = expand.MAX_LINE // 4
_BRACE_OR_QUOTE = re.compile(r'[{}"]')


class SourceResult:
    """Everything the source stage produced for one top-level file."""

    def __init__(self, lines: list[Line], files: list[SourceFile], diagnostics: list[Diagnostic]) -> None:
        self.lines = lines
        self.files = files
        self.diagnostics = diagnostics


def default_config_id() -> str:
    """keepalived's default ``-i``: the first component of the node name (``uname -n``)."""
    return os.uname().nodename.split(".", 1)[0]


def _offset(spans: tuple[Span, ...] | None, line: int, col: int, k: int):
    """Position data for ``text[k:]`` given that of ``text``."""
    if spans is None:
        return None, line, col + k
    spans = expand.shift_spans(spans, k)
    return spans, spans[0][1], spans[0][2]


def _byte_cut(raw: str) -> int:
    """Index of the first character beyond keepalived's 1023-byte line buffer, or -1."""
    if len(raw) <= expand.MAX_LINE // 4:
        return -1
    if raw.isascii():
        return expand.MAX_LINE if len(raw) > expand.MAX_LINE else -1
    size = 0
    for index, char in enumerate(raw):
        size += len(char.encode("utf-8", "surrogateescape"))
        if size > expand.MAX_LINE:
            return index
    return -1


def decomment(text: str, spans: tuple[Span, ...]):
    """keepalived's ``decomment()``: strip leading blanks, cut at the first ``#``/``!`` outside
    double quotes, unescape ``\\#``/``\\!``, strip trailing blanks (keeping a final ``\\``).

    Returns ``(text, spans, comment_index, escapes)``: where the comment started in the input (-1 if
    none) and the input indices of the backslashes that were removed.
    """
    lead = len(text) - len(text.lstrip(" \t"))
    if lead:
        text, spans = text[lead:], expand.shift_spans(spans, lead)
    quote = False
    cut = -1
    cont = False
    removed: list[int] = []  # indices in the shortened text where a backslash was dropped
    index = 0
    while True:
        match = _DECOMMENT.search(text, index)
        if match is None:
            break
        index = match.start()
        char = text[index]
        if char == '"':
            if cut < 0:
                quote = not quote
            index += 1
        elif char == "\\":
            if index + 1 == len(text):
                text = text[:index]
                cont = True
                break
            if not quote and text[index + 1] in "#!":
                removed.append(index)
                text = text[:index] + text[index + 1 :]
                spans = expand.replace_spans(spans, index, index + 1, 0)
                index += 1
            else:
                index += 2
        else:
            if not quote and cut < 0:
                cut = index
            index += 1

    def original(i: int) -> int:
        return i + lead + sum(1 for r in removed if r <= i)

    comment_index = -1
    if cut >= 0:
        comment_index = original(cut)
        text = text[:cut]
    text = text.rstrip(" \t")
    if cont:
        text += "\\"
    return text, spans, comment_index, [original(r) - 1 for r in removed]


class Reader:
    """Reads a configuration and everything it includes into one list of logical lines."""

    def __init__(self, config_id: str | None = None, overlay: dict[str, bytes] | None = None) -> None:
        self.config_id = default_config_id() if config_id is None else config_id
        # Contents to read instead of the disk's, by real path: kagen fix checks its edits so.
        self.overlay = overlay or {}
        self.params = expand.Parameters(self.config_id)
        self.lines: list[Line] = []
        self.files: list[SourceFile] = []
        self.diagnostics: list[Diagnostic] = []
        self._chain: list[SourceFile] = []
        self._open_def: expand.Definition | None = None
        self._limit_hit = False
        # Lines of multi-line definitions being expanded: reading one of them again inside its own
        # expansion means the definition uses itself, which keepalived expands until memory runs out.
        self._expanding: set[tuple[int, int, int]] = set()

    def result(self) -> SourceResult:
        return SourceResult(self.lines, self.files, self.diagnostics)

    # -- reporting -------------------------------------------------------------------------

    def _report(self, check: Check, pos: Position, message: str, severity: Severity | None = None) -> None:
        self.diagnostics.append(diagnostic(check, pos, message, severity))

    # -- files -----------------------------------------------------------------------------

    def read_path(self, path: str) -> None:
        """Read a top-level file; raises InputError if it cannot be read at all."""
        if os.path.isdir(path):
            raise InputError(f"{path}: is a directory")
        overlaid = self.overlay.get(os.path.realpath(path)) if self.overlay else None
        if overlaid is not None:
            self.read_bytes(overlaid, path, os.path.abspath(path))
            return
        try:
            size = os.stat(path).st_size
            if size > LIMITS["file_bytes"]:
                raise InputError(
                    f"{path}: file is {size / 2**20:.1f} MiB; kagen reads files of at most "
                    f"{LIMITS['file_bytes'] // 2**20} MiB"
                )
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise InputError(f"{path}: {exc.strerror or exc}") from None
        self.read_bytes(data, path, os.path.abspath(path))

    def read_bytes(self, data: bytes, name: str, path: str) -> None:
        """Read a top-level configuration given as bytes; ``path`` anchors relative includes."""
        self._feed(SourceFile(name, path), data)
        if self._open_def is not None:
            expand.Parameters.close(self._open_def)
            self._open_def = None

    def _feed(self, file: SourceFile, data: bytes) -> None:
        self.files.append(file)
        self._chain.append(file)
        try:
            self._feed_lines(file, data)
        finally:
            self._chain.pop()

    def _feed_lines(self, file: SourceFile, data: bytes) -> None:
        nul = data.find(b"\x00", 0, BINARY_SNIFF)
        if nul >= 0:
            line = data.count(b"\n", 0, nul) + 1
            col = nul - data.rfind(b"\n", 0, nul)
            self._report(
                SYNTAX_ERROR,
                Position(file.name, line, col),
                "binary file (NUL byte): not a keepalived configuration",
            )
            return
        text = data.decode("utf-8", "surrogateescape")
        if text.startswith("\ufeff"):
            self._report(
                SYNTAX_ERROR,
                Position(file.name, 1, 1),
                "file starts with a UTF-8 byte order mark; keepalived reads it as part of the first "
                "keyword (save the file without BOM)",
            )
            text = text[1:]
        file.text = text
        physical = text.split("\n")
        if physical[-1] == "":
            physical.pop()
        crlf = "\r" in text
        lines = self.lines
        general = self._general_line
        short = _SHORT
        # Most lines of a real configuration are "keyword args", "header {" or "}": those take a
        # shortcut that produces exactly what the general path would (a property test checks it).
        for number, raw in enumerate(physical, 1):
            if crlf:
                raw = raw.rstrip("\r")
            if self._open_def is None and len(raw) <= short:
                special = _SPECIAL.search(raw)
                if special is None:
                    stripped = raw.lstrip(" \t")
                    text = stripped.rstrip(" \t")
                    if text.isascii() and not text.startswith("include"):
                        words = text.split()
                        if words:  # a line of blanks (\v, \f, \r ...) only gives nothing
                            lines.append(Line(words, text, file, number, len(raw) - len(stripped) + 1))
                        continue
                elif special.group() in "{}" and not raw[special.end() :].strip(" \t"):
                    brace = special.start()
                    head = raw[:brace].strip(" \t")
                    if head.isascii() and not head.startswith("include"):
                        words = head.split()
                        if words:
                            col = len(raw) - len(raw.lstrip(" \t")) + 1
                            lines.append(Line(words, head, file, number, col))
                        char = special.group()
                        lines.append(Line([char], char, file, number, brace + 1))
                        continue
            general(file, number, raw)
            if self._limit_hit:
                return

    def _general_line(self, file: SourceFile, number: int, raw: str) -> None:
        if not raw:
            if self._open_def is not None:
                expand.Parameters.close(self._open_def)
                self._open_def = None
            return
        if "\x00" in raw:
            self._report(
                SYNTAX_ERROR,
                Position(file.name, number, raw.index("\x00") + 1),
                "NUL byte: keepalived ignores the rest of this line",
            )
            raw = raw[: raw.index("\x00")]
            if not raw:
                return
        if len(raw) > expand.MAX_LINE // 4:
            self._check_length(file, number, raw)
        if _DECOMMENT.search(raw) is None:
            stripped = raw.lstrip(" \t")
            if not stripped:
                return
            col = len(raw) - len(stripped) + 1
            text = stripped.rstrip(" \t")
            spans = None
        else:
            text, spans, col = self._decomment_physical(file, number, raw)
            if not text:
                return
        if self._open_def is not None:
            if not expand.Parameters.extend(self._open_def, text, file, number, col):
                self._open_def = None
            return
        self._process(text, file, number, col, spans, None)

    def _check_length(self, file: SourceFile, number: int, raw: str) -> None:
        cut = _byte_cut(raw)
        if cut >= 0:
            size = len(raw.encode("utf-8", "surrogateescape"))
            self._report(
                LINE_TOO_LONG,
                Position(file.name, number, cut + 1),
                f"line is {size} bytes; keepalived reads at most {expand.MAX_LINE} bytes per line "
                "(2.2 starts a new line with the rest, 2.3 and later ignore the whole line)",
            )

    def _decomment_physical(self, file: SourceFile, number: int, raw: str):
        """Decomment a line that has comment, quote or backslash characters; record comments."""
        spans: tuple[Span, ...] = ((0, number, 1, True),)
        text, spans, comment, escapes = decomment(raw, spans)
        if comment >= 0:
            file.comments.append(Comment(number, comment + 1, raw[comment:]))
        if escapes:
            # keepalived's VRRP and checker processes re-read an internal copy of the configuration
            # in which the escapes are already gone, so for them the "#" or "!" starts a comment.
            self._report(
                ESCAPED_COMMENT,
                Position(file.name, number, escapes[0] + 1),
                f"'\\{raw[escapes[0] + 1]}' does not escape a comment character: keepalived's VRRP "
                "and checker processes still cut the line there; put the value in double quotes",
            )
            text, spans, _, _ = decomment(text, spans)
        if not text:
            return "", None, 0
        col = spans[0][2]
        return text, (None if len(spans) == 1 and spans[0][1] == number else spans), col

    # -- logical lines ---------------------------------------------------------------------

    def _process(self, text, file, line, col, spans, via) -> None:
        """One line of text through conditionals, definitions, sequences, substitution, include
        and brace splitting (keepalived's read_line loop, including its re-checks)."""
        more: list[expand.Part] = []
        use = via
        for _ in range(expand.MAX_SUBSTITUTIONS):
            first = text[0]
            if first == "@":
                rev = text.startswith("@^")
                blank = min((i for i in (text.find(" "), text.find("\t")) if i >= 0), default=-1)
                if blank < 0 or (text[1 + rev : blank] == self.config_id) == rev:
                    return
                skip = blank
                while skip < len(text) and text[skip] in " \t":
                    skip += 1
                text = text[skip:]
                if not text:
                    return
                spans, line, col = _offset(spans, line, col, skip)
                first = text[0]
            if first == "$":
                definition = self.params.define(text, file, line, col)
                if definition is not None:
                    if definition.multiline:
                        self._open_def = definition
                    return
            if first == "~":
                if text.startswith("~SEQ") or text.startswith("~LST"):
                    self._sequence(text, file, line, col, spans, via)
                    return
                break
            if "$" not in text:
                break
            here = Position(file.name, line, col)
            sub = self.params.substitute(text, spans or ((0, line, col, True),), self._cwd(file))
            if sub.problem == "too-long":
                self._report(
                    LINE_TOO_LONG,
                    here,
                    f"parameter substitution would make the line longer than {expand.MAX_LINE} "
                    "bytes; keepalived stops substituting here",
                )
            elif sub.problem == "runaway":
                self._report(
                    EXPANSION_LIMIT,
                    here,
                    f"parameter substitution does not end after {expand.MAX_SUBSTITUTIONS} "
                    "replacements (a definition refers to itself)",
                )
            if sub.more:
                more = sub.more + more
                use = via or here
            if not sub.changed:
                break
            text, spans, _, _ = decomment(sub.text, sub.spans)
            if not text:
                break
            line, col = spans[0][1], spans[0][2]
            if sub.problem or not (text[0] == "@" or "$" in text):
                break
        if text:
            self._finish(text, file, line, col, spans, via)
        for part in more:
            key = (id(part.file), part.line, part.col)
            if key in self._expanding:
                self._report(
                    EXPANSION_LIMIT,
                    Position(file.name, line, col),
                    "a multi-line definition used inside its own expansion: keepalived never stops expanding it",
                )
                return
            if self._limit_hit:
                return
            self._expanding.add(key)
            self._process(part.text, part.file, part.line, part.col, None, use)
            self._expanding.discard(key)

    @staticmethod
    def _cwd(file: SourceFile) -> str:
        """``${_PWD}``: keepalived's working directory while it reads ``file`` (it chdir()s there)."""
        return os.path.dirname(os.path.realpath(file.path))

    def _sequence(self, text, file, line, col, spans, via) -> None:
        seq = (
            expand.parse_seq(text, self.params, self._cwd(file)) if text.startswith("~SEQ") else expand.parse_lst(text)
        )
        if isinstance(seq, str):
            self._report(SYNTAX_ERROR, Position(file.name, line, col), seq)
            return
        rest = text[seq.rest :]
        if not rest:
            return
        rest_spans, rest_line, rest_col = _offset(spans, line, col, seq.rest)
        for values in seq.values:
            for name, value in zip(seq.names, values, strict=True):
                self.params.set(name, value)
            self._process(rest, file, rest_line, rest_col, rest_spans, via)
            if self._limit_hit:
                return

    def _finish(self, text, file, line, col, spans, via) -> None:
        """Include or emit ``text``, splitting it at its first unquoted brace."""
        if text.startswith("include"):
            variant = _include_variant(text)
            if variant is not None:
                kind, start = variant
                pattern = text[start:].lstrip(" \t")
                self._include(pattern, kind, file, Position(file.name, line, col))
                return
        brace = -1
        if text[0] in "{}":
            brace = 0
        elif "{" in text or "}" in text:
            index = 0
            while True:
                match = _BRACE_OR_QUOTE.search(text, index)
                if match is None:
                    break
                if match.group() != '"':
                    brace = match.start()
                    break
                close = text.find('"', match.end())
                if close < 0:
                    break
                index = close + 1
        rest = ""
        if brace >= 0:
            skip = brace
            if brace == 0:
                skip = 1
                while skip < len(text) and text[skip] in " \t":
                    skip += 1
            if skip < len(text):
                rest = text[skip:]
                text = text[:skip].rstrip(" \t")
        self._emit(text, file, line, col, spans, via)
        if rest:
            rest_spans, rest_line, rest_col = _offset(spans, line, col, skip)
            self._process(rest, file, rest_line, rest_col, rest_spans, via)

    def _emit(self, text, file, line, col, spans, via) -> None:
        words, unmatched = split_words(text)
        new = Line(words, text, file, line, col, spans, via)
        if unmatched >= 0:
            self._report(
                SYNTAX_ERROR,
                new.pos_at(unmatched),
                "unterminated '\"': keepalived drops the rest of the line"
                + (" (and keepalived 2.2 crashes on it in a block header)" if "{" in text else ""),
            )
        if not words:
            return
        self.lines.append(new)
        if len(self.lines) >= LIMITS["lines"] and not self._limit_hit:
            self._limit_hit = True
            self._report(
                EXPANSION_LIMIT,
                new.pos,
                f"more than {LIMITS['lines']} logical lines; kagen stops reading here",
            )

    # -- include ---------------------------------------------------------------------------

    def _include(self, pattern: str, kind: str, file: SourceFile, pos: Position) -> None:
        strict = INCLUDE_STRICT[kind]

        def severity(bit: str) -> Severity:
            return Severity.ERROR if bit in strict else Severity.WARNING

        keyword = "include" + kind
        base = os.path.dirname(file.path)
        matches: list[str] = []
        missing: list[str] = []
        for alternative in expand_braces(pattern):
            absolute = os.path.isabs(alternative)
            if glob.has_magic(alternative):
                found = sorted(glob.glob(alternative) if absolute else glob.glob(alternative, root_dir=base))
                directory = os.path.dirname(os.path.join(base, alternative))
                if not found and not glob.has_magic(directory) and not os.path.isdir(directory):
                    missing.append(alternative)
            else:
                found = [alternative] if os.path.lexists(os.path.join(base, alternative)) else []
                if not found:
                    missing.append(alternative)
            matches.extend(found)
        if not matches:
            if missing:
                self._report(
                    INCLUDE_MISSING,
                    pos,
                    f"{keyword} '{pattern}': no such file" + ("" if "m" in strict else " (keepalived only logs this)"),
                    severity("m"),
                )
            elif "w" in strict:
                self._report(INCLUDE_MISSING, pos, f"{keyword} '{pattern}' matches no file", Severity.ERROR)
            return
        if missing:
            self._report(
                INCLUDE_MISSING,
                pos,
                f"{keyword} '{pattern}': missing {', '.join(missing)}",
                severity("b"),
            )
            if "b" in strict:
                return
        kernel = [m for m in matches if os.path.realpath(os.path.join(base, m)).startswith(_KERNEL_FILES)]
        if kernel:
            # Reading /proc/kmsg and the like can block forever; no configuration lives there.
            self._report(
                INCLUDE_MISSING,
                pos,
                f"{keyword} '{pattern}' names kernel interfaces (/proc, /sys, /dev); kagen does not read them",
                severity("r"),
            )
            matches = [m for m in matches if m not in kernel]
        for match in matches:
            self._include_file(match, file, pos, keyword, severity("r"))
            if self._limit_hit:
                return

    def _include_file(self, match: str, parent: SourceFile, pos: Position, keyword: str, severity: Severity) -> None:
        real = os.path.normpath(os.path.join(os.path.dirname(parent.path), match))
        name = match if os.path.isabs(match) else os.path.normpath(os.path.join(os.path.dirname(parent.name), match))
        try:
            info = os.stat(real)
        except OSError as exc:
            self._report(INCLUDE_MISSING, pos, f"{keyword}: cannot read '{name}': {exc.strerror}", severity)
            return
        if stat.S_ISDIR(info.st_mode):
            self._report(INCLUDE_MISSING, pos, f"{keyword}: '{name}' is a directory; keepalived skips it", severity)
            return
        if not stat.S_ISREG(info.st_mode) or info.st_mode & 0o111:
            self._report(
                INCLUDE_MISSING,
                pos,
                f"{keyword}: '{name}' is not a regular non-executable file; keepalived skips it",
                severity,
            )
            return
        resolved = os.path.realpath(real)
        if any(file.realpath == resolved for file in self._chain):
            cycle = " -> ".join([*self._chain_names(resolved), name])
            self._report(INCLUDE_CYCLE, pos, f"include cycle: {cycle}")
            return
        if len(self._chain) > LIMITS["include_depth"]:
            self._report(EXPANSION_LIMIT, pos, f"includes nested deeper than {LIMITS['include_depth']} levels")
            return
        if len(self.files) >= LIMITS["files"]:
            self._limit_hit = True
            self._report(EXPANSION_LIMIT, pos, f"more than {LIMITS['files']} files included")
            return
        if info.st_size > LIMITS["file_bytes"]:
            self._report(
                EXPANSION_LIMIT,
                pos,
                f"'{name}' is {info.st_size / 2**20:.1f} MiB; kagen reads files of at most "
                f"{LIMITS['file_bytes'] // 2**20} MiB",
            )
            return
        try:
            if resolved in self.overlay:
                data = self.overlay[resolved]
            else:
                with open(real, "rb") as handle:
                    data = handle.read()
        except OSError as exc:
            self._report(INCLUDE_MISSING, pos, f"{keyword}: cannot read '{name}': {exc.strerror}", severity)
            return
        self._feed(SourceFile(name, real, resolved, pos), data)

    def _chain_names(self, start: str) -> list[str]:
        first = next(index for index, file in enumerate(self._chain) if file.realpath == start)
        return [file.name for file in self._chain[first:]]


def _include_variant(text: str) -> tuple[str, int] | None:
    """keepalived's ``is_include``: ``include`` or ``include[rmwba]`` followed by a blank."""
    if len(text) > 8 and text[7] in BLANKS:
        return "", 8
    if len(text) > 9 and text[7] in "rmwba" and text[8] in BLANKS:
        return text[7], 9
    return None


def expand_braces(pattern: str) -> list[str]:
    """Shell-style ``{a,b}`` alternatives (glob's GLOB_BRACE), nested, in order."""
    depth = 0
    start = -1
    commas: list[int] = []
    for index, char in enumerate(pattern):
        if char == "{":
            if depth == 0:
                start, commas = index, []
            depth += 1
        elif char == "}" and depth:
            depth -= 1
            if depth == 0:
                cuts = [start, *commas, index]
                alternatives = [pattern[a + 1 : b] for a, b in itertools.pairwise(cuts)]
                head, tail = pattern[:start], pattern[index + 1 :]
                return [
                    expanded for alternative in alternatives for expanded in expand_braces(head + alternative + tail)
                ]
        elif char == "," and depth == 1:
            commas.append(index)
    return [pattern]


def stdin_path() -> str:
    """Where standard input stands among files (its relative includes resolve from the working
    directory), a real path; an overlay holding it stands in for standard input, which reads
    once."""
    return os.path.join(os.path.realpath(os.getcwd()), "<stdin>")


def read_config(path: str, config_id: str | None = None, overlay: dict[str, bytes] | None = None) -> SourceResult:
    """Read ``path`` (``-`` for standard input) and its includes into logical lines; files whose
    real path is in ``overlay`` are read from there."""
    reader = Reader(config_id, overlay)
    if path == "-":
        where = stdin_path()
        given = reader.overlay.get(where)
        reader.read_bytes(given if given is not None else sys.stdin.buffer.read(), "<stdin>", where)
    else:
        reader.read_path(path)
    return reader.result()


def read_text(
    text: str | bytes, name: str = "<string>", config_id: str | None = None, directory: str = "."
) -> SourceResult:
    """Read a configuration held in memory; relative includes resolve against ``directory``."""
    reader = Reader(config_id)
    data = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text
    reader.read_bytes(data, name, os.path.join(os.path.abspath(directory), os.path.basename(name)))
    return reader.result()
