"""Inline suppressions (``# kagen: disable=...``): what they silence, KA016 for a selector that
names no rule, KA017 (opt-in) for a suppression that silenced nothing."""

from __future__ import annotations

import pytest

from kagen.cli import main
from kagen.inventory.load import load
from kagen.lint import engine, registry
from kagen.lint.settings import Options

CONFIG = """vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 300  # kagen: disable=KA202
    priority 100  # kagen: disable=unknown-keywrd,KA2
    advert_int 1  # kagen: disable
    unicast_src_ip 10.0.0.1  # kagen: disable=KA10
    unicast_peer {
        10.0.0.2
    }
    unicast_fault_no_peer
    virtual_ipaddress {
        10.0.0.100/24
    }
}
# kagen: disable-file=KA9999,KA208
"""


def lint(capsys, tmp_path, *select: str) -> list[str]:
    path = tmp_path / "s.conf"
    path.write_text(CONFIG)
    main(["lint", *(["--select", ",".join(select)] if select else []), str(path)])
    return [line.replace(f"{path}:", "") for line in capsys.readouterr().out.splitlines()[:-1]]


def test_a_selector_that_names_no_rule_is_ka016_where_it_is_written(capsys, tmp_path):
    assert lint(capsys, tmp_path) == [
        "5:36: KA016 'unknown-keywrd' in a kagen: disable comment names no rule; did you mean 'unknown-keyword'? "
        "[unknown-suppression]",
        "16:23: KA016 'KA9999' in a kagen: disable comment names no rule [unknown-suppression]",
    ]


UNUSED = [
    "5:21: KA017 kagen: disable=KA2 silences nothing here [unused-suppression]",
    "6:21: KA017 kagen: disable silences nothing here [unused-suppression]",
    "7:32: KA017 kagen: disable=KA10 silences nothing here [unused-suppression]",
    "16:3: KA017 kagen: disable-file=KA208 silences nothing here [unused-suppression]",
]


@pytest.mark.parametrize("selector", ["KA017", "unused-suppression"])
def test_unused_suppressions_when_ka017_is_named(capsys, tmp_path, selector):
    # Line 4's suppression silences the KA202 it names: not reported.
    assert [line for line in lint(capsys, tmp_path, "ALL", selector) if "KA017" in line] == UNUSED


@pytest.mark.parametrize("select", [(), ("ALL",), ("KA0",), ("KA01",)])
def test_ka017_is_opt_in(capsys, tmp_path, select):
    assert not any("KA017" in line for line in lint(capsys, tmp_path, *select))
    assert "KA017" not in registry.enabled(list(select) or ["ALL"], [])


def test_a_suppression_is_judged_only_by_the_rules_that_ran(capsys, tmp_path):
    # KA2 and KA208 did not run: their suppressions may be needed; the bare one and KA10's are not.
    assert lint(capsys, tmp_path, "KA1", "KA017") == [UNUSED[1], UNUSED[2]]
    assert lint(capsys, tmp_path, "KA017") == []


def test_suppressions_do_not_silence_findings_about_suppressions(capsys, tmp_path):
    path = tmp_path / "t.conf"
    path.write_text("global_defs {\n    router_id a  # kagen: disable=KA016,nope\n}\n")
    assert main(["lint", str(path)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        f"{path}:2:41: KA016 'nope' in a kagen: disable comment names no rule [unknown-suppression]"
    )


def test_in_an_inventory(tmp_path):
    path = tmp_path / "inv.yaml"
    path.write_text("region: cn-hangzhou  # kagen: disable=KA401,havip-quotta\n")
    result = engine.run([], Options(select=["ALL", "KA017"]), load(str(path)))
    assert [(f.pos.line, f.pos.col, f.code, f.message) for f in result.findings] == [
        (1, 24, "KA017", "kagen: disable=KA401 silences nothing here"),
        (1, 45, "KA016", "'havip-quotta' in a kagen: disable comment names no rule; did you mean 'havip-quota'?"),
    ]
