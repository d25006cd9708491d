"""Secrets in a configuration: the values of keywords the keyword table marks ``secret``
(auth_pass, an auth_hmac key, an SSL password). kagen never prints any part of one: rules say
what is wrong without quoting the value, and ``kagen parse`` shows such a statement masked."""

from __future__ import annotations

import functools
import re

from kagen.keepalived.keywords import Keyword, KeywordTable
from kagen.keepalived.tree import Block, Line, Node

MASK = "********"


def secret_lines(items: list[Node], table: KeywordTable) -> list[Line]:
    """The statements whose keyword, where it stands, holds a secret (blocks that cannot hold
    one are not walked: a large configuration's real servers hold none)."""
    found: list[Line] = []
    stack = [(items, table.root)]
    while stack:
        nodes, children = stack.pop()
        for node in nodes:
            keyword = children.get(node.keyword)
            if keyword is None:
                continue
            if isinstance(node, Line):
                if keyword.secret:
                    found.append(node)
            elif isinstance(node, Block) and keyword.kind == "block" and _holds_secrets(keyword):
                stack.append((node.children, keyword.children))
    return found


@functools.cache
def _holds_secrets(keyword: Keyword) -> bool:
    return any(child.secret or _holds_secrets(child) for child in keyword.children.values())


def masked(line: Line) -> str:
    """The statement as kagen shows it: its keyword, and a mask for everything after it."""
    return f"{line.keyword} {MASK}" if len(line.words) > 1 else line.text


@functools.cache
def _secret_statement(names: frozenset[str]) -> re.Pattern[str]:
    words = "|".join(sorted(map(re.escape, names)))
    return re.compile(rf"^([-+ ]?[ \t]*(?:@\^?[^ \t]+[ \t]+)?(?:{words})[ \t]+)[^ \t\r\n].*?(\r?)$", re.M)


def mask_text(text: str, table: KeywordTable) -> str:
    """Text shown line by line (a diff, a file): every line that states a secret keyword keeps
    the keyword and loses its value. Text has no keyword context, so a keyword that is secret
    somewhere (``key`` of auth_hmac) is masked everywhere (``key`` of SSL, a file name)."""
    names = frozenset(keyword.name for keyword in table.by_path.values() if keyword.secret)
    return _secret_statement(names).sub(rf"\g<1>{MASK}\g<2>", text)
