"""What a lint rule is: identity, severity, scope, the blocks it reads, and its documentation.

A rule is a class: its attributes say what it is and its docstring, in four sections (What, Why,
Example, Fix), is what ``kagen rules CODE``, the README table and SARIF help show. Keeping the
words next to the check keeps them true.
"""

from __future__ import annotations

import enum
import re
import textwrap
from collections.abc import Iterator
from typing import TYPE_CHECKING

from kagen.diagnostics import Check, Diagnostic, Severity

if TYPE_CHECKING:
    from kagen.cloud.model import Inventory
    from kagen.lint.context import FileContext

SECTIONS = ("What", "Why", "Example", "Fix")


class Scope(enum.Enum):
    FILE = "file"  # one configuration (with everything it includes)
    FILES = "files"  # the configurations of a pair or cluster, given together
    INVENTORY = "inventory"  # the cloud inventory, with or without configurations

    def __str__(self) -> str:
        return self.value


class Rule:
    """Base class. Subclasses set the class attributes and document themselves."""

    code: str
    name: str
    severity: Severity
    scope = Scope.FILE
    reads: tuple[str, ...] = ()  # the blocks (keyword paths) the rule looks at
    parser = False  # reported by the reader or parser, not by ``check``
    beyond_keepalived = False  # keepalived itself accepts what this rule reports
    whole_config = False  # needs the whole configuration: silent with --fragment

    @property
    def check_id(self) -> Check:
        return Check(self.code, self.name, self.severity)

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        """Findings in one configuration (FILE scope)."""
        return iter(())

    def check_files(self, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        """Findings across the configurations given together (FILES scope)."""
        return iter(())

    def check_inventory(self, inv: Inventory, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        """Findings in the inventory, and in the configurations measured against it (INVENTORY scope)."""
        return iter(())

    @classmethod
    def doc(cls) -> dict[str, str]:
        """The docstring's sections, each as one paragraph of text (Example keeps its lines)."""
        text = (cls.__doc__ or "").strip("\n")
        lines = [line[4:] if line.startswith("    ") else line for line in text.splitlines()]
        sections: dict[str, list[str]] = {}
        current = None
        for line in lines:
            match = re.match(r"^(What|Why|Example|Fix):\s*(.*)$", line)
            if match:
                current = match.group(1)
                sections[current] = [match.group(2)] if match.group(2) else []
            elif current is not None:
                sections[current].append(line)
        out = {}
        for name, body in sections.items():
            if name == "Example":
                out[name] = textwrap.dedent("\n".join(body)).strip("\n")
            else:
                out[name] = " ".join(part.strip() for part in body).strip()
        return out

    @classmethod
    def summary(cls) -> str:
        return cls.doc().get("What", "")
