"""What the rules' fixes are made of: edits of the original text, and the helpers that make them.

An edit replaces whole physical lines of one file (the file the statement was read from, so an
included file is edited, not the one including it). A statement is edited only when it has its
physical line to itself (apart from a trailing comment); otherwise the finding stays. What a
fix needs to know that the file does not say (this node's address, its peers) comes in
``Facts``, from the inventory or the other files of the pair (kagen.fix).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import NamedTuple

from kagen.keepalived.model import VrrpInstance
from kagen.keepalived.tree import Line, SourceFile


class Edit(NamedTuple):
    """Physical lines ``start`` to ``end - 1`` (1-based) of ``file`` become ``lines``; ``start ==
    end`` inserts before line ``start``. (Not a dataclass: every lint run imports this module.)"""

    file: SourceFile
    start: int
    end: int
    lines: tuple[str, ...]


class Facts:
    """What the files do not say: per (file name, vrrp_instance name), this node's address and
    the other members' addresses; and why they are unknown where they are. Worked out by ``fill``
    when a fix first asks: it reads every file of the run, which most runs' fixes never need."""

    def __init__(self, fill: Callable[[Facts], None] | None = None) -> None:
        self._addresses: dict[tuple[str, str], tuple[str, list[str]]] = {}
        self._missing = "give --inventory, or the other files of the pair with their unicast_src_ip or mcast_src_ip"
        self._fill = fill

    def _filled(self) -> None:
        if self._fill is not None:
            fill, self._fill = self._fill, None
            fill(self)

    @property
    def addresses(self) -> dict[tuple[str, str], tuple[str, list[str]]]:
        self._filled()
        return self._addresses

    @property
    def missing(self) -> str:
        self._filled()
        return self._missing

    @missing.setter
    def missing(self, text: str) -> None:
        self._missing = text


class Unfixable(Exception):
    """The finding has a fix, but not here; the message says why."""


@functools.lru_cache(maxsize=16)
def physical(file: SourceFile) -> list[str]:
    """The file's physical lines (read once per parse: every fix looks at a few of them)."""
    return file.text.split("\n")


# What may stand before a statement on its line: blanks and a config-id condition (@ID, @^ID).
_LEAD = re.compile(r"[ \t]*(?:@\^?[^ \t]+[ \t]+)?")


def alone(line: Line) -> bool:
    """The statement has its physical line to itself (a condition before it and a trailing
    comment aside)."""
    if line.via is not None or (line.spans is not None and any(not span[3] for span in line.spans)):
        return False  # produced by a parameter or a conditional: the text is not the file's
    text = physical(line.file)[line.line - 1].rstrip("\r")
    lead, rest = text[: line.col - 1], text[line.col - 1 :]
    if not _LEAD.fullmatch(lead) or not rest.startswith(line.text):
        return False
    rest = rest[len(line.text) :].strip(" \t")
    return not rest or rest[0] in "#!"


def own_line(line: Line) -> Line:
    if not alone(line):
        raise Unfixable("the statement shares its line with others: edit it by hand")
    return line


def delete(line: Line) -> Edit:
    own_line(line)
    return Edit(line.file, line.line, line.line + 1, ())


def replace_keyword(line: Line, keyword: str) -> Edit:
    own_line(line)
    text = physical(line.file)[line.line - 1]
    start = line.col - 1
    return Edit(line.file, line.line, line.line + 1, (text[:start] + keyword + text[start + len(line.keyword) :],))


def indent(line: Line) -> str:
    text = physical(line.file)[line.line - 1]
    return text[: len(text) - len(text.lstrip(" \t"))]


def ending(file: SourceFile) -> str:
    """What ends a line of ``file`` before the newline: a carriage return in a CRLF file."""
    return "\r" if _crlf(file.text) else ""


@functools.lru_cache(maxsize=64)
def _crlf(text: str) -> bool:
    """Remembered per text: a fix per instance of a large file would search it once each."""
    return "\r\n" in text


def insert(file: SourceFile, line: int, lines: list[str]) -> list[Edit]:
    """``lines`` put before physical line ``line`` (nothing when there are none)."""
    return [Edit(file, line, line, tuple(lines))] if lines else []


def child_indent(instance: VrrpInstance) -> tuple[str, str]:
    """The indentation of the instance's statements, and of one more level."""
    header = indent(instance.block.header)
    child = next(
        (indent(node.header if not isinstance(node, Line) else node) for node in instance.block.children), None
    )
    if child is None or len(child) <= len(header):
        child = header + "    "
    step = child[len(header) :] or "    "
    return child, child + step


def after(instance: VrrpInstance, *keywords: str) -> int:
    """The physical line after which new statements go: after the first of ``keywords`` the
    instance has on a line of its own, else after its opening line."""
    for keyword in keywords:
        line = instance.get(keyword)
        if line is not None and alone(line):
            return line.line
    block = instance.block
    opening = block.open if block.open is not None else block.header
    if physical(block.header.file)[opening.line - 1].rstrip("\r").rstrip(" \t").endswith("{"):
        return opening.line
    raise Unfixable("the vrrp_instance's opening line holds statements: edit it by hand")
