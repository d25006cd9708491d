"""The typed model: what keepalived derives (family, unicast, winners) derived the same way.

test_agreement.py checks these against keepalived itself; these tests pin the values down on
machines without it.
"""

from __future__ import annotations

from kagen.keepalived.parse import parse_file
from support.helpers import REPO


def instances():
    config = parse_file(str(REPO / "tests" / "configs" / "unicast.conf"), "kagen-lab")
    return {instance.name: instance for instance in config.vrrp_instances}


def test_unicast_needs_a_surviving_peer():
    found = instances()
    assert {name: i.unicast for name, i in found.items()} == {
        "PAIR": True,
        "EMPTY_PEERS": False,  # unicast_src_ip alone: keepalived falls back to multicast
        "WRONG_FAMILY": False,  # the only peer is IPv6 in an IPv4 instance: dropped
        "PREFIX_PEER": True,  # keepalived ignores "/24" on a peer
        "SIX": True,
        "MULTICAST": False,
    }


def test_family_is_fixed_by_the_first_address():
    found = instances()
    assert {name: i.family for name, i in found.items()} == {
        "PAIR": 4,
        "EMPTY_PEERS": 4,
        "WRONG_FAMILY": 4,
        "PREFIX_PEER": 4,
        "SIX": 6,
        "MULTICAST": 4,
    }
    six = found["SIX"]
    assert [(p.text, p.valid) for p in six.unicast_peers] == [("fd00::2", True), ("10.1.0.2", False)]
    assert str(six.source_address) == "fd00::1"


def test_virtual_ipaddress_blocks_merge_and_keep_prefix_and_device():
    found = instances()
    assert [(str(v.address), v.network_prefix, v.dev) for v in found["MULTICAST"].virtual_ipaddresses] == [
        ("10.1.0.104", 32, None),
        ("10.1.0.105", 28, None),
        ("10.1.0.106", 32, None),
    ]
    assert [(str(v.address), v.prefix, v.dev) for v in found["PAIR"].virtual_ipaddresses] == [
        ("10.1.0.100", 24, "eth0")
    ]


def test_last_statement_wins_and_positions_are_kept(parse):
    config = parse("vrrp_instance V {\n priority 100\n priority 150\n}\n")
    instance = config.vrrp_instances[0]
    assert instance.priority == "150"
    assert str(instance.get("priority").pos) == "t.conf:3:2"


def test_scripts_are_split_like_keepalived(parse):
    config = parse(
        "vrrp_script a {\n script \"/bin/sh -c 'exit 1'\"\n}\n"
        "vrrp_script b {\n script /usr/bin/check arg\n}\n"
        'vrrp_instance V {\n notify_master "/x \'a b\'\\tc" nobody nogroup\n notify "/y \\"q"\n}\n'
    )
    scripts = {s.name: s.script for s in config.vrrp_scripts}
    assert scripts["a"].argv == ["/bin/sh", "-c", "exit 1"]
    assert (scripts["b"].argv, scripts["b"].user) == (["/usr/bin/check"], ["arg"])  # arg became the user
    notify = config.vrrp_instances[0].notify
    assert (notify["notify_master"].argv, notify["notify_master"].user) == (["/x", "a b", "c"], ["nobody", "nogroup"])
    assert notify["notify"].argv is None  # unterminated quote: keepalived ignores the script


def test_virtual_servers_and_real_servers(parse):
    config = parse(
        "virtual_server 10.0.0.1 80 {\n lb_algo rr\n lvs_sched wlc\n lb_kind DR\n protocol TCP\n"
        " real_server 10.0.1.1 8080 {\n  weight 3\n  TCP_CHECK {\n  }\n  HTTP_GET {\n  }\n }\n}\n"
        "virtual_server fwmark 7 {\n}\nvirtual_server group G {\n}\nvirtual_server_group G {\n 10.0.0.2 80\n}\n"
    )
    web, mark, group = config.virtual_servers
    assert (web.address, web.port, web.scheduler, web.method, web.protocol) == ("10.0.0.1", "80", "wlc", "DR", "TCP")
    (rs,) = web.real_servers
    assert (rs.address, rs.port, rs.weight, [c.kind for c in rs.checkers]) == (
        "10.0.1.1",
        "8080",
        "3",
        ["TCP_CHECK", "HTTP_GET"],
    )
    assert (mark.fwmark, mark.address, group.group) == ("7", None, "G")
    assert [g.entries[0].words for g in config.virtual_server_groups] == [["10.0.0.2", "80"]]


def test_sync_groups_global_defs_and_tracking(parse):
    config = parse(
        "global_defs {\n vrrp_strict\n}\nglobal_defs {\n router_id b\n}\n"
        "vrrp_sync_group G {\n group {\n  A\n  B\n }\n}\n"
        "vrrp_instance A {\n track_script {\n  chk weight -20\n }\n track_interface {\n  eth1\n }\n}\n"
    )
    assert config.global_defs.has("vrrp_strict") and config.global_defs.value("router_id") == "b"
    assert [m.words[0] for m in config.sync_groups[0].members] == ["A", "B"]
    refs = config.vrrp_instances[0].track("track_script")
    assert [(r.name, r.weight) for r in refs] == [("chk", "-20")]
    assert [r.name for r in config.vrrp_instances[0].track("track_interface")] == ["eth1"]


def test_static_addresses_routes_and_rules(parse):
    config = parse(
        "static_ipaddress {\n 10.9.0.1/24 dev eth0\n}\nstatic_routes {\n 10.8.0.0/16 via 10.9.0.254\n}\n"
        "static_rules {\n from 10.9.0.0/24 table 100\n}\nstatic_ipaddress {\n 10.9.0.2/24 dev eth1\n}\n"
    )
    assert [e.words[0] for e in config.static("static_ipaddress")] == ["10.9.0.1/24", "10.9.0.2/24"]
    assert [e.text for e in config.static("static_routes")] == ["10.8.0.0/16 via 10.9.0.254"]
    assert [e.words for e in config.static("static_rules")] == [["from", "10.9.0.0/24", "table", "100"]]
