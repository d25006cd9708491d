"""Logical lines to parser tokens, deciding block kinds from the keyword table.

keepalived decides what a ``{`` means from the keyword before it: a keyword block holds more
keywords, a value block (``virtual_ipaddress``, ``unicast_peer``, ...) holds one entry per line,
and anything else followed by ``{`` is an error. The lexer keeps the stack of blocks it is in to
look keywords up in the right place, and resolves brace mistakes the way keepalived does, with a
diagnostic, so that the grammar always receives a balanced stream.
"""

from __future__ import annotations

from collections.abc import Iterator

from kagen.diagnostics import MISPLACED_KEYWORD, SYNTAX_ERROR, UNKNOWN_KEYWORD, Diagnostic, diagnostic
from kagen.keywords import Keyword, KeywordTable
from kagen.tree import Block, Line, ValueBlock


class EndOfInput:
    """Stands for the ``}`` that the file never had, so an unclosed block still parses."""

    type = "CLOSE"
    start_pos = end_pos = line = column = end_line = end_column = None


END_OF_INPUT = EndOfInput()


class Items(list):
    """A run of statements and value blocks inside one block: a single token for the parser,
    since only blocks give the tree its shape (and each token costs the LALR parser time)."""

    type = "ITEMS"
    start_pos = end_pos = line = column = end_line = end_column = None


_UNKNOWN: dict[str, Keyword] = {}


def _describe(header: Line) -> str:
    return " ".join(header.words[:2])


class Lexer:
    def __init__(self, table: KeywordTable, diagnostics: list[Diagnostic]) -> None:
        self.table = table
        self.diagnostics = diagnostics

    def _error(self, line: Line, message: str) -> None:
        self.diagnostics.append(diagnostic(SYNTAX_ERROR, line.pos, message))

    def _unknown(self, line: Line, parent: str | None) -> None:
        """Report a keyword that is not valid where it stands (not inside unknown blocks)."""
        if parent is None:
            return
        misplaced, message = self.table.explain_unknown(parent, line.words[0])
        self.diagnostics.append(diagnostic(MISPLACED_KEYWORD if misplaced else UNKNOWN_KEYWORD, line.pos, message))

    def tokens(self, lines: list[Line]) -> Iterator[object]:
        contexts: list[dict[str, Keyword]] = [self.table.root]
        parents: list[str | None] = [""]  # keyword path of each context; None inside unknown blocks
        blocks: list[Block] = []
        run = Items()  # statements and value blocks since the last block boundary
        pending: Line | None = None  # a line that opens a block if the next line is "{"
        values: ValueBlock | None = None  # the value block being filled
        for line in lines:
            text = line.text
            if pending is not None:
                header, pending = pending, None
                keyword = contexts[-1].get(header.words[0])
                if keyword is None:
                    kind = None
                    self._unknown(header, parents[-1])
                else:
                    kind = keyword.kind
                if kind == "list":
                    if text == "{":
                        values = ValueBlock(header, line)
                        continue
                    self._error(
                        header,
                        f"'{header.words[0]}' has no '{{': keepalived takes the following lines as its "
                        "entries up to the next '}', which then no longer closes the enclosing block",
                    )
                    values = ValueBlock(header, None)
                elif text == "{" or kind == "block":
                    if text != "{":
                        self._error(header, f"'{_describe(header)}' has no '{{' (keepalived: Missing '{{')")
                    if run:
                        yield run
                        run = Items()
                    block = Block(header, line if text == "{" else None, kind == "block")
                    blocks.append(block)
                    if kind == "block":
                        contexts.append(keyword.children)
                        parents.append(keyword.path)
                    else:
                        contexts.append(_UNKNOWN)
                        parents.append(None)
                    yield block
                    if text == "{":
                        continue
                else:
                    run.append(header)
            if values is not None:
                if text == "}":
                    values.close = line
                    run.append(values)
                    values = None
                else:
                    values.entries.append(line)
                continue
            if text == "}":
                if not blocks:
                    self._error(line, "extra '}' with no block to close")
                    continue
                blocks.pop()
                contexts.pop()
                parents.pop()
                if run:
                    yield run
                    run = Items()
                line.type = "CLOSE"
                yield line
            elif text == "{":
                self._error(line, "unexpected '{' (keepalived ignores it)")
            else:
                pending = line
        if pending is not None:
            keyword = contexts[-1].get(pending.words[0])
            if keyword is None:
                self._unknown(pending, parents[-1])
            elif keyword.kind in ("block", "list"):
                self._error(pending, f"'{_describe(pending)}' has no '{{' before the end of the file")
            run.append(pending)
        if values is not None:
            self._error(
                values.header, f"'{_describe(values.header)}' is not closed: missing '}}' at the end of the file"
            )
            run.append(values)
        if run:
            yield run
        for block in reversed(blocks):
            self._error(block.header, f"'{_describe(block.header)}' is not closed: missing '}}' at the end of the file")
            yield END_OF_INPUT
