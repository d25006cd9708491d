"""KA5xx: the members of a pair, linted together."""

from __future__ import annotations

import re

import pytest

from kagen.lint.settings import Options
from support.helpers import lint_paths

NODE = """vrrp_instance VI_WEB {{
    state {state}
    interface eth0
    virtual_router_id {vrid}
    priority {priority}
    unicast_src_ip {source}
    unicast_peer {{
        {peer}
    }}
    unicast_fault_no_peer
    virtual_ipaddress {{
        {vip}
    }}
}}
"""
A = {"state": "MASTER", "vrid": 51, "priority": 150, "source": "10.0.0.1", "peer": "10.0.0.2", "vip": "10.0.0.100/24"}
B = {"state": "BACKUP", "vrid": 51, "priority": 100, "source": "10.0.0.2", "peer": "10.0.0.1", "vip": "10.0.0.100/24"}


def pair(tmp_path, code: str, b: dict, clusters: list[list[str]] | None = None, a: dict | None = None) -> list[str]:
    (tmp_path / "a.conf").write_text(NODE.format(**{**A, **(a or {})}))
    (tmp_path / "b.conf").write_text(NODE.format(**{**B, **b}))
    paths = [str(tmp_path / "a.conf"), str(tmp_path / "b.conf")]
    options = Options(select=[code], config_id="t", clusters=clusters or [])
    result = lint_paths(paths, options)
    return [f"{f.pos}: {f.message}".replace(str(tmp_path) + "/", "").replace(": ", " ", 1) for f in result.findings]


def test_a_consistent_pair_is_clean(tmp_path):
    assert pair(tmp_path, "KA5", {}) == []


@pytest.mark.parametrize(
    "code, change, expected",
    [
        (
            "KA501",
            {"vip": "10.0.0.101/24"},
            ["b.conf:11:5 VI_WEB's virtual IPs differ from VI_WEB in a.conf (10.0.0.100/24)"],
        ),
        (
            "KA502",
            {"peer": "10.0.0.3"},
            ["b.conf:7:5 VI_WEB does not list 10.0.0.1 (unicast_src_ip of VI_WEB in a.conf) in its unicast_peer"],
        ),
        (
            "KA503",
            {"state": "MASTER"},
            ["b.conf:2:5 2 members of the cluster of VI_WEB have state MASTER (expected one)"],
        ),
        ("KA504", {"priority": 150}, ["b.conf:5:5 priority 150 is also the priority of VI_WEB in a.conf"]),
    ],
)
def test_pair_rules(tmp_path, code, change, expected):
    assert pair(tmp_path, code, change) == expected


def test_members_are_matched_by_vrid_and_interface_unless_named(tmp_path):
    # Another VRID: not the same cluster, so nothing to compare ...
    assert pair(tmp_path, "KA501", {"vrid": 52, "vip": "10.0.0.101/24"}) == []
    # ... unless the files are named as one cluster: then the instance names match them.
    clusters = [[str(tmp_path / "a.conf"), str(tmp_path / "b.conf")]]
    found = pair(tmp_path, "KA501", {"vrid": 52}, clusters)
    assert found == ["b.conf:4:5 virtual_router_id 52 differs from 51 of VI_WEB in a.conf"]


def two_clusters(tmp_path, multicast: bool = False) -> list[str]:
    """a.conf and b.conf, and c.conf and d.conf: two pairs on VRID 51 in 10.0.0.0/24."""
    nodes = {
        "a": A,
        "b": B,
        "c": {**A, "source": "10.0.0.5", "peer": "10.0.0.6", "vip": "10.0.0.200/24"},
        "d": {**B, "source": "10.0.0.6", "peer": "10.0.0.5", "vip": "10.0.0.200/24"},
    }
    for name, values in nodes.items():
        text = NODE.format(**values)
        if multicast:
            text = re.sub(r"    unicast_src_ip .*?unicast_fault_no_peer\n", "", text, flags=re.S)
        (tmp_path / f"{name}.conf").write_text(text)
    return [str(tmp_path / f"{name}.conf") for name in nodes]


def test_vrid_used_by_two_clusters_that_hear_each_other(tmp_path):
    result = lint_paths(two_clusters(tmp_path, multicast=True), Options(select=["KA5"], config_id="t"))
    assert [(f.code, f.pos.file.rsplit("/", 1)[-1], f.pos.line, f.pos.col) for f in result.findings] == [
        ("KA505", "c.conf", 4, 5),
        ("KA505", "d.conf", 4, 5),
    ]
    assert result.findings[0].message == f"VRID 51 is also used by another cluster: VI_WEB in {tmp_path / 'a.conf'}"


def test_unicast_clusters_on_one_vrid_are_told_apart(tmp_path):
    # Not one cluster of four that disagrees (KA501, KA502, KA503), and no KA505 either: each
    # pair sends its adverts to its own peer only, so the two never hear each other.
    assert lint_paths(two_clusters(tmp_path), Options(select=["KA5"], config_id="t")).findings == []


def test_the_same_vrid_on_another_subnet_is_no_conflict(tmp_path):
    paths = two_clusters(tmp_path, multicast=True)
    for name in "cd":
        path = tmp_path / f"{name}.conf"
        path.write_text(path.read_text().replace("10.0.0.200/24", "10.1.0.200/24"))
    assert lint_paths(paths, Options(select=["KA5"], config_id="t")).findings == []


def test_members_that_list_each_other_stay_one_cluster_whatever_their_addresses(tmp_path):
    # b's virtual IP is a typo, but a lists b as its peer: one cluster that disagrees.
    assert pair(tmp_path, "KA5", {"vip": "10.0.0.101/24"}) == [
        "b.conf:11:5 VI_WEB's virtual IPs differ from VI_WEB in a.conf (10.0.0.100/24)"
    ]


def test_two_masters_sharing_a_virtual_ip_are_one_cluster_whatever_their_peers(tmp_path):
    # Neither lists the other (both name 10.0.0.13): the virtual IP in common is the evidence.
    found = pair(tmp_path, "KA5", {"state": "MASTER", "priority": 150, "peer": "10.0.0.13"}, a={"peer": "10.0.0.13"})
    assert found == [
        "a.conf:7:5 VI_WEB does not list 10.0.0.2 (unicast_src_ip of VI_WEB in b.conf) in its unicast_peer",
        "b.conf:2:5 2 members of the cluster of VI_WEB have state MASTER (expected one)",
        "b.conf:5:5 priority 150 is also the priority of VI_WEB in a.conf",
        "b.conf:7:5 VI_WEB does not list 10.0.0.1 (unicast_src_ip of VI_WEB in a.conf) in its unicast_peer",
    ]
