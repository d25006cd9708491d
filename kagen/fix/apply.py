"""Apply the fixes rules offer (each rule's ``fix``), safely, to the original text.

A rule at a time: lint, take the findings of the first rule that has fixes, edit the text in
memory, lint the edited text again (the reader takes it from an overlay instead of the disk) and
keep the edits only if their findings are gone and no error appeared that was not there before
(else the edits of the findings not to blame, else the first alone). Then lint again: positions
move with every edit, and a fix can make another rule's fix possible (a multicast instance made
unicast then lacks unicast_fault_no_peer). A finding whose fix is refused, or that lacks what
the fix needs, stays, with the reason. Everything not edited stays byte for byte.
"""

from __future__ import annotations

import dataclasses
import difflib
import itertools
import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from kagen.cloud.model import Inventory
from kagen.diagnostics import Diagnostic, InputError, Position, Severity
from kagen.fix.facts import facts
from kagen.keepalived.keywords import table
from kagen.keepalived.redact import mask_text
from kagen.keepalived.source import stdin_path
from kagen.lint import engine, files, registry
from kagen.lint.context import FileContext
from kagen.lint.discovery import Discovery
from kagen.lint.edits import Edit, Facts, Unfixable
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

    def stdin(self, given: bytes) -> bytes:
        """What standard input (``given``) becomes."""
        fixed = self.fixed.get(stdin_path())
        return _encoded(fixed, given.startswith(BOM)) if fixed is not None else given

    def on_disk(self, finding: Diagnostic) -> Diagnostic:
        """``finding`` (found in the fixed text) where it is in the file as it is on disk, for
        ``--diff``, which writes nothing: a line the fixes kept is where it was; one they wrote
        stands at the place of the lines it replaced (column 1)."""
        real = {name: path for path, name in self.names.items()}.get(finding.pos.file)
        if real is None or real not in self.fixed:
            return finding
        lines = _line_map(self.fixed[real], self.original[real])
        end = _moved(finding.end, lines) if finding.end is not None else None
        return Diagnostic(finding.check, _moved(finding.pos, lines), finding.message, finding.severity, end)

    def diff(self) -> str:
        """The changes as a unified diff, with the values of secret statements masked."""
        parts = []
        for path, before in self.original.items():
            name = self.names.get(path, path)
            lines = difflib.unified_diff(
                before.splitlines(keepends=True), self.fixed[path].splitlines(keepends=True), name, name
            )
            parts.append("".join(line if line.endswith("\n") else line + "\n" for line in lines))
        return mask_text("".join(parts), table())


def _line_map(after: str, before: str) -> dict[int, tuple[int, bool]]:
    """For each line of ``after`` (1-based): the line of ``before`` it was, and whether it is
    unchanged; a written line maps to the first line it replaced (or that follows its insertion)."""
    old, new = before.splitlines(), after.splitlines()
    found: dict[int, tuple[int, bool]] = {}
    matcher = difflib.SequenceMatcher(None, new, old, autojunk=False)
    for tag, i1, i2, j1, _ in matcher.get_opcodes():
        for offset, line in enumerate(range(i1, i2)):
            found[line + 1] = (j1 + offset + 1, True) if tag == "equal" else (min(j1 + 1, max(len(old), 1)), False)
    return found


def _moved(pos: Position, lines: dict[int, tuple[int, bool]]) -> Position:
    line, same = lines.get(pos.line, (pos.line, True))
    return Position(pos.file, line, pos.col if same else 1)


def _by_file(ctxs: list[FileContext]) -> dict[str, FileContext]:
    """The configuration each file name belongs to (a file's findings carry its name)."""
    found: dict[str, FileContext] = {}
    for ctx in ctxs:
        for source in ctx.sources:
            found.setdefault(source.name, ctx)
    return found


def _apply(texts: dict[str, str], edits: list[Edit]) -> dict[str, str]:
    """The texts (by real path) with ``edits`` made. The same edit twice is made once; edits
    that overlap are refused (Unfixable)."""
    result = dict(texts)
    by_file: dict[str, set[Edit]] = {}
    for edit in edits:
        by_file.setdefault(edit.file.realpath, set()).add(edit)
        result.setdefault(edit.file.realpath, edit.file.text)
    for path, file_edits in by_file.items():
        ordered = sorted(file_edits, key=lambda e: (e.start, e.end, e.lines))
        if any(later.start < earlier.end for earlier, later in itertools.pairwise(ordered)):
            raise Unfixable("its fix overlaps another one: run kagen fix again for it")
        lines = result[path].split("\n")
        for edit in reversed(ordered):
            lines[edit.start - 1 : edit.end - 1] = list(edit.lines)
        result[path] = "\n".join(lines)
    return result


def _fixable(codes: frozenset[str]) -> frozenset[str]:
    """The codes among ``codes`` whose rules have a fix."""
    return frozenset(code for code in codes if registry.BY_CODE[code].fix_summary is not None)


