"""Read a YAML, JSON or TOML data file into plain Python values, remembering where each value
was written, so that an error can say ``inventory.yaml:14: havips.web.members[2]: ...``.

YAML is composed (libyaml when available) and turned into values here, which also catches
duplicate keys that PyYAML would silently let the last one win. JSON is decoded by ``json``
(strict, duplicate keys caught) and located through the YAML composer, which reads JSON too.
TOML has no position API: lines are found from the table headers and ``key =`` lines.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field

import yaml

from kagen.reading import refusal

Path = tuple[str | int, ...]

MAX_BYTES = 64 * 1024 * 1024


class DataError(Exception):
    """The file cannot be read as data at all. ``line`` is 1-based when known."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")
        self.path = path
        self.line = line


@dataclass
class Document:
    """The data of one file and the line of each data path in it."""

    path: str
    data: object
    places: dict[Path, tuple[int, int]] = field(default_factory=dict)  # (line, column), 1-based
    text: str = ""

    def place(self, where: Path) -> tuple[int, int] | None:
        """Where ``where`` was written, or the nearest enclosing value that was."""
        where = tuple(where)
        while where:
            if where in self.places:
                return self.places[where]
            where = where[:-1]
        return self.places.get(())

    def line(self, where: Path) -> int | None:
        place = self.place(where)
        return place[0] if place else None


def format_path(where: Path) -> str:
    """``("havips", "web", "members", 2)`` -> ``havips.web.members[2]``; a key that is not
    printable text is shown quoted and escaped (``clusters['web\\n']``), so that a message stays
    on its line."""
    text = ""
    for part in where:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not str(part).isprintable():
            text += f"[{str(part)!r}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def kind(path: str) -> str:
    """yaml, json or toml, from the file name (YAML when it does not say)."""
    ext = os.path.splitext(path)[1].lower()
    return {".json": "json", ".toml": "toml"}.get(ext, "yaml")


def read(path: str, text: str | None = None) -> Document:
    """Load ``path`` (or ``text``, named ``path``) by its extension."""
    if text is None:
        text = _read_text(path)
    loader = {"json": _load_json, "toml": _load_toml}.get(kind(path), _load_yaml)
    doc = loader(path, text)
    doc.text = text
    return doc


def _read_text(path: str) -> str:
    if os.path.isdir(path):
        raise DataError(path, "is a directory, not a file")
    problem = refusal(path, pipes=True)
    if problem is not None:
        raise DataError(path, problem)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise DataError(path, exc.strerror or str(exc)) from None
    if len(raw) > MAX_BYTES:
        raise DataError(path, f"larger than {MAX_BYTES // (1024 * 1024)} MB; not a data file kagen reads")
    if b"\0" in raw:
        raise DataError(path, "binary data (NUL bytes), not a text file", raw[: raw.index(b"\0")].count(b"\n") + 1)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(path, "not valid UTF-8", raw[: exc.start].count(b"\n") + 1) from None


