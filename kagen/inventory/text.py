"""An inventory as YAML text with comments, for ``kagen import`` (and what ``kagen init`` ships).

PyYAML cannot write comments, and an imported inventory needs them: they say which values kagen
chose because the cloud's data does not tell (roles, priorities, VRIDs). The shapes are few
(mappings of mappings, lists of plain values), so the writer is small; what it writes is loaded
back through ``kagen.inventory.load`` before anything is written.
"""

from __future__ import annotations

import json
import re

import yaml

Path = tuple[str, ...]

_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/:@-]*")


def scalar(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and yaml.safe_load(text) == text:  # plain only if YAML reads it back as text
        return text
    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar


def dump(data: dict, comments: dict[Path, list[str]] | None = None, header: list[str] | None = None) -> str:
    """YAML for ``data``: block mappings, flow lists of scalars, ``comments`` above the keys."""
    comments = comments or {}
    lines = [f"# {line}".rstrip() for line in header or []]

    def emit(mapping: dict, path: Path, indent: int) -> None:
        for key, value in mapping.items():
            where = (*path, key)
            pad = "  " * indent
            if indent == 0 and lines:
                lines.append("")
            lines.extend(f"{pad}# {text}".rstrip() for text in comments.get(where, []))
            if isinstance(value, dict):
                if value:
                    lines.append(f"{pad}{scalar(key)}:")
                    emit(value, where, indent + 1)
                else:
                    lines.append(f"{pad}{scalar(key)}: {{}}")
            elif isinstance(value, list) and any(isinstance(item, dict) for item in value):
                lines.append(f"{pad}{scalar(key)}:")
                for item in value:
                    first, *rest = item.items()
                    lines.append(f"{pad}  - {scalar(first[0])}: {scalar(first[1])}")
                    lines.extend(f"{pad}    {scalar(k)}: {scalar(v)}" for k, v in rest)
            elif isinstance(value, list):
                lines.append(f"{pad}{scalar(key)}: [{', '.join(scalar(item) for item in value)}]")
            else:
                lines.append(f"{pad}{scalar(key)}: {scalar(value)}")

    emit(data, (), 0)
    return "\n".join(lines) + "\n"
