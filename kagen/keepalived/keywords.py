"""keepalived's keyword tree, read from ``kagen/keepalived/data/keywords.txt``.

The lexer asks it whether a keyword opens a keyword block or a value block; the linter asks it
about arguments, ranges, aliases, deprecations and the release that introduced a keyword. Keeping
all of that in one data file means a new keepalived release is a data change, not a code change.
"""

from __future__ import annotations

import difflib
import functools
import pkgutil
import re
from typing import NamedTuple

KINDS = ("block", "list", "stmt", "invalid")
ARG_TYPES = frozenset("bool uint int dec enum enumi word name ifname ip mcast4 mcast6 port path script words".split())
ENTRY_KINDS = frozenset("vip peer track route rule vsg word linkbeat updown".split())

Version = tuple[int, ...]
UNKNOWN_CACHE = 10_000  # distinct unknown words remembered per process


@functools.cache
def parse_version(text: str) -> Version:
    """``"2.2.7"`` -> ``(2, 2, 7)``; raises ValueError on anything else."""
    if not re.fullmatch(r"[0-9]+(\.[0-9]+){1,3}", text):
        raise ValueError(f"not a keepalived version: {text!r}")
    return tuple(int(part) for part in text.split("."))


def format_version(version: Version) -> str:
    return ".".join(str(part) for part in version)


class ArgSpec(NamedTuple):
    """One word of a keyword's arguments, as written in the table (``uint:1..255?``)."""

    type: str
    low: str | None = None
    high: str | None = None
    choices: tuple[str, ...] = ()
    optional: bool = False
    repeat: bool = False

    @classmethod
    def parse(cls, text: str) -> ArgSpec:
        optional = text.endswith("?")
        repeat = text.endswith("*")
        body = text.rstrip("?*")
        type_, _, constraint = body.partition(":")
        if type_ not in ARG_TYPES:
            raise ValueError(f"unknown argument type {type_!r} in {text!r}")
        if type_ in ("enum", "enumi"):
            if not constraint:
                raise ValueError(f"{text!r}: enum needs values")
            return cls(type_, choices=tuple(constraint.split(",")), optional=optional, repeat=repeat)
        low = high = None
        if constraint:
            if type_ not in ("uint", "int", "dec") or ".." not in constraint:
                raise ValueError(f"{text!r}: only numbers take a LO..HI range")
            low, high = (part or None for part in constraint.split("..", 1))
        return cls(type_, low, high, optional=optional, repeat=repeat)


class Keyword:
    """A keyword path with everything the table says about it."""

    __slots__ = (
        "_args",
        "alias_of",
        "children",
        "deprecated",
        "dpvs",
        "entry",
        "kind",
        "last",
        "multicast",
        "note",
        "path",
        "quoted",
        "replacement",
        "required",
        "secret",
        "since",
        "spec",
    )

    def __init__(self, path: str, kind: str, spec: str, since: Version | None, note: str = "") -> None:
        self.path = path
        self.kind = kind
        self.spec = spec  # the args column as written; parsed on first use of ``args``
        self.since = since
        self.note = note
        self.quoted = self.required = self.multicast = self.dpvs = self.deprecated = self.secret = False
        self.entry: str | None = None
        self.alias_of: str | None = None
        self.replacement: str | None = None
        self.last: Version | None = None
        self.children: dict[str, Keyword] = {}
        self._args: tuple[ArgSpec, ...] | None = None

    def __repr__(self) -> str:
        return f"Keyword({self.path!r}, {self.kind})"

    @property
    def args(self) -> tuple[ArgSpec, ...]:
        if self._args is None:
            self._args = () if self.spec == "-" else tuple(ArgSpec.parse(word) for word in self.spec.split())
        return self._args

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def parent(self) -> str:
        return self.path.rpartition("/")[0]

    def accepted_in(self, version: Version) -> bool:
        return self.kind != "invalid" and self.since is not None and self.since <= version


def _parse_flags(keyword: Keyword, flags: str) -> None:
    for flag in filter(None, (part.strip() for part in flags.split(","))):
        name, _, value = flag.partition("=")
        if name in ("quoted", "required", "multicast", "dpvs", "deprecated", "secret") and not value:
            setattr(keyword, name, True)
        elif name == "entry" and value in ENTRY_KINDS:
            keyword.entry = value
        elif name == "alias" and value:
            keyword.alias_of = value
        elif name == "deprecated":
            keyword.deprecated = True
            keyword.replacement = value
        elif name == "use" and value:
            keyword.replacement = value
        elif name == "last" and value:
            keyword.last = parse_version(value)
        else:
            raise ValueError(f"{keyword.path}: unknown flag {flag!r}")


def parse_row(line: str) -> Keyword:
    cells = [cell.strip() for cell in line.split("|")]
    if len(cells) < 5:
        raise ValueError(f"expected at least 5 columns: {line!r}")
    path, kind, args, since, flags = cells[:5]
    note = "|".join(cells[5:]).strip()
    if kind not in KINDS:
        raise ValueError(f"{path}: unknown kind {kind!r}")
    keyword = Keyword(path, kind, args, None if since == "-" else parse_version(since), note)
    if flags:
        _parse_flags(keyword, flags)
    if kind == "list" and keyword.entry is None:
        raise ValueError(f"{path}: a list needs entry=KIND")
    return keyword


