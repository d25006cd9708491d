"""Output formats of ``kagen lint``: one module per format, each with ``render(result, view)``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kagen.lint.engine import LintResult


@dataclass(frozen=True)
class View:
    """How the findings are shown, as the command line asks (formats ignore what they cannot do)."""

    color: bool = False  # text: ANSI colours
    show_source: bool = False  # text: each finding's line, with a caret under its column
    statistics: bool = False  # text and json: how many findings of each rule, instead of the findings
    quiet: bool = False  # text: the findings alone, no summary


PLAIN = View()


def statistics(result: LintResult) -> list[tuple[int, str, str, bool]]:
    """(count, code, name, fixable) per rule that reported, most frequent first."""
    counts = Counter((finding.code, finding.name) for finding in result.findings)
    fixable = {finding.code for finding in result.fixes}
    return [
        (n, code, name, code in fixable) for (code, name), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
