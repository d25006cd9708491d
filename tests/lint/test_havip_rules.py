"""Every inventory rule (KA4xx): a failing inventory with its exact findings and a passing one
with none. Each fixture is a small base (two vSwitches of one VPC, three instances, an ENI) plus
the HAVIPs and clusters the rule is about."""

# ruff: noqa: E501 - fixtures and expected messages read best on one line each

from __future__ import annotations

import pytest

from kagen.inventory.load import load
from kagen.lint import engine, registry
from kagen.lint.rule import Scope
from kagen.lint.settings import Options

BASE = """region: {region}
vswitches:
  vsw-a: {{cidr: 192.168.0.0/24, vpc: main}}
  vsw-b: {{cidr: 192.168.1.0/24, vpc: main}}
instances:
  n1: {{ip: 192.168.0.11, vswitch: vsw-a}}
  n2: {{ip: 192.168.0.12, vswitch: vsw-a}}
  n3: {{ip: 192.168.1.13, vswitch: vsw-b}}
enis:
  e1: {{ip: 192.168.0.21, vswitch: vsw-a, instance: n3, device: eth1}}
"""

PAIR = "havips:\n  h: {vswitch: vsw-a, address: 192.168.0.100, members: [n1, n2]}\n"


def havips(*entries: str) -> str:
    return "havips:\n" + "".join(f"  {entry}\n" for entry in entries)


def findings(tmp_path, body: str, select: str, region: str = "cn-hangzhou") -> list[str]:
    path = tmp_path / "inv.yaml"
    path.write_text(BASE.format(region=region) + body)
    options = Options(select=[select])
    result = engine.run([], options, load(str(path)))
    return [
        f"{d.pos.line}:{d.pos.col} {d.message}"
        + (f" [{d.severity}]" if d.severity is not registry.BY_CODE[d.code].severity else "")
        for d in result.findings
    ]


