"""The KA4xx rules for each provider (``provider:`` in the inventory): the provider's limits from
its data file, unknown limits left unchecked until the inventory sets them, and every message in
the provider's own words (vSwitch or subnet, ECS or CVM, ENI or port, HAVIP or virtual IP)."""

# ruff: noqa: E501 - fixtures and expected messages read best on one line each

from __future__ import annotations

import pytest

from kagen.cloud.facts import PROVIDERS, facts, limit_keys
from kagen.inventory.load import InventoryError, load
from kagen.lint import engine
from kagen.lint.settings import Options

BASE = """provider: {provider}
vswitches:
  sub-a: {{cidr: 10.0.0.0/24, vpc: main}}
  sub-b: {{cidr: 10.0.1.0/24, vpc: main}}
instances:
  n1: {{ip: 10.0.0.11, vswitch: sub-a}}
  n2: {{ip: 10.0.0.12, vswitch: sub-a}}
  n3: {{ip: 10.0.1.13, vswitch: sub-b}}
enis:
  e1: {{ip: 10.0.0.21, vswitch: sub-a, instance: n3, device: eth1}}
"""
ELEVEN = "\n".join(f"  m{i}: {{ip: 10.0.0.{30 + i}, vswitch: sub-a}}" for i in range(11))


def findings(tmp_path, provider: str, body: str, select: str = "KA4") -> list[str]:
    path = tmp_path / "inv.yaml"
    path.write_text(BASE.format(provider=provider) + body)
    result = engine.run([], Options(select=[select]), load(str(path)))
    return [f"{d.pos.line}:{d.pos.col} {d.code} {d.message} [{d.severity}]" for d in result.findings]


# Per provider: a member in another subnet, a mix of member types, an IPv6 address, two EIPs.
PLANTED = "havips:\n  h: {vswitch: sub-a, address: 10.0.0.100, members: [n1, n3, e1], eip: [1.1.1.1, 1.1.1.2]}\n  v6: {vswitch: sub-a, address: '2001:db8::10', members: [n1, n2]}\n"
EXPECTED = {
    "alibaba": [
        "12:58 KA405 instance n3 is in vSwitch sub-b, HAVIP h in sub-a [error]",
        "12:62 KA407 HAVIP h mixes ECS instances and ENIs; an HAVIP takes one type of member [error]",
        "12:82 KA410 EIPs on HAVIP h: 2, more than Alibaba Cloud allows (1, eips_per_havip) [error]",
        "13:24 KA411 HAVIP v6 has IPv6 address 2001:db8::10; HAVIPs are IPv4 only [error]",
    ],
    "tencent": [
        "12:58 KA405 CVM n3 is in subnet sub-b, HAVIP h in sub-a [error]",
        "12:62 KA407 HAVIP h mixes CVMs and ENIs; an HAVIP takes one type of member [error]",
        "12:82 KA410 EIPs on HAVIP h: 2, more than Tencent Cloud allows (1, eips_per_havip) [error]",
    ],
    "volcengine": [
        "12:58 KA405 ECS instance n3 is in subnet sub-b, HAVIP h in sub-a [error]",
        "12:62 KA407 HAVIP h mixes ECS instances and network interfaces; an HAVIP takes one type of member [error]",
        "12:82 KA410 EIPs on HAVIP h: 2, more than Volcengine allows (1, eips_per_havip) [error]",
    ],
    # Huawei: no source on mixing, EIPs per virtual IP or the member limit; IPv6 is allowed.
    "huawei": ["12:58 KA405 ECS n3 is in subnet sub-b, virtual IP h in sub-a [error]"],
}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_planted_problems_in_the_providers_words(tmp_path, provider):
    assert findings(tmp_path, provider, PLANTED) == EXPECTED[provider]


@pytest.mark.parametrize(
    ("provider", "expected"),
    [
        (
            "alibaba",
            ["12:3 KA406 members of HAVIP h: 11, more than Alibaba Cloud allows (10, members_per_havip) [error]"],
        ),
        (
            "tencent",
            ["12:3 KA406 members of HAVIP h: 11, more than Tencent Cloud allows (10, members_per_havip) [error]"],
        ),
        (
            "volcengine",
            ["12:3 KA406 members of HAVIP h: 11, more than Volcengine allows (10, members_per_havip) [error]"],
        ),
        ("huawei", []),  # the limit is unknown
    ],
)
def test_eleven_members(tmp_path, provider, expected):
    members = ", ".join(f"m{i}" for i in range(11))
    body = f"havips:\n  h: {{vswitch: sub-a, members: [{members}]}}\n"
    path = tmp_path / "inv.yaml"
    path.write_text(BASE.format(provider=provider).replace("enis:", ELEVEN + "\nenis:") + body)
    result = engine.run([], Options(select=["KA406"]), load(str(path)))
    assert [f"{d.pos.line}:{d.pos.col} {d.code} {d.message} [{d.severity}]" for d in result.findings] == [
        finding.replace("12:3", "23:3") for finding in expected
    ]


