"""Hover: what a keyword does (kagen.keepalived.help, with its arguments, default, release and
block from the keyword table), the value of a ``$NAME``, the files an ``include`` reads."""

from __future__ import annotations

import re

from lsprotocol import types

from kagen.keepalived.help import keyword_help
from kagen.keepalived.keywords import ArgSpec, Keyword, Version, format_version, table
from kagen.lsp.analysis import Reading
from kagen.lsp.text import Text

PARAMETER = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
KINDS = {"block": "block", "list": "value block (one entry per line)", "stmt": "statement", "invalid": "not a keyword"}
TYPES = {
    "bool": "on or off (also true/false, yes/no)",
    "word": "a word",
    "name": "a name",
    "ifname": "an interface name",
    "ip": "an IP address",
    "mcast4": "an IPv4 multicast address",
    "mcast6": "an IPv6 multicast address",
    "port": "a port (1-65535)",
    "path": "a file path",
    "script": "a command line (read shell style; optionally followed by user and group)",
    "words": "free text",
}
NUMBERS = {"uint": "a whole number", "int": "a whole number", "dec": "a number"}


def describe_argument(spec: ArgSpec) -> str:
    if spec.choices:
        text = "one of " + ", ".join(f"`{choice}`" for choice in spec.choices)
        text += " (any case)" if spec.type == "enumi" else ""
    elif spec.type in NUMBERS:
        text = NUMBERS[spec.type]
        if spec.low is not None and spec.high is not None:
            text += f" from {spec.low} to {spec.high}"
        elif spec.low is not None:
            text += f" of at least {spec.low}"
        elif spec.type == "uint":
            text += " (0 or more)"
    else:
        text = TYPES[spec.type]
    if spec.repeat:
        text += ", repeated"
    return text + (" (optional)" if spec.optional else "")


def keyword_markdown(keyword: Keyword, target: Version) -> str:
    """The hover of one keyword path, in Markdown."""
    help_ = keyword_help().get(keyword.path)
    parent = keyword.parent
    where = f"in `{parent.rsplit('/', 1)[-1]}`" if parent else "at the top level"
    parts = [f"**`{keyword.name}`**: {KINDS[keyword.kind]} {where} (`{keyword.path}`)"]
    if help_ is not None:
        parts.append(help_.text)
    facts = []
    if keyword.args:
        facts.append("Arguments: " + "; ".join(describe_argument(spec) for spec in keyword.args))
    if help_ is not None and help_.default is not None:
        facts.append(f"Default: {help_.default}")
    if keyword.since is not None:
        since = f"Since keepalived {format_version(keyword.since)}"
        if keyword.since > target:
            since += f": not in {format_version(target)}, the target version"
        facts.append(since)
    if keyword.deprecated or keyword.last is not None:
        instead = keyword.replacement or keyword.alias_of
        text = "Deprecated" if keyword.deprecated else "Removed"
        if keyword.last is not None:
            text += f" (last in {format_version(keyword.last)})"
        facts.append(text + (f": write `{instead}` instead" if instead else ""))
    elif keyword.alias_of:
        facts.append(f"Another spelling of `{keyword.alias_of}`")
    if keyword.secret:
        facts.append("A secret: kagen never prints its value")
    if keyword.multicast:
        facts.append("Implies multicast VRRP")
    parts.append("\n".join(f"- {fact}" for fact in facts))
    return "\n\n".join(part for part in parts if part)


def _parameter(reading: Reading, name: str) -> str:
    definition = reading.definitions.get(name)
    if definition is None:
        return f"`${name}` is not defined where keepalived reads this file: it stands for nothing"
    if definition.builtin is not None:
        return f"`${name}`: a parameter keepalived defines itself"
    first = definition.parts[0]
    where = f" (defined at {first.file.name}:{first.line})" if first.file is not None else ""
    value = "\n".join(part.text for part in definition.parts)
    return f"`${name}`{where}:\n\n```\n{value}\n```"


def hover(reading: Reading, text: Text, position: types.Position, target: Version) -> types.Hover | None:
    found = text.word_at(position)
    if found is None:
        return None
    word, start = found
    column = text.column(position)
    for match in PARAMETER.finditer(word):
        if match.start() <= column - start <= match.end():
            return types.Hover(
                contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=_parameter(reading, match.group(1)))
            )
    line = position.line + 1
    if text.line(position.line).lstrip(" \t").startswith("include"):
        read = reading.included_at(line)
        listing = "\n".join(f"- `{f.name}`" for f in read) or "nothing: no file matches"
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=f"This include reads:\n\n{listing}")
        )
    spot = reading.spot_at(line, column)
    if spot is None or spot.entry or spot.path is None or spot.line.col - 1 != start:
        return None
    keyword = table().get(spot.path)
    if keyword is None:
        return None
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=keyword_markdown(keyword, target)),
        range=types.Range(
            start=types.Position(line=position.line, character=text.to_lsp(line, start + 1).character),
            end=text.to_lsp(line, start + 1 + len(word)),
        ),
    )
