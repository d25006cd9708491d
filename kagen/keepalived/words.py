"""keepalived's word tables, read from ``kagen/keepalived/data/words.txt``: the words of its
sub-languages (virtual IP entries, routes, rules) and the keyword lists its handlers treat alike.

Like the keyword table, they are data so that a keepalived release that adds a route option is a
data change; read once per process, on first use (most runs never ask).
"""

from __future__ import annotations

import functools
import pkgutil

REST = None  # a word whose values are the rest of the entry


@functools.cache
def _rows() -> dict[str, list[tuple[str, str]]]:
    data = pkgutil.get_data("kagen.keepalived", "data/words.txt")
    if data is None:
        raise RuntimeError("kagen/keepalived/data/words.txt is missing from the installation")
    tables: dict[str, list[tuple[str, str]]] = {}
    for number, line in enumerate(data.decode("utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) not in (2, 3) or not all(parts[:2]):
            raise ValueError(f"words.txt:{number}: expected 'table | word | value'")
        tables.setdefault(parts[0], []).append((parts[1], parts[2] if len(parts) == 3 else ""))
    return tables


@functools.cache
def names(table: str) -> tuple[str, ...]:
    """The words of ``table``, in the file's order."""
    return tuple(word for word, _ in _rows()[table])


@functools.cache
def values(table: str) -> dict[str, str]:
    """Each word of ``table`` with its value (the last row wins for a word given twice)."""
    return dict(_rows()[table])


@functools.cache
def grouped(table: str) -> dict[str, tuple[str, ...]]:
    """Each word of ``table`` with all its values, in the file's order."""
    out: dict[str, tuple[str, ...]] = {}
    for word, value in _rows()[table]:
        out[word] = (*out.get(word, ()), value)
    return out


@functools.cache
def arity(table: str) -> dict[str, int | None]:
    """How many values each word of ``table`` takes; None (``REST``): the rest of the entry."""
    return {word: REST if value == "rest" else int(value) for word, value in _rows()[table]}


@functools.cache
def booleans() -> dict[str, bool]:
    """The words keepalived reads as a boolean, with their value."""
    return {word: value == "true" for word, value in _rows()["boolean"]}
