"""Parse keepalived configurations: source stage, lexer, then one cached Lark LALR parser.

Syntax problems never raise: they are diagnostics next to a tree that holds everything that could
be read, so that ``kagen lint`` can go on and report what keepalived would do with it.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import pkgutil
from collections.abc import Iterator

from lark import Lark, Transformer
from lark.exceptions import LarkError
from lark.lexer import Lexer as LarkLexer

from kagen.diagnostics import Position, diagnostic
from kagen.keepalived.checks import SYNTAX_ERROR
from kagen.keepalived.keywords import table
from kagen.keepalived.lexer import Lexer
from kagen.keepalived.model import Config
from kagen.keepalived.source import SourceResult, read_config, read_text
from kagen.keepalived.tree import Block, Node


class _Token:
    """A token as Lark's LALR parser reads it: its ``type`` (a terminal of the grammar) and the
    position attributes Lark copies into its end-of-input token, which are empty here (positions
    live in the tree). Lighter than Lark's own ``Token`` (a ``str``), one per block boundary."""

    __slots__ = ("type", "value")
    start_pos = end_pos = line = column = end_line = end_column = None

    def __init__(self, type_: str, value: object) -> None:
        self.type = type_
        self.value = value


class _Tokens(LarkLexer):
    """Hands the lexer's token stream to Lark unchanged."""

    def __init__(self, lexer_conf: object) -> None:
        pass

    def lex(self, tokens):  # type: ignore[no-untyped-def,override]
        return tokens


def _flatten(children: list[_Token | Block]) -> list[Node]:
    """A block's (or the file's) children: the runs of statements (ITEMS tokens) unpacked, and the
    nested blocks (LEAF tokens, built by the lexer, and blocks built here)."""
    nodes: list[Node] = []
    for child in children:
        if type(child) is _Token:
            if child.type == "ITEMS":
                nodes.extend(child.value)  # type: ignore[arg-type]
            else:
                nodes.append(child.value)  # type: ignore[arg-type]
        else:
            nodes.append(child)  # type: ignore[arg-type]
    return nodes


class _Build(Transformer):
    """Runs inside the LALR parser (no intermediate parse tree): blocks get their children."""

    def start(self, children: list[_Token | Block]) -> list[Node]:
        return _flatten(children)

    def block(self, children: list) -> Block:
        block: Block = children[0].value
        block.children = _flatten(children[1:-1])
        block.close = children[-1].value
        return block


def _cache_path() -> str | bool:
    """Where Lark may keep the built parse table between runs: building it takes longer than
    parsing a typical configuration. False (no cache) if the user's cache directory is unusable."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    directory = os.path.join(base, "kagen")
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError:
        return False
    return os.path.join(directory, "parser.lark-cache")


@functools.cache
def parser() -> Lark:
    """The LALR parser, built once per process (and reused from the cache when it is current)."""
    try:
        grammar = pkgutil.get_data("kagen.grammars", "keepalived.lark")
    except ImportError:
        grammar = None
    if grammar is None:
        raise RuntimeError(
            "kagen.grammars/keepalived.lark is missing: kagen is not installed (pip install .), or a "
            "source checkout shadows the installed package"
        )
    return Lark(grammar.decode("utf-8"), parser="lalr", lexer=_Tokens, transformer=_Build(), cache=_cache_path())


def parse_lines(source: SourceResult) -> list[Node]:
    """The tree of a source stage result; lexer diagnostics are added to ``source.diagnostics``."""
    lalr = parser()  # outside the try: a broken installation is not a syntax error
    tokens = Lexer(table(), source.diagnostics, _Token).tokens(source.lines)
    try:
        return lalr.parse(tokens)  # type: ignore[return-value]  # (the transformer's start())
    except LarkError as exc:  # the lexer balances every block, so this is a kagen bug
        where = source.lines[0].pos if source.lines else Position(source.files[0].name, 1, 1)
        source.diagnostics.append(diagnostic(SYNTAX_ERROR, where, f"internal parser error: {exc}"))
        return []


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Parsing allocates one object per line and no reference cycles; the cyclic collector's
    passes over that growing heap would cost more than the parse itself (likewise for dumping
    the tree)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def parse_file(path: str, config_id: str | None = None, overlay: dict[str, bytes] | None = None) -> Config:
    """Parse ``path`` (``-`` for standard input); raises source.InputError if it cannot be read.
    ``overlay``: contents by real path to read instead of the disk's."""
    with gc_paused():
        source = read_config(path, config_id, overlay)
        return Config(parse_lines(source), source.files, source.diagnostics, source.patterns)


def parse_string(
    text: str | bytes, name: str = "<string>", config_id: str | None = None, directory: str = "."
) -> Config:
    """Parse configuration text; relative includes resolve against ``directory``."""
    with gc_paused():
        source = read_text(text, name, config_id, directory)
        return Config(parse_lines(source), source.files, source.diagnostics)
