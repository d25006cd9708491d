"""What CI users expect of a linter's command line: --output-file, --quiet, --statistics,
--show-source, fixable findings marked and fixed by --fix, a summary that counts the files with
findings, one path style, each file once, and a distinct exit status when nothing is found."""

from __future__ import annotations

import json
import os

import pytest

from kagen import cli
from kagen.generate import write

NODE = """vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 150
    unicast_src_ip 10.0.0.1
    unicast_peer {
        10.0.0.2
    }
    authentication {
        auth_type PASS
        auth_pass Sup3rSecretPw
    }
    virtual_ipaddress {
        10.0.0.100/24
    }
}
"""
CLEAN = "global_defs {\n    router_id a\n}\n"
FINDINGS = [
    "u.conf:1:1: KA108 [*] VI_1 has no unicast_fault_no_peer: without peers it would silently fall back to "
    "multicast; add unicast_fault_no_peer [no-fault-no-peer]",
    "u.conf:12:19: KA205 auth_pass is 13 characters: keepalived uses only the first 8 [auth-pass-truncated]",
]
SUMMARY = ["Found 1 error and 1 warning in 1 of 2 files.", "[*] 1 fixable with kagen lint --fix."]


@pytest.fixture(autouse=True)
def _files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "u.conf").write_text(NODE)
    (tmp_path / "clean.conf").write_text(CLEAN)


def lint(capsys, *argv: str) -> tuple[int, list[str], str]:
    status = cli.main(["lint", *argv])
    captured = capsys.readouterr()
    assert "Sup3rSecret" not in captured.out + captured.err
    return status, captured.out.splitlines(), captured.err


def test_fixable_findings_are_marked_and_the_summary_counts_files_with_findings(capsys):
    assert lint(capsys, "u.conf", "clean.conf") == (1, FINDINGS + SUMMARY, "")


@pytest.mark.parametrize(
    "findings, summary",
    [
        ([], "All checks passed (1 file)."),
        (["KA205"], "Found 1 error in 1 file."),
        (["KA108"], "Found 1 warning in 1 file."),
    ],
)
def test_plurals(capsys, findings, summary):
    select = ",".join(findings) or "KA001"
    assert lint(capsys, "--select", select, "u.conf")[1][len(findings)] == summary


def test_quiet_prints_the_findings_alone(capsys, tmp_path):
    (tmp_path / "t.conf.j2").write_text(NODE)
    assert lint(capsys, "-q", ".") == (1, FINDINGS, "")
    assert lint(capsys, ".")[2] == "kagen: skipped 1 template (t.conf.j2): name one to lint it\n"
    assert lint(capsys, "--quiet", "clean.conf") == (0, [], "")


def test_show_source_masks_secrets(capsys, tmp_path):
    (tmp_path / "p.conf").write_text(
        "$PW=Sup3rSecretPw\n" + NODE.replace("auth_pass Sup3rSecretPw", "auth_pass $PW   # kagen: disable=KA016")
    )
    status, out, _ = lint(capsys, "--show-source", "--select", "KA205,KA108", "u.conf", "p.conf")
    assert status == 1
    assert out[: len(out) - 2] == [
        "p.conf:2:1: KA108 [*] " + FINDINGS[0].split(" [*] ", 1)[1],
        "2 | vrrp_instance VI_1 {",
        "  | ^",
        "",
        "p.conf:13:19: KA205 auth_pass is 13 characters: keepalived uses only the first 8 [auth-pass-truncated]",
        "13 |         auth_pass ********",
        "   |                   ^",
        "",
        FINDINGS[0],
        "1 | vrrp_instance VI_1 {",
        "  | ^",
        "",
        FINDINGS[1],
        "12 |         auth_pass ********",
        "   |                   ^",
        "",
    ]


def test_statistics(capsys):
    assert lint(capsys, "--statistics", "u.conf", "clean.conf") == (
        1,
        ["1  KA108  [*] no-fault-no-peer", "1  KA205      auth-pass-truncated", *SUMMARY],
        "",
    )
    assert cli.main(["lint", "--statistics", "--format", "json", "u.conf"]) == 1
    assert json.loads(capsys.readouterr().out)["statistics"] == [
        {"code": "KA108", "name": "no-fault-no-peer", "count": 1, "fixable": True},
        {"code": "KA205", "name": "auth-pass-truncated", "count": 1, "fixable": False},
    ]
    status, out, err = lint(capsys, "--statistics", "--format", "github", "u.conf")
    message = "--statistics works with --format text or json"
    assert (status, out, err) == (2, [f"::error::kagen: {message}"], f"kagen: error: {message}\n")


def test_output_file_holds_the_report_and_nothing_is_half_written(capsys, tmp_path, monkeypatch):
    (tmp_path / "report.json").write_text("old report\n")
    assert lint(capsys, "--format", "json", "-o", "report.json", "u.conf") == (1, [], "")
    assert [f["code"] for f in json.loads((tmp_path / "report.json").read_text())["findings"]] == ["KA108", "KA205"]

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(write.os, "replace", broken)
    before = (tmp_path / "report.json").read_text()
    assert lint(capsys, "--output-file", "report.json", "clean.conf")[0] == 2
    assert (tmp_path / "report.json").read_text() == before
    assert sorted(os.listdir(tmp_path)) == ["clean.conf", "report.json", "u.conf"]


def test_fix_applies_the_checked_fixes_then_reports_what_is_left(capsys, tmp_path):
    assert lint(capsys, "--fix", "u.conf", "clean.conf") == (
        1,
        [FINDINGS[1].replace("12:19", "13:19"), "Found 1 error in 1 of 2 files."],
        "kagen: fixed 1 finding in 1 file\n",
    )
    assert "    unicast_fault_no_peer\n    authentication {" in (tmp_path / "u.conf").read_text()
    status, _, err = lint(capsys, "--fix", "-")
    assert (status, err) == (
        2,
        "kagen: error: --fix cannot rewrite standard input; use kagen fix - (the result goes to standard output)\n",
    )


def test_one_path_style_and_each_file_once(capsys, tmp_path):
    expected = [*FINDINGS[1:], "Found 1 error in 1 of 2 files."]
    for argv in (
        [".", "./u.conf"],
        [str(tmp_path), "u.conf"],
        ["clean.conf", f"{tmp_path}/./u.conf", "../" + tmp_path.name + "/u.conf"],
    ):
        assert lint(capsys, "--select", "KA205", *argv)[1] == expected, argv
    os.symlink("u.conf", tmp_path / "link.conf")
    assert lint(capsys, "--select", "KA205", "u.conf", "link.conf", "clean.conf")[1] == expected


def test_nothing_found_is_a_warning_with_exit_status_3(capsys, tmp_path):
    (tmp_path / "empty").mkdir()
    assert lint(capsys, "empty") == (3, [], "kagen: warning: no keepalived configuration files found\n")
