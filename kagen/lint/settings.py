"""Lint settings: command line over ``.kagen.toml`` over ``[tool.kagen]`` in ``pyproject.toml``.

The nearest of those files, searching upward from the working directory, is used (a
``.kagen.toml`` wins over a ``pyproject.toml`` in the same directory). A value given on the
command line replaces the file's value for that key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from typing import Any

from kagen.keepalived.keywords import Version, format_version, parse_version, table, unknown_release
from kagen.reading import Unreadable, read_capped

FORMATS = ("text", "json", "sarif", "github")
SETTINGS_BYTES = 2**20  # a settings file (or a pyproject.toml) of more is not one


class SettingsError(Exception):
    """A settings file or option that cannot be used; the message says which and why."""


@dataclass
class Options:
    select: list[str] = field(default_factory=lambda: ["ALL"])
    ignore: list[str] = field(default_factory=list)
    strict: bool = False
    fragment: bool = False
    target_version: Version = field(default_factory=lambda: table().newest)
    config_id: str | None = None
    exclude: list[str] | None = None  # None: the walk's default excludes (kagen.lint.discovery)
    extend_exclude: list[str] = field(default_factory=list)
    force_exclude: bool = False
    respect_gitignore: bool = True
    clusters: list[list[str]] = field(default_factory=list)
    inventory: str | None = None
    format: str = "text"
    indent: int | str = 4  # kagen fmt: spaces per block level, or "tab"
    source: str | None = None  # the settings file the values came from

    @property
    def target(self) -> str:
        return format_version(self.target_version)

    @property
    def indentation(self) -> str:
        return "\t" if self.indent == "tab" else " " * int(self.indent)


_KEYS = {f.name.replace("_", "-"): f.name for f in fields(Options) if f.name != "source"}


def find_settings(start: str) -> tuple[str, dict[str, Any]] | None:
    """The nearest settings file at or above ``start``: (path, its kagen table)."""
    directory = os.path.abspath(start)
    while True:
        dotfile = os.path.join(directory, ".kagen.toml")
        if os.path.isfile(dotfile):
            return dotfile, _read(dotfile)
        pyproject = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(pyproject):
            section = _read(pyproject).get("tool", {})
            section = section.get("kagen") if isinstance(section, dict) else None
            if isinstance(section, dict):
                return pyproject, section
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _read(path: str) -> dict[str, Any]:
    import tomllib  # only when there is a settings file: start-up counts in pre-commit

    try:
        data = tomllib.loads(read_capped(path, SETTINGS_BYTES).decode("utf-8"))
    except Unreadable as exc:
        raise SettingsError(str(exc)) from None
    except UnicodeDecodeError:
        raise SettingsError(f"{path}: not valid TOML: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML: {exc}") from None
    return data


def _coerce(name: str, value: object, where: str) -> Any:
    """Check one setting's type and convert it to what Options holds."""
    if name == "clusters":
        if not isinstance(value, list) or not all(
            isinstance(group, list) and all(isinstance(path, str) for path in group) for group in value
        ):
            raise SettingsError(f"{where}: 'clusters' must be a list of lists of file names")
        return value
    if name in ("select", "ignore", "exclude", "extend_exclude"):
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise SettingsError(f"{where}: '{name}' must be a list of strings")
        return value
    if name in ("strict", "fragment", "force_exclude", "respect_gitignore"):
        if not isinstance(value, bool):
            raise SettingsError(f"{where}: '{name}' must be true or false")
        return value
    if name == "target_version":
        try:
            version = parse_version(str(value).removeprefix("v"))  # keepalived -v says v2.2.7
        except ValueError:
            raise SettingsError(f"{where}: target-version '{value}' is not a version like 2.2.7") from None
        problem = unknown_release(version)
        if problem is not None:
            raise SettingsError(f"{where}: target-version {problem}")
        return version
    if name == "indent":
        if value != "tab" and (isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 8):
            raise SettingsError(f'{where}: indent must be a number of spaces from 1 to 8, or "tab"')
        return value
    if name == "format":
        if value not in FORMATS:
            raise SettingsError(f"{where}: format must be one of {', '.join(FORMATS)}")
        return value
    if not isinstance(value, str):
        raise SettingsError(f"{where}: '{name}' must be a string")
    return value


def load(cli: dict[str, object], start: str = ".") -> Options:
    """Options from the settings file found from ``start`` and the command line's values
    (``None`` meaning "not given")."""
    options = Options()
    found = find_settings(start)
    if found is not None:
        path, section = found
        options.source = path
        for key, value in section.items():
            if key not in _KEYS:
                raise SettingsError(f"{path}: unknown setting '{key}' (known: {', '.join(sorted(_KEYS))})")
            value = _coerce(_KEYS[key], value, path)
            # Paths are written next to the settings file, so relative to it, not to where kagen runs.
            base = os.path.dirname(path)
            if key == "clusters":
                value = [[os.path.join(base, member) for member in group] for group in value]
            elif key == "inventory":
                value = os.path.join(base, value)
            setattr(options, _KEYS[key], value)
    for name, value in cli.items():
        if value is not None:
            setattr(options, name, _coerce(name, value, "command line"))
    return options
