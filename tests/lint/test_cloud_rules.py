"""Configurations against the inventory (KA420-KA425): each rule's failing and passing case on
the shipped example pair (examples/web-pair), changed one line at a time."""

# ruff: noqa: E501 - expected messages read best on one line each

from __future__ import annotations

import shutil

import pytest

from kagen.lint import registry
from kagen.lint.rule import Scope
from kagen.lint.settings import Options
from support.helpers import REPO, lint_paths

EXAMPLE = REPO / "examples" / "web-pair"


@pytest.fixture
def pair(tmp_path):
    for name in ("inventory.yaml", "web-a.conf", "web-b.conf"):
        shutil.copy(EXAMPLE / name, tmp_path / name)
    return tmp_path


def edit(path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def findings(folder, select: str, files=("web-a.conf", "web-b.conf")) -> list[str]:
    options = Options(select=[select], inventory=str(folder / "inventory.yaml"))
    result = lint_paths([str(folder / name) for name in files], options)
    return [f"{d.pos.file.rsplit('/', 1)[-1]}:{d.pos.line}:{d.pos.col} {d.message}" for d in result.findings]


def test_the_example_pair_fits_its_inventory(pair):
    assert findings(pair, "ALL") == []


def test_vip_not_the_havip_address(pair):
    edit(pair / "web-b.conf", "192.168.0.100/24", "192.168.0.101/24")
    assert findings(pair, "KA420") == [
        "web-b.conf:31:5 VI_WEB's virtual_ipaddress (192.168.0.101) is not the address of HAVIP web (192.168.0.100)"
    ]


def test_vip_prefix_must_be_the_vswitch_prefix_or_host(pair):
    edit(pair / "web-b.conf", "192.168.0.100/24", "192.168.0.100/16")
    assert findings(pair, "KA420") == [
        "web-b.conf:32:9 192.168.0.100/16: use the vSwitch prefix (/24) or /32 for the HAVIP address"
    ]
    edit(pair / "web-b.conf", "192.168.0.100/16", "192.168.0.100/32")
    assert findings(pair, "KA420") == []


def test_an_auto_havip_address_is_not_compared(pair):
    edit(pair / "inventory.yaml", "address: 192.168.0.100", "address: auto")
    edit(pair / "web-b.conf", "192.168.0.100/24", "192.168.0.101/24")
    assert findings(pair, "KA420") == []


def test_source_not_the_members_address(pair):
    # web-a is still found (by its unicast_src_ip); web-b by the config: path the inventory gives.
    edit(
        pair / "inventory.yaml",
        "    vrid: 51\n",
        "    vrid: 51\n    members: [web-a, {name: web-b, config: web-b.conf}]\n",
    )
    edit(pair / "web-b.conf", "unicast_src_ip 192.168.0.12", "unicast_src_ip 192.168.0.13")
    assert findings(pair, "KA421") == [
        "web-b.conf:26:5 unicast_src_ip 192.168.0.13 is not web-b's address in vSwitch vsw-web (192.168.0.12)"
    ]


def test_peers_must_be_exactly_the_other_members(pair):
    edit(pair / "web-a.conf", "        192.168.0.12\n", "        192.168.0.13\n")
    assert findings(pair, "KA422") == [
        "web-a.conf:27:5 VI_WEB's unicast_peer lacks member 192.168.0.12 (web-b) of cluster web",
        "web-a.conf:28:9 unicast_peer 192.168.0.13 is not a member of cluster web",
    ]


def test_interface_must_be_the_nic_in_the_vswitch(pair):
    edit(pair / "inventory.yaml", "    ip: 192.168.0.12\n", "    ip: 192.168.0.12\n    interface: eth1\n")
    assert findings(pair, "KA423") == ["web-b.conf:20:5 interface eth0 is not web-b's NIC in vSwitch vsw-web (eth1)"]


def test_member_without_config(pair):
    assert findings(pair, "KA424", files=("web-a.conf",)) == [
        "inventory.yaml:26:3 member web-b of cluster web has no configuration among the files given"
    ]
    assert findings(pair, "KA424") == []


def test_config_or_instance_not_in_inventory(pair):
    edit(pair / "web-b.conf", "virtual_router_id 51", "virtual_router_id 52")
    (pair / "other.conf").write_text(
        "vrrp_instance X {\n    interface eth0\n    virtual_router_id 9\n    unicast_src_ip 10.9.9.9\n"
        "    unicast_peer {\n        10.9.9.8\n    }\n    virtual_ipaddress {\n        10.9.9.100\n    }\n}\n"
    )
    assert findings(pair, "KA425", files=("web-a.conf", "web-b.conf", "other.conf")) == [
        f"other.conf:1:1 {pair}/other.conf belongs to no member of {pair}/inventory.yaml: no member's config: names it and no unicast_src_ip is a member's address",
        "web-b.conf:21:5 VI_WEB (VRID 52) runs on web-b, but no cluster of web-b in the inventory has that VRID",
    ]


def test_every_config_vs_cloud_rule_is_tested():
    codes = {r.code for r in registry.RULES if r.scope is Scope.INVENTORY and r.code >= "KA420"}
    text = open(__file__).read()
    assert all(f'"{code}"' in text for code in codes)
