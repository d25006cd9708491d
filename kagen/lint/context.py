"""What a rule sees of one configuration: the parsed model, the settings, and every node with
the keyword-table entry that applies to it where it stands."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from functools import cached_property
from typing import NamedTuple

from kagen.diagnostics import Diagnostic
from kagen.keepalived.keywords import ArgSpec, Keyword, KeywordTable, Version
from kagen.keepalived.model import Config
from kagen.keepalived.tree import Block, Line, Node
from kagen.keepalived.vrrp import Behaviour, behaviour
from kagen.lint.facts import FileFacts, Seen, Source, comments_of, keywords_of, seen, sources_of
from kagen.lint.settings import Options


class Visit(NamedTuple):
    """A node, its keyword-table entry (None if unknown there), the keyword path of the block
    around it ("" at the top level, None inside a block keepalived does not know), and that block
    (None at the top level)."""

    node: Node
    keyword: Keyword | None
    parent: str | None
    block: Block | None


class Argument(NamedTuple):
    """One argument word with the specification that describes it (``statement``: not a block header)."""

    line: Line
    at: int  # the word's index in the line (0: the keyword)
    spec: ArgSpec
    word: str
    statement: bool


@functools.cache
def _layout(keyword: Keyword) -> tuple[tuple[ArgSpec, ...], ArgSpec | None]:
    """Which spec describes which word: one word each for the leading specs, then every further
    word for a repeated spec; nothing from a free-text (words, script) spec on."""
    fixed: list[ArgSpec] = []
    for spec in keyword.args:
        if spec.type in ("words", "script"):
            return tuple(fixed), None
        if spec.repeat:
            return tuple(fixed), spec
        fixed.append(spec)
    return tuple(fixed), None


class FileContext:
    def __init__(
        self,
        path: str,
        config: Config | None,
        options: Options,
        table: KeywordTable,
        load: Callable[[], Config] | None = None,
        facts: FileFacts | None = None,
    ) -> None:
        """``config``, or ``load`` to read it (from the lint cache) when a rule first asks, with
        the ``facts`` that the run needs of the file meanwhile."""
        self.path = path
        self._config = config
        self._load = load
        self._facts = facts
        self.options = options
        self.table = table
        # Names of included files whose findings are not reported: outside the directories
        # given, and not keepalived's (kagen.lint.files).
        self.quiet: frozenset[str] = frozenset()
        # The per-file findings (the reader's, the parser's, the file rules'), once found or as
        # the lint cache holds them, and the cache entry they came from (kagen.lint.cache).
        self.checked: list[Diagnostic] | None = None
        self.entry: str | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            assert self._load is not None
            self._config, self._load = self._load(), None
        return self._config

    @property
    def facts(self) -> FileFacts:
        """What the cache keeps of the file for runs that do not load it (kagen.lint.facts)."""
        if self._facts is None:
            self._facts = FileFacts(self.sources, keywords_of(self.paths), self.comments, self.instances)
        return self._facts

    @cached_property
    def sources(self) -> tuple[Source, ...]:
        """Every file read for this one, this one first."""
        return self._facts.sources if self._facts is not None else sources_of(self.config)

    @cached_property
    def comments(self) -> tuple[tuple[str, int, int, str], ...]:
        """The comments that may hold suppressions: (file, line, col, text)."""
        return self._facts.comments if self._facts is not None else comments_of(self.config)

    @cached_property
    def instances(self) -> tuple[Seen, ...]:
        """The vrrp_instances as the cluster evidence sees them, in file order."""
        if self._facts is not None:
            return self._facts.instances
        return tuple(seen(instance) for instance in self.config.vrrp_instances)

    @property
    def target(self) -> Version:
        return self.options.target_version

    @cached_property
    def visits(self) -> list[Visit]:
        """Every node in file order, keyword lookups done the way the lexer did them."""
        out: list[Visit] = []

        def walk(
            nodes: list[Node], children: dict[str, Keyword] | None, parent: str | None, block: Block | None
        ) -> None:
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

    @cached_property
    def by_keyword(self) -> dict[Keyword, list[Visit]]:
        """The visits of each known keyword, in file order: a rule about a few keywords reads only
        theirs (a large configuration has 10^5 nodes and the rules are many)."""
        out: dict[Keyword, list[Visit]] = {}
        for visit in self.visits:
            if visit.keyword is not None:
                out.setdefault(visit.keyword, []).append(visit)
        return out

    @cached_property
    def behaviours(self) -> list[Behaviour]:
        """Each vrrp_instance as keepalived runs it (kagen.keepalived.vrrp), in the order of
        ``config.vrrp_instances``: the state, priority and trackers after keepalived's corrections."""
        return [behaviour(self.config, instance) for instance in self.config.vrrp_instances]

    @cached_property
    def secrets(self) -> frozenset[tuple[str, int]]:
        """Where statements holding a secret stand (file name, line): rules that quote what is
        written there must not (kagen.keepalived.redact)."""
        return frozenset(
            (visit.node.file.name, visit.node.line)
            for keyword, visits in self.by_keyword.items()
            if keyword.secret
            for visit in visits
            if isinstance(visit.node, Line)
        )

    @cached_property
    def paths(self) -> frozenset[str]:
        """The keyword paths present in the configuration (vrrp_instance, vrrp_instance/authentication)."""
        if self._config is None and self._facts is not None:
            return self._facts.paths
        return frozenset(keyword.path for keyword in self.by_keyword)

    def visits_of(self, wanted: Callable[[Keyword], object]) -> Iterator[tuple[Keyword, Visit]]:
        """Visits of the keywords for which ``wanted`` is true, each with its keyword."""
        for keyword, visits in self.by_keyword.items():
            if wanted(keyword):
                for visit in visits:
                    yield keyword, visit

    def statements_of(self, wanted: Callable[[Keyword], object]) -> Iterator[tuple[Line, Keyword]]:
        """Statements (not blocks) of the keywords for which ``wanted`` is true."""
        for keyword, visit in self.visits_of(wanted):
            if type(visit.node) is Line:
                yield visit.node, keyword

    @cached_property
    def arguments(self) -> dict[str, list[Argument]]:
        """Every word that a known keyword's argument specification describes, in statements and
        block headers, by the spec's type: read once here for all the value rules."""
        out: dict[str, list[Argument]] = {}
        for keyword, visits in self.by_keyword.items():
            fixed, tail = _layout(keyword)
            if keyword.kind == "list" or not (fixed or tail):
                continue
            for visit in visits:
                node = visit.node
                if isinstance(node, Line):
                    line, statement = node, True
                else:
                    line, statement = node.header, False
                for index, word in enumerate(line.words[1:], 1):
                    spec = fixed[index - 1] if index <= len(fixed) else tail
                    if spec is None:
                        break
                    out.setdefault(spec.type, []).append(Argument(line, index, spec, word, statement))
        return out

    def arguments_of(self, *types: str) -> Iterator[Argument]:
        for kind in types:
            yield from self.arguments.get(kind, ())
