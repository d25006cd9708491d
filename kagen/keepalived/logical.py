"""Logical lines to the lines keepalived acts on, the way keepalived's ``read_line()`` loop goes
on after a line is decommented: ``@ID``/``@^ID`` conditionals, ``$NAME=value`` definitions,
``~SEQ``/``~LST`` repetition, ``$NAME`` substitution (and the re-checks keepalived makes after
it), ``include``, then splitting at the first unquoted brace. The physical side (files, bytes,
comments, the line buffer) is kagen.keepalived.source, which builds on this.
"""

from __future__ import annotations

import os
import re
from typing import NamedTuple

from kagen.diagnostics import Check, Diagnostic, Position, Severity, diagnostic
from kagen.keepalived import expand
from kagen.keepalived.checks import EXPANSION_LIMIT, LINE_TOO_LONG, SYNTAX_ERROR
from kagen.keepalived.includes import Includes, TooManyFiles, include_variant
from kagen.keepalived.tree import Line, SourceFile, Span, split_words

# Guards against inputs that would make keepalived (or kagen) run away.
LIMITS = {
    "include_depth": 32,  # nested include levels
    "files": 1000,  # files read in one run
    "file_bytes": 16 * 1024 * 1024,  # size of one file (the largest benchmark configuration is 9 MB)
    # Logical lines in one run, after ~SEQ/~LST and includes: about 600 bytes of memory each once
    # linted (the 4x benchmark configuration has 532,000).
    "lines": 1_000_000,
}
COMMENT_OR_ESCAPE = re.compile(r'[#!"\\]')
_BRACE_OR_QUOTE = re.compile(r'[{}"]')


def _offset(spans: tuple[Span, ...] | None, line: int, col: int, k: int) -> tuple[tuple[Span, ...] | None, int, int]:
    """Position data for ``text[k:]`` given that of ``text``."""
    if spans is None:
        return None, line, col + k
    spans = expand.shift_spans(spans, k)
    return spans, spans[0][1], spans[0][2]


def decomment(text: str, spans: tuple[Span, ...]) -> tuple[str, tuple[Span, ...], int, list[int]]:
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
        match = COMMENT_OR_ESCAPE.search(text, index)
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


class Text(NamedTuple):
    """Logical text on its way through the reader, with where it came from: the file, line and
    column of its first character, ``spans`` where substitution moved parts of it (None: all of
    it is written as it stands), and ``via``, where the multi-line definition that produced it
    was used."""

    text: str
    file: SourceFile
    line: int
    col: int
    spans: tuple[Span, ...] | None
    via: Position | None
    repeats: int = 1  # how many lines the ~SEQ/~LST around it make of it

    def rest(self, k: int) -> Text:
        """``text[k:]``, where it came from."""
        spans, line, col = _offset(self.spans, self.line, self.col, k)
        return Text(self.text[k:], self.file, line, col, spans, self.via, self.repeats)

    @property
    def pos(self) -> Position:
        return Position(self.file.name, self.line, self.col)


class _Repeat(NamedTuple):
    """A ~SEQ/~LST being repeated: its variables, the values for each repetition, the text to
    repeat, and which repetition comes next."""

    names: list[str]
    values: list[tuple[str, ...]]
    text: Text
    step: int  # the repetition this one makes


class _Parts(NamedTuple):
    """The lines of multi-line definitions still to be read after a line that used them."""

    parts: tuple[expand.Part, ...]
    via: Position  # where the definitions were used
    at: Position  # the line that used them, for a definition that uses itself
    repeats: int


class _Done(NamedTuple):
    """A line of a multi-line definition has been read in full (it may be used again)."""

    key: tuple[int, int, int]


_Work = Text | _Repeat | _Parts | _Done


