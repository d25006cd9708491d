"""Completion: the keywords the target keepalived accepts in the block at the cursor (blocks as
snippets with their braces), the names a tracking list or sync group may refer to, and the
choices of an argument (``state``, ``lb_algo``, ``on``/``off``)."""

from __future__ import annotations

from lsprotocol import types

from kagen.keepalived.keywords import Keyword, Version, table
from kagen.keepalived.tree import Block, ValueBlock
from kagen.keepalived.words import grouped
from kagen.lsp.analysis import Reading
from kagen.lsp.hover import describe_argument
from kagen.lsp.text import Text

BOOL = ("on", "off")
KIND = {"block": types.CompletionItemKind.Module, "list": types.CompletionItemKind.Struct}


def _keyword_item(keyword: Keyword) -> types.CompletionItem:
    detail = " ".join(describe_argument(spec) for spec in keyword.args[:1]) or None
    if keyword.kind in ("block", "list"):
        name = f" ${{1:{keyword.args[0].type}}}" if keyword.args and not keyword.args[0].optional else ""
        return types.CompletionItem(
            label=keyword.name,
            kind=KIND[keyword.kind],
            detail=detail,
            insert_text=f"{keyword.name}{name} {{\n\t$0\n}}",
            insert_text_format=types.InsertTextFormat.Snippet,
        )
    return types.CompletionItem(label=keyword.name, kind=types.CompletionItemKind.Keyword, detail=detail)


def _names(reading: Reading, block: ValueBlock, path: str | None) -> list[types.CompletionItem]:
    """What an entry of this value block may name: the blocks it refers to, defined in any file read."""
    if block.keyword == "group" and path is not None and path.startswith("vrrp_sync_group"):
        kinds: tuple[str, ...] = ("vrrp_instance",)
    else:
        kinds = grouped("tracked-block").get(block.keyword, ())
    names = dict.fromkeys(node.args[0] for node in reading.top(kinds) if node.args)
    kind = types.CompletionItemKind.Reference
    return [types.CompletionItem(label=name, kind=kind, detail=kinds[0]) for name in names]


def _choices(keyword: Keyword | None, index: int) -> list[types.CompletionItem]:
    if keyword is None or not keyword.args:
        return []
    spec = keyword.args[min(index, len(keyword.args) - 1)]
    if index >= len(keyword.args) and not spec.repeat:
        return []
    choices = spec.choices or (BOOL if spec.type == "bool" else ())
    return [types.CompletionItem(label=choice, kind=types.CompletionItemKind.EnumMember) for choice in choices]


def complete(reading: Reading, text: Text, position: types.Position, target: Version) -> list[types.CompletionItem]:
    line = position.line + 1
    column = text.column(position)
    before = text.line(position.line)[:column]
    words = before.split()
    if words and words[0].startswith("@"):  # a configuration-id condition: the statement follows it
        words = words[1:]
    index = len(words) if before[-1:] in ("", " ", "\t") else len(words) - 1
    enclosing = reading.enclosing(line, column)
    block, path = enclosing if enclosing is not None else (None, "")
    if isinstance(block, ValueBlock):
        return _names(reading, block, path) if index == 0 else []
    keywords = table()
    if index > 0:
        if path is None:
            return []
        keyword = keywords.get(f"{path}/{words[0]}" if path else words[0])
        return _choices(keyword, index - 1)
    if path is None:  # inside a block the table does not know
        return []
    owner = keywords.get(path) if isinstance(block, Block) and path else None
    if path and owner is None:
        return []
    children = owner.children if owner is not None else keywords.root
    return [_keyword_item(keyword) for keyword in children.values() if keyword.accepted_in(target)]
