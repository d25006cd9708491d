"""The generic, lossless tree of a keepalived configuration.

keepalived's language has three shapes: a statement (one logical line), a keyword block
(``vrrp_instance VI_1 { ... }``) and a value block (``virtual_ipaddress { ... }``, one entry per
line). Every node keeps the logical lines it came from, and every line knows the file, line and
column of each of its words, so the linter can point at the exact word, also inside included files
and expanded ``$PARAMETERS``.
"""

from __future__ import annotations

import bisect
import os
import re
from typing import NamedTuple

from kagen.diagnostics import Position

# keepalived splits words on these (WHITE_SPACE_STR in lib/parser.h); Python's str.split() would
# also split on \x1c-\x1f and non-ASCII spaces, so it is only used where those cannot occur.
BLANKS = " \t\f\n\r\v"
_WORD = re.compile(r'"([^"]*)"|"([^"]*)$|([^ \t\f\n\r\v"]+)')
_NOT_PLAIN = re.compile(r'["\x1c-\x1f]')


def split_words(text: str) -> tuple[list[str], int]:
    """keepalived's ``alloc_strvec_r``: blank-separated words, ``"..."`` is one word without quotes.

    Returns the words and the index of an unmatched ``"`` (or -1); keepalived stops at an
    unmatched quote, so the words before it are all that is returned then.
    """
    if text.isascii() and not _NOT_PLAIN.search(text):
        return text.split(), -1
    words: list[str] = []
    for match in _WORD.finditer(text):
        if match.group(2) is not None:
            return words, match.start()
        words.append(match.group(1) if match.group(1) is not None else match.group(3))
    return words, -1


def word_starts(text: str) -> list[int]:
    """Index in ``text`` where each word of ``split_words(text)`` starts (at its quote, if quoted)."""
    starts = []
    if text.isascii() and not _NOT_PLAIN.search(text):
        index = 0
        for word in text.split():
            index = text.find(word, index)
            starts.append(index)
            index += len(word)
        return starts
    for match in _WORD.finditer(text):
        if match.group(2) is not None:
            break
        starts.append(match.start())
    return starts


class Comment(NamedTuple):
    """A ``#`` or ``!`` comment; kept for inline ``kagen: disable`` and for in-place fixes."""

    line: int
    col: int
    text: str


class SourceFile:
    """A file that was read: the top-level one or one reached by ``include``."""

    __slots__ = ("_realpath", "comments", "included_from", "name", "path", "text")

    def __init__(
        self, name: str, path: str, realpath: str | None = None, included_from: Position | None = None
    ) -> None:
        self.name = name  # as the user sees it: the path given, or the include joined to its parent
        self.path = path  # absolute, symlinks kept: relative includes resolve against its directory
        self._realpath = realpath
        self.included_from = included_from
        self.comments: list[Comment] = []
        self.text = ""  # the decoded content, for rules that look at the physical lines

    @property
    def realpath(self) -> str:
        """Symlinks resolved: identifies the file for include cycles. Resolved when first asked
        (a file without includes never is: resolving costs a system call per path component)."""
        if self._realpath is None:
            self._realpath = os.path.realpath(self.path)
        return self._realpath

    def __repr__(self) -> str:
        return f"SourceFile({self.name!r})"


# A span maps text[start:] (up to the next span) to a source position. Literal spans advance the
# column with the index; a substituted value's span keeps pointing at the "$NAME" it replaced.
Span = tuple[int, int, int, bool]  # (start index, line, col, literal)


class Line:
    """One logical line: what keepalived's ``read_line()`` returns after comments, conditionals,
    parameters, includes and brace splitting. The unit of every later stage."""

    __slots__ = ("col", "file", "line", "spans", "text", "via", "words")

    def __init__(
        self,
        words: list[str],
        text: str,
        file: SourceFile,
        line: int,
        col: int,
        spans: tuple[Span, ...] | None = None,
        via: Position | None = None,
    ) -> None:
        self.words = words
        self.text = text
        self.file = file
        self.line = line
        self.col = col
        self.spans = spans
        self.via = via

    def __repr__(self) -> str:
        return f"Line({self.text!r} at {self.pos})"

    @property
    def keyword(self) -> str:
        return self.words[0]

    @property
    def args(self) -> list[str]:
        return self.words[1:]

    @property
    def pos(self) -> Position:
        return Position(self.file.name, self.line, self.col)

    def pos_at(self, index: int) -> Position:
        """Where ``text[index]`` came from."""
        if self.spans is None:
            return Position(self.file.name, self.line, self.col + index)
        span = self.spans[bisect.bisect_right(self.spans, (index, 1 << 62)) - 1]
        start, line, col, literal = span
        return Position(self.file.name, line, col + (index - start if literal else 0))

    def word_positions(self) -> list[Position]:
        return [self.pos_at(start) for start in word_starts(self.text)]

    def word_pos(self, index: int) -> Position:
        """Position of word ``index`` (0 = the keyword); the line's start if there is no such word."""
        starts = word_starts(self.text)
        return self.pos_at(starts[index]) if index < len(starts) else self.pos


