"""``--format text``: ``path:line:col: CODE [*] message [name]``, sorted, then a summary; ``[*]``
marks a finding ``kagen lint --fix`` fixes. ``--show-source`` adds the line and a caret,
``--statistics`` counts per rule instead. Colour as ``--color`` decides (kagen.cli.options)."""

from __future__ import annotations

from kagen.diagnostics import Diagnostic, Severity
from kagen.keepalived.keywords import table
from kagen.keepalived.redact import MASK, mask_text, secret_lines
from kagen.lint.engine import LintResult
from kagen.report import PLAIN, View, statistics

RED, YELLOW, BOLD, DIM, RESET = "\033[31m", "\033[33m", "\033[1m", "\033[2m", "\033[0m"
FIXABLE = "[*]"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' * (number != 1)}"


def summary(result: LintResult) -> str:
    files = len(result.files)
    failed = len(result.failures)
    unused = f"{_count(failed, 'input')} could not be used (kagen: error)"
    if not result.findings:
        return (
            f"All checks passed ({_count(files, 'file')})."
            if not failed
            else f"No findings in {_count(files, 'file')}, but {unused}."
        )
    owners = result.owners()
    having = len({owners.get(finding.pos.file, finding.pos.file) for finding in result.findings})
    where = f"in {having} of {_count(files, 'file')}" if having < files else f"in {_count(files, 'file')}"
    counts = [_count(n, noun) for n, noun in ((result.errors, "error"), (result.warnings, "warning")) if n]
    text = f"Found {' and '.join(counts)} {where}."
    if failed:
        text += f" {unused[0].upper()}{unused[1:]}."
    if result.fixes:
        text += f"\n{FIXABLE} {len(result.fixes)} fixable with kagen lint --fix."
    return text


def _line(finding: Diagnostic, fixable: bool, color: bool) -> str:
    mark = f"{FIXABLE} " if fixable else ""
    if not color:
        return f"{finding.pos}: {finding.code} {mark}{finding.message} [{finding.name}]"
    tint = RED if finding.severity is Severity.ERROR else YELLOW
    return f"{BOLD}{finding.pos}:{RESET} {tint}{finding.code}{RESET} {mark}{finding.message} [{finding.name}]"


def _sources(result: LintResult, files: set[str]) -> dict[str, list[str]]:
    """The lines of the files that have findings, every secret masked: the statements of secret
    keywords (as ``kagen fix --diff`` masks them) and, wherever it stands, each secret value
    (one written through a parameter, ``$PW=...``, is on another line)."""
    keywords = table()
    values: set[str] = set()
    for ctx in result.contexts:
        for line in secret_lines(ctx.config.items, keywords):
            values.update(word for word in line.words[1:] if word)
    lines = {}
    for name, text in result.texts().items():
        if name in files:
            text = mask_text(text, keywords)
            for value in sorted(values, key=len, reverse=True):
                text = text.replace(value, MASK)
            lines[name] = text.splitlines()
    return lines


def _source(finding: Diagnostic, lines: dict[str, list[str]], color: bool) -> list[str]:
    text = lines.get(finding.pos.file, [])
    if not 0 < finding.pos.line <= len(text):
        return []
    shown = text[finding.pos.line - 1].expandtabs(1)
    gutter = f"{finding.pos.line} | "
    caret = " " * (len(gutter) - 2) + "| " + " " * (finding.pos.col - 1) + "^"
    if color:
        gutter, caret = f"{DIM}{gutter}{RESET}", caret.replace("^", f"{RED}^{RESET}")
    return [f"{gutter}{shown}", caret, ""]


def render(result: LintResult, view: View = PLAIN) -> str:
    if view.statistics:
        rows = statistics(result)
        width = max((len(str(n)) for n, *_ in rows), default=1)
        lines = [f"{n:>{width}}  {code}  {FIXABLE if fixable else '   '} {name}" for n, code, name, fixable in rows]
    else:
        sources = _sources(result, {f.pos.file for f in result.findings}) if view.show_source else {}
        lines = []
        for finding in result.findings:
            lines.append(_line(finding, finding in result.fixes, view.color))
            if view.show_source:
                lines.extend(_source(finding, sources, view.color))
    if not view.quiet:
        lines.append(summary(result))
    return "".join(line + "\n" for line in lines)
