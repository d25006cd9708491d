"""The inventory's JSON Schema (draft 2020-12), for editors (yaml-language-server, VS Code) and
JSON Schema validators: ``kagen schema inventory`` prints it, and it ships as
``kagen/inventory/data/inventory.schema.json``.

It is built from the voluptuous schema (kagen.inventory.schema) alone, so the two cannot drift:
dicts become objects that refuse other keys, markers' descriptions and defaults become the
properties' own, ``Exclusive`` groups become ``not``/``required``, ``vol.Any`` becomes ``anyOf``,
``vol.All`` the fragments together, and each validator the JSON Schema it is registered with in
``TRANSLATIONS``. Whatever has no translation (a new validator, a key without a description)
raises Untranslatable instead of being left out.

What a JSON Schema cannot say as voluptuous does is said more permissively, never more strictly
(see TRANSLATIONS): a whole number written 1.0, an IPv6 address's groups, a network's host bits.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from typing import Any

import voluptuous as vol

from kagen.inventory.schema import NAME, SCHEMA, TRANSLATIONS, Named, UpperCase

DIALECT = "https://json-schema.org/draft/2020-12/schema"
TITLE = "kagen inventory"
DESCRIPTION = (
    "What you have in the cloud (VPCs, vSwitches or subnets, instances, ENIs or ports, HAVIPs or virtual IPs "
    "of Alibaba Cloud, Tencent Cloud, Volcengine or Huawei Cloud) and the keepalived clusters that run on it. "
    "Checked in full by kagen lint --inventory FILE."
)

Schema = dict[str, Any]


class Untranslatable(TypeError):
    """A part of the voluptuous schema that has no JSON Schema translation."""


def inventory_schema() -> Schema:
    """The inventory's JSON Schema."""
    root = _translate(SCHEMA)
    root["type"] = ["object", "null"]  # an empty file is an empty inventory (kagen.inventory.load)
    return {"$schema": DIALECT, "title": TITLE, "description": DESCRIPTION, **root}


def schema_text() -> str:
    """The JSON Schema as the shipped file holds it."""
    return json.dumps(inventory_schema(), indent=2, sort_keys=False) + "\n"


def anchored(pattern: str) -> str:
    """A whole-value ``pattern`` as a JSON Schema pattern (which may match anywhere), read alike by
    ECMA and Python regexes: Python's ``$`` would also match before a final newline."""
    return rf"^(?:{pattern})(?![\s\S])"


def _translate(node: object) -> Schema:
    if isinstance(node, vol.Schema):
        if node.extra != vol.PREVENT_EXTRA:
            raise Untranslatable(f"a schema with extra={node.extra!r}")
        return _translate(node.schema)
    if isinstance(node, dict):
        return _mapping(node)
    if isinstance(node, list):
        if len(node) != 1:
            raise Untranslatable(f"a list schema of {len(node)} items: {node!r}")
        return {"type": "array", "items": _translate(node[0])}
    if type(node) is vol.Any:
        return {"anyOf": [_translate(part) for part in node.validators]}
    if type(node) is vol.All:
        return _all(node.validators)
    if type(node) is vol.In and isinstance(node.container, list | tuple):
        return {"enum": list(node.container)}
    if node is None:
        return {"type": "null"}
    if node is str:
        return {"type": "string"}
    try:
        fragment = TRANSLATIONS[node]
    except (KeyError, TypeError):
        raise Untranslatable(
            f"no JSON Schema for {node!r} (register it in kagen.inventory.schema.TRANSLATIONS)"
        ) from None
    return _written(fragment)


def _written(fragment: object) -> Any:
    """A copy of a TRANSLATIONS fragment with its whole-value patterns anchored."""
    if isinstance(fragment, dict):
        return {
            key: _pattern(value) if key == "pattern" else _written(value)  # "pattern" is never a property's name here
            for key, value in fragment.items()
        }
    if isinstance(fragment, list):
        return [_written(item) for item in fragment]
    return fragment


def _pattern(pattern: object) -> str:
    if isinstance(pattern, UpperCase):
        return anchored(_upper_case(pattern.words))
    if isinstance(pattern, str):
        return anchored(pattern)
    raise Untranslatable(f"a pattern that is neither text nor UpperCase: {pattern!r}")