_RESOLVED: dict[tuple, str] = {}
STR_TAG = "tag:yaml.org,2002:str"


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader (libyaml's when present) with its tag resolution remembered: resolving a
    plain scalar runs a dozen regular expressions in Python, and an inventory repeats its values
    (vSwitch names, booleans, scripts) thousands of times."""

    def resolve(self, kind: type[yaml.Node], value: str, implicit: tuple[bool, bool]) -> str:
        key = (kind, value, implicit)
        tag = _RESOLVED.get(key)
        if tag is None:
            tag = super().resolve(kind, value, implicit)
            if len(_RESOLVED) < 100_000:
                _RESOLVED[key] = tag
        return tag


def _load_yaml(path: str, text: str) -> Document:
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(filter(None, [exc.context, exc.problem]))
        raise DataError(path, f"not valid YAML: {problem}", mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise DataError(path, f"not valid YAML: {exc}") from None
    doc = Document(path, None)
    if root is not None:
        doc.places[()] = _place(root.start_mark)
        try:
            _expansion(path, root, {}, set())
            doc.data = _Builder(path, doc.places).value(root, ())
        except RecursionError:
            raise DataError(path, "nested too deeply") from None
    return doc


def _place(mark: yaml.Mark) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


HUGE_NUMBER = "a number of thousands of digits: no setting takes one so large"
MAX_VALUES = 1_000_000  # aliases can make a small file expand without end ("billion laughs")


def _expansion(path: str, node: yaml.Node, seen: dict[int, tuple[int, int]], active: set[int]) -> tuple[int, int]:
    """How many values ``node`` becomes once aliases are expanded, and how many of them the
    aliases add, counted without expanding; a file of a million plain values is no bomb."""
    if isinstance(node, yaml.ScalarNode) or id(node) in active:
        return 1, 0  # a recursive alias: the builder reports it with its data path
    active.add(id(node))
    size, excess = 1, 0
    children = node.value if isinstance(node, yaml.SequenceNode) else [n for pair in node.value for n in pair]
    for child in children:
        if id(child) in seen:  # met before: an alias, all of whose values come again
            size += seen[id(child)][0]
            excess += seen[id(child)][0]
        else:
            child_size, child_excess = _expansion(path, child, seen, active)
            size += child_size
            excess += child_excess
    active.discard(id(node))
    if excess > MAX_VALUES:
        raise DataError(path, f"aliases expand to more than {MAX_VALUES:,} values", node.start_mark.line + 1)
    seen[id(node)] = (size, excess)
    return size, excess


class _Builder:
    """Composed YAML nodes to values, with positions; keys must be unique scalars."""

    def __init__(self, path: str, places: dict[Path, tuple[int, int]]) -> None:
        self.path = path
        self.places = places
        self.constructor = yaml.constructor.SafeConstructor()
        self.active: set[int] = set()

    def value(self, node: yaml.Node, where: Path) -> object:
        if isinstance(node, yaml.ScalarNode):
            if node.tag == STR_TAG:  # what the constructor would return, without its dispatch
                return node.value
            try:
                return self.constructor.construct_object(node, deep=True)
            except yaml.constructor.ConstructorError as exc:
                raise DataError(self.path, f"{format_path(where)}: {exc.problem}", node.start_mark.line + 1) from None
            except ValueError:  # Python converts at most 4,300 digits
                raise DataError(self.path, f"{format_path(where)}: {HUGE_NUMBER}", node.start_mark.line + 1) from None
        if id(node) in self.active:
            raise DataError(self.path, f"{format_path(where)}: an alias refers to itself", node.start_mark.line + 1)
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                items = []
                for index, item in enumerate(node.value):
                    self.places[(*where, index)] = _place(item.start_mark)
                    items.append(self.value(item, (*where, index)))
                return items
            assert isinstance(node, yaml.MappingNode)  # compose() makes scalars, sequences and mappings
            return self.mapping(node, where)
        finally:
            self.active.discard(id(node))

    def mapping(self, node: yaml.MappingNode, where: Path) -> dict:
        self.constructor.flatten_mapping(node)  # YAML merge keys (<<)
        result: dict = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise DataError(self.path, f"{format_path(where) or 'top level'}: keys must be plain values", line)
            key = self.value(key_node, where)
            if not isinstance(key, str | int | float | bool) and key is not None:
                raise DataError(self.path, f"{format_path(where) or 'top level'}: key {key!r} is not text", line)
            key = str(key) if not isinstance(key, str) else key
            if key in result:
                first = self.places[(*where, key)][0]
                raise DataError(self.path, f"{format_path((*where, key))}: duplicate key (first on line {first})", line)
            self.places[(*where, key)] = _place(key_node.start_mark)
            result[key] = self.value(value_node, (*where, key))
        return result


def _load_json(path: str, text: str) -> Document:
    def no_duplicates(pairs: list[tuple[str, object]]) -> dict:
        result: dict = {}
        for key, value in pairs:
            if key in result:
                raise ValueError(f"duplicate key {key!r}")
            result[key] = value
        return result

    try:
        data = json.loads(text, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as exc:
        raise DataError(path, f"not valid JSON: {exc.msg} (column {exc.colno})", exc.lineno) from None
    except ValueError as exc:
        if "integer string conversion" in str(exc):
            raise DataError(path, HUGE_NUMBER) from None
        raise DataError(path, f"not valid JSON: {exc}") from None
    except RecursionError:
        raise DataError(path, "not valid JSON: nested too deeply") from None
    doc = Document(path, data)
    try:
        doc.places = _load_yaml(path, text).places
    except (DataError, RecursionError):
        pass  # positions are a courtesy: JSON that YAML 1.1 cannot read still loads
    return doc


_TOML_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_TOML_KEY = re.compile(
    r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*="""
)


def _toml_keys(text: str) -> list[str]:
    return [part.strip().strip("\"'") for part in re.findall(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""", text)]


def _load_toml(path: str, text: str) -> Document:
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise DataError(path, f"not valid TOML: {exc}", int(match.group(1)) if match else None) from None
    except ValueError:  # Python converts at most 4,300 digits
        raise DataError(path, HUGE_NUMBER) from None
    doc = Document(path, data)
    table: Path = ()
    arrays: dict[Path, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        header = _TOML_HEADER.match(line)
        if header:
            table = tuple(_toml_keys(header.group(2)))
            if header.group(1) == "[[":
                arrays[table] = arrays.get(table, -1) + 1
                table = (*table, arrays[table])
            doc.places.setdefault(table, (number, header.start(1) + 1))
            continue
        key = _TOML_KEY.match(line)
        if key:
            doc.places.setdefault((*table, *_toml_keys(key.group(1))), (number, key.start(1) + 1))
    return doc
