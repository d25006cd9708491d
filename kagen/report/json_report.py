"""``--format json``: one document, stable keys (``"format": 1``), documented in the README;
``errors`` lists what the run could not do (exit status 2)."""

from __future__ import annotations

import json

from kagen import __version__
from kagen.lint.engine import LintResult

FORMAT = 1


def render(result: LintResult, color: bool = False) -> str:
    document = {
        "kagen": __version__,
        "format": FORMAT,
        "files": result.files,
        "findings": [finding.to_dict() for finding in result.findings],
        "clusters": result.clusters,
        "errors": [{"message": f.message, "file": f.file, "line": f.line} for f in result.failures],
        "summary": {"files": len(result.files), "errors": result.errors, "warnings": result.warnings},
    }
    return json.dumps(document, indent=1) + "\n"
