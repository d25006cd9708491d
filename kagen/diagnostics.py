"""Positions and diagnostics shared by every pipeline stage.

Every finding kagen reports, from a stray brace to an HAVIP quota, is a ``Diagnostic`` pointing at
the text the user wrote, so output formats and exit codes never depend on which stage found it.
"""

from __future__ import annotations

import enum
from typing import NamedTuple


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


# Findings of the source and parse stages. The linter's rules register their own codes.
SYNTAX_ERROR = Check("KA001", "syntax-error", Severity.ERROR)
UNKNOWN_KEYWORD = Check("KA002", "unknown-keyword", Severity.ERROR)
MISPLACED_KEYWORD = Check("KA003", "misplaced-keyword", Severity.ERROR)
LINE_TOO_LONG = Check("KA004", "line-too-long", Severity.WARNING)
INCLUDE_MISSING = Check("KA005", "include-missing", Severity.WARNING)
INCLUDE_CYCLE = Check("KA006", "include-cycle", Severity.ERROR)
EXPANSION_LIMIT = Check("KA007", "expansion-limit", Severity.ERROR)
ESCAPED_COMMENT = Check("KA008", "escaped-comment", Severity.WARNING)

PARSE_CHECKS = (
    SYNTAX_ERROR,
    UNKNOWN_KEYWORD,
    MISPLACED_KEYWORD,
    LINE_TOO_LONG,
    INCLUDE_MISSING,
    INCLUDE_CYCLE,
    EXPANSION_LIMIT,
    ESCAPED_COMMENT,
)


class Diagnostic:
    """One finding. ``severity`` may differ from the check's default (e.g. strict include variants).
    ``end``, when set, is the last position the finding covers (a block a missing brace breaks)."""

    __slots__ = ("check", "end", "message", "pos", "severity")

    def __init__(
        self, check: Check, pos: Position, message: str, severity: Severity, end: Position | None = None
    ) -> None:
        self.check = check
        self.pos = pos
        self.message = message
        self.severity = severity
        self.end = end

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
