"""``kagen lsp`` driven by a real LSP client (pytest-lsp) over stdio, one capability at a time:
diagnostics (open, change, pair rules across the workspace, the settings' inventory, included
files), hover, completion, definition, symbols, code actions and formatting. Positions in the
assertions are LSP's: 0-based lines and columns."""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from support.helpers import REPO

SITE = REPO / "tests" / "fixtures" / "lsp" / "site"
# -I: the installed kagen, not a source checkout that happens to be the working directory.
CONFIG = ClientServerConfig(server_command=[sys.executable, "-I", "-m", "kagen", "lsp"])


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(SITE, root)
    return root


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: LanguageClient, workspace: Path):
    params = types.InitializeParams(
        capabilities=pytest_lsp.client_capabilities("neovim"),
        root_uri=workspace.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="site")],
    )
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


def _open(client: LanguageClient, path: Path, text: str | None = None) -> str:
    uri = path.as_uri()
    document = types.TextDocumentItem(
        uri=uri, language_id="keepalived", version=1, text=path.read_text() if text is None else text
    )
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=document))
    return uri


async def _diagnostics(client: LanguageClient, uri: str, code: str, present: bool = True) -> list[types.Diagnostic]:
    """The diagnostics of ``uri`` once ``code`` is among them (or gone, if not ``present``)."""
    for _ in range(300):
        found = client.diagnostics.get(uri)
        if found is not None and any(d.code == code for d in found) == present:
            return list(found)
        await asyncio.sleep(0.05)
    raise AssertionError(f"{code} {'never came' if present else 'stayed'} for {uri}: {client.diagnostics.get(uri)}")


def _at(uri: str, line: int, character: int) -> dict:
    return {
        "text_document": types.TextDocumentIdentifier(uri=uri),
        "position": types.Position(line=line, character=character),
    }


def _range(diagnostic: types.Diagnostic) -> tuple[int, int, int, int]:
    r = diagnostic.range
    return (r.start.line, r.start.character, r.end.line, r.end.character)


@pytest.mark.asyncio
async def test_diagnostics_on_open_and_in_included_files(client: LanguageClient, workspace: Path):
    uri = _open(client, workspace / "keepalived.conf")
    found = await _diagnostics(client, uri, "KA101")
    multicast = next(d for d in found if d.code == "KA101")
    assert _range(multicast) == (8, 0, 19, 0)  # the instance, header to closing brace
    assert multicast.severity == types.DiagnosticSeverity.Error and multicast.source == "kagen"
    assert multicast.message.startswith("vrrp_instance VI_1 runs multicast: it has no unicast_peer")
    assert multicast.message.endswith("[multicast-instance]")
    deprecated = next(d for d in found if d.code == "KA013")
    assert (_range(deprecated), deprecated.severity) == ((2, 4, 2, 20), types.DiagnosticSeverity.Warning)
    included = await _diagnostics(client, (workspace / "conf.d" / "extra.conf").as_uri(), "KA002")
    assert [(d.code, _range(d)) for d in included] == [("KA002", (1, 4, 1, 14))]


@pytest.mark.asyncio
async def test_diagnostics_follow_changes(client: LanguageClient, workspace: Path):
    path = workspace / "keepalived.conf"
    uri = _open(client, path)
    await _diagnostics(client, uri, "KA101")
    fixed = path.read_text().replace(
        "    priority 150\n",
        "    priority 150\n    unicast_src_ip 10.0.0.1\n    unicast_peer {\n        10.0.0.2\n    }\n",
    )
    for version, text in enumerate(["vrrp_instance {\n", fixed], start=2):  # the first is replaced at once
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
    found = await _diagnostics(client, uri, "KA101", present=False)
    assert "KA013" in {d.code for d in found} and "KA001" not in {d.code for d in found}