class KeywordTable:
    """The tree of accepted keywords plus the rows of known-invalid names."""

    def __init__(self, rows: list[Keyword]) -> None:
        self.by_path: dict[str, Keyword] = {}
        self.root: dict[str, Keyword] = {}
        for keyword in rows:
            if keyword.path in self.by_path:
                raise ValueError(f"duplicate keyword path {keyword.path}")
            self.by_path[keyword.path] = keyword
            if keyword.kind == "invalid":
                continue
            siblings = self.root if not keyword.parent else self.by_path[keyword.parent].children
            siblings[keyword.name] = keyword
        self.newest: Version = max(k.since for k in rows if k.since is not None)
        # Answers of explain_unknown: a broken or hostile file repeats its unknown words, and the
        # closest-match search is the slow part of reading one.
        self._unknown: dict[tuple[str, str], tuple[bool, str]] = {}

    def __len__(self) -> int:
        return sum(1 for keyword in self.by_path.values() if keyword.kind != "invalid")

    def get(self, path: str) -> Keyword | None:
        return self.by_path.get(path)

    @functools.cached_property
    def by_name(self) -> dict[str, list[Keyword]]:
        names: dict[str, list[Keyword]] = {}
        for keyword in self.accepted():
            names.setdefault(keyword.name, []).append(keyword)
        return names

    def explain_unknown(self, parent: str, word: str) -> tuple[bool, str]:
        """Why ``word`` is not a keyword in block ``parent`` ('' for the top level).

        Returns (misplaced, message): misplaced is True when ``word`` is a keyword elsewhere.
        """
        key = (parent, word)
        found = self._unknown.get(key)
        if found is None:
            found = self._explain_unknown(parent, word)
            if len(self._unknown) < UNKNOWN_CACHE:
                self._unknown[key] = found
        return found

    def _explain_unknown(self, parent: str, word: str) -> tuple[bool, str]:
        known = self.by_path.get(f"{parent}/{word}" if parent else word)
        if known is not None and known.kind == "invalid":
            if known.dpvs:
                return False, f"'{word}' belongs to the DPVS fork of keepalived, not to keepalived"
            if known.last is not None:
                use = f"; use '{known.replacement}'" if known.replacement else ""
                return False, f"'{word}' was removed after keepalived {format_version(known.last)}{use}"
            if known.replacement:
                return False, f"unknown keyword '{word}'; did you mean '{known.replacement}'?"
            return False, f"unknown keyword '{word}' ({known.note})" if known.note else f"unknown keyword '{word}'"
        where = f"in {parent.rsplit('/', 1)[-1]}" if parent else "at the top level"
        parents = {k.parent.rsplit("/", 1)[-1] for k in self.by_name.get(word, ())}
        homes = [f"in {name}" for name in sorted(parents - {""})][:4] + (["at the top level"] if "" in parents else [])
        if homes:
            return True, f"'{word}' is not valid {where}; it belongs {', '.join(homes)}"
        siblings = self.by_path[parent].children if parent else self.root
        close = difflib.get_close_matches(word, list(siblings), n=1, cutoff=0.75)
        if not close:
            close = [name for name in siblings if name.lower() == word.lower()]
        if close:
            return False, f"unknown keyword '{word}'; did you mean '{close[0]}'?"
        return False, f"unknown keyword '{word}'"

    def accepted(self) -> list[Keyword]:
        return [keyword for keyword in self.by_path.values() if keyword.kind != "invalid"]


def load_table(text: str) -> KeywordTable:
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            rows.append(parse_row(line))
        except ValueError as exc:
            raise ValueError(f"keywords.txt:{number}: {exc}") from None
    return KeywordTable(rows)


@functools.cache
def releases() -> dict[Version, str]:
    """The keepalived releases kagen knows (``data/releases.txt``), oldest first, with their dates
    ("-" for the one that stands for git after the last release)."""
    data = pkgutil.get_data("kagen.keepalived", "data/releases.txt")
    if data is None:
        raise RuntimeError("kagen/keepalived/data/releases.txt is missing from the installation")
    rows = (line.split("|") for line in data.decode("utf-8").splitlines() if line.strip() and not line.startswith("#"))
    return {parse_version(version.strip()): date.strip() for version, date in rows}


def unknown_release(version: Version) -> str | None:
    """Why ``version`` is not a release kagen knows, with the nearest one of its series; None
    when it is one."""
    known = releases()
    if version in known:
        return None
    listed = list(known)
    released = [release for release in listed if known[release] != "-"]
    text = (
        f"{format_version(version)} is not a keepalived release kagen knows "
        f"({format_version(released[0])} to {format_version(released[-1])}, "
        f"and {format_version(listed[-1])} for keepalived's git after {format_version(released[-1])})"
    )
    series = [release for release in listed if release[:2] == version[:2]]
    if series:
        patch = version[2] if len(version) > 2 else series[-1][2]
        nearest = min(series, key=lambda release: (abs(release[2] - patch), -release[2]))
        text += f"; did you mean '{format_version(nearest)}'?"
    return text


@functools.cache
def table() -> KeywordTable:
    """The shipped table, read once per process."""
    data = pkgutil.get_data("kagen.keepalived", "data/keywords.txt")
    if data is None:
        raise RuntimeError("kagen/keepalived/data/keywords.txt is missing from the installation")
    return load_table(data.decode("utf-8"))