def _key(finding: Diagnostic) -> tuple[str, str, str]:
    return finding.code, finding.pos.file, finding.message


def _errors(result: engine.LintResult) -> Counter:
    return Counter(_key(f) for f in result.findings if f.severity is Severity.ERROR)


def _edits(by_file: dict[str, FileContext], finding: Diagnostic, known: Facts) -> list[Edit]:
    ctx = by_file.get(finding.pos.file)
    if ctx is None:
        raise Unfixable("its file is not among those given")
    return registry.BY_CODE[finding.code].fix(ctx, finding, known)


def _fixes_of(
    findings: Iterable[Diagnostic], by_file: dict[str, FileContext], known: Facts
) -> tuple[dict[Diagnostic, list[Edit]], dict[Diagnostic, str]]:
    """The edits each finding's fix makes, and why for the others there is none."""
    fixes: dict[Diagnostic, list[Edit]] = {}
    unfixable: dict[Diagnostic, str] = {}
    for finding in findings:
        try:
            fixes[finding] = _edits(by_file, finding, known)
        except Unfixable as exc:
            unfixable[finding] = str(exc)
    return fixes, unfixable


def _failures(batch: list[Diagnostic], before: engine.LintResult, after: engine.LintResult) -> dict[Diagnostic, str]:
    """Why findings of the batch are refused, going by the edited text's lint (empty: accepted):
    the finding is still there, or an error appeared that was not there before (blamed on the
    findings of its file, or on all of them when it is in another file)."""
    failed: dict[Diagnostic, str] = {}
    counts_before = Counter(_key(f) for f in before.findings)
    counts_after = Counter(_key(f) for f in after.findings)
    for key, count in Counter(map(_key, batch)).items():
        if counts_after[key] > counts_before[key] - count:
            failed.update((f, "fix not applied: it would not remove the finding") for f in batch if _key(f) == key)
    errors_before = _errors(before)
    for key, count in _errors(after).items():
        if count > errors_before.get(key, 0):
            reason = f"fix not applied: it would add an error ({key[0]}: {key[2]})"
            for finding in [f for f in batch if f.pos.file == key[1]] or batch:
                failed.setdefault(finding, reason)
    return failed


@dataclass
class _Settled:
    accepted: list[Diagnostic]  # the findings whose edits were made (empty: none)
    texts: dict[str, str]
    linted: tuple[list[FileContext], engine.LintResult] | None
    failed: dict[Diagnostic, str]  # why, when none was accepted


def _settle(
    fixes: dict[Diagnostic, list[Edit]], texts: dict[str, str], result: engine.LintResult, lint: Linter
) -> _Settled:
    """Make the fixes of one rule at once: one lint instead of one per finding, and the members
    of a pair must be made unicast together (or the other would not list this one yet: KA502).
    If that is refused, those not to blame for it; then the first alone. At most three lints."""
    batch = list(fixes)
    failed: dict[Diagnostic, str] = {}
    attempts = [batch]
    while attempts:
        attempt = attempts.pop(0)
        try:
            trial = _apply(texts, [edit for finding in attempt for edit in fixes[finding]])
        except Unfixable as exc:
            now = dict.fromkeys(attempt, str(exc))
        else:
            linted = lint(trial)
            now = _failures(attempt, result, linted[1])
            if not now:
                return _Settled(attempt, trial, linted, {})
        for finding, reason in now.items():
            failed.setdefault(finding, reason)
        if attempt is batch:
            rest = [f for f in batch if f not in now]
            attempts = [rest] if rest else []
            if len(batch) > 1 and batch[0] in now:
                attempts.append([batch[0]])
    first_reason = next(iter(failed.values()))
    return _Settled([], texts, None, {f: failed.get(f, first_reason) for f in batch})


def _linter(paths: list[str], options: Options, inventory: Inventory | None, stdin: bytes | None = None) -> Linter:
    """Lint with every rule, whatever --select and --ignore say: they choose which fixes are
    made, not which errors a fix may bring (removing the last peer is a KA105 fix and a KA101
    error). Standard input, read once, is given again to every lint."""
    options = dataclasses.replace(options, select=["ALL"], ignore=[])
    base = {stdin_path(): stdin} if stdin is not None else {}
    walked: list[Discovery] = []  # the files are found once: nothing is written meanwhile

    def lint(current: dict[str, str]) -> tuple[list[FileContext], engine.LintResult]:
        overlay = base | {path: _encoded(text, _has_bom(path, stdin)) for path, text in current.items()}
        if not walked:
            walked.append(files.find(paths, options))
        found = dataclasses.replace(walked[0], missing=list(walked[0].missing))
        ctxs = files.read(found, options, overlay)
        if found.missing:
            raise InputError(found.missing[0])
        return ctxs, engine.run(ctxs, options, inventory)

    return lint


