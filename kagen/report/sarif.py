"""``--format sarif``: SARIF 2.1.0 for code scanning (GitHub and others), with every rule's
documentation as help text."""

from __future__ import annotations

import json
import os
import pathlib
from urllib.parse import quote

from kagen import __version__
from kagen.diagnostics import Severity
from kagen.lint import registry
from kagen.lint.edits import Edit, physical
from kagen.lint.engine import LintResult
from kagen.lint.rule import Rule
from kagen.report import PLAIN, View

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _level(severity: Severity) -> str:
    return "error" if severity is Severity.ERROR else "warning"


def _rule(rule: Rule) -> dict:
    doc = rule.doc()
    help_text = "\n\n".join(f"{name}: {doc[name]}" for name in ("What", "Why", "Example", "Fix") if name in doc)
    markdown = "\n\n".join(
        f"**{name}**\n\n```\n{doc[name]}\n```" if name == "Example" else f"**{name}:** {doc[name]}"
        for name in ("What", "Why", "Example", "Fix")
        if name in doc
    )
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": doc.get("What", rule.name)},
        "fullDescription": {"text": f"{doc.get('What', '')} {doc.get('Why', '')}".strip()},
        "help": {"text": help_text, "markdown": markdown},
        "defaultConfiguration": {"level": _level(rule.severity)},
        "properties": {"tags": [str(rule.scope)] + (["beyond-keepalived"] if rule.beyond_keepalived else [])},
    }


def _uri(path: str) -> tuple[str, bool]:
    """A URI for the file: relative to the working directory when possible."""
    if path == "<stdin>":
        return "stdin", True
    if os.path.isabs(path):
        return pathlib.Path(path).as_uri(), False
    return quote(pathlib.PurePath(os.path.normpath(path)).as_posix()), True


def _location(path: str) -> dict:
    uri, relative = _uri(path)
    return {"uri": uri, **({"uriBaseId": "%SRCROOT%"} if relative else {})}


def _replacement(edit: Edit) -> dict:
    """Whole lines: ``start`` to ``end - 1`` deleted (none for an insertion), ``lines`` put there."""
    lines = physical(edit.file)
    if edit.end <= len(lines):
        end = {"endLine": edit.end, "endColumn": 1}
    else:  # the file's last line, without a newline after it
        end = {"endLine": len(lines), "endColumn": len(lines[-1]) + 1}
    return {
        "deletedRegion": {"startLine": edit.start, "startColumn": 1, **end},
        "insertedContent": {"text": "".join(line + "\n" for line in edit.lines)},
    }


def _fix(code: str, edits: list[Edit]) -> dict:
    """One SARIF fix: what ``kagen fix`` would do for the finding."""
    changes: dict[str, list[dict]] = {}
    for edit in sorted(edits, key=lambda e: (e.file.name, e.start, e.end)):
        changes.setdefault(edit.file.name, []).append(_replacement(edit))
    return {
        "description": {"text": f"kagen fix: {registry.BY_CODE[code].fix_summary}"},
        "artifactChanges": [
            {"artifactLocation": _location(name), "replacements": replacements}
            for name, replacements in changes.items()
        ],
    }


def _invocation(result: LintResult) -> dict:
    """Whether the run did all it was asked, and what it could not do (exit status 2)."""
    notifications = []
    for failure in result.failures:
        notification: dict = {"level": "error", "message": {"text": failure.message}}
        if failure.file is not None:
            region = {"startLine": failure.line} if failure.line else {}
            location = {"artifactLocation": _location(failure.file), **({"region": region} if region else {})}
            notification["locations"] = [{"physicalLocation": location}]
        notifications.append(notification)
    return {"executionSuccessful": not result.failures, "toolExecutionNotifications": notifications}


def render(result: LintResult, view: View = PLAIN) -> str:
    rules = list(registry.RULES)
    index = {rule.code: i for i, rule in enumerate(rules)}
    results = []
    for finding in result.findings:
        location = _location(finding.pos.file)
        region = {"startLine": finding.pos.line, "startColumn": finding.pos.col}
        if finding.end is not None:
            # SARIF's endColumn is the column after the region; kagen's end is the last character.
            region.update(endLine=finding.end.line, endColumn=finding.end.col + 1)
        fixes = result.fixes.get(finding)
        results.append(
            {
                "ruleId": finding.code,
                "ruleIndex": index[finding.code],
                "level": _level(finding.severity),
                "message": {"text": finding.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": location,
                            "region": region,
                        }
                    }
                ],
                **({"fixes": [_fix(finding.code, fixes)]} if fixes else {}),
            }
        )
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "kagen",
                        "version": __version__,
                        "rules": [_rule(rule) for rule in rules],
                    }
                },
                "invocations": [_invocation(result)],
                "originalUriBaseIds": {"%SRCROOT%": {"uri": pathlib.Path(os.getcwd()).as_uri() + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=1) + "\n"
