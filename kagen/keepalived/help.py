"""What each keyword does, in words, read from ``kagen/keepalived/data/keyword-help.txt``: the
hover text of ``kagen lsp``. Kept apart from the keyword table, which the reader loads on every
run, because only the language server needs it."""

from __future__ import annotations

import functools
import pkgutil
from typing import NamedTuple


class KeywordHelp(NamedTuple):
    default: str | None  # None: no default applies
    text: str


@functools.cache
def keyword_help() -> dict[str, KeywordHelp]:
    """Keyword path -> its help, in the order of the file."""
    data = pkgutil.get_data("kagen.keepalived", "data/keyword-help.txt")
    assert data is not None  # package data: present in every installation
    found = {}
    for line in data.decode("utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        path, default, text = (part.strip() for part in line.split(" | ", 2))
        found[path] = KeywordHelp(None if default == "-" else default, text)
    return found
