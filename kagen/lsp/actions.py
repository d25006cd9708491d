"""Code actions (the fix a finding's rule offers, as ``kagen fix`` makes it, and "disable KAxxx on
this line"), diagnostics in LSP form, and document formatting through ``kagen fmt``."""

from __future__ import annotations

import re
from pathlib import Path

from lsprotocol import types

from kagen.diagnostics import Diagnostic, Severity
from kagen.format.run import ENCODING, format_bytes
from kagen.lint.edits import Edit
from kagen.lsp.text import Text

DISABLE = re.compile(r"kagen:\s*disable=([\w,-]+)")


def to_lsp(finding: Diagnostic, text: Text) -> types.Diagnostic:
    severity = (
        types.DiagnosticSeverity.Error if finding.severity is Severity.ERROR else types.DiagnosticSeverity.Warning
    )
    return types.Diagnostic(
        range=text.range_of(finding.pos, finding.end),
        message=f"{finding.message} [{finding.name}]",
        severity=severity,
        code=finding.code,
        source="kagen",
    )


def _text_edit(edit: Edit) -> types.TextEdit:
    """Whole physical lines replaced (kagen.lint.edits), line endings as the file has them."""
    text = Text(edit.file.text)
    ending = "\r\n" if edit.file.text.count("\r\n") * 2 > edit.file.text.count("\n") else "\n"
    last = len(text.lines)
    start = types.Position(line=min(edit.start - 1, last), character=0)
    end = types.Position(line=min(edit.end - 1, last), character=0)
    new = "".join(line + ending for line in edit.lines)
    if edit.end - 1 >= last and not edit.file.text.endswith("\n"):  # the file's last line has no ending
        end = types.Position(line=last - 1, character=len(text.line(last - 1).encode("utf-16-le")) // 2)
        new = new.removesuffix(ending)
    return types.TextEdit(range=types.Range(start=start, end=end), new_text=new)


def _disable(finding: Diagnostic, text: Text, uri: str) -> types.WorkspaceEdit:
    """``# kagen: disable=CODE`` at the end of the finding's line, or its code added to one there."""
    number = finding.pos.line - 1
    line = text.line(number)
    match = DISABLE.search(line)
    if match is not None:
        at, insert = match.end(1), f",{finding.code}"
    else:
        at, insert = len(line), f" # kagen: disable={finding.code}"
    where = text.to_lsp(finding.pos.line, at + 1)
    return types.WorkspaceEdit(
        changes={uri: [types.TextEdit(range=types.Range(start=where, end=where), new_text=insert)]}
    )


def code_actions(
    findings: list[Diagnostic], fixes: dict[Diagnostic, list[Edit]], text: Text, uri: str, wanted: types.Range
) -> list[types.CodeAction]:
    """For each finding on the lines of ``wanted``: its fix, if its rule offers one, and a disable comment."""
    actions = []
    for finding in findings:
        if not wanted.start.line <= finding.pos.line - 1 <= wanted.end.line:
            continue
        shown = [to_lsp(finding, text)]
        edits = fixes.get(finding)
        if edits:
            changes: dict[str, list[types.TextEdit]] = {}
            for edit in edits:
                changes.setdefault(Path(edit.file.path).as_uri(), []).append(_text_edit(edit))
            actions.append(
                types.CodeAction(
                    title=f"Fix {finding.code} ({finding.name}), as kagen fix does",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=shown,
                    edit=types.WorkspaceEdit(changes=changes),
                    is_preferred=True,
                )
            )
        actions.append(
            types.CodeAction(
                title=f"Disable {finding.code} on this line",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=shown,
                edit=_disable(finding, text, uri),
            )
        )
    return actions


def formatting(text: Text, path: str, indent: str, config_id: str | None) -> tuple[list[types.TextEdit], str | None]:
    """The edit that lays the document out as ``kagen fmt`` does, or why it cannot."""
    data = text.source.encode(*ENCODING)
    result = format_bytes(data, path, path, indent, config_id)
    if result.formatted is None:
        return [], result.problem
    if not result.changed:
        return [], None
    return [types.TextEdit(range=text.whole(), new_text=result.formatted.decode(*ENCODING))], None
