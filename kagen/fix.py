"""``kagen fix``: apply the fixes rules offer (kagen.fixes), safely, to the original text.

One fix at a time: lint, take the first finding that has a fix, edit the text in memory, lint
the edited text again (the reader takes it from an overlay instead of the disk) and keep the edit
only if that finding is gone and no error appeared that was not there before. Then lint again:
positions move with every edit, and a fix can make another rule's fix possible (a multicast
instance made unicast then lacks unicast_fault_no_peer). A finding whose fix is refused, or
that lacks what the fix needs, stays, with the reason. Everything not edited stays byte for byte.
"""

from __future__ import annotations

import difflib
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from kagen.cloud.model import Inventory
from kagen.diagnostics import Diagnostic, Severity
from kagen.fixes import FIXES, Edit, Facts, Unfixable
from kagen.lint import engine, registry
from kagen.lint.context import FileContext
from kagen.lint.rules.cloud import placement
from kagen.lint.settings import Options

MAX_FIXES = 10_000  # a bound on the loop, far above what a configuration needs
Linter = Callable[[dict[str, str]], tuple[list[FileContext], engine.LintResult]]


@dataclass
class FixResult:
    original: dict[str, str]  # real path -> text before, for the files that changed
    fixed: dict[str, str]  # real path -> text after
    applied: list[Diagnostic]
    refused: list[tuple[Diagnostic, str]]
    remaining: engine.LintResult
    names: dict[str, str] = field(default_factory=dict)  # real path -> the name the user gave

    def diff(self) -> str:
        parts = []
        for path, before in self.original.items():
            name = self.names.get(path, path)
            lines = difflib.unified_diff(
                before.splitlines(keepends=True), self.fixed[path].splitlines(keepends=True), name, name
            )
            parts.append("".join(line if line.endswith("\n") else line + "\n" for line in lines))
        return "".join(parts)


def facts(ctxs: list[FileContext], inventory: Inventory | None) -> Facts:
    """Each instance's own address and peers: from the inventory, else from the other files of
    the run that serve the same cluster (same VRID and virtual addresses), each member's address
    being its unicast_src_ip or mcast_src_ip."""
    found = Facts()
    if inventory is not None:
        found.missing = "the inventory does not place this file's instance (give the member's config: path)"
        for placed in placement(inventory, ctxs).placed:
            others = [
                str(inventory.endpoints[m.name].ip)
                for m in placed.cluster.members
                if m.name in inventory.endpoints and m.name != placed.endpoint.name
            ]
            if placed.endpoint.ip is not None:
                found.addresses[(placed.ctx.path, placed.instance.name or "")] = (str(placed.endpoint.ip), others)
        return found
    groups: dict[tuple, list[tuple[FileContext, object]]] = {}
    for ctx in ctxs:
        for instance in ctx.config.vrrp_instances:
            vips = tuple(sorted(str(vip.address) for vip in instance.virtual_ipaddresses if vip.valid))
            groups.setdefault((instance.virtual_router_id, vips), []).append((ctx, instance))
    for members in groups.values():
        addresses = [instance.source_address for _, instance in members]
        if len(members) < 2 or None in addresses:
            continue
        for ctx, instance in members:
            own = str(instance.source_address)
            found.addresses[(ctx.path, instance.name or "")] = (own, [str(a) for a in addresses if str(a) != own])
    return found


def _context_of(ctxs: list[FileContext], finding: Diagnostic) -> FileContext | None:
    return next((ctx for ctx in ctxs if any(f.name == finding.pos.file for f in ctx.config.files)), None)


def _apply(texts: dict[str, str], edits: list[Edit]) -> dict[str, str]:
    """The texts (by real path) with ``edits`` made; edits of one file never overlap."""
    result = dict(texts)
    by_file: dict[str, list[Edit]] = {}
    for edit in edits:
        by_file.setdefault(edit.file.realpath, []).append(edit)
        result.setdefault(edit.file.realpath, edit.file.text)
    for path, file_edits in by_file.items():
        lines = result[path].split("\n")
        for edit in sorted(file_edits, key=lambda e: (e.start, e.end), reverse=True):
            lines[edit.start - 1 : edit.end - 1] = list(edit.lines)
        result[path] = "\n".join(lines)
    return result


def _key(finding: Diagnostic) -> tuple[str, str, str]:
    return finding.code, finding.pos.file, finding.message


def _errors(result: engine.LintResult) -> Counter:
    return Counter(_key(f) for f in result.findings if f.severity is Severity.ERROR)


def _edits(ctxs: list[FileContext], finding: Diagnostic, known: Facts) -> list[Edit]:
    ctx = _context_of(ctxs, finding)
    if ctx is None:
        raise Unfixable("its file is not among those given")
    return FIXES[finding.code][0](ctx, finding, known)


