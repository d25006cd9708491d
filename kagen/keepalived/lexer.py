"""Logical lines to parser tokens, deciding block kinds from the keyword table.

keepalived decides what a ``{`` means from the keyword before it: a keyword block holds more
keywords, a value block (``virtual_ipaddress``, ``unicast_peer``, ...) holds one entry per line.
Anything else followed by ``{`` is an error that keepalived answers by ignoring the ``{`` and
reading what follows as part of the enclosing block, whose ``}`` then comes early. The lexer
keeps the stack of blocks it is in to look keywords up in the right place and repeats
keepalived's recovery for every brace mistake, with a diagnostic, so that the tree kagen builds
is the one keepalived acts on and the grammar always receives a balanced stream.

The stream has four kinds of token (the grammar's terminals, grammars/keepalived.lark): BLOCK (a
keyword block's header, its ``Block``), ITEMS (the statements and value blocks between two block
boundaries, a list), CLOSE (the ``}`` that ends a block: its ``Line``, or None where keepalived
assumes one the text does not have) and LEAF (a whole keyword block with no keyword block inside,
its ``Block`` complete: most blocks are, and one token instead of three saves the parser work).
The parser module decides what a token is made of (``token(kind, value)``); the lexer only says
which kind comes with which value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from kagen.diagnostics import Diagnostic, Position, diagnostic
from kagen.keepalived.checks import MISPLACED_KEYWORD, SYNTAX_ERROR, UNKNOWN_KEYWORD
from kagen.keepalived.keywords import Keyword, KeywordTable
from kagen.keepalived.tree import Block, Line, ValueBlock
from kagen.keepalived.words import names

Token = TypeVar("Token")
# A run of statements and value blocks between block boundaries is one token: only blocks give the
# tree its shape, and each token costs the LALR parser time.
Items = list[Line | ValueBlock]


def _close(broken: list[Diagnostic], line: Line) -> list[Diagnostic]:
    """Let the pending missing-brace diagnostics cover up to ``line``; nothing is pending after."""
    for found in broken:
        found.end = line.pos
    return []


def _describe(header: Line) -> str:
    return " ".join(header.words[:2])


class Lexer(Generic[Token]):
    def __init__(
        self, table: KeywordTable, diagnostics: list[Diagnostic], token: Callable[[str, object], Token]
    ) -> None:
        self.table = table
        self.diagnostics = diagnostics
        self.token = token

    def _error(self, pos: Position, message: str) -> Diagnostic:
        found = diagnostic(SYNTAX_ERROR, pos, message)
        self.diagnostics.append(found)
        return found

    def _unknown(self, line: Line, parent: str) -> None:
        misplaced, message = self.table.explain_unknown(parent, line.words[0])
        self.diagnostics.append(diagnostic(MISPLACED_KEYWORD if misplaced else UNKNOWN_KEYWORD, line.pos, message))

    def tokens(self, lines: list[Line]) -> Iterator[Token]:
        contexts: list[dict[str, Keyword]] = [self.table.root]
        parents: list[str] = [""]  # keyword path of each open block
        blocks: list[Block] = []
        grouped: list[bool] = []  # per open block: has it had its group list?
        run: Items = []  # statements and value blocks since the last block boundary
        pending: Line | None = None  # a line that opens a block if the next line is "{"
        values: ValueBlock | None = None  # the value block being filled
        depth = 0  # keepalived's own count of "{" and "}" lines, which reports "Extra '}'"
        # keepalived's processes that do not own a top-level block skip it by counting braces; a
        # missing '{' makes them stop early and read the rest of that top-level block as top-level
        # lines, complaining about each. So such a diagnostic covers up to the block's end.
        broken: list[Diagnostic] = []
        last = None
        leaf: Block | None = None  # the innermost open block while nothing opened inside it: no token yet

        token = self.token

        def close_block(closing: Line, close: Line | None) -> Iterator[Token]:
            """The block ends at ``closing``; ``close`` is its '}' (None: keepalived assumes one)."""
            nonlocal broken, run, leaf
            block = blocks.pop()
            grouped.pop()
            if not blocks:
                broken = _close(broken, closing)
            contexts.pop()
            parents.pop()
            if block is leaf:
                block.children = run  # type: ignore[assignment]
                block.close = close
                run, leaf = [], None
                yield token("LEAF", block)
                return
            if run:
                yield token("ITEMS", run)
                run = []
            yield token("CLOSE", close)

        for line in lines:
            last = line
            text = line.text
            if text == "{":
                depth += 1
            elif text == "}":
                depth -= 1
                if depth < 0:
                    depth = 0
                    if blocks or values is not None:
                        self._error(
                            line.pos, "'}' with no matching '{' (a '{' is missing above; keepalived: Extra '}')"
                        )
            if pending is not None:
                header, pending = pending, None
                keyword = contexts[-1].get(header.words[0])
                if keyword is None:
                    self._unknown(header, parents[-1])
                kind = keyword.kind if keyword is not None else None
                if kind == "list":
                    values = ValueBlock(header, line if text == "{" else None)
                    if text == "{":
                        continue
                    broken.append(
                        self._error(
                            header.pos,
                            f"'{header.words[0]}' has no '{{': keepalived takes the lines up to "
                            "the next '}' as its entries, and that '}' then no longer closes the enclosing block",
                        )
                    )
                elif keyword is not None and kind == "block":
                    block = Block(header, line if text == "{" else None)
                    if text != "{":
                        broken.append(
                            self._error(
                                header.pos, f"'{_describe(header)}' is not followed by '{{' (keepalived: Missing '{{')"
                            )
                        )
                    if leaf is not None:
                        yield token("BLOCK", leaf)
                    if run:
                        yield token("ITEMS", run)
                        run = []
                    blocks.append(block)
                    grouped.append(False)
                    contexts.append(keyword.children)
                    parents.append(keyword.path)
                    leaf = block
                    if text == "{":
                        continue
                else:
                    run.append(header)
                    if text == "{":
                        what = "an unknown keyword" if keyword is None else "not a block keyword"
                        where = f"'{_describe(blocks[-1].header)}'" if blocks else "the top level"
                        self._error(
                            line.pos,
                            f"unexpected '{{' after '{header.words[0]}', {what}: keepalived ignores it and reads "
                            f"the following lines as part of {where}, up to the next '}}'",
                        )
                        continue
            if values is not None:
                if text != "}":
                    values.entries.append(line)
                    continue
                values.close = line
                if not blocks:
                    broken = _close(broken, line)
                run.append(values)
                second_group = (
                    values.keyword == "group" and parents[-1] in names("group-list-ends-block") and grouped[-1]
                )
                if values.keyword == "group" and blocks:
                    grouped[-1] = True
                values = None
                if not second_group:
                    continue
                # keepalived ends the enclosing block here too; its own '}' comes later as extra.
                yield from close_block(line, None)
                continue
            if text == "}":
                if not blocks:
                    self._error(line.pos, "'}' at the top level: there is no block to close (keepalived: Extra '}')")
                    continue
                yield from close_block(line, line)
            elif text == "{":
                self._error(line.pos, "unexpected '{' (keepalived ignores it)")
            else:
                pending = line
        if pending is not None:
            keyword = contexts[-1].get(pending.words[0])
            if keyword is None:
                self._unknown(pending, parents[-1])
            elif keyword.kind in ("block", "list"):
                self._error(pending.pos, f"'{_describe(pending)}' has no '{{' before the end of the file")
            run.append(pending)
        if values is not None:
            self._error(
                values.header.pos, f"'{_describe(values.header)}' is not closed: missing '}}' at the end of the file"
            )
            run.append(values)
        if last is not None:
            _close(broken, last)
        if leaf is not None:
            yield token("BLOCK", leaf)
        if run:
            yield token("ITEMS", run)
        for block in reversed(blocks):
            self._error(
                block.header.pos, f"'{_describe(block.header)}' is not closed: missing '}}' at the end of the file"
            )
            yield token("CLOSE", None)
