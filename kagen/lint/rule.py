"""What a lint rule is: identity, severity, scope, the blocks it reads, its documentation and its fix.

A rule is a class: its attributes say what it is and its docstring, in four sections (What, Why,
Example, Fix), is what ``kagen rules CODE``, the README table and SARIF help show. Keeping the
words next to the check keeps them true; the same goes for the fix, which sits next to the check
whose findings it removes and reads the node the check put on each finding.
"""

from __future__ import annotations

import enum
import re
import textwrap
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from kagen.diagnostics import Check, Diagnostic, Position, Severity
from kagen.lint.edits import Edit, Facts, Unfixable

if TYPE_CHECKING:  # the cloud model is loaded with an inventory, not on every lint run's start-up
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
    parser = False  # reported by the reader, the parser or the engine, not by ``check``
    opt_in = False  # only selected by its code or name, not by ALL or a prefix
    beyond_keepalived = False  # keepalived itself accepts what this rule reports
    whole_config = False  # needs the whole configuration: silent with --fragment
    # FILES scope: compares clusters with each other (from their evidence, kagen.lint.facts), not
    # only the members of each cluster: runs on all the files, never on a group of them alone.
    across_clusters = False
    # FILE scope: the costly views of the context the rule reads ("behaviours", "arguments"): on
    # two processes, the readers of each are kept together, so that one process builds it.
    views: tuple[str, ...] = ()
    fix_summary: str | None = None  # what ``fix`` does (kagen rules, SARIF); None: the rule has no fix

    @property
    def check_id(self) -> Check:
        return Check(self.code, self.name, self.severity)

    def report(
        self,
        pos: Position,
        message: str,
        severity: Severity | None = None,
        end: Position | None = None,
        node: Any = None,
    ) -> Diagnostic:
        """A finding of this rule; ``node`` is what ``fix`` will need to edit."""
        return Diagnostic(self.check_id, pos, message, self.severity if severity is None else severity, end, node)

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        """Findings in one configuration (FILE scope)."""
        return iter(())

    def check_files(self, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        """Findings across the configurations given together (FILES scope)."""
        return iter(())

    def check_inventory(self, inv: Inventory, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        """Findings in the inventory, and in the configurations measured against it (INVENTORY scope)."""
        return iter(())

    def fix(self, ctx: FileContext, finding: Diagnostic, facts: Facts) -> list[Edit]:
        """The edits of the original text that remove ``finding`` (one of this rule's, in ``ctx``);
        raises Unfixable, saying why, where they cannot be made."""
        raise Unfixable(f"{self.code} has no fix")

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


class ParserRule(Rule):
    """KA001-KA008: found by the reader and the parser (kagen.keepalived.checks, where their code,
    name and severity are declared); here they are documented and selected."""

    parser = True


class EngineRule(Rule):
    """KA016, KA017: found by the engine while it applies inline suppressions
    (kagen.lint.suppressions); here they are documented and selected."""

    parser = True


class InventoryRule(Rule):
    """A rule over the cloud inventory. ``configs``: it also measures the configurations given
    against the inventory (KA42x); the others read the inventory alone."""

    scope = Scope.INVENTORY
    beyond_keepalived = True
    configs = False

    def over_limit(self, inv: Inventory, key: str, count: int, pos: Position, what: str) -> Iterator[Diagnostic]:
        """A finding when ``count`` exceeds the limit ``key``: an error for a hard limit, a warning
        naming the ``limits:`` key for a quota that can be raised; nothing while the limit is
        unknown (the provider's data has no source for it and the inventory does not set it)."""
        allowed = inv.limit(key)
        if allowed is None or count <= allowed:
            return
        fact = inv.limit_fact(key)
        if fact.adjustable:
            hint = f"if your quota is higher, set limits: {{{key}: N}} in the inventory"
            yield self.report(pos, f"{what}: {count}, over the quota of {allowed} ({hint})", Severity.WARNING)
        else:
            yield self.report(
                pos, f"{what}: {count}, more than {inv.terms.cloud} allows ({allowed}, {key})", Severity.ERROR
            )
