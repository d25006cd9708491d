"""What the server knows: one document as kagen reads it (its tree, its ``$NAME`` definitions, the
files it includes, and where each line stands in keepalived's keyword tree), and the findings of
the whole workspace, open documents read from the editor instead of the disk."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from kagen.diagnostics import Diagnostic, InputError
from kagen.keepalived.expand import Definition
from kagen.keepalived.keywords import KeywordTable, table
from kagen.keepalived.logical import LIMITS
from kagen.keepalived.model import Config
from kagen.keepalived.parse import gc_paused, parse_lines
from kagen.keepalived.source import Reader
from kagen.keepalived.tree import Block, Line, Node, SourceFile, ValueBlock
from kagen.lint import engine, files
from kagen.lint.edits import Edit
from kagen.lint.settings import Options
from kagen.reading import read_capped

ENCODING = ("utf-8", "surrogateescape")


@dataclass
class Spot:
    """A logical line of the document and where it stands: the keyword path of its keyword (None
    for an entry of a value block or a word the table does not know there) and of its block."""

    line: Line
    path: str | None
    parent: str | None
    node: Node
    entry: bool = False


def _child(keywords: KeywordTable, parent: str | None, word: str) -> str | None:
    if parent is None:
        return None
    path = f"{parent}/{word}" if parent else word
    return path if keywords.get(path) is not None else None


class Reading:
    """One document read by kagen, as ``kagen lint`` reads it (includes from the disk)."""

    def __init__(self, source: str, path: str, config_id: str) -> None:
        reader = Reader(config_id)
        with gc_paused():
            reader.read_bytes(source.encode(*ENCODING), path, path)
            result = reader.result()
            self.config = Config(parse_lines(result), result.files, result.diagnostics)
        self.name = path
        self.definitions: dict[str, Definition] = reader.params.defs
        self.keywords = table()
        self.spots: dict[int, list[Spot]] = {}  # by physical line (1-based), this file's only
        self.blocks: list[tuple[Block | ValueBlock, str | None]] = []  # this file's, outermost first
        self._walk(self.config.items, "")

    def _walk(self, nodes: list[Node], parent: str | None) -> None:
        for node in nodes:
            header = node if isinstance(node, Line) else node.header
            path = _child(self.keywords, parent, header.words[0])
            self._add(Spot(header, path, parent, node))
            if isinstance(node, Line):
                continue
            if node.header.file.name == self.name:
                self.blocks.append((node, path))
            if isinstance(node, Block):
                self._walk(node.children, path)
            else:
                for entry in node.entries:
                    self._add(Spot(entry, None, path, node, entry=True))

    def _add(self, spot: Spot) -> None:
        if spot.line.file.name == self.name:
            self.spots.setdefault(spot.line.line, []).append(spot)

    def spot_at(self, line: int, column: int) -> Spot | None:
        """The logical line at 1-based ``line`` that the 0-based ``column`` falls in."""
        found = None
        for spot in self.spots.get(line, ()):
            if spot.line.col - 1 <= column and (found is None or spot.line.col >= found.line.col):
                found = spot
        return found

    def enclosing(self, line: int, column: int) -> tuple[Block | ValueBlock, str | None] | None:
        """The innermost block whose braces hold the 1-based ``line`` and 0-based ``column``."""
        here = (line, column + 1)
        found = None
        for block, path in self.blocks:
            opened = block.open or block.header
            start = (opened.line, opened.col + (1 if block.open is not None else len(opened.text)))
            end = (block.close.line, block.close.col) if block.close is not None else (2**31, 0)
            if start <= here <= end and (block.close is None or here < end):
                found = (block, path)
        return found

    def included_at(self, line: int) -> list[SourceFile]:
        """The files the ``include`` on 1-based ``line`` of this document read."""
        return [
            f
            for f in self.config.files[1:]
            if f.included_from is not None and f.included_from.file == self.name and f.included_from.line == line
        ]

    def top(self, keywords: tuple[str, ...]) -> list[Block | ValueBlock]:
        """The top-level blocks of these kinds, in every file read."""
        return [node for node in self.config.items if isinstance(node, Block | ValueBlock) and node.keyword in keywords]


@dataclass
class Findings:
    """A workspace lint: findings by absolute path, and the fix each fixable finding's rule offers."""

    by_path: dict[str, list[Diagnostic]] = field(default_factory=dict)
    fixes: dict[Diagnostic, list[Edit]] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)  # each file's text as read, by absolute path
    problems: list[str] = field(default_factory=list)  # files or an inventory that could not be read


def _text_of(path: str) -> str:
    try:
        return read_capped(path, LIMITS["file_bytes"]).decode(*ENCODING)
    except InputError:
        return ""


def lint_workspace(root: str | None, documents: dict[str, str], options: Options) -> Findings:
    """``kagen lint`` of the workspace folder and the open documents, with the open documents'
    text (saved or not) in place of the disk's; the inventory from the settings, if any."""
    from kagen.fix.apply import offered

    overlay = {os.path.realpath(path): text.encode(*ENCODING) for path, text in documents.items()}
    paths = ([root] if root else []) + [path for path in documents if os.path.isfile(path)]
    findings = Findings()
    if not paths:
        return findings
    inventory = None
    if options.inventory is not None:
        from kagen.inventory.load import load

        try:
            inventory = load(options.inventory)
        except InputError as exc:
            findings.problems.append(f"{options.inventory}: {exc}")
    ctxs, found = files.inputs(paths, options, overlay)
    findings.problems.extend(found.missing)
    result = engine.run(ctxs, options, inventory)
    where = {source.name: source.path for ctx in ctxs for source in ctx.config.files}
    findings.texts = {source.path: source.text for ctx in ctxs for source in ctx.config.files}
    for finding in result.findings:
        path = where.get(finding.pos.file, os.path.abspath(finding.pos.file))
        findings.by_path.setdefault(path, []).append(finding)
        if path not in findings.texts:  # the inventory: its text gives the findings' ranges
            findings.texts[path] = _text_of(path)
    if result.findings:
        findings.fixes = offered(options, inventory, ctxs, result)
    return findings
