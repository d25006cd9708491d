"""The instance as keepalived runs it (kagen.keepalived.vrrp): keepalived's own corrections and
its priority arithmetic, case by case from vrrp_complete_instance and vrrp_set_effective_priority."""

# ruff: noqa: E501 - configurations and expected messages read best on one line each

from __future__ import annotations

import pytest

from kagen.keepalived.vrrp import behaviour

SCRIPTS = 'vrrp_script chk {\n    script "/bin/true"\n    weight -30\n}\nvrrp_script up {\n    script "/bin/true"\n    weight 20\n}\n'


def model(parse, body: str, head: str = ""):
    config = parse(f"{head}{SCRIPTS}vrrp_instance VI_1 {{\n    interface eth0\n    virtual_router_id 51\n{body}}}\n")
    return behaviour(config, config.vrrp_instances[0])


@pytest.mark.parametrize(
    "body, base, state",
    [
        ("", 100, "BACKUP"),
        ("    state MASTER\n", 255, "MASTER"),  # no priority: the address owner
        ("    state MASTER\n    priority 150\n", 150, "MASTER"),
        ("    priority 255\n", 255, "MASTER"),
        ("    priority 300\n", 100, "BACKUP"),  # out of range: keepalived uses 100
        ("    state MASTER\n    state BACKUP\n    priority 150\n", 150, "MASTER"),  # "state previously set as MASTER"
    ],
)
def test_base_priority_and_state(parse, body, base, state):
    found = model(parse, body)
    assert (found.base, found.state) == (base, state)


def test_strict_mode_makes_the_state_match_ownership(parse):
    found = model(parse, "    state MASTER\n    priority 150\n", head="global_defs {\n    vrrp_strict\n}\n")
    assert found.state == "BACKUP"
    assert [(line.line, text) for line, _, text in found.corrections] == [
        (15, "strict mode: keepalived starts it as BACKUP, as its priority 150 says")
    ]


@pytest.mark.parametrize(
    "body, nopreempt, delay",
    [
        ("    nopreempt\n    priority 150\n", True, 0),
        ("    nopreempt\n    preempt\n", False, 0),  # preempt clears it
        ("    state MASTER\n    priority 150\n    nopreempt\n", False, 0),
        ("    priority 255\n    nopreempt\n", False, 0),
        ("    preempt_delay 30\n", False, 30),
        ("    state MASTER\n    priority 150\n    preempt_delay 30\n", False, 0),
        ("    nopreempt\n    preempt_delay 30\n", True, 0),
    ],
)
def test_nopreempt_and_preempt_delay_as_keepalived_keeps_them(parse, body, nopreempt, delay):
    found = model(parse, body)
    assert (found.nopreempt, found.preempt_delay) == (nopreempt, delay)


@pytest.mark.parametrize(
    "body, version, advert",
    [
        ("", 2, 1),
        ("    advert_int 1.4\n", 2, 1),
        ("    advert_int 1.5\n", 2, 2),
        ("    version 3\n    advert_int 0.333\n", 3, 0.33),
    ],
)
def test_advert_interval_as_keepalived_rounds_it(parse, body, version, advert):
    found = model(parse, body)
    assert (found.version, found.advert_int) == (version, advert)


def test_priority_arithmetic(parse):
    found = model(
        parse,
        "    priority 150\n    track_script {\n        chk\n        up\n    }\n    track_interface {\n        eth1 weight -100\n    }\n",
    )
    chk, up, eth1, eth0 = found.trackers
    assert [str(t) for t in found.trackers] == ["script chk", "script up", "interface eth1", "interface eth0"]
    assert found.priority() == 170  # a positive weight counts while its object is ok
    assert found.priority(frozenset([chk])) == 140
    assert found.priority(frozenset([up])) == 150
    assert found.priority(frozenset([eth1])) == 70
    assert found.priority(frozenset([chk, eth1])) == 40
    assert found.priority(frozenset([eth0])) is None  # the own interface: FAULT
    assert found.master_down(100) == 3 + 156 / 256


def test_an_address_owner_drops_weighted_trackers(parse):
    found = model(
        parse, "    priority 255\n    track_script {\n        chk\n    }\n    track_interface {\n        eth0\n    }\n"
    )
    assert [str(t) for t in found.trackers] == ["interface eth0"]
    assert [text for _, _, text in found.corrections] == [
        "keepalived ignores script chk, which has a weight: the instance is the address owner (priority 255)",
        "keepalived ignores track_interface eth0: it is the instance's own interface",
    ]
    assert found.priority() == 255


def test_a_sync_group_without_tracking_weight_drops_script_weights(parse):
    head = "vrrp_sync_group G {\n    group {\n        VI_1\n    }\n}\n"
    found = model(parse, "    priority 150\n    track_script {\n        chk\n    }\n", head=head)
    assert [str(t) for t in found.trackers] == ["interface eth0"]
    assert found.sync_group == "G"


@pytest.mark.parametrize(
    "head, body, weights",
    [
        # An entry's weight keeps its script's reverse (vrrp_track.c alloc_track_script).
        (
            'vrrp_script rev {\n    script "/bin/true"\n    weight -20 reverse\n}\n',
            "    track_script {\n        rev weight -30\n    }\n",
            [("rev", -30, True)],
        ),
        (
            'vrrp_script rev {\n    script "/bin/true"\n    weight -20 reverse\n}\n',
            "    track_script {\n        rev weight -30 noreverse\n    }\n",
            [("rev", -30, False)],
        ),
        # A name tracked twice counts once: the first ("duplicate track_script ... - ignoring").
        ("", "    track_script {\n        chk\n        chk weight -50\n    }\n", [("chk", -30, False)]),
    ],
)
def test_tracked_weights(parse, head, body, weights):
    found = model(parse, body, head)
    assert [(t.name, t.weight, t.reverse) for t in found.trackers if t.kind == "script"] == weights


def test_a_script_defined_after_the_instance_or_without_script_is_not_tracked(parse):
    text = (
        "vrrp_script empty {\n    weight -10\n}\nvrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n"
        "    track_script {\n        late\n        empty\n    }\n}\n"
        'vrrp_script late {\n    script "/bin/true"\n    weight -30\n}\n'
    )
    config = parse(text)
    found = behaviour(config, config.vrrp_instances[0])
    assert [t.kind for t in found.trackers] == ["interface"]
    assert [kind for _, kind, _ in found.corrections] == ["undefined", "undefined"]


@pytest.mark.parametrize(
    "head, body, strict",
    [
        ("", "    strict_mode off\n", False),
        ("", "    strict_mode\n", True),
        ("global_defs {\n    vrrp_strict\n}\n", "", True),
        ("global_defs {\n    vrrp_strict\n}\n", "    strict_mode false\n", False),
    ],
)
def test_strict_mode(parse, head, body, strict):
    assert model(parse, body, head).strict is strict


@pytest.mark.parametrize(
    "body, version",
    [
        ("    version 2\n    virtual_ipaddress {\n        fd00::10/64\n    }\n", 2),  # said before the family
        ("    virtual_ipaddress {\n        fd00::10/64\n    }\n    version 2\n", 3),
        ("    virtual_ipaddress {\n        fd00::10/64\n    }\n", 3),
        ("    version 3\n", 3),
        ("", 2),
    ],
)
def test_vrrp_version(parse, body, version):
    assert model(parse, body).version == version
