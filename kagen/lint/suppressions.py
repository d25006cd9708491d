"""Inline suppressions: ``# kagen: disable=CODES`` silences those rules' findings on its line,
``# kagen: disable-file=CODES`` in the whole file (without ``=CODES``: every rule). Applying
them is also where KA016 (a selector that names no rule) and KA017 (a suppression that silenced
nothing) are found."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kagen.diagnostics import Diagnostic, Position
from kagen.lint import registry
from kagen.lint.context import FileContext
from kagen.lint.rules.suppressions import UnknownSuppression, UnusedSuppression

if TYPE_CHECKING:
    from kagen.cloud.model import Inventory

_DISABLE = re.compile(r"kagen:\s*disable(-file)?(?:\s*=\s*([\w,\s-]+))?")
_SELECTOR = re.compile(r"[^,\s]+")
UNKNOWN, UNUSED = UnknownSuppression(), UnusedSuppression()
OWN = frozenset((UNKNOWN.code, UNUSED.code))  # findings about suppressions are not silenced by them


@dataclass
class Suppression:
    pos: Position  # where the comment's "kagen:" is
    selectors: list[tuple[str, int]] | None  # each with its column; None: every rule
    whole_file: bool
    used: bool = False

    def applies(self, finding: Diagnostic) -> bool:
        if self.selectors is None:
            return True
        rule = registry.BY_CODE.get(finding.code)
        return rule is not None and any(registry.matches(rule, selector) for selector, _ in self.selectors)


def _comments(ctxs: list[FileContext], inventory: Inventory | None) -> Iterator[tuple[str, int, int, str]]:
    for ctx in ctxs:
        yield from ctx.comments
    if inventory is not None:
        for line, (col, text) in inventory.comments.items():
            yield inventory.path, line, col, text


def find(ctxs: list[FileContext], inventory: Inventory | None) -> list[Suppression]:
    found = []
    for name, line, col, text in _comments(ctxs, inventory):
        match = _DISABLE.search(text)
        if match is None:
            continue
        selectors = None
        if match.group(2):
            start = col + match.start(2)
            selectors = [(word.group(), start + word.start()) for word in _SELECTOR.finditer(match.group(2))] or None
        found.append(Suppression(Position(name, line, col + match.start()), selectors, bool(match.group(1))))
    return found


def silenced(
    finding: Diagnostic, by_line: dict[tuple[str, int], list[Suppression]], by_file: dict[str, list[Suppression]]
) -> bool:
    """Whether a suppression silences ``finding``; each one that does is marked used."""
    if finding.code in OWN:
        return False
    hit = False
    for suppression in by_line.get((finding.pos.file, finding.pos.line), []) + by_file.get(finding.pos.file, []):
        if suppression.applies(finding):
            suppression.used = hit = True
    return hit


def apply(findings: Iterable[Diagnostic], suppressions: list[Suppression], codes: frozenset[str]) -> list[Diagnostic]:
    """``findings`` without those the suppressions silence, with KA016 and KA017 (when ``codes``
    enables them) for the suppressions themselves."""
    by_line: dict[tuple[str, int], list[Suppression]] = {}
    by_file: dict[str, list[Suppression]] = {}
    for suppression in suppressions:
        if suppression.whole_file:
            by_file.setdefault(suppression.pos.file, []).append(suppression)
        else:
            by_line.setdefault((suppression.pos.file, suppression.pos.line), []).append(suppression)
    kept = [finding for finding in findings if not silenced(finding, by_line, by_file)]
    for suppression in suppressions:
        known = []
        for selector, col in suppression.selectors or ():
            if any(registry.matches(rule, selector) for rule in registry.RULES):
                known.append(selector)
            elif UNKNOWN.code in codes:
                hint = registry.suggestion(selector)
                where = Position(suppression.pos.file, suppression.pos.line, col)
                kept.append(UNKNOWN.report(where, f"'{selector}' in a kagen: disable comment names no rule{hint}"))
        judged = codes - OWN  # a suppression is judged only by the rules that ran
        enabled = any(
            suppression.selectors is None or registry.matches(registry.BY_CODE[code], selector)
            for code in judged
            for selector in known or [""]
        )
        if UNUSED.code in codes and not suppression.used and enabled:
            what = "kagen: disable-file" if suppression.whole_file else "kagen: disable"
            named = f"={','.join(known)}" if known else ""
            kept.append(UNUSED.report(suppression.pos, f"{what}{named} silences nothing here"))
    return kept
