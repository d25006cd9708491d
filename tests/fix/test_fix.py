"""kagen fix: multicast pairs made unicast in place, every edit checked, nothing else touched."""

from __future__ import annotations

import difflib
import io
import json
import shutil
from pathlib import Path

import pytest

from kagen import cli
from support.helpers import REPO, corpus_files

FIXTURES = REPO / "tests" / "fixtures"
MULTICAST = FIXTURES / "failover" / "multicast"


def _fix(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["fix", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _pair(tmp_path: Path, with_inventory: bool = True) -> Path:
    for path in MULTICAST.glob("*.conf"):
        shutil.copy(path, tmp_path / path.name)
    if with_inventory:
        shutil.copy(FIXTURES / "fix" / "inventory.yaml", tmp_path / "inventory.yaml")
    return tmp_path


def _added(before: str, after: str) -> list[str]:
    """The diff as '+line' / '-line' entries: what changed, nothing else."""
    return [
        line.rstrip("\n")
        for line in difflib.unified_diff(before.splitlines(True), after.splitlines(True), n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_a_multicast_pair_becomes_unicast_from_the_inventory(tmp_path, capsys):
    work = _pair(tmp_path)
    code, out, err = _fix(capsys, "--inventory", str(work / "inventory.yaml"), str(work))
    assert (code, out) == (0, "")
    assert err == "kagen: fixed 4 findings in 2 files; 0 errors remain\n"
    for name, own, peer in (("web-a", "11", "12"), ("web-b", "12", "11")):
        before = (MULTICAST / f"{name}.conf").read_text()
        assert _added(before, (work / f"{name}.conf").read_text()) == [
            f"+    unicast_src_ip 192.168.0.{own}",
            "+    unicast_peer {",
            f"+        192.168.0.{peer}",
            "+    }",
            "+    unicast_fault_no_peer",
        ]
    assert cli.main(["lint", "--inventory", str(work / "inventory.yaml"), str(work)]) == 0
    capsys.readouterr()
    before = {path.name: path.read_bytes() for path in work.iterdir()}
    assert _fix(capsys, "--inventory", str(work / "inventory.yaml"), str(work))[0] == 0
    assert {path.name: path.read_bytes() for path in work.iterdir()} == before  # a second run changes nothing


def test_the_pair_files_give_each_other_their_addresses(tmp_path, capsys):
    work = _pair(tmp_path, with_inventory=False)
    for name, own in (("web-a", "11"), ("web-b", "12")):
        path = work / f"{name}.conf"
        path.write_text(
            path.read_text().replace("    interface eth0\n", f"    interface eth0\n    mcast_src_ip 192.168.0.{own}\n")
        )
    text_a = (work / "web-a.conf").read_text()
    code, _, err = _fix(capsys, str(work))
    assert code == 0 and err.endswith("kagen: fixed 6 findings in 2 files; 0 errors remain\n")
    assert _added(text_a, (work / "web-a.conf").read_text()) == [
        "-    mcast_src_ip 192.168.0.11",
        "+    unicast_peer {",
        "+        192.168.0.12",
        "+    }",
        "+    unicast_fault_no_peer",
        "+    unicast_src_ip 192.168.0.11",
    ]


def test_without_the_peers_the_finding_stays_and_says_what_is_missing(tmp_path, capsys):
    work = _pair(tmp_path, with_inventory=False)
    before = (work / "web-a.conf").read_bytes()
    code, _, err = _fix(capsys, str(work / "web-a.conf"))
    assert code == 1
    assert (
        f"{work / 'web-a.conf'}:6:1: KA101 not fixed: this node's address and its peers are unknown: give "
        "--inventory, or the other files of the pair with their unicast_src_ip or mcast_src_ip\n"
    ) in err
    assert err.endswith("kagen: fixed 0 findings in 0 files; 1 error remains\n")
    assert (work / "web-a.conf").read_bytes() == before


def test_diff_writes_nothing_and_select_limits_the_fixes(tmp_path, capsys):
    work = tmp_path
    conf = work / "keepalived.conf"
    conf.write_text(
        "global_defs {\n    vrrp_strict # RFC mode\n    vrrp_mcast_group4 224.0.0.18\n}\n"
        "vrrp_instance V {\n    interface eth0\n    virtual_router_id 1\n    unicast_src_ip 10.0.0.1\n"
        "    unicast_peer {\n        10.0.0.2\n    }\n    virtual_ipaddress {\n        10.0.0.100\n    }\n}\n"
    )
    before = conf.read_text()
    code, out, _ = _fix(capsys, "--diff", "--select", "KA102", str(conf))
    assert code == 1 and conf.read_text() == before
    assert [line for line in out.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")] == [
        "-    vrrp_mcast_group4 224.0.0.18"
    ]
    assert _fix(capsys, str(conf))[0] == 0
    assert _added(before, conf.read_text()) == [
        "-    vrrp_strict # RFC mode",
        "-    vrrp_mcast_group4 224.0.0.18",
        "+    unicast_fault_no_peer",
    ]


def test_diff_reports_the_findings_left_where_they_are_on_disk(tmp_path, capsys):
    conf = tmp_path / "keepalived.conf"
    conf.write_text(
        "vrrp_instance V {\n    interface eth0\n    virtual_router_id 1\n    unicast_src_ip 10.0.0.1\n"
        "    unicast_peer {\n        10.0.0.2\n    }\n    virtual_ipaddress {\n        10.0.0.100\n    }\n"
        "    priority 300\n}\n"
    )
    # The fix inserts unicast_fault_no_peer after line 7: the KA202 on line 11 is still on line 11
    # of the file the user has (line 12 of the text --diff shows).
    code, out, err = _fix(capsys, "--diff", str(conf))
    assert (code, out.count("\n+    unicast_fault_no_peer\n")) == (1, 1)
    assert err.splitlines() == [
        f"{conf}:11:14: KA202 priority 300 is outside 1..255 [value-out-of-range]",
        "kagen: would fix 1 finding in 1 file; 1 error remains",
    ]
    assert (
        _fix(capsys, str(conf))[2].splitlines()[0]
        == f"{conf}:12:14: KA202 priority 300 is outside 1..255 [value-out-of-range]"
    )


def test_a_fix_that_would_add_an_error_is_not_applied(tmp_path, capsys):
    conf = tmp_path / "keepalived.conf"
    # The only peer is the node itself (KA105): removing it would leave the instance multicast (KA101).
    conf.write_text(
        "vrrp_instance V {\n    interface eth0\n    virtual_router_id 1\n    unicast_src_ip 10.0.0.1\n"
        "    unicast_peer {\n        10.0.0.1\n    }\n    unicast_fault_no_peer\n"
        "    virtual_ipaddress {\n        10.0.0.100\n    }\n}\n"
    )
    before = conf.read_bytes()
    code, _, err = _fix(capsys, str(conf))
    assert code == 1 and conf.read_bytes() == before
    assert f"{conf}:6:9: KA105 not fixed: fix not applied: it would add an error (KA101: " in err


def test_deprecated_keywords_and_unquoted_scripts(tmp_path, capsys):
    conf = tmp_path / "keepalived.conf"
    conf.write_text(
        "global_defs {\n    enable_script_security\n    vrrp_rlimit_rtime 10000\n}\n"
        "vrrp_script chk {\n    script /usr/bin/pgrep -x nginx  # alive?\n}\n"
    )
    before = conf.read_text()
    code, _, err = _fix(capsys, "--select", "KA013,KA209", str(conf))
    assert code == 0, err
    assert _added(before, conf.read_text()) == [
        "-    vrrp_rlimit_rtime 10000",
        "+    vrrp_rlimit_rttime 10000",
        "-    script /usr/bin/pgrep -x nginx  # alive?",
        '+    script "/usr/bin/pgrep -x nginx"  # alive?',
    ]


def test_rules_shows_the_fix(capsys):
    assert cli.main(["rules", "KA101"]) == 0
    assert "\nkagen fix: adds unicast_src_ip (this node) and a unicast_peer block" in capsys.readouterr().out


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_corpus_fixes_are_idempotent_and_add_no_error(path, tmp_path, capsys):
    copy = tmp_path / path.name
    shutil.copy(path, copy)
    cli.main(["lint", "--format", "json", str(copy)])

    def errors() -> list[tuple[str, str]]:
        cli.main(["lint", "--format", "json", str(copy)])
        found = json.loads(capsys.readouterr().out)["findings"]
        return sorted((f["code"], f["message"]) for f in found if f["severity"] == "error")

    capsys.readouterr()
    before = errors()
    _fix(capsys, str(copy))
    after = errors()
    once = copy.read_bytes()
    assert not [error for error in after if after.count(error) > before.count(error)]
    _fix(capsys, str(copy))
    assert copy.read_bytes() == once


def test_target_version_decides_what_a_fix_may_add(tmp_path, capsys):
    work = _pair(tmp_path)
    code, _, err = _fix(capsys, "--target-version", "2.2.4", "--inventory", str(work / "inventory.yaml"), str(work))
    assert code == 0, err
    text = (work / "web-a.conf").read_text()
    assert "unicast_peer {" in text and "unicast_fault_no_peer" not in text  # keepalived 2.2.5 added it


VMAC = (
    "vrrp_instance V {\n    state BACKUP\n    interface eth0\n    virtual_router_id 7\n    priority 100\n"
    "    use_vmac\n    unicast_src_ip 10.0.0.1\n    unicast_peer {\n        10.0.0.2\n    }\n"
    "    unicast_fault_no_peer\n    virtual_ipaddress {\n        10.0.0.100/24\n    }\n}\n"
)


@pytest.mark.keepalived
def test_vmac_xmit_base_is_what_keepalived_asks_for(tmp_path, capsys, keepalived_lab):
    conf = tmp_path / "keepalived.conf"
    conf.write_text(VMAC)
    before = keepalived_lab.config_test(conf)
    assert before.status != 0
    assert before.messages == [f"({conf}: Line 15) (V) unicast with use_vmac requires vmac_xmit_base - setting"]
    code, _, err = _fix(capsys, str(conf))
    assert code == 0, err
    assert _added(VMAC, conf.read_text()) == ["+    vmac_xmit_base"]
    after = keepalived_lab.config_test(conf)
    assert (after.status, after.messages) == (0, [])


def test_config_id_decides_which_conditional_lines_are_fixed_and_the_condition_stays(tmp_path, capsys):
    conf = tmp_path / "keepalived.conf"
    conf.write_text(
        "global_defs {\n    enable_script_security\n}\n"
        'vrrp_script chk {\n@a    script /bin/check one\n@^a    script "/bin/true"\n}\n'
    )
    before = conf.read_bytes()
    assert _fix(capsys, "--config-id", "b", str(conf))[:2] == (0, "")
    assert conf.read_bytes() == before
    assert _fix(capsys, "--config-id", "a", str(conf))[:2] == (0, "")
    assert _added(before.decode(), conf.read_text()) == [
        "-@a    script /bin/check one",
        '+@a    script "/bin/check one"',
    ]


def _sarif(capsys, *argv: str) -> dict:
    cli.main(["lint", "--format", "sarif", *argv])
    return json.loads(capsys.readouterr().out)


def _apply_sarif(text: str, fixes: list[dict]) -> str:
    """What a SARIF viewer does with the fixes of one file: whole-line replacements, bottom up."""
    lines = text.split("\n")
    replacements = [r for fix in fixes for change in fix["artifactChanges"] for r in change["replacements"]]
    for replacement in sorted(replacements, key=lambda r: r["deletedRegion"]["startLine"], reverse=True):
        region = replacement["deletedRegion"]
        assert region["startColumn"] == region["endColumn"] == 1
        inserted = replacement["insertedContent"]["text"]
        lines[region["startLine"] - 1 : region["endLine"] - 1] = inserted.split("\n")[:-1]
    return "\n".join(lines)


def test_sarif_carries_the_fixes_kagen_fix_makes(tmp_path, capsys, monkeypatch):
    work = _pair(tmp_path)
    monkeypatch.chdir(work)
    results = _sarif(capsys, "--inventory", "inventory.yaml", ".")["runs"][0]["results"]
    fixes = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r.get("fixes") for r in results}
    assert [r["ruleId"] for r in results] == ["KA101", "KA101"]
    assert fixes["web-a.conf"][0]["description"]["text"].startswith("kagen fix: adds unicast_src_ip (this node)")
    assert fixes["web-a.conf"][0]["artifactChanges"] == [
        {
            "artifactLocation": {"uri": "web-a.conf", "uriBaseId": "%SRCROOT%"},
            "replacements": [
                {
                    "deletedRegion": {"startLine": 9, "startColumn": 1, "endLine": 9, "endColumn": 1},
                    "insertedContent": {
                        "text": "    unicast_src_ip 192.168.0.11\n    unicast_peer {\n        192.168.0.12\n    }\n"
                    },
                }
            ],
        }
    ]
    suggested = {name: _apply_sarif((work / name).read_text(), fix) for name, fix in fixes.items()}
    assert _fix(capsys, "--select", "KA101", "--inventory", "inventory.yaml", ".")[0] == 0
    assert suggested == {name: (work / name).read_text() for name in fixes}


def test_sarif_offers_no_fix_that_kagen_fix_refuses(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "keepalived.conf").write_text(
        "global_defs {\n    vrrp_strict\n}\n"
        "vrrp_instance V {\n    interface eth0\n    virtual_router_id 1\n    unicast_src_ip 10.0.0.1\n"
        "    unicast_peer {\n        10.0.0.1\n    }\n    unicast_fault_no_peer\n"
        "    virtual_ipaddress {\n        10.0.0.100\n    }\n}\n"
    )
    results = _sarif(capsys, "keepalived.conf")["runs"][0]["results"]
    assert [(r["ruleId"], "fixes" in r) for r in results] == [("KA104", True), ("KA104", True), ("KA105", False)]
    assert results[0]["fixes"][0]["artifactChanges"][0]["replacements"] == [
        {
            "deletedRegion": {"startLine": 2, "startColumn": 1, "endLine": 3, "endColumn": 1},
            "insertedContent": {"text": ""},
        }
    ]
    assert "fixes" not in json.dumps(_sarif_stdin(capsys, monkeypatch, (tmp_path / "keepalived.conf").read_text()))


def _sarif_stdin(capsys, monkeypatch, text: str) -> dict:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    return _sarif(capsys, "-")


def test_line_endings_other_encodings_and_a_missing_last_newline_stay(tmp_path, capsys):
    conf = tmp_path / "keepalived.conf"
    conf.write_bytes(
        b"global_defs {\r\n    vrrp_strict\r\n    router_id caf\xe9 # \xff\r\n}\r\n"
        b"vrrp_instance V {\r\n    interface eth0\r\n    use_vmac\r\n    virtual_router_id 1\r\n"
        b"    unicast_peer {\r\n        10.0.0.2\r\n    }\r\n}"
    )
    assert _fix(capsys, str(conf))[0] == 0
    assert conf.read_bytes() == (
        b"global_defs {\r\n    router_id caf\xe9 # \xff\r\n}\r\n"
        b"vrrp_instance V {\r\n    interface eth0\r\n    use_vmac\r\n    vmac_xmit_base\r\n    virtual_router_id 1\r\n"
        b"    unicast_peer {\r\n        10.0.0.2\r\n    }\r\n    unicast_fault_no_peer\r\n}"
    )


def test_an_empty_peer_block_on_one_line_is_filled(tmp_path, capsys):
    instance = "vrrp_instance V {{\n    interface eth0\n    {source}\n    virtual_router_id 1\n{peers}"
    instance += "    virtual_ipaddress {{\n        10.0.0.100\n    }}\n}}\n"
    a = instance.format(source="mcast_src_ip 10.0.0.1", peers="    unicast_peer { }  # later\n")
    b = instance.format(source="unicast_src_ip 10.0.0.2", peers="    unicast_peer {\n      10.0.0.1\n    }\n")
    (tmp_path / "a.conf").write_text(a)
    (tmp_path / "b.conf").write_text(b)
    code, _, err = _fix(capsys, str(tmp_path))
    assert code == 0, err
    assert _added(a, (tmp_path / "a.conf").read_text()) == [
        "-    mcast_src_ip 10.0.0.1",
        "+    unicast_src_ip 10.0.0.1",
        "-    unicast_peer { }  # later",
        "+    unicast_peer {  # later",
        "+        10.0.0.2",
        "+    }",
        "+    unicast_fault_no_peer",
    ]


def test_every_finding_left_alike_is_reported_where_it_now_is(tmp_path, capsys):
    conf = tmp_path / "keepalived.conf"
    body = "    interface eth0\n    lvs_sync_daemon_interface eth1\n"
    conf.write_text(
        f"global_defs {{\n    vrrp_strict\n}}\nvrrp_instance A {{\n{body}}}\nvrrp_instance B {{\n{body}}}\n"
    )
    _, _, err = _fix(capsys, "--select", "KA013,KA104", str(conf))
    reason = "KA013 not fixed: 'global_defs/lvs_sync_daemon' goes elsewhere: move it by hand"
    assert err.startswith(f"{conf}:5:5: {reason}\n{conf}:9:5: {reason}\n")  # lines 6 and 10 before the fix


def test_a_fix_refused_in_one_file_does_not_hold_back_the_same_fix_elsewhere(tmp_path, capsys):
    def instance(vrid: int, *peers: str) -> str:  # two clusters: their own VRID and virtual IP
        listed = "".join(f"        {peer}\n" for peer in peers)
        return (
            f"vrrp_instance V {{\n    interface eth0\n    virtual_router_id {vrid}\n    unicast_src_ip 10.0.0.1\n"
            f"    unicast_peer {{\n{listed}    }}\n    unicast_fault_no_peer\n"
            f"    virtual_ipaddress {{\n        10.0.0.{vrid}\n    }}\n}}\n"
        )

    (tmp_path / "x.conf").write_text(instance(1, "10.0.0.1", "10.0.0.2"))
    (tmp_path / "y.conf").write_text(instance(2, "10.0.0.1"))
    code, _, err = _fix(capsys, "--select", "KA105", str(tmp_path / "x.conf"), str(tmp_path / "y.conf"))
    assert code == 1
    assert (tmp_path / "x.conf").read_text() == instance(1, "10.0.0.2")
    assert (tmp_path / "y.conf").read_text() == instance(2, "10.0.0.1")
    assert f"{tmp_path / 'y.conf'}:6:9: KA105 not fixed: fix not applied: it would add an error (KA101: " in err
    assert err.endswith("kagen: fixed 1 finding in 1 file; 1 error remains\n")
    # --select chooses the fixes, not the errors a fix is checked for; the same holds in SARIF.
    results = _sarif(capsys, "--select", "KA105", str(tmp_path / "y.conf"))["runs"][0]["results"]
    assert [(r["ruleId"], "fixes" in r) for r in results] == [("KA105", False)]


def test_standard_input_is_fixed_to_standard_output(tmp_path, capsysbinary, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = b"global_defs {\n    vrrp_strict  # caf\xe9\n    router_id x # caf\xe9\n}\n"

    def run(*args: str) -> tuple[int, bytes, bytes]:
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text)))
        code = cli.main(["fix", *args])
        out, err = capsysbinary.readouterr()
        return code, out, err

    assert run("-") == (
        0,
        b"global_defs {\n    router_id x # caf\xe9\n}\n",
        b"kagen: fixed 1 finding in 1 file; 0 errors remain\n",
    )
    assert list(tmp_path.iterdir()) == []  # nothing written
    code, out, _ = run("--diff", "-")
    assert code == 1
    assert out.splitlines()[:2] == [b"--- <stdin>", b"+++ <stdin>"] and b"-    vrrp_strict  # caf\xe9\n" in out


def test_nothing_to_fix_says_so(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert _fix(capsys) == (
        3,
        "",
        "kagen: warning: no keepalived configuration files found\n"
        "kagen: fixed 0 findings in 0 files; 0 errors remain\n",
    )