class LogicalLines:
    """The state of one read that the logical stage needs, and the stage itself. ``_feed``
    (reading an included file) is the physical stage's."""

    def __init__(self, config_id: str, overlay: dict[str, bytes]) -> None:
        self.config_id = config_id
        # Contents to read instead of the disk's, by real path: kagen fix checks its edits so.
        self.overlay = overlay
        self.params = expand.Parameters(self.config_id)
        self.lines: list[Line] = []
        self.files: list[SourceFile] = []
        self.diagnostics: list[Diagnostic] = []
        self._chain: list[SourceFile] = []
        self._includes = Includes(self.diagnostics, LIMITS, self.overlay)
        self._open_def: expand.Definition | None = None
        self._limit_hit = False
        # Lines of multi-line definitions being expanded: reading one of them again inside its own
        # expansion means the definition uses itself, which keepalived expands until memory runs out.
        self._expanding: set[tuple[int, int, int]] = set()

    def _report(self, check: Check, pos: Position, message: str, severity: Severity | None = None) -> None:
        self.diagnostics.append(diagnostic(check, pos, message, severity))

    def _feed(self, file: SourceFile, data: bytes) -> None:
        raise NotImplementedError

    def _process(self, item: Text) -> None:
        """One line of text through conditionals, definitions, sequences, substitution, include
        and brace splitting (keepalived's read_line loop, including its re-checks). What a line
        gives rise to (the rest after a brace, the repetitions of a ~SEQ, the lines of a
        multi-line definition) is work on a stack, done in keepalived's order: no recursion, so a
        line of 300 braces or nested sequences cannot exhaust Python's stack."""
        stack: list[_Work] = [item]
        while stack and not self._limit_hit:
            work = stack.pop()
            if type(work) is Text:
                self._one(work, stack)
            elif type(work) is _Repeat:
                self._repeat(work, stack)
            elif type(work) is _Parts:
                self._next_part(work, stack)
            else:
                self._expanding.discard(work.key)  # type: ignore[union-attr]

    def _one(self, item: Text, stack: list[_Work]) -> None:
        text, file, line, col, spans, via, repeats = item
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
                    self._sequence(Text(text, file, line, col, spans, via, repeats), stack)
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
        if more:  # after the rest of this line: pushed first
            assert use is not None  # set with more
            stack.append(_Parts(tuple(more), use, Position(file.name, line, col), repeats))
        if text:
            self._finish(Text(text, file, line, col, spans, via, repeats), stack)

    def _next_part(self, work: _Parts, stack: list[_Work]) -> None:
        part, *rest = work.parts
        key = (id(part.file), part.line, part.col)
        if key in self._expanding:
            self._report(
                EXPANSION_LIMIT,
                work.at,
                "a multi-line definition used inside its own expansion: keepalived never stops expanding it",
            )
            return
        if rest:
            stack.append(work._replace(parts=tuple(rest)))
        stack.append(_Done(key))
        self._expanding.add(key)
        assert part.file is not None  # only built-in definitions have no file, and none is multi-line
        stack.append(Text(part.text, part.file, part.line, part.col, None, work.via, work.repeats))

    @staticmethod
    def _cwd(file: SourceFile) -> str:
        """``${_PWD}``: keepalived's working directory while it reads ``file`` (it chdir()s there)."""
        return os.path.dirname(os.path.realpath(file.path))

    def _sequence(self, item: Text, stack: list[_Work]) -> None:
        text = item.text
        if text.startswith("~SEQ"):
            seq = expand.parse_seq(text, self.params, self._cwd(item.file))
        else:
            seq = expand.parse_lst(text)
        if isinstance(seq, expand.Unbounded):
            self._report(EXPANSION_LIMIT, item.pos, str(seq))
            return
        if isinstance(seq, str):
            self._report(SYNTAX_ERROR, item.pos, seq)
            return
        if not text[seq.rest :]:
            return
        repeats = item.repeats * len(seq.values)
        if repeats > expand.MAX_SEQUENCE:  # counted before a line is made: nested sequences multiply
            self._report(
                EXPANSION_LIMIT,
                item.pos,
                f"this ~SEQ/~LST inside another would make {repeats} lines (kagen stops at {expand.MAX_SEQUENCE})",
            )
            self._abandon(stack)
            return
        rest = item.rest(seq.rest)._replace(repeats=repeats)
        stack.append(_Repeat(seq.names, seq.values, rest, 0))

    def _repeat(self, work: _Repeat, stack: list[_Work]) -> None:
        if work.step + 1 < len(work.values):
            stack.append(work._replace(step=work.step + 1))
        for name, value in zip(work.names, work.values[work.step], strict=True):
            self.params.set(name, value)
        stack.append(work.text)

    def _abandon(self, stack: list[_Work]) -> None:
        """Drop what is left of the line (its definitions' lines may be used again)."""
        for work in stack:
            if type(work) is _Done:
                self._expanding.discard(work.key)
        stack.clear()

    def _finish(self, item: Text, stack: list[_Work]) -> None:
        """Include or emit the text, splitting it at its first unquoted brace."""
        text = item.text
        if text.startswith("include"):
            variant = include_variant(text)
            if variant is not None:
                kind, start = variant
                self._include(text[start:].lstrip(" \t"), kind, item.file, item.pos)
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
        skip = len(text)
        if brace >= 0:
            skip = brace
            if brace == 0:
                skip = 1
                while skip < len(text) and text[skip] in " \t":
                    skip += 1
        if skip >= len(text):
            self._emit(item)
            return
        self._emit(item._replace(text=text[:skip].rstrip(" \t")))
        stack.append(item.rest(skip))

    def _emit(self, item: Text) -> None:
        text = item.text
        words, unmatched = split_words(text)
        new = Line(words, text, item.file, item.line, item.col, item.spans, item.via)
        if unmatched >= 0:
            self._report(
                SYNTAX_ERROR,
                new.pos_at(unmatched),
                "unterminated '\"': keepalived drops the rest of the line"
                + (" (and keepalived 2.2 crashes on it in a block header)" if "{" in text else ""),
            )
        if not words:
            return
        if len(self.lines) >= LIMITS["lines"]:
            self._stop_reading(new.pos)
            return
        self.lines.append(new)

    def _stop_reading(self, pos: Position) -> None:
        """A logical line beyond what kagen reads, at ``pos``: say so, read no more."""
        self._limit_hit = True
        self._report(EXPANSION_LIMIT, pos, f"more than {LIMITS['lines']:,} logical lines; kagen stops reading here")

    def _include(self, pattern: str, kind: str, file: SourceFile, pos: Position) -> None:
        for match in self._includes.matches(pattern, kind, file, pos):
            try:
                opened = self._includes.open(match, kind, file, pos, self._chain, len(self.files))
            except TooManyFiles:
                self._limit_hit = True
                return
            if opened is not None:
                self._feed(*opened)
            if self._limit_hit:
                return
