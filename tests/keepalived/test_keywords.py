"""The keyword table: complete, consistent, and what the lexer and linter need from it."""

from __future__ import annotations

from collections import Counter

import pytest

from kagen.keepalived import keywords
from kagen.keepalived.keywords import ArgSpec, load_table, parse_version

TABLE = keywords.table()


def test_every_keyword_path_of_keepalived_is_there():
    # 531 paths in keepalived's parser at 9cbce3e2 (v2.4.3+30), 501 of them in 2.2.7.
    assert len(TABLE) == 531
    assert sum(1 for k in TABLE.accepted() if k.accepted_in((2, 2, 7))) == 501
    assert Counter(k.kind for k in TABLE.accepted()) == {"stmt": 478, "block": 28, "list": 25}


def test_value_blocks_and_keyword_blocks():
    lists = {k.path for k in TABLE.accepted() if k.kind == "list"}
    assert {
        "vrrp_instance/unicast_peer",
        "vrrp_instance/virtual_ipaddress",
        "vrrp_instance/virtual_ipaddress_excluded",
        "vrrp_instance/track_interface",
        "vrrp_instance/track_script",
        "vrrp_instance/track_file",
        "vrrp_sync_group/group",
        "global_defs/notification_email",
        "static_ipaddress",
        "virtual_server_group",
    } <= lists
    assert TABLE.get("track_file").kind == "block"  # top-level track_file is a keyword block
    assert TABLE.get("vrrp_instance/authentication").kind == "block"
    assert TABLE.get("virtual_server/real_server/SMTP_CHECK/host").kind == "block"
    assert TABLE.get("garp_group/interface").kind == "stmt"


def test_children_are_reachable_from_the_root():
    assert TABLE.root["vrrp_instance"].children["priority"] is TABLE.get("vrrp_instance/priority")
    http = TABLE.root["virtual_server"].children["real_server"].children["HTTP_GET"]
    assert set(http.children["url"].children) >= {"path", "digest", "status_code"}
    assert "tls_compliant" not in http.children  # SSL_GET only
    assert "tls_compliant" in TABLE.get("virtual_server/real_server/SSL_GET").children


def test_versions_arguments_and_flags():
    priority = TABLE.get("vrrp_instance/priority")
    assert priority.args == (ArgSpec("uint", "1", "255"),)
    assert priority.since == (1, 2, 20)
    assert TABLE.get("vrrp_instance/unicast_fault_no_peer").since == (2, 2, 5)
    assert TABLE.get("vrrp_instance/auth_hmac").since == (2, 4, 0)
    assert not TABLE.get("vrrp_instance/auth_hmac").accepted_in((2, 2, 7))
    state = TABLE.get("vrrp_instance/state").args[0]
    assert state.type == "enum" and state.choices == ("MASTER", "BACKUP")
    assert TABLE.get("vrrp_instance/notify_master").quoted
    assert TABLE.get("vrrp_instance/virtual_router_id").required
    assert TABLE.get("vrrp_instance/unicast_peer").entry == "peer"
    assert TABLE.get("virtual_server/lb_algo").alias_of == "lvs_sched"
    nb = TABLE.get("virtual_server/real_server/HTTP_GET/nb_get_retry")
    assert nb.deprecated and nb.replacement == "retry"
    assert {k.path for k in TABLE.accepted() if k.multicast} == {
        "global_defs/vrrp_mcast_group4",
        "global_defs/vrrp_mcast_group6",
        "global_defs/vrrp_strict",
        "global_defs/disable_local_igmp",
        "vrrp_instance/mcast_src_ip",
        "vrrp_instance/mcast_dst_ip",
        "vrrp_instance/strict_mode",
    }


def test_every_argument_spec_parses_and_every_reference_exists():
    for keyword in TABLE.by_path.values():
        assert isinstance(keyword.args, tuple)
        for target in (keyword.alias_of, keyword.replacement if keyword.kind != "invalid" else None):
            if target:
                path = target.lstrip("/") if "/" in target else f"{keyword.parent}/{target}".lstrip("/")
                assert TABLE.get(path) is not None, f"{keyword.path} refers to {target}"
        if keyword.kind == "list":
            assert keyword.entry is not None


def test_invalid_rows_are_not_accepted_anywhere():
    assert "lvs_id" not in TABLE.root["global_defs"].children
    assert TABLE.get("global_defs/lvs_id").last == (1, 1, 7)


@pytest.mark.parametrize(
    "parent, word, expected",
    [
        ("global_defs", "lvs_id", (False, "'lvs_id' was removed after keepalived 1.1.7; use 'router_id'")),
        (
            "global_defs",
            "garp_master_delay",
            (False, "unknown keyword 'garp_master_delay'; did you mean 'vrrp_garp_master_delay'?"),
        ),
        ("global_defs", "priority", (True, "'priority' is not valid in global_defs; it belongs in vrrp_instance")),
        (
            "",
            "interface",
            (True, "'interface' is not valid at the top level; it belongs in garp_group, in vrrp_instance"),
        ),
        ("vrrp_instance", "prority", (False, "unknown keyword 'prority'; did you mean 'priority'?")),
        ("vrrp_instance", "State", (False, "unknown keyword 'State'; did you mean 'state'?")),
        (
            "",
            "local_address_group",
            (False, "'local_address_group' belongs to the DPVS fork of keepalived, not to keepalived"),
        ),
        ("virtual_server", "nat_mask", (False, "'nat_mask' was removed after keepalived 1.2.19")),
        ("vrrp_instance", "zzz", (False, "unknown keyword 'zzz'")),
    ],
)
def test_explain_unknown(parent, word, expected):
    assert TABLE.explain_unknown(parent, word) == expected


@pytest.mark.parametrize(
    "row, error",
    [
        ("a | stmt | uint:1..2 | 1.2.3 |", None),
        ("a | frob | - | 1.2.3 | ", "unknown kind 'frob'"),
        ("a | stmt | - | 1.2 | wat", "unknown flag 'wat'"),
        ("a | list | - | 1.2 |", "a list needs entry=KIND"),
        ("a | stmt | - | x.y |", "not a keepalived version"),
        ("a | stmt", "expected at least 5 columns"),
    ],
)
def test_table_rows_are_validated(row, error):
    if error is None:
        assert len(load_table(row)) == 1
    else:
        with pytest.raises(ValueError, match=error):
            load_table(row)


@pytest.mark.parametrize(
    "spec, error",
    [("frob", "unknown argument type"), ("enum", "enum needs values"), ("word:1..2", "only numbers take")],
)
def test_argument_specs_are_validated(spec, error):
    with pytest.raises(ValueError, match=error):
        ArgSpec.parse(spec)


def test_parse_version():
    assert parse_version("2.2.7") == (2, 2, 7)
    with pytest.raises(ValueError):
        parse_version("2")


def test_every_keyword_has_help_text_in_the_same_order():
    from kagen.keepalived.help import keyword_help

    helps = keyword_help()
    assert list(helps) == list(TABLE.by_path)
    for path, help_ in helps.items():
        assert len(help_.text) >= 20 and "|" not in help_.text, path
        assert help_.default is None or help_.default.strip() == help_.default != "", path