def _all(parts: Iterable[object]) -> Schema:
    merged: Schema = {}
    for part in parts:
        fragment = _length(part, merged.get("type")) if isinstance(part, vol.Length) else _translate(part)
        if any(key in merged and merged[key] != value for key, value in fragment.items()):
            merged = {"allOf": [merged, fragment]}
        else:
            merged.update(fragment)
    return merged


def _length(length: vol.Length, kind: object) -> Schema:
    names = {"string": ("minLength", "maxLength"), "array": ("minItems", "maxItems")}.get(str(kind))
    if names is None:
        raise Untranslatable(f"vol.Length after a {kind or 'value of any type'}: say str or a list first")
    bounds = zip(names, (length.min, length.max), strict=True)
    return {name: bound for name, bound in bounds if bound is not None}


def _mapping(node: dict) -> Schema:
    properties: Schema = {}
    patterns: Schema = {}
    required: list[str] = []
    groups: dict[str, list[str]] = {}
    result: Schema = {"type": "object"}
    for key, value in node.items():
        if not isinstance(key, vol.Marker) or not key.description:
            raise Untranslatable(f"the key {key!r} has no description (vol.Optional(..., description=...))")
        prop: Schema = {"description": key.description, **_translate(value)}
        default = getattr(key, "default", vol.UNDEFINED)
        if not isinstance(default, vol.Undefined):
            prop["default"] = json.loads(json.dumps(default()))  # fails on what JSON cannot hold
        if isinstance(key, Named):
            result["propertyNames"] = {"pattern": anchored(NAME.pattern)}  # the loader's check of names
            result["additionalProperties"] = prop
        elif isinstance(key.schema, str):
            properties[key.schema] = prop
            if isinstance(key, vol.Required):
                required.append(key.schema)
            if isinstance(key, vol.Exclusive):
                groups.setdefault(key.group_of_exclusion, []).append(key.schema)
        else:
            pattern = _translate(key.schema)
            if set(pattern) != {"type", "pattern"} or pattern["type"] != "string":
                raise Untranslatable(f"a key validator that is not a pattern: {key.schema!r}")
            patterns[pattern["pattern"]] = prop
    if properties:
        result["properties"] = properties
    if patterns:
        result["patternProperties"] = patterns
    result.setdefault("additionalProperties", False)
    if required:
        result["required"] = required
    apart = [_at_most_one(keys) for keys in groups.values() if len(keys) > 1]
    if len(apart) == 1:
        result.update(apart[0])
    elif apart:
        result["allOf"] = apart
    return result


def _at_most_one(keys: list[str]) -> Schema:
    pairs = [[first, second] for index, first in enumerate(keys) for second in keys[index + 1 :]]
    if len(pairs) == 1:
        return {"not": {"required": pairs[0]}}
    return {"not": {"anyOf": [{"required": pair} for pair in pairs]}}


@functools.cache
def _upper_case(words: tuple[str, ...]) -> str:
    """A regex for the strings whose ``str.upper()`` is one of ``words``: 'Master', but also 'maſter'
    (LATIN SMALL LETTER LONG S) or 'maﬆer' (LIGATURE ST), as voluptuous accepts them."""
    wanted = {
        word[start:end] for word in words for start in range(len(word)) for end in range(start + 1, len(word) + 1)
    }
    becomes: dict[str, list[str]] = {}
    for code in range(0x110000):
        upper = chr(code).upper()
        if upper in wanted:
            becomes.setdefault(upper, []).append(chr(code))
    return "|".join(_spelt(word, becomes) for word in words)


def _spelt(word: str, becomes: dict[str, list[str]]) -> str:
    if not word:
        return ""
    options = [
        _char_class(becomes[word[:size]]) + _spelt(word[size:], becomes)
        for size in range(1, len(word) + 1)
        if word[:size] in becomes
    ]
    if not options:
        raise Untranslatable(f"no string becomes {word!r} in capitals")
    return options[0] if len(options) == 1 else f"(?:{'|'.join(options)})"


def _char_class(chars: list[str]) -> str:
    """``chars`` as a character class, non-ASCII as \\uXXXX escapes (ECMA and Python read them alike)."""
    if any(ord(char) > 0xFFFF for char in chars):
        raise Untranslatable("a character beyond the BMP: ECMA would need \\u{...} and the u flag")
    text = "".join(char if char.isascii() and char.isalnum() else f"\\u{ord(char):04x}" for char in sorted(chars))
    return text if len(chars) == 1 else f"[{text}]"