def fix(paths: list[str], options: Options, inventory: Inventory | None, stdin: bytes | None = None) -> FixResult:
    """Fix what the selected rules' fixes can in ``paths`` (``stdin``: what ``-`` reads); nothing
    is written here."""
    codes = registry.enabled(options.select, options.ignore)
    fixable = _fixable(codes)
    texts: dict[str, str] = {}  # real path -> current text, for the files edited so far
    lint = _linter(paths, options, inventory, stdin)
    applied: list[Diagnostic] = []
    refused: dict[tuple[str, str, str], str] = {}  # why, for findings alike (same rule, file, message)
    ctxs, result = lint(texts)
    original = {f.realpath: f.text for ctx in ctxs for f in ctx.config.files}
    names = {f.realpath: f.name for ctx in ctxs for f in ctx.config.files}
    for _ in range(MAX_FIXES):
        pending = [f for f in result.findings if f.code in fixable and _key(f) not in refused]
        if not pending:
            break
        rule = [f for f in pending if f.code == pending[0].code]
        fixes, unfixable = _fixes_of(rule, _by_file(ctxs), facts(ctxs, inventory))
        refused.update((_key(f), reason) for f, reason in unfixable.items())
        if not fixes:
            continue
        settled = _settle(fixes, texts, result, lint)
        if settled.linted is not None:
            texts, (ctxs, result) = settled.texts, settled.linted
            applied.extend(settled.accepted)
            refused.clear()  # what this edit changed may let a refused fix through now
        else:
            refused.update((_key(f), reason) for f, reason in settled.failed.items())
    changed = {path: text for path, text in texts.items() if original.get(path) != text}
    return FixResult(
        {path: original[path] for path in changed},
        changed,
        applied,
        [(f, refused[_key(f)]) for f in result.findings if _key(f) in refused],  # where they are now
        engine.LintResult(result.files, [f for f in result.findings if f.code in codes]),
        names,
    )


def suggestions(
    paths: list[str], options: Options, inventory: Inventory | None, ctxs: list[FileContext], result: engine.LintResult
) -> dict[Diagnostic, list[Edit]]:
    """The fix of each finding that has one that works, as edits of the text as it is (for
    ``lint --format sarif``): each rule's fixes settled together as kagen fix does; a fix is
    offered only if its finding goes and no error comes."""
    codes = registry.enabled(options.select, options.ignore)
    fixable = _fixable(codes)
    lint = _linter(paths, options, inventory)
    baseline = lint({})[1] if set(codes) != set(registry.BY_CODE) else result
    known, by_file = facts(ctxs, inventory), _by_file(ctxs)
    by_rule: dict[str, list[Diagnostic]] = {}
    for finding in result.findings:
        if finding.code in fixable:
            by_rule.setdefault(finding.code, []).append(finding)
    offered: dict[Diagnostic, list[Edit]] = {}
    for findings in by_rule.values():
        fixes = _fixes_of(findings, by_file, known)[0]
        if fixes:
            offered.update((finding, fixes[finding]) for finding in _settle(fixes, {}, baseline, lint).accepted)
    return offered


def offered(
    options: Options, inventory: Inventory | None, ctxs: list[FileContext], result: engine.LintResult
) -> dict[Diagnostic, list[Edit]]:
    """The fix each finding's rule offers, as edits of the text as it is, not yet checked by a
    lint of the edited text (what ``--fix`` does before it keeps them): cheap enough for every
    text and JSON run, which mark the findings ``--fix`` would try. SARIF carries ``suggestions``."""
    fixable = _fixable(registry.enabled(options.select, options.ignore))
    findings = [finding for finding in result.findings if finding.code in fixable]
    if not findings:
        return {}
    return _fixes_of(findings, _by_file(ctxs), facts(ctxs, inventory))[0]


def targets(result: FixResult) -> list[tuple[str, str, int]]:
    """What to write: (path, text, mode) for each changed file, its mode and its byte order mark
    kept (standard input goes back to standard output instead: FixResult.stdin)."""
    stdin = stdin_path()
    return [
        (path, "\ufeff" * _has_bom(path, None) + text, os.stat(path).st_mode & 0o7777)
        for path, text in result.fixed.items()
        if path != stdin
    ]


# The reader drops a UTF-8 byte order mark (and reports it, KA001); the texts fixed here are
# without it, and it is put back wherever they become bytes again: kagen fix keeps it.
BOM = b"\xef\xbb\xbf"


def _has_bom(path: str, stdin: bytes | None) -> bool:
    if path == stdin_path():
        return stdin is not None and stdin.startswith(BOM)
    try:
        with open(path, "rb") as handle:
            return handle.read(len(BOM)) == BOM
    except OSError:
        return False


def _encoded(text: str, bom: bool) -> bytes:
    return (BOM if bom else b"") + text.encode("utf-8", "surrogateescape")
