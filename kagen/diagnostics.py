"""Positions and diagnostics shared by every pipeline stage.

Every finding kagen reports, from a stray brace to an HAVIP quota, is a ``Diagnostic`` pointing at
the text the user wrote, so output formats and exit codes never depend on which stage found it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any, NamedTuple


class InputError(Exception):
    """Input that cannot be used at all (a file that cannot be read, an inventory that does not
    load): the command stops with exit status 2 and this message, whichever stage found it."""


class Severity(enum.IntEnum):
    """Ordered so that ``max()`` over findings gives the run's verdict."""

    WARNING = 1
    ERROR = 2

    def __str__(self) -> str:
        return self.name.lower()


class Position(NamedTuple):
    """A place in a file: 1-based line and column (columns count characters, not bytes)."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class Check(NamedTuple):
    """What a diagnostic code means: its kebab-case name and default severity."""

    code: str
    name: str
    severity: Severity


class Diagnostic:
    """One finding. ``severity`` may differ from the check's default (e.g. strict include variants).
    ``end``, when set, is the last position the finding covers (a block a missing brace breaks).
    ``node`` is what the finding is about, as the rule that made it chose (a statement, a model
    section, ...): the rule's fix edits it without looking for it again. It stays behind when a
    finding is sent to another process (``__reduce__``): only the process that parsed the
    configuration can edit it."""

    __slots__ = ("check", "end", "message", "node", "pos", "severity")

    def __init__(
        self,
        check: Check,
        pos: Position,
        message: str,
        severity: Severity,
        end: Position | None = None,
        node: Any = None,
    ) -> None:
        self.check = check
        self.pos = pos
        self.message = message
        self.severity = severity
        self.end = end
        self.node = node

    def __reduce__(self) -> tuple[type[Diagnostic], tuple[Check, Position, str, Severity, Position | None]]:
        return Diagnostic, (self.check, self.pos, self.message, self.severity, self.end)

    def covers(self, file: str, line: int) -> bool:
        if file != self.pos.file:
            return False
        if self.end is None:
            return line == self.pos.line
        return self.pos.line <= line <= self.end.line

    def __repr__(self) -> str:
        return f"Diagnostic({self.to_text()!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Diagnostic) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash((self.check.code, self.pos, self.message))

    @property
    def code(self) -> str:
        return self.check.code

    @property
    def name(self) -> str:
        return self.check.name

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.pos.file, self.pos.line, self.pos.col, self.check.code, self.message)

    def to_text(self) -> str:
        return f"{self.pos}: {self.check.code} {self.message} [{self.check.name}]"

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.pos.file,
            "line": self.pos.line,
            "col": self.pos.col,
            "code": self.check.code,
            "name": self.check.name,
            "severity": str(self.severity),
            "message": self.message,
            "end_line": self.end.line if self.end is not None else None,
            "end_col": self.end.col if self.end is not None else None,
        }


def diagnostic(check: Check, pos: Position, message: str, severity: Severity | None = None) -> Diagnostic:
    return Diagnostic(check, pos, message, check.severity if severity is None else severity)


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """``"; did you mean X?"`` for the candidate closest to a misspelt ``word``, or ``""``."""
    import difflib  # only for a word that is wrong

    found = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"; did you mean '{found[0]}'?" if found else ""