@pytest.mark.asyncio
async def test_pair_rules_and_the_inventory_of_the_settings(client: LanguageClient, workspace: Path):
    for name in ("inventory.yaml", "web-a.conf", "web-b.conf"):
        shutil.copy(REPO / "examples" / "web-pair" / name, workspace / name)
    (workspace / ".kagen.toml").write_text('inventory = "inventory.yaml"\n')
    (workspace / "keepalived.conf").unlink()
    shutil.rmtree(workspace / "conf.d")
    path = workspace / "web-a.conf"
    uri = _open(client, path, path.read_text().replace("priority 150", "priority 100"))
    pair = await _diagnostics(client, (workspace / "web-b.conf").as_uri(), "KA504")  # a file not open
    assert [d.message for d in pair if d.code == "KA504"] == [
        "priority 100 is also the priority of VI_WEB in web-a.conf [same-priority]"  # names as under the folder
    ]
    moved = path.read_text().replace("unicast_src_ip 192.168.0.11", "unicast_src_ip 192.168.0.99")
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=moved)],
        )
    )
    await _diagnostics(client, uri, "KA425")
    inventory = await _diagnostics(client, (workspace / "inventory.yaml").as_uri(), "KA424")
    assert [_range(d) for d in inventory] == [(25, 2, 25, 6)]  # the word "web:" of the cluster's key
    assert (await _diagnostics(client, (workspace / "web-b.conf").as_uri(), "KA504", present=False)) == []


@pytest.mark.asyncio
async def test_hover(client: LanguageClient, workspace: Path):
    uri = _open(client, workspace / "keepalived.conf")
    state = await client.text_document_hover_async(types.HoverParams(**_at(uri, 9, 6)))
    assert state.contents.value.startswith("**`state`**: statement in `vrrp_instance` (`vrrp_instance/state`)\n\n")
    assert "- Arguments: one of `MASTER`, `BACKUP`\n- Default: " in state.contents.value
    assert (state.range.start.character, state.range.end.character) == (4, 9)
    old = await client.text_document_hover_async(types.HoverParams(**_at(uri, 2, 6)))
    assert "- Deprecated: write `checker_process_name` instead" in old.contents.value
    parameter = await client.text_document_hover_async(types.HoverParams(**_at(uri, 10, 15)))
    assert parameter.contents.value == f"`$IFACE` (defined at {workspace}/keepalived.conf:1):\n\n```\neth0\n```"
    include = await client.text_document_hover_async(types.HoverParams(**_at(uri, 4, 10)))
    assert include.contents.value == f"This include reads:\n\n- `{workspace}/conf.d/extra.conf`"
    assert await client.text_document_hover_async(types.HoverParams(**_at(uri, 14, 9))) is None  # a name


async def _labels(client: LanguageClient, uri: str, line: int, character: int) -> dict[str, types.CompletionItem]:
    result = await client.text_document_completion_async(types.CompletionParams(**_at(uri, line, character)))
    return {item.label: item for item in result.items}


@pytest.mark.asyncio
async def test_completion(client: LanguageClient, workspace: Path):
    path = workspace / "keepalived.conf"
    text = path.read_text().replace("    priority 150\n", "    priority 150\n    \n    state \n", 1)
    uri = _open(client, path, text)
    inside = await _labels(client, uri, 13, 4)
    assert {"advert_int", "nopreempt", "unicast_peer", "track_script"} <= set(inside)
    assert "router_id" not in inside and "real_server" not in inside
    assert inside["track_script"].insert_text == "track_script {\n\t$0\n}"
    assert inside["track_script"].insert_text_format == types.InsertTextFormat.Snippet
    assert set(await _labels(client, uri, 14, 10)) == {"MASTER", "BACKUP"}
    top = await _labels(client, uri, 0, 0)
    assert top["vrrp_instance"].insert_text == "vrrp_instance ${1:name} {\n\t$0\n}"
    assert set(await _labels(client, uri, 16, 8)) == {"chk"}  # in track_script: the scripts defined
    assert set(await _labels(client, uri, 24, 8)) == {"VI_1"}  # in a sync group: the instances


@pytest.mark.asyncio
async def test_completion_follows_the_target_version(client: LanguageClient, workspace: Path):
    newer = await _labels(client, _open(client, workspace / "keepalived.conf"), 9, 4)
    (workspace / ".kagen.toml").write_text('target-version = "2.2.7"\n')
    older = await _labels(client, (workspace / "keepalived.conf").as_uri(), 9, 4)
    assert set(older) < set(newer)
    assert "owner_ignore_adverts" in newer and "owner_ignore_adverts" not in older  # keepalived 2.3.3 and later