# code: (failing body, its findings, passing body[, region of the failing one])
CASES = {
    "KA401": (
        PAIR,
        [
            "1:1 region ap-southeast-2 (Australia (Sydney)) is decommissioned: later Alibaba endpoint tables mark it decommissioned"
        ],
        PAIR,
        "ap-southeast-2",
    ),
    "KA402": (
        havips("h: {vswitch: vsw-a, address: 192.168.1.100, members: [n1, n2]}"),
        ["12:23 HAVIP h address 192.168.1.100 is outside vSwitch vsw-a (192.168.0.0/24)"],
        PAIR,
    ),
    "KA403": (
        havips(
            "h: {vswitch: vsw-a, address: 192.168.0.253, members: [n1, n2]}",
            "g: {vswitch: vsw-a, address: 192.168.0.0, members: [n1, n2]}",
        ),
        [
            "12:23 HAVIP h address 192.168.0.253 is reserved in vSwitch vsw-a (192.168.0.0/24: the first and the last three addresses)",
            "13:23 HAVIP g address 192.168.0.0 is reserved in vSwitch vsw-a (192.168.0.0/24: the first and the last three addresses)",
        ],
        havips(
            "h: {vswitch: vsw-a, address: 192.168.0.252, members: [n1, n2]}",
            "g: {vswitch: vsw-a, address: 192.168.0.1, members: [n1, n2]}",
        ),
    ),
    "KA404": (
        havips(
            "h: {vswitch: vsw-a, address: 192.168.0.11, members: [n1, n2]}",
            "g: {vswitch: vsw-a, address: 192.168.0.100, members: [n1, n2]}",
            "f: {vswitch: vsw-a, address: 192.168.0.100, members: [n1, n2]}",
        ),
        [
            "12:23 HAVIP h address 192.168.0.11 is also used by instance n1",
            "14:23 HAVIP f address 192.168.0.100 is also used by HAVIP g",
        ],
        PAIR,
    ),
    "KA405": (
        havips("h: {vswitch: vsw-a, address: 192.168.0.100, members: [n1, n3]}"),
        ["12:61 instance n3 is in vSwitch vsw-b, HAVIP h in vsw-a"],
        havips("h: {vswitch: vsw-a, address: 192.168.0.100, members: [n1, e1]}") + "limits: {members_per_havip: 2}\n",
    ),
    "KA406": (
        PAIR + "limits: {members_per_havip: 1}\n",
        ["12:3 members of HAVIP h: 2, more than Alibaba Cloud allows (1, members_per_havip)"],
        PAIR + "limits: {members_per_havip: 2}\n",
    ),
    "KA407": (
        havips("h: {vswitch: vsw-a, address: 192.168.0.100, members: [n1, e1]}"),
        ["12:61 HAVIP h mixes ECS instances and ENIs; an HAVIP takes one type of member"],
        PAIR,
    ),
    "KA408": (
        havips(*(f"h{i}: {{vswitch: vsw-a, members: [n1, n2]}}" for i in range(6)))
        + "limits: {havips_per_vpc: 10, havips_per_account: 10}\n",
        [
            "6:3 HAVIPs on instance n1: 6, more than Alibaba Cloud allows (5, havips_per_instance)",
            "7:3 HAVIPs on instance n2: 6, more than Alibaba Cloud allows (5, havips_per_instance)",
        ],
        havips(*(f"h{i}: {{vswitch: vsw-a, members: [n1, n2]}}" for i in range(5))),
    ),
    "KA409": (
        havips(*(f"h{i}: {{vswitch: vsw-a, members: [n1], routes: [10.{i}.0.0/16]}}" for i in range(6))),
        [
            "17:3 HAVIPs in VPC main: 6, over the quota of 5 (if your quota is higher, set limits: {havips_per_vpc: N} in the inventory)",
            "17:3 HAVIPs in the account: 6, over the quota of 5 (if your quota is higher, set limits: {havips_per_account: N} in the inventory)",
            "17:3 route entries to HAVIPs in VPC main: 6, over the quota of 5 (if your quota is higher, set limits: {havip_routes_per_vpc: N} in the inventory)",
        ],
        havips(*(f"h{i}: {{vswitch: vsw-a, members: [n1], routes: [10.{i}.0.0/16]}}" for i in range(6)))
        + "limits: {havips_per_vpc: 6, havips_per_account: 50, havip_routes_per_vpc: 6}\n",
    ),
    "KA410": (
        havips("h: {vswitch: vsw-a, members: [n1, n2], eip: [47.1.1.1, 47.1.1.2]}"),
        ["12:58 EIPs on HAVIP h: 2, more than Alibaba Cloud allows (1, eips_per_havip)"],
        havips("h: {vswitch: vsw-a, members: [n1, n2], eip: {address: 47.1.1.1, id: eip-1}}"),
    ),
    "KA411": (
        havips("h: {vswitch: vsw-a, address: '2001:db8::10', members: [n1, n2]}"),
        ["12:23 HAVIP h has IPv6 address 2001:db8::10; HAVIPs are IPv4 only"],
        PAIR,
    ),
    "KA412": (
        havips("h: {vswitch: vsw-a, members: [n1, n2]}", "g: {vswitch: vsw-a, members: [n1, n2]}")
        + "clusters:\n  web: {havip: h, vrid: 51}\n  api: {havip: g, vrid: 51}\n",
        ["16:19 VRID 51 of cluster api is also used by cluster web on n1 (eth0)"],
        havips("h: {vswitch: vsw-a, members: [n1, n2]}", "g: {vswitch: vsw-a, members: [n1, n2]}")
        + "clusters:\n  web: {havip: h, vrid: 51}\n  api: {havip: g, vrid: 52}\n",
    ),
    "KA413": (
        havips("h: {vswitch: vsw-a, members: [n1, n2]}", "g: {vswitch: vsw-b, members: [n3]}")
        + "clusters:\n  web: {havip: h, vrid: 51}\n  db: {havip: g, vrid: 51}\n",
        ["16:18 VRID 51 is also used by cluster web in VPC main"],
        havips("h: {vswitch: vsw-a, members: [n1, n2]}", "g: {vswitch: vsw-b, members: [n3]}")
        + "clusters:\n  web: {havip: h, vrid: 51}\n  db: {havip: g, vrid: 52}\n",
    ),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_failing_inventory(tmp_path, code):
    body, expected, _, *region = CASES[code]
    assert findings(tmp_path, body, code, *region) == expected


@pytest.mark.parametrize("code", sorted(CASES))
def test_passing_inventory(tmp_path, code):
    assert findings(tmp_path, CASES[code][2], code) == []


def test_every_inventory_rule_has_fixtures():
    inventory_only = {r.code for r in registry.RULES if r.scope is Scope.INVENTORY and r.code < "KA420"}
    assert inventory_only == set(CASES)


def test_unknown_region_suggests_the_nearest(tmp_path):
    assert findings(tmp_path, PAIR, "KA401", region="cn-hangzou") == [
        "1:1 HAVIP is not offered in region cn-hangzou (did you mean cn-hangzhou?)"
    ]


def test_clean_inventory_has_no_findings(tmp_path):
    assert findings(tmp_path, PAIR + "clusters:\n  web: {havip: h, vrid: 51}\n", "ALL") == []


def test_inline_disable_in_the_inventory(tmp_path):
    body = havips("h: {vswitch: vsw-a, address: 192.168.0.11, members: [n1, n2]}  # kagen: disable=KA404")
    assert findings(tmp_path, body, "KA404") == []
