"""What every typed view of a keyword block shares: keepalived's lookup rules over the block's
statements (the last occurrence of a keyword wins, repeated value blocks append)."""

from __future__ import annotations

from functools import cached_property

from kagen.diagnostics import Position
from kagen.keepalived.tree import Block, Line, Node, ValueBlock


class Setting:
    """A typed model's attribute for a keyword: the first argument of its effective (last)
    statement, or None. ``instance.priority`` reads ``priority`` that way."""

    def __init__(self, keyword: str) -> None:
        self.keyword = keyword

    def __get__(self, section: Section | None, owner: type) -> str | None:
        return self if section is None else section.value(self.keyword)  # type: ignore[return-value]


class Section:
    """A keyword block with keepalived's lookup rules: the last occurrence of a keyword wins,
    repeated value blocks append."""

    def __init__(self, block: Block) -> None:
        self.block = block

    @property
    def name(self) -> str | None:
        return self.block.args[0] if self.block.args else None

    @property
    def line(self) -> Line:
        return self.block.header

    @property
    def end(self) -> Position | None:
        """Where the block ends (its '}'), for findings about the whole block."""
        return self.block.close.pos if self.block.close is not None else None

    def nodes(self, keyword: str) -> list[Node]:
        return [node for node in self.block.children if node.keyword == keyword]

    @cached_property
    def _last(self) -> dict[str, Line]:
        """Each keyword's last statement: rules ask for many keywords of every block."""
        return {node.keyword: node for node in self.block.children if isinstance(node, Line)}

    def get(self, keyword: str) -> Line | None:
        """The statement that takes effect (the last one)."""
        return self._last.get(keyword)

    def value(self, keyword: str) -> str | None:
        line = self.get(keyword)
        return line.args[0] if line is not None and line.args else None

    def has(self, keyword: str) -> bool:
        return self.get(keyword) is not None

    @cached_property
    def _entries(self) -> dict[str, list[Line]]:
        """Each value block keyword's entries, repeated blocks together: the trackers of every
        instance ask for several keywords each."""
        found: dict[str, list[Line]] = {}
        for node in self.block.children:
            if isinstance(node, ValueBlock):
                found.setdefault(node.keyword, []).extend(node.entries)
        return found

    def entries(self, keyword: str) -> list[Line]:
        return list(self._entries.get(keyword, ()))

    def blocks(self, keyword: str) -> list[Block]:
        return [node for node in self.block.children if isinstance(node, Block) and node.keyword == keyword]