class _Headed:
    """What keyword blocks and value blocks share: a header line that names them."""

    __slots__ = ()
    header: Line

    @property
    def keyword(self) -> str:
        return self.header.words[0]

    @property
    def args(self) -> list[str]:
        return self.header.words[1:]

    @property
    def line(self) -> int:
        return self.header.line

    @property
    def pos(self) -> Position:
        return self.header.pos


class Block(_Headed):
    """A keyword block: header line, the ``{`` line (None when keepalived had to assume it),
    children, and the ``}`` line (None when the file ended first)."""

    __slots__ = ("children", "close", "header", "open")

    def __init__(self, header: Line, open_: Line | None) -> None:
        self.header = header
        self.open = open_
        self.children: list[Node] = []
        self.close: Line | None = None

    def __repr__(self) -> str:
        return f"Block({self.header.text!r}, {len(self.children)} children)"


class ValueBlock(_Headed):
    """A value block such as ``virtual_ipaddress``: each line inside is one entry, not a keyword."""

    __slots__ = ("close", "entries", "header", "open")

    def __init__(self, header: Line, open_: Line | None) -> None:
        self.header = header
        self.open = open_
        self.entries: list[Line] = []
        self.close: Line | None = None

    def __repr__(self) -> str:
        return f"ValueBlock({self.header.text!r}, {len(self.entries)} entries)"


Node = Line | Block | ValueBlock


_ESCAPES = {"a": "\a", "b": "\b", "E": "\x1b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def _escape(text: str, index: int) -> tuple[str, int]:
    """keepalived's escape after a backslash at ``text[index - 1]``: value and next index."""
    char = text[index]
    if char == "x" and index + 1 < len(text) and text[index + 1] in "0123456789abcdefABCDEF":
        end = index + 1
        while end < len(text) and text[end] in "0123456789abcdefABCDEF":
            end += 1
        return chr(int(text[index + 1 : end], 16) & 0xFF), end
    if char == "c" and index + 1 < len(text):
        return chr(ord(text[index + 1]) & 0x1F), index + 2
    if char in "01234567":
        end = index
        while end < len(text) and end < index + 3 and text[end] in "01234567":
            end += 1
        return chr(int(text[index:end], 8) & 0xFF), end
    return _ESCAPES.get(char, char), index + 1


def split_quoted_escaped(text: str) -> list[str] | None:
    """keepalived's ``alloc_strvec_quoted_escaped``, used for script command lines: shell-like
    words with ``'...'``/``"..."`` quoting and backslash escapes. None on an unterminated quote
    or a trailing backslash (keepalived then ignores the script)."""
    return _quoted_escaped(text)[0]


def quoting_problem(text: str) -> str | None:
    """Why keepalived cannot split ``text`` as a command line (``split_quoted_escaped``), or None."""
    return _quoted_escaped(text)[1]


def _quoted_escaped(text: str) -> tuple[list[str] | None, str | None]:
    words: list[str] = []
    index = 0
    size = len(text)
    while True:
        while index < size and text[index] in BLANKS:
            index += 1
        if index == size:
            return words, None
        word: list[str] = []
        quote = ""
        while index < size:
            char = text[index]
            if char == "\\":
                if index + 1 == size:
                    return None, "it ends in a backslash"
                value, index = _escape(text, index + 1)
                word.append(value)
            elif quote:
                if char == quote:
                    quote = ""
                else:
                    word.append(char)
                index += 1
            elif char in "'\"":
                quote = char
                index += 1
            elif char in BLANKS:
                break
            else:
                word.append(char)
                index += 1
        if quote:
            return None, f"its {quote} has no closing {quote}"
        words.append("".join(word))