@pytest.mark.asyncio
async def test_definition(client: LanguageClient, workspace: Path):
    uri = _open(client, workspace / "keepalived.conf")

    async def target(line: int, character: int) -> list[tuple[str, int, int]]:
        found = await client.text_document_definition_async(types.DefinitionParams(**_at(uri, line, character)))
        return [
            (Path(loc.uri.removeprefix("file://")).name, loc.range.start.line, loc.range.start.character)
            for loc in found
        ]

    assert await target(14, 9) == [("keepalived.conf", 5, 12)]  # track_script chk -> vrrp_script chk
    assert await target(22, 9) == [("keepalived.conf", 8, 14)]  # sync group member -> vrrp_instance VI_1
    assert await target(28, 22) == [("keepalived.conf", 25, 21)]  # virtual_server group VSG
    assert await target(10, 16) == [("keepalived.conf", 0, 0)]  # $IFACE -> its definition
    assert await target(4, 12) == [("extra.conf", 0, 0)]  # include -> the files it reads
    assert await target(9, 5) == []


@pytest.mark.asyncio
async def test_document_symbols(client: LanguageClient, workspace: Path):
    uri = _open(client, workspace / "keepalived.conf")
    found = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    outline = [(s.name, s.detail, s.range.start.line, s.range.end.line, [c.name for c in s.children]) for s in found]
    assert outline == [
        ("global_defs", "global_defs", 1, 3, []),
        ("chk", "vrrp_script", 5, 7, []),
        ("VI_1", "vrrp_instance", 8, 19, []),
        ("G", "vrrp_sync_group", 20, 24, []),
        ("VSG", "virtual_server_group", 25, 27, []),
        ("group VSG", "virtual_server", 28, 32, ["10.0.0.11 80"]),
    ]


@pytest.mark.asyncio
async def test_code_actions(client: LanguageClient, workspace: Path):
    uri = _open(client, workspace / "keepalived.conf")
    found = await _diagnostics(client, uri, "KA013")
    wanted = types.Range(start=types.Position(line=2, character=0), end=types.Position(line=2, character=0))
    params = types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=wanted,
        context=types.CodeActionContext(diagnostics=[d for d in found if d.code == "KA013"]),
    )
    offered = await client.text_document_code_action_async(params)
    assert [action.title for action in offered] == [
        "Fix KA013 (deprecated-keyword), as kagen fix does",
        "Disable KA013 on this line",
    ]
    fix, disable = offered
    assert {uri: list(edits) for uri, edits in fix.edit.changes.items()} == {
        uri: [
            types.TextEdit(
                range=types.Range(start=types.Position(line=2, character=0), end=types.Position(line=3, character=0)),
                new_text="    checker_process_name lvs\n",
            )
        ]
    }
    assert {uri: list(edits) for uri, edits in disable.edit.changes.items()} == {
        uri: [
            types.TextEdit(
                range=types.Range(start=types.Position(line=2, character=24), end=types.Position(line=2, character=24)),
                new_text=" # kagen: disable=KA013",
            )
        ]
    }


@pytest.mark.asyncio
async def test_formatting(client: LanguageClient, workspace: Path):
    path = workspace / "keepalived.conf"
    uri = _open(client, path, path.read_text().replace("    state MASTER\n", "  state   MASTER\n\n\n"))
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            options=types.FormattingOptions(tab_size=4, insert_spaces=True),
        )
    )
    assert [(e.range.start.line, e.range.end.line, e.range.end.character) for e in edits] == [(0, 35, 0)]
    assert edits[0].new_text == path.read_text().replace("    state MASTER\n", "    state MASTER\n\n")
    broken = workspace / "broken.conf"
    broken.write_text("vrrp_instance V {\n")
    assert await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            text_document=types.TextDocumentIdentifier(uri=_open(client, broken)),
            options=types.FormattingOptions(tab_size=4, insert_spaces=True),
        )
    ) in (None, [], ())
    # The message is sent before the answer, so it is among those the client has already received.
    assert [m.message for m in client.messages] == [f"kagen fmt: {broken}:1:17: '{{' is never closed: not formatted"]
