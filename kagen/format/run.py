"""``kagen fmt`` on one file's bytes: formatted only when kagen can read the file, and only when
keepalived reads the result exactly as it read the original (the same lines, words, files and
reader findings, checked by reading both). Nothing is written here."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass

from kagen.diagnostics import Position
from kagen.format.layout import format_text
from kagen.keepalived.checks import SYNTAX_ERROR
from kagen.keepalived.source import SourceResult, read_text
from kagen.keepalived.tree import Line

ENCODING = ("utf-8", "surrogateescape")  # bytes that are not UTF-8 go back out as they came in


@dataclass
class Formatted:
    """One file: its bytes, the formatted bytes (None when it is left as it is), and why it was left."""

    name: str
    original: bytes
    formatted: bytes | None
    problem: str | None = None

    @property
    def changed(self) -> bool:
        return self.formatted is not None and self.formatted != self.original


def _read(data: bytes, name: str, directory: str, config_id: str | None) -> SourceResult:
    return read_text(data, name, config_id, directory)


def _unreadable(source: SourceResult, name: str) -> list[tuple[Position, str]]:
    """What keeps kagen from laying the file out: the reader's syntax errors (quotes, NUL bytes,
    a byte order mark) and braces that do not pair up. Keywords do not matter here, so a conf.d
    piece that keepalived reads inside a block is formatted on its own too."""
    found = [(d.pos, d.message) for d in source.diagnostics if d.code == SYNTAX_ERROR.code and d.pos.file == name]
    opened: list[Line] = []
    for line in source.lines:
        if line.text == "{":
            opened.append(line)
        elif line.text == "}" and opened:
            opened.pop()
        elif line.text == "}" and line.file.name == name:
            found.append((line.pos, "'}' closes no block (keepalived: Extra '}')"))
    found.extend((line.pos, "'{' is never closed") for line in opened if line.file.name == name)
    return sorted(found)


def _reading(source: SourceResult) -> tuple[list[tuple[str, list[str]]], list[str], Counter[str]]:
    """What keepalived acts on, without positions: per line its file and words."""
    lines = [(line.file.name, line.words) for line in source.lines]
    return lines, [f.name for f in source.files], Counter(d.code for d in source.diagnostics)


def _first_difference(before: list[Line], after: list[Line]) -> int:
    for old, new in zip(before, after, strict=False):
        if old.words != new.words or old.file.name != new.file.name:
            return old.line
    shorter = before if len(before) < len(after) else after
    return shorter[-1].line if shorter else 1


def format_bytes(data: bytes, name: str, path: str, indent: str = "    ", config_id: str | None = None) -> Formatted:
    """Format a configuration held as bytes; ``path`` anchors its relative includes. ``@ID``
    lines are never changed; ``config_id`` (default: this machine's) only says which of them
    the checks read."""
    directory = os.path.dirname(os.path.abspath(path))
    before = _read(data, name, directory, config_id)
    errors = _unreadable(before, name)
    if errors:
        (pos, message), more = errors[0], len(errors) - 1
        return Formatted(name, data, None, f"{pos}: {message}{f' (and {more} more)' if more else ''}: not formatted")
    text = format_text(data.decode(*ENCODING), indent)
    formatted = text.encode(*ENCODING)
    if formatted == data:
        return Formatted(name, data, formatted)
    after = _read(formatted, name, directory, config_id)
    if _reading(after) != _reading(before):
        line = _first_difference(before.lines, after.lines)
        return Formatted(
            name,
            data,
            None,
            f"{name}:{line}: not formatted: kagen's layout would change what keepalived reads here "
            "(a kagen bug: please report it with this file)",
        )
    return Formatted(name, data, formatted)