def test_an_unknown_limit_is_checked_once_the_inventory_sets_it(tmp_path):
    body = "limits: {members_per_havip: 2}\nhavips:\n  h: {vswitch: sub-a, members: [n1, n2, e1]}\n"
    assert findings(tmp_path, "huawei", body) == [
        "13:3 KA406 members of virtual IP h: 3, more than Huawei Cloud allows (2, members_per_havip) [error]"
    ]


def test_a_quota_no_source_gives_is_not_checked(tmp_path):
    body = "havips:\n" + "".join(f"  h{i}: {{vswitch: sub-a, members: [n1]}}\n" for i in range(60))
    assert findings(tmp_path, "tencent", body, "KA409") == []
    assert findings(tmp_path, "tencent", "limits: {havips_per_vpc: 59}\n" + body, "KA409") == [
        "72:3 KA409 HAVIPs in VPC main: 60, over the quota of 59 (if your quota is higher, set limits: {havips_per_vpc: N} in the inventory) [warning]"
    ]


def test_the_region_is_checked_only_where_a_list_is_known(tmp_path):
    body = "region: ap-guangzhou\nhavips:\n  h: {vswitch: sub-a, members: [n1, n2]}\n"
    assert findings(tmp_path, "tencent", body, "KA401") == []
    assert findings(tmp_path, "alibaba", body, "KA401") == [
        "11:1 KA401 HAVIP is not offered in region ap-guangzhou (did you mean cn-guangzhou?) [error]"
    ]


def test_reserved_addresses_only_where_the_provider_says(tmp_path):
    body = "havips:\n  h: {vswitch: sub-a, address: 10.0.0.255, members: [n1, n2]}\n"
    assert findings(tmp_path, "volcengine", body, "KA403") == []
    assert findings(tmp_path, "alibaba", body, "KA403") == [
        "12:23 KA403 HAVIP h address 10.0.0.255 is reserved in vSwitch sub-a (10.0.0.0/24: the first and the last three addresses) [error]"
    ]


def test_an_address_in_use_names_the_port(tmp_path):
    body = "havips:\n  h: {vswitch: sub-a, address: 10.0.0.21, members: [n1, n2]}\n"
    assert findings(tmp_path, "huawei", body, "KA404") == [
        "12:23 KA404 virtual IP h address 10.0.0.21 is also used by port e1 [error]"
    ]


def test_the_loader_speaks_the_providers_words(tmp_path):
    path = tmp_path / "inv.yaml"
    path.write_text(
        BASE.format(provider="huawei")
        + "havips:\n  h: {vswitch: sub-x, members: [n9]}\nclusters:\n  c: {havip: g, vrid: 1}\n"
    )
    with pytest.raises(InventoryError) as caught:
        load(str(path))
    assert caught.value.problems == [
        f"{path}:12: havips.h.members[0]: unknown ECS or port 'n9'",
        f"{path}:12: havips.h.vswitch: unknown subnet 'sub-x'; did you mean 'sub-b'?",
        f"{path}:14: clusters.c.havip: unknown virtual IP 'g'",
    ]


def test_an_unknown_provider_is_refused(tmp_path):
    path = tmp_path / "inv.yaml"
    path.write_text("provider: aws\n")
    with pytest.raises(InventoryError) as caught:
        load(str(path))
    assert caught.value.problems == [
        f"{path}:1: provider: provider must be one of alibaba, tencent, volcengine, huawei"
    ]


def test_every_provider_has_the_same_limits_each_with_a_source():
    for provider in PROVIDERS:
        known = facts(provider)
        assert tuple(known.limits) == limit_keys(), provider
        assert set(known.features) == {"one_member_type", "ipv6"}, provider
        for fact in [*known.limits.values(), *known.features.values()]:
            assert fact.source and fact.date and fact.what, (provider, fact.key)
    assert facts("huawei").limits["members_per_havip"].value is None
