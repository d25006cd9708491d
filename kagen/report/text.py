"""``--format text``: ``path:line:col: CODE message [name]``, sorted, then a summary line.
Colour only on a terminal, and never with NO_COLOR set."""

from __future__ import annotations

from kagen.diagnostics import Severity
from kagen.lint.engine import LintResult

RED, YELLOW, BOLD, RESET = "\033[31m", "\033[33m", "\033[1m", "\033[0m"


def summary(result: LintResult) -> str:
    files = f"{len(result.files)} file{'s' if len(result.files) != 1 else ''}"
    failed = len(result.failures)
    unused = f"{failed} input{'s' * (failed != 1)} could not be used (kagen: error)"
    if not result.findings:
        return f"All checks passed ({files})." if not failed else f"No findings in {files}, but {unused}."
    errors = f"{result.errors} error{'s' * (result.errors != 1)}"
    warnings = f"{result.warnings} warning{'s' * (result.warnings != 1)}"
    return f"Found {errors} and {warnings} in {files}." + (f" {unused[0].upper()}{unused[1:]}." if failed else "")


def render(result: LintResult, color: bool = False) -> str:
    lines = []
    for finding in result.findings:
        if color:
            tint = RED if finding.severity is Severity.ERROR else YELLOW
            lines.append(f"{BOLD}{finding.pos}:{RESET} {tint}{finding.code}{RESET} {finding.message} [{finding.name}]")
        else:
            lines.append(finding.to_text())
    lines.append(summary(result))
    return "\n".join(lines) + "\n"
