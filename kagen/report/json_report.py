"""``--format json``: one document, stable keys (``"format": 1``), documented in the README;
``errors`` lists what the run could not do (exit status 2); ``statistics`` with --statistics."""

from __future__ import annotations

import json

from kagen import __version__
from kagen.lint.engine import LintResult
from kagen.report import PLAIN, View, statistics

FORMAT = 1


def render(result: LintResult, view: View = PLAIN) -> str:
    document = {
        "kagen": __version__,
        "format": FORMAT,
        "files": result.files,
        "findings": [finding.to_dict() | {"fixable": finding in result.fixes} for finding in result.findings],
        "clusters": result.clusters,
        "errors": [{"message": f.message, "file": f.file, "line": f.line} for f in result.failures],
        "summary": {"files": len(result.files), "errors": result.errors, "warnings": result.warnings},
    }
    if view.statistics:
        document["statistics"] = [
            {"code": code, "name": name, "count": count, "fixable": fixable}
            for count, code, name, fixable in statistics(result)
        ]
    return json.dumps(document, indent=1) + "\n"
