"""``kagen parse --json`` written as it is made: the tree's nodes go out as JSON text one top-level
node at a time, with exactly the bytes ``json.dumps(document, separators=(",", ":"))`` gives for
kagen.keepalived.dump's dictionaries (a test holds the two equal).

A large configuration has 10^5 nodes: building a dictionary per node and a list per position, then
encoding them, took longer than parsing the file and held the whole document in memory twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json.encoder import encode_basestring_ascii as _quoted
from typing import TextIO

from kagen import __version__
from kagen.diagnostics import Position
from kagen.keepalived.dump import FORMAT, _file, _secrets, model_to_dict
from kagen.keepalived.model import Config
from kagen.keepalived.redact import MASK
from kagen.keepalived.tree import Block, Line, Node, ValueBlock, word_starts

_COMPACT = (",", ":")


class _Writer:
    def __init__(self, secrets: frozenset[int]) -> None:
        self.secrets = secrets
        self.files: dict[str, str] = {}  # file name -> its JSON string

    def loc(self, pos: Position | None) -> str:
        if pos is None:
            return "null"
        return self.at(pos.file, pos.line, pos.col)

    def at(self, file: str, line: int, col: int) -> str:
        name = self.files.get(file)
        if name is None:
            name = self.files[file] = _quoted(file)
        return f'{{"file":{name},"line":{line},"col":{col}}}'

    def line_loc(self, line: Line | None) -> str:
        return "null" if line is None else self.at(line.file.name, line.line, line.col)

    @staticmethod
    def words(words: list[str]) -> str:
        return "[" + ",".join(map(_quoted, words)) + "]"

    @staticmethod
    def word_locs(line: Line, skip: int) -> str:
        words, text = line.words, line.text
        if line.spans is None and text.isascii() and " ".join(words) == text:  # most lines: one space apart
            number, col = line.line, line.col
            locs, start = [], 0
            for word in words:
                locs.append(f"[{number},{col + start}]")
                start += len(word) + 1
            return "[" + ",".join(locs[skip:]) + "]"
        starts = word_starts(text)[skip:]
        if line.spans is None:
            number, col = line.line, line.col
            return "[" + ",".join(f"[{number},{col + start}]" for start in starts) + "]"
        return "[" + ",".join(f"[{pos.line},{pos.col}]" for pos in map(line.pos_at, starts)) + "]"

    def header(self, kind: str, line: Line, masked: bool) -> str:
        args = self.words([MASK] * (len(line.words) - 1) if masked else line.words[1:])
        text = (
            f'{{"type":"{kind}","keyword":{_quoted(line.words[0])},"args":{args},'
            f'"loc":{self.line_loc(line)},"arg_locs":{self.word_locs(line, 1)}'
        )
        return text + (f',"via":{self.loc(line.via)}' if line.via is not None else "")

    def node(self, node: Node, out: list[str]) -> None:
        if type(node) is Line:
            out.append(self.header("statement", node, id(node) in self.secrets) + "}")
            return
        if isinstance(node, ValueBlock):
            out.append(self.header("list", node.header, False))
            out.append(f',"open":{self.line_loc(node.open)},"close":{self.line_loc(node.close)},"entries":[')
            out.append(
                ",".join(
                    f'{{"words":{self.words(entry.words)},"loc":{self.line_loc(entry)},'
                    f'"word_locs":{self.word_locs(entry, 0)}}}'
                    for entry in node.entries
                )
            )
            out.append("]}")
            return
        assert isinstance(node, Block)
        out.append(self.header("block", node.header, False))
        out.append(f',"open":{self.line_loc(node.open)},"close":{self.line_loc(node.close)},"children":[')
        for index, child in enumerate(node.children):
            if index:
                out.append(",")
            self.node(child, out)
        out.append("]}")


def write(configs: list[tuple[Config, str, str]], stream: TextIO) -> None:
    """The document of ``configs`` ((config, path, config id) each) on ``stream``, compact."""
    stream.write(f'{{"kagen":{_quoted(__version__)},"format":{FORMAT},"configs":[')
    for number, (config, path, config_id) in enumerate(configs):
        secrets, secret_at = _secrets(config)
        head = {
            "path": path,
            "config_id": config_id,
            "files": [_file(source, secret_at) for source in config.files],
            "diagnostics": [d.to_dict() for d in sorted(config.diagnostics, key=lambda d: d.sort_key())],
        }
        stream.write(("," if number else "") + json.dumps(head, separators=_COMPACT)[:-1] + ',"items":[')
        writer = _Writer(secrets)
        _nodes(config.items, writer.node, stream)
        stream.write('],"model":' + json.dumps(model_to_dict(config), separators=_COMPACT) + "}")
    stream.write("]}\n")


def _nodes(nodes: list[Node], each: Callable[[Node, list[str]], None], stream: TextIO) -> None:
    for index, node in enumerate(nodes):
        out = [","] if index else []
        each(node, out)
        stream.write("".join(out))
