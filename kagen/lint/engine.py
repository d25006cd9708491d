"""Run the selected rules over parsed configurations (kagen.lint.files) and decide the verdict.

Order: the reader's and parser's findings that came with each parse, each file-scope rule on each
file, each files-scope rule on the files of each network, the inventory rules; then drop what
the settings and the inline ``# kagen: disable=...`` comments silence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from kagen.diagnostics import Diagnostic, Severity
from kagen.lint import parallel, registry, suppressions
from kagen.lint.clusters import components, described
from kagen.lint.context import FileContext
from kagen.lint.edits import Edit
from kagen.lint.rule import Rule, Scope
from kagen.lint.settings import Options

if TYPE_CHECKING:  # the cloud model is loaded with an inventory, not on every lint run's start-up
    from kagen.cloud.model import Inventory
    from kagen.lint.cache import LintCache


class Failure(NamedTuple):
    """Something the run could not do (a path that does not exist, an unreadable file, an
    inventory or a settings file that cannot be used): reported in every format, exit status 2."""

    message: str
    file: str | None = None
    line: int | None = None
    inventory: bool = False  # one of the problems that make the inventory unusable

    @classmethod
    def of_inventory(cls, text: str) -> Failure:
        """From one of an inventory's problems: ``FILE:LINE: message`` (or ``FILE: message``)."""
        match = _LOCATED.match(text)
        if match is None:
            return cls(text, inventory=True)
        return cls(match["message"], match["file"], int(match["line"]), True)


READER = frozenset({"KA001", "KA004", "KA005", "KA006", "KA007", "KA008"})
_LOCATED = re.compile(r"(?P<file>[^\n]+?):(?P<line>\d+): (?P<message>.*)", re.S)


@dataclass
class LintResult:
    files: list[str]
    findings: list[Diagnostic] = field(default_factory=list)
    fixes: dict[Diagnostic, list[Edit]] = field(default_factory=dict)  # what kagen fix would edit (SARIF)
    failures: list[Failure] = field(default_factory=list)
    clusters: list[dict] = field(default_factory=list)  # the pair rules' clusters and what joined them (JSON)
    contexts: list[FileContext] = field(default_factory=list, repr=False)  # what was linted (--show-source)
    inventory: Inventory | None = field(default=None, repr=False)

    def owners(self) -> dict[str, str]:
        """The file each finding's file was read for: an included file's is the file that includes it."""
        owners = {source.name: ctx.path for ctx in self.contexts for source in reversed(ctx.sources)}
        return owners | ({self.inventory.path: self.inventory.path} if self.inventory is not None else {})

    def texts(self) -> dict[str, str]:
        """Each file's text as read, by the name findings give it (secrets not yet masked)."""
        texts = {source.name: source.text for ctx in self.contexts for source in ctx.config.files}
        return texts | ({self.inventory.path: self.inventory.text} if self.inventory is not None else {})

    @property
    def errors(self) -> int:
        return sum(1 for finding in self.findings if finding.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.errors

    def exit_code(self, strict: bool) -> int:
        if self.failures:
            return 2
        return 1 if self.errors or (strict and self.findings) else 0


def _has_what_it_reads(rule: Rule, ctxs: list[FileContext]) -> bool:
    """A rule that declares the blocks it reads runs only where one of them is present."""
    return not rule.reads or any(not ctx.paths.isdisjoint(rule.reads) for ctx in ctxs)


def _networks(ctxs: list[FileContext], inventory: Inventory | None) -> list[list[FileContext]]:
    """The files the pair rules compare together: all of them, or with an inventory each group
    of nodes that share clusters."""
    if inventory is None or len(ctxs) < 2:
        return [ctxs]
    from kagen.lint.placement import networks  # with an inventory only: start-up counts in pre-commit

    return networks(inventory, ctxs)


def _across(group: list[FileContext], rules: list[Rule], cache: LintCache | None) -> list[Diagnostic]:
    """The findings of the rules across files on ``group``. With the cache, the rules that compare
    the members of each cluster run on each set of files that clusters join, where one of them
    changed (the others' configurations are not loaded); KA505 compares the clusters from the
    evidence every file's facts keep."""
    if cache is None:
        return [finding for rule in rules for finding in rule.check_files(group)]
    found = [finding for rule in rules if rule.across_clusters for finding in rule.check_files(group)]
    within = [rule for rule in rules if not rule.across_clusters]
    for part in components(group) if within else []:
        found.extend(cache.compared(part, within))
    return found


def run(
    ctxs: list[FileContext], options: Options, inventory: Inventory | None = None, cache: LintCache | None = None
) -> LintResult:
    """The findings of the rules ``options`` enables on ``ctxs`` (``cache``: keeps and reuses
    what the rules across files found, kagen.lint.cache)."""
    codes = registry.enabled(options.select, options.ignore)
    rules = [rule for rule in registry.RULES if rule.code in codes and not rule.parser]
    if options.fragment:
        rules = [rule for rule in rules if not rule.whole_config]
    findings: list[Diagnostic] = []
    per_file = [rule for rule in rules if rule.scope is Scope.FILE]
    pending = [ctx for ctx in ctxs if ctx.checked is None]

    chosen: dict[frozenset[str], list[Rule]] = {}  # files alike (generated ones) use the same keywords

    def own(ctx: FileContext) -> list[Rule]:
        rules = chosen.get(ctx.paths)
        if rules is None:
            paths = ctx.paths
            rules = chosen[paths] = [rule for rule in per_file if not rule.reads or not paths.isdisjoint(rule.reads)]
        return rules

    # A large file has its own rules split over two processes; many files, the files.
    large = [ctx for ctx in pending if len(ctx.visits) >= parallel.PARALLEL_NODES]
    small = [ctx for ctx in pending if len(ctx.visits) < parallel.PARALLEL_NODES]
    results = [parallel.check(ctx, own(ctx)) for ctx in large] + parallel.check_many(small, own)
    for ctx, checked in zip(large + small, results, strict=True):
        checked = [d for d in ctx.config.diagnostics if d.code in codes] + checked
        # Inside a block keepalived skips whole, only what the reader says stands (braces, lines).
        unread = ctx.config.unread
        ctx.checked = [f for f in checked if not unread or f.code in READER or (f.pos.file, f.pos.line) not in unread]
    for ctx in ctxs:
        findings.extend(ctx.checked or [])
    across = [rule for rule in rules if rule.scope is Scope.FILES and _has_what_it_reads(rule, ctxs)]
    found: list[dict] = []
    for group in _networks(ctxs, inventory) if across else []:
        found.extend(described(group))  # first: the rules on the whole group reuse its clusters
        findings.extend(_across(group, across, cache))
    for rule in rules:
        if rule.scope is Scope.INVENTORY and inventory is not None:
            findings.extend(rule.check_inventory(inventory, ctxs))
    quiet = frozenset().union(*(ctx.quiet for ctx in ctxs))
    kept = {
        finding
        for finding in suppressions.apply(findings, suppressions.find(ctxs, inventory), codes)
        if finding.pos.file not in quiet
    }
    names = [ctx.path for ctx in ctxs] + ([inventory.path] if inventory is not None else [])
    return LintResult(names, sorted(kept, key=Diagnostic.sort_key), clusters=found, contexts=ctxs, inventory=inventory)
