"""``--format github``: GitHub Actions workflow commands, one annotation per finding, and one
``::error`` per input the run could not use."""

from __future__ import annotations

from kagen.diagnostics import Severity
from kagen.lint.engine import LintResult
from kagen.report import PLAIN, View


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(result: LintResult, view: View = PLAIN) -> str:
    lines = []
    for finding in result.findings:
        level = "error" if finding.severity is Severity.ERROR else "warning"
        pos = finding.pos
        # GitHub takes a column range only within one line; a finding over a block spans lines.
        end = f",endLine={finding.end.line}" if finding.end is not None and finding.end.line != pos.line else ""
        lines.append(
            f"::{level} file={_property(pos.file)},line={pos.line},col={pos.col}{end},"
            f"title={_property(finding.code + ' ' + finding.name)}::{_data(finding.message)}"
        )
    for failure in result.failures:
        place = f" file={_property(failure.file)},line={failure.line}" if failure.file and failure.line else ""
        lines.append(f"::error{place}::{_data('kagen: ' + failure.message)}")
    return "".join(line + "\n" for line in lines)
