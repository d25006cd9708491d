"""What a rule sees of one configuration: the parsed model, the settings, and every node with
the keyword-table entry that applies to it where it stands."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

from kagen.config import Config
from kagen.diagnostics import Diagnostic, Position, Severity
from kagen.keywords import Keyword, KeywordTable, Version
from kagen.tree import Block, Line, Node

if TYPE_CHECKING:
    from kagen.lint.rule import Rule
    from kagen.lint.settings import Options


class Visit(NamedTuple):
    """A node, its keyword-table entry (None if unknown there), the keyword path of the block
    around it ("" at the top level, None inside a block keepalived does not know), and that block
    (None at the top level)."""

    node: Node
    keyword: Keyword | None
    parent: str | None
    block: Block | None


class FileContext:
    def __init__(self, path: str, config: Config, options: Options, table: KeywordTable) -> None:
        self.path = path
        self.config = config
        self.options = options
        self.table = table

    @property
    def target(self) -> Version:
        return self.options.target_version

    @cached_property
    def visits(self) -> list[Visit]:
        """Every node in file order, keyword lookups done the way the lexer did them."""
        out: list[Visit] = []

        def walk(nodes: list[Node], children: dict[str, Keyword] | None, parent: str | None, block) -> None:
            for node in nodes:
                keyword = children.get(node.keyword) if children is not None else None
                out.append(Visit(node, keyword, parent, block))
                if isinstance(node, Block):
                    if keyword is not None and keyword.kind == "block":
                        walk(node.children, keyword.children, keyword.path, node)
                    else:
                        walk(node.children, None, None, node)

        walk(self.config.items, self.table.root, "", None)
        return out

    def statements(self) -> Iterator[tuple[Line, Keyword]]:
        """Statements whose keyword is known where they stand."""
        for visit in self.visits:
            if type(visit.node) is Line and visit.keyword is not None:
                yield visit.node, visit.keyword

    def report(
        self, rule: Rule, pos: Position, message: str, severity: Severity | None = None, end: Position | None = None
    ) -> Diagnostic:
        return Diagnostic(rule.check_id, pos, message, rule.severity if severity is None else severity, end)
