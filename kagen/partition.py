"""Items joined into groups (union-find): the members that exchange VRRP adverts, for kagen
generate's verification and the pair rules, are whatever is joined directly or through others."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

T = TypeVar("T")


class Partition:
    def __init__(self) -> None:
        self._parent: dict[Hashable, Hashable] = {}

    def _root(self, item: Hashable) -> Hashable:
        parent = self._parent
        while parent.setdefault(item, item) != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def join(self, first: Hashable, second: Hashable) -> None:
        self._parent[self._root(first)] = self._root(second)

    def joined(self, first: Hashable, second: Hashable) -> bool:
        return self._root(first) == self._root(second)

    def groups(self, items: Iterable[T], key: Callable[[T], Hashable] | None = None) -> list[list[T]]:
        """``items`` grouped by the group of ``key(item)`` (of the item itself without a key),
        groups in the order of their first item."""
        found: dict[Hashable, list[T]] = {}
        for item in items:
            found.setdefault(self._root(key(item) if key is not None else item), []).append(item)
        return list(found.values())
