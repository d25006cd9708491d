"""The language server: pygls over stdio, each request answered from kagen's reading of the
document (kagen.lsp.analysis). Diagnostics come from a lint of the whole workspace (pair rules,
the inventory of the settings, findings in included files shown in those files), run in a worker
thread a short moment after the last change, so that typing is never held up by it."""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path
from urllib.parse import unquote, urlparse

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from kagen import __version__
from kagen.keepalived import default_config_id
from kagen.lint import settings
from kagen.lsp import actions, analysis, complete, hover, navigate
from kagen.lsp.text import Text

DEBOUNCE = 0.3  # seconds after the last change before the workspace is linted again


def _path(uri: str) -> str | None:
    parsed = urlparse(uri)
    return unquote(parsed.path) if parsed.scheme == "file" else None


class KagenServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("kagen", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
        self.findings = analysis.Findings()
        self.published: set[str] = set()
        self._pending: asyncio.Task | None = None
        self._lint_lock = threading.Lock()
        self._readings: dict[str, tuple[int | None, analysis.Reading]] = {}

    @property
    def root(self) -> str | None:
        return self.workspace.root_path or None

    def options(self) -> settings.Options:
        """The settings of the workspace folder, read afresh (a changed .kagen.toml counts)."""
        try:
            return settings.load({}, self.root or os.getcwd())
        except settings.SettingsError as exc:
            self.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=f"kagen: {exc}"))
            return settings.Options()

    def reading(self, uri: str) -> tuple[analysis.Reading, Text, settings.Options] | None:
        document = self.workspace.get_text_document(uri)
        path = _path(uri) or os.path.join(self.root or os.getcwd(), Path(urlparse(uri).path).name or "untitled")
        options = self.options()
        cached = self._readings.get(uri)
        if cached is None or cached[0] != document.version or cached[1].name != path:
            config_id = options.config_id if options.config_id is not None else default_config_id()
            cached = (document.version, analysis.Reading(document.source, path, config_id))
            self._readings[uri] = cached
        return cached[1], Text(document.source), options

    def schedule_lint(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
        self._pending = asyncio.get_running_loop().create_task(self._lint_later())

    async def _lint_later(self) -> None:
        await asyncio.sleep(DEBOUNCE)
        documents = {
            path: document.source
            for uri, document in self.workspace.text_documents.items()
            if (path := _path(uri)) is not None
        }
        findings = await asyncio.get_running_loop().run_in_executor(None, self._lint, documents)
        if findings is not None:
            self._publish(findings)

    def _lint(self, documents: dict[str, str]) -> analysis.Findings | None:
        with self._lint_lock:
            try:
                return analysis.lint_workspace(self.root, documents, self.options())
            except Exception as exc:  # noqa: BLE001 - a kagen bug must not take the editor's server down
                self.window_log_message(
                    types.LogMessageParams(type=types.MessageType.Error, message=f"kagen lint failed: {exc!r}")
                )
                return None

    def _publish(self, findings: analysis.Findings) -> None:
        self.findings = findings
        for problem in findings.problems:
            self.window_log_message(types.LogMessageParams(type=types.MessageType.Warning, message=f"kagen: {problem}"))
        open_texts = {_path(uri): document.source for uri, document in self.workspace.text_documents.items()}
        now = set()
        for path, found in findings.by_path.items():
            uri = Path(path).as_uri()
            source = open_texts.get(path, findings.texts.get(path, ""))
            text = Text(source)
            diagnostics = [actions.to_lsp(finding, text) for finding in found]
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics))
            now.add(uri)
        for uri in self.published - now:
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        self.published = now


server = KagenServer()


@server.feature(types.INITIALIZED)
def _initialized(ls: KagenServer, params: types.InitializedParams) -> None:
    """Work from the workspace folder, as ``kagen lint`` run there would: findings name the other
    files of a pair as the command line does."""
    if ls.root is not None and os.path.isdir(ls.root):
        os.chdir(ls.root)


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def _changed(ls: KagenServer, params: object) -> None:
    ls.schedule_lint()


@server.feature(types.TEXT_DOCUMENT_HOVER)
def _hover(ls: KagenServer, params: types.HoverParams) -> types.Hover | None:
    found = ls.reading(params.text_document.uri)
    if found is None:
        return None
    reading, text, options = found
    return hover.hover(reading, text, params.position, options.target_version)


@server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=[" "]))
def _complete(ls: KagenServer, params: types.CompletionParams) -> types.CompletionList:
    found = ls.reading(params.text_document.uri)
    items = complete.complete(found[0], found[1], params.position, found[2].target_version) if found else []
    return types.CompletionList(is_incomplete=False, items=items)


@server.feature(types.TEXT_DOCUMENT_DEFINITION)
def _definition(ls: KagenServer, params: types.DefinitionParams) -> list[types.Location]:
    found = ls.reading(params.text_document.uri)
    return navigate.definition(found[0], found[1], params.position) if found else []


@server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def _symbols(ls: KagenServer, params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
    found = ls.reading(params.text_document.uri)
    return navigate.symbols(found[0], found[1]) if found else []


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix])
)
def _code_actions(ls: KagenServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    path = _path(uri)
    text = Text(ls.workspace.get_text_document(uri).source)
    findings = ls.findings.by_path.get(path, []) if path is not None else []
    return actions.code_actions(findings, ls.findings.fixes, text, uri, params.range)


@server.feature(types.TEXT_DOCUMENT_FORMATTING)
def _format(ls: KagenServer, params: types.DocumentFormattingParams) -> list[types.TextEdit]:
    uri = params.text_document.uri
    text = Text(ls.workspace.get_text_document(uri).source)
    options = ls.options()
    path = _path(uri) or os.path.join(ls.root or os.getcwd(), "untitled")
    edits, problem = actions.formatting(text, path, options.indentation, options.config_id)
    if problem is not None:
        ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning, message=f"kagen fmt: {problem}"))
    return edits


def serve() -> None:
    """Answer an editor on standard input and output until it says exit."""
    server.start_io()
