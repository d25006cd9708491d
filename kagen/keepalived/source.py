"""Physical lines to logical lines, the way keepalived's ``read_line()`` does it.

Order per line (keepalived ``lib/parser.c``): cut at 1023 bytes, strip ``#``/``!`` comments outside
double quotes, apply ``@ID``/``@^ID`` conditionals, record ``$NAME=value`` definitions (multi-line
with a trailing ``\\``), repeat ``~SEQ``/``~LST`` lines, substitute ``$NAME``/``${NAME}``, read
``include`` files in place, then split the line at its first unquoted ``{`` or ``}``. This module
reads files and physical lines (bytes, comments, the line buffer, multi-line definitions);
everything from the conditionals on is kagen.keepalived.logical. Every logical line keeps the
file, line and column of its text. Anything keepalived would reject or silently mangle here
becomes a diagnostic; nothing raises.
"""

from __future__ import annotations

import os
import re
import sys

from kagen.diagnostics import Diagnostic, InputError, Position
from kagen.keepalived import default_config_id, expand
from kagen.keepalived.checks import ESCAPED_COMMENT, LINE_TOO_LONG, SYNTAX_ERROR
from kagen.keepalived.logical import COMMENT_OR_ESCAPE, LIMITS, LogicalLines, Text, decomment
from kagen.keepalived.tree import Comment, Line, SourceFile, Span
from kagen.reading import read_capped, read_stream

BINARY_SNIFF = 8192  # a NUL byte in the first 8 KiB means "not a text file", as for git and grep
# Characters that need the general path (see Reader._feed_lines); lines over _SHORT characters
# take it too, for the length check.
_SPECIAL = re.compile(r'[#!"\\$@~{}\x00-\x08\x0b\x0c\x0e-\x1f\x7f]')
_SHORT = expand.MAX_LINE // 4


class SourceResult:
    """Everything the source stage produced for one top-level file."""

    def __init__(
        self,
        lines: list[Line],
        files: list[SourceFile],
        diagnostics: list[Diagnostic],
        patterns: list[tuple[str, str, str, tuple[str, ...]]] | None = None,
    ) -> None:
        self.lines = lines
        self.files = files
        self.diagnostics = diagnostics
        self.patterns = patterns or []  # the include patterns looked up (kagen.keepalived.includes)


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


class Reader(LogicalLines):
    """Reads a configuration and everything it includes into one list of logical lines."""

    def __init__(self, config_id: str | None = None, overlay: dict[str, bytes] | None = None) -> None:
        super().__init__(default_config_id() if config_id is None else config_id, overlay or {})

    def result(self) -> SourceResult:
        return SourceResult(self.lines, self.files, self.diagnostics, self._includes.patterns)

    # -- reporting -------------------------------------------------------------------------

    # -- files -----------------------------------------------------------------------------

    def read_path(self, path: str) -> None:
        """Read a top-level file (or a pipe: ``kagen lint <(...)``); raises InputError if it cannot
        be read at all (kagen.reading says what is refused)."""
        if os.path.isdir(path):
            raise InputError(f"{path}: is a directory")
        overlaid = self.overlay.get(os.path.realpath(path)) if self.overlay else None
        if overlaid is not None:
            self.read_bytes(overlaid, path, os.path.abspath(path))
            return
        self.read_bytes(read_capped(path, LIMITS["file_bytes"], pipes=True), path, os.path.abspath(path))

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
        cap = LIMITS["lines"]  # the general path counts against it, and so stops there
        for number, raw in enumerate(physical, 1):
            if crlf:
                raw = raw.rstrip("\r")
            if self._open_def is None and len(raw) <= short and len(lines) < cap - 1:
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
        if COMMENT_OR_ESCAPE.search(raw) is None:
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
        self._process(Text(text, file, number, col, spans, None))

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

    def _decomment_physical(self, file: SourceFile, number: int, raw: str) -> tuple[str, tuple[Span, ...] | None, int]:
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
        data = given if given is not None else read_stream(sys.stdin.buffer, LIMITS["file_bytes"], "<stdin>")
        reader.read_bytes(data, "<stdin>", where)
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
