"""Positions between kagen (1-based line and column, in characters) and the Language Server
Protocol (0-based line, column in UTF-16 code units), and the word under the cursor."""

from __future__ import annotations

import re

from lsprotocol import types

from kagen.diagnostics import Position

_WORD = re.compile(r'"[^"]*"?|[^\s"{}]+')


class Text:
    """A document's physical lines, as keepalived splits them (a trailing CR dropped)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines = [line.removesuffix("\r") for line in source.split("\n")]

    def line(self, number: int) -> str:
        """Physical line ``number`` (0-based), or "" past the end."""
        return self.lines[number] if 0 <= number < len(self.lines) else ""

    def to_lsp(self, line: int, col: int) -> types.Position:
        """kagen's 1-based line and character column to an LSP position."""
        before = self.line(line - 1)[: max(col - 1, 0)]
        return types.Position(line=max(line - 1, 0), character=len(before.encode("utf-16-le")) // 2)

    def column(self, position: types.Position) -> int:
        """The 0-based character index in its line of an LSP position."""
        units = self.line(position.line).encode("utf-16-le")[: position.character * 2]
        return len(units.decode("utf-16-le", "ignore"))

    def range_of(self, pos: Position, end: Position | None = None, length: int | None = None) -> types.Range:
        """A finding's range: to ``end``, else ``length`` characters, else the rest of the word."""
        start = self.to_lsp(pos.line, pos.col)
        if end is not None:
            return types.Range(start=start, end=self.to_lsp(end.line, end.col))
        if length is None:
            match = _WORD.match(self.line(pos.line - 1), max(pos.col - 1, 0))
            length = len(match.group()) if match else 0
        return types.Range(start=start, end=self.to_lsp(pos.line, pos.col + length))

    def whole(self) -> types.Range:
        """The whole document, for an edit that replaces it."""
        last = len(self.lines) - 1
        end = types.Position(line=last, character=len(self.source.split("\n")[-1].encode("utf-16-le")) // 2)
        return types.Range(start=types.Position(line=0, character=0), end=end)

    def word_at(self, position: types.Position) -> tuple[str, int] | None:
        """The blank-separated word (quotes kept) under the cursor and its 0-based start column."""
        text = self.line(position.line)
        column = self.column(position)
        for match in _WORD.finditer(text):
            if match.start() <= column <= match.end():
                return match.group(), match.start()
        return None
