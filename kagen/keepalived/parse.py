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

from lark import Lark, Transformer
from lark.exceptions import LarkError
from lark.lexer import Lexer as LarkLexer

from kagen.diagnostics import SYNTAX_ERROR, Position, diagnostic
from kagen.keepalived.keywords import table
from kagen.keepalived.lexer import Items, Lexer
from kagen.keepalived.model import Config
from kagen.keepalived.source import SourceResult, read_config, read_text
from kagen.keepalived.tree import Block, Line, Node


class _Tokens(LarkLexer):
    """Hands kagen.lexer's tokens to Lark unchanged."""

    def __init__(self, lexer_conf: object) -> None:
        pass

    def lex(self, tokens):  # type: ignore[override]
        return tokens


def _flatten(children: list) -> list[Node]:
    nodes: list[Node] = []
    for child in children:
        if type(child) is Items:
            nodes.extend(child)
        else:
            nodes.append(child)
    return nodes


class _Build(Transformer):
    """Runs inside the LALR parser (no intermediate parse tree): blocks get their children."""

    def start(self, children: list) -> list[Node]:
        return _flatten(children)

    def block(self, children: list) -> Block:
        block: Block = children[0]
        close = children[-1]
        block.children = _flatten(children[1:-1])
        block.close = close if isinstance(close, Line) else None
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
    tokens = Lexer(table(), source.diagnostics).tokens(source.lines)
    try:
        return lalr.parse(tokens)
    except LarkError as exc:  # the lexer balances every block, so this is a kagen bug
        where = source.lines[0].pos if source.lines else Position(source.files[0].name, 1, 1)
        source.diagnostics.append(diagnostic(SYNTAX_ERROR, where, f"internal parser error: {exc}"))
        return []


@contextlib.contextmanager
def gc_paused():
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
        return Config(parse_lines(source), source.files, source.diagnostics)


def parse_string(
    text: str | bytes, name: str = "<string>", config_id: str | None = None, directory: str = "."
) -> Config:
    """Parse configuration text; relative includes resolve against ``directory``."""
    with gc_paused():
        source = read_text(text, name, config_id, directory)
        return Config(parse_lines(source), source.files, source.diagnostics)
