"""Where keepalived changed between the distribution's release (2.2.7) and the newest (2.4.3), kagen
follows the target version: each case is one such change, with what kagen reports for either
target, and the same text checked against each keepalived binary the lab has
(tests/support/referee.py) with that binary's release as the target."""

# ruff: noqa: E501 - expected messages read best on one line each

from __future__ import annotations

import pytest

from support import agreement
from support.helpers import lint_text

INSTANCE = """vrrp_instance VI_1 {{
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 100
    unicast_src_ip 10.0.0.1
    unicast_peer {{
        10.0.0.2
{peers}    }}
    unicast_fault_no_peer
    virtual_ipaddress {{
        10.0.0.100/24
{vips}    }}
{more}}}
"""


def instance(before: str = "", peers: str = "", vips: str = "", more: str = "") -> str:
    return before + INSTANCE.format(peers=peers, vips=vips, more=more)


OLD, NEW = (2, 2, 7), (2, 4, 3)

# name: (text, rule, findings with target 2.2.7, findings with target 2.4.3)
CASES = {
    # 2.3.3 ignores a repeated peer or virtual IP (vrrp_data.c); 2.2.7 keeps both copies.
    "repeated-peer": (
        instance(peers="        10.0.0.2\n"),
        "KA213",
        [
            "9:9 unicast_peer 10.0.0.2 is already a peer of VI_1: listed twice (keepalived 2.3.3 and later ignore it) [warning]"
        ],
        ["9:9 unicast_peer 10.0.0.2 is already a peer of VI_1: keepalived ignores it"],
    ),
    "repeated-vip": (
        instance(vips="        10.0.0.100/24 dev eth1\n"),
        "KA213",
        [
            "13:9 10.0.0.100 is already a virtual IP of VI_1: listed twice (keepalived 2.3.3 and later ignore it) [warning]"
        ],
        ["13:9 10.0.0.100 is already a virtual IP of VI_1: keepalived ignores it"],
    ),
    # 2.3.2 tracks a route without dev; 2.2.7 does not ("cannot track route").
    "route-without-dev": (
        instance(more="    virtual_routes {\n        10.9.0.0/16 via 10.0.0.254\n    }\n"),
        "KA217",
        ["15:9 route without dev: keepalived before 2.3.2 cannot track it (add dev IF or no_track) [warning]"],
        [],
    ),
    # 2.4.0 refuses unicast peers in strict mode; 2.2.7's check never fires.
    "strict-unicast": (
        instance(before="global_defs {\n    vrrp_strict\n}\n"),
        "KA104",
        ["2:5 vrrp_strict forbids unicast peers and authentication: remove it"],
        [
            "2:5 vrrp_strict forbids unicast peers and authentication: remove it",
            "4:1 VI_1 has unicast peers in strict mode: keepalived 2.4.3 refuses it ('Unicast peers are not supported in strict mode') and does not run VRRP; remove vrrp_strict",
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_rule_follows_the_target_version(name):
    text, rule, old, new = CASES[name]
    assert lint_text(text, rule, target_version=OLD) == old
    assert lint_text(text, rule, target_version=NEW) == new


@pytest.mark.keepalived
@pytest.mark.parametrize("name", sorted(CASES))
def test_each_release_agrees(name, keepalived_release_lab, tmp_path):
    """keepalived's messages have a kagen finding at their place, and what it accepts gets no
    kagen error, with the binary's own release as the target."""
    outcome = agreement.compare(keepalived_release_lab, name, CASES[name][0], tmp_path, keepalived_release_lab.version)
    unmatched = [message.text for message, ok in zip(outcome.messages, outcome.matched, strict=True) if not ok]
    assert (unmatched, [f.to_text() for f in outcome.false_errors]) == ([], [])