def _rejected(batch: list[Diagnostic], before: engine.LintResult, after: engine.LintResult) -> str:
    """Why the edited text is refused ("" if it is not): a finding of the batch still there, or
    an error that was not there before."""
    counts_before = Counter(_key(f) for f in before.findings)
    counts_after = Counter(_key(f) for f in after.findings)
    if any(counts_after[_key(f)] >= counts_before[_key(f)] for f in batch):
        return "fix not applied: it would not remove the finding"
    errors_before, errors_after = _errors(before), _errors(after)
    new = [key for key, count in errors_after.items() if count > errors_before.get(key, 0)]
    if new:
        return f"fix not applied: it would add an error ({new[0][0]}: {new[0][2]})"
    return ""


def _linter(paths: list[str], options: Options, inventory: Inventory | None) -> Linter:
    def lint(current: dict[str, str]) -> tuple[list[FileContext], engine.LintResult]:
        overlay = {path: text.encode("utf-8", "surrogateescape") for path, text in current.items()}
        ctxs = engine.contexts(paths, options, overlay)
        return ctxs, engine.run(ctxs, options, inventory)

    return lint


def fix(paths: list[str], options: Options, inventory: Inventory | None) -> FixResult:
    """Fix what the selected rules' fixes can in ``paths``; nothing is written here."""
    codes = registry.enabled(options.select, options.ignore)
    texts: dict[str, str] = {}  # real path -> current text, for the files edited so far
    lint = _linter(paths, options, inventory)
    applied: list[Diagnostic] = []
    refused: dict[tuple[str, str, str], str] = {}  # why, for findings alike (same rule, file, message)
    ctxs, result = lint(texts)
    original = {f.realpath: f.text for ctx in ctxs for f in ctx.config.files}
    names = {f.realpath: f.name for ctx in ctxs for f in ctx.config.files}
    for _ in range(MAX_FIXES):
        finding = next(
            (f for f in result.findings if f.code in FIXES and f.code in codes and _key(f) not in refused), None
        )
        if finding is None:
            break
        # The finding alone, else with every finding of its rule: the members of a pair are made
        # unicast together (one alone would not be listed by the other yet: a KA502 error).
        batches = [[finding], [f for f in result.findings if f.code == finding.code and _key(f) not in refused]]
        reason = ""
        known = facts(ctxs, inventory)
        for batch in batches if len(batches[1]) > 1 else batches[:1]:
            try:
                edits = [edit for f in batch for edit in _edits(ctxs, f, known)]
            except Unfixable as exc:
                reason = str(exc)
                break
            trial = _apply(texts, edits)
            trial_ctxs, trial_result = lint(trial)
            reason = _rejected(batch, result, trial_result)
            if not reason:
                texts, ctxs, result = trial, trial_ctxs, trial_result
                applied.extend(batch)
                refused.clear()  # what this edit changed may let a refused fix through now
                break
        if reason:
            refused[_key(finding)] = reason
    changed = {path: text for path, text in texts.items() if original.get(path) != text}
    return FixResult(
        {path: original[path] for path in changed},
        changed,
        applied,
        [(f, refused[_key(f)]) for f in result.findings if _key(f) in refused],  # where they are now
        result,
        names,
    )


def suggestions(
    paths: list[str], options: Options, inventory: Inventory | None, ctxs: list[FileContext], result: engine.LintResult
) -> dict[Diagnostic, list[Edit]]:
    """The fix of each finding that has one that works, as edits of the text as it is (for
    ``lint --format sarif``): each rule's fixes tried together, and one by one if together they
    fail; a fix is offered only if its finding goes and no error comes."""
    codes = registry.enabled(options.select, options.ignore)
    lint = _linter(paths, options, inventory)
    known = facts(ctxs, inventory)
    by_rule: dict[str, dict[Diagnostic, list[Edit]]] = {}
    for finding in result.findings:
        if finding.code in FIXES and finding.code in codes:
            try:
                by_rule.setdefault(finding.code, {})[finding] = _edits(ctxs, finding, known)
            except Unfixable:
                continue
    offered: dict[Diagnostic, list[Edit]] = {}
    for fixes in by_rule.values():
        together = [edit for edits in fixes.values() for edit in edits]
        if not _rejected(list(fixes), result, lint(_apply({}, together))[1]):
            offered.update(fixes)
        elif len(fixes) > 1:
            offered.update(
                (finding, edits)
                for finding, edits in fixes.items()
                if not _rejected([finding], result, lint(_apply({}, edits))[1])
            )
    return offered


def targets(result: FixResult) -> list[tuple[str, str, int]]:
    """What to write: (path, text, mode) for each changed file, its mode kept."""
    return [(path, text, os.stat(path).st_mode & 0o7777) for path, text in result.fixed.items()]
