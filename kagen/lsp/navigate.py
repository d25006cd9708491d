"""Go to definition (tracked scripts, files, processes and BFD instances, sync group members,
``virtual_server group``, ``$NAME``, ``include``) and the document outline."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from kagen.keepalived.tree import Block, Line, ValueBlock
from kagen.keepalived.words import grouped
from kagen.lsp.analysis import Reading
from kagen.lsp.hover import PARAMETER
from kagen.lsp.text import Text

SYMBOLS = {
    "global_defs": types.SymbolKind.Namespace,
    "vrrp_instance": types.SymbolKind.Class,
    "vrrp_sync_group": types.SymbolKind.Package,
    "vrrp_script": types.SymbolKind.Function,
    "vrrp_track_file": types.SymbolKind.File,
    "track_file": types.SymbolKind.File,
    "vrrp_track_process": types.SymbolKind.Function,
    "bfd_instance": types.SymbolKind.Event,
    "virtual_server": types.SymbolKind.Class,
    "virtual_server_group": types.SymbolKind.Package,
    "real_server": types.SymbolKind.Object,
}


def _location(line: Line, word: int) -> types.Location:
    """Where word ``word`` of ``line`` is, in the file it was read from."""
    text = Text(line.file.text)
    pos = line.word_pos(word) if word < len(line.words) else line.pos
    return types.Location(uri=Path(line.file.path).as_uri(), range=text.range_of(pos))


def _named(reading: Reading, kinds: tuple[str, ...], name: str) -> list[types.Location]:
    return [_location(node.header, 1) for node in reading.top(kinds) if node.args[:1] == [name]]


def definition(reading: Reading, text: Text, position: types.Position) -> list[types.Location]:
    found = text.word_at(position)
    if found is None:
        return []
    word, start = found
    column = text.column(position)
    for match in PARAMETER.finditer(word):
        if match.start() <= column - start <= match.end():
            defined = reading.definitions.get(match.group(1))
            part = defined.parts[0] if defined is not None and defined.parts else None
            if part is None or part.file is None:
                return []
            defining = Text(part.file.text)
            column = defining.line(part.line - 1).find("$" + match.group(1))  # the name, not its value
            where = defining.to_lsp(part.line, column + 1 if column >= 0 else part.col)
            return [types.Location(uri=Path(part.file.path).as_uri(), range=types.Range(start=where, end=where))]
    line = position.line + 1
    if text.line(position.line).lstrip(" \t").startswith("include"):
        start_of_file = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0))
        return [types.Location(uri=Path(f.path).as_uri(), range=start_of_file) for f in reading.included_at(line)]
    spot = reading.spot_at(line, column)
    if spot is None:
        return []
    name = word.strip('"')
    node = spot.node
    if spot.entry and isinstance(node, ValueBlock) and spot.line.col - 1 == start:
        if node.keyword == "group" and (spot.parent or "").startswith("vrrp_sync_group"):
            return _named(reading, ("vrrp_instance",), name)
        return _named(reading, grouped("tracked-block").get(node.keyword, ()), name)
    words = spot.line.words
    if isinstance(node, Block) and node.keyword == "virtual_server" and words[1:2] == ["group"] and name == words[-1]:
        return _named(reading, ("virtual_server_group",), name)
    kinds = grouped("tracked-block").get(words[0], ())
    if not spot.entry and kinds and len(words) > 1 and name == words[1]:  # track_file NAME in FILE_CHECK
        return _named(reading, kinds, name)
    return []


def _symbol(node: Block | ValueBlock, text: Text) -> types.DocumentSymbol:
    header = node.header
    end = node.close if node.close is not None else header
    whole = types.Range(start=text.to_lsp(header.line, header.col), end=text.to_lsp(end.line, end.col + len(end.text)))
    children = [
        _symbol(child, text)
        for child in (node.children if isinstance(node, Block) else [])
        if isinstance(child, Block) and child.keyword in SYMBOLS
    ]
    return types.DocumentSymbol(
        name=" ".join(header.words[1:]) or header.keyword,
        detail=header.keyword,
        kind=SYMBOLS[header.keyword],
        range=whole,
        selection_range=text.range_of(header.word_pos(1 if len(header.words) > 1 else 0)),
        children=children,
    )


def symbols(reading: Reading, text: Text) -> list[types.DocumentSymbol]:
    """The named blocks of this file (not of the files it includes), nested as written."""
    return [
        _symbol(node, text)
        for node in reading.config.items
        if isinstance(node, Block | ValueBlock) and node.keyword in SYMBOLS and node.header.file.name == reading.name
    ]
