"""KA506-KA509: what a pair does when something fails, from the members' priorities as keepalived
computes them. Each rule: a failing pair with its exact finding, a passing pair without."""

# ruff: noqa: E501 - expected messages read best on one line each

from __future__ import annotations

import pytest

from kagen.lint.settings import Options
from support.helpers import lint_paths
from support.pairs import write_pair


def pair(tmp_path, code: str, a: dict, b: dict) -> list[str]:
    paths = write_pair(tmp_path, a, b)
    result = lint_paths(paths, Options(select=[code], config_id="t"))
    return [
        f"{f.pos.file.rsplit('/', 1)[-1]}:{f.pos.line}:{f.pos.col} {f.message}".replace(str(tmp_path) + "/", "")
        + (f" [{f.severity}]" if f.severity is not f.check.severity else "")
        for f in result.findings
    ]


def test_a_consistent_pair_is_clean(tmp_path):
    assert pair(tmp_path, "KA5", {}, {}) == []


@pytest.mark.parametrize(
    "code, a, b, expected",
    [
        (
            "KA506",
            {"weight": -30},
            {"weight": -30},
            [
                "a.conf:3:5 150 - 30 = 120 > 100 of VI_1 in b.conf: VI_1 stays MASTER on a.conf when script chk_web fails"
            ],
        ),
        (
            "KA506",
            {"weight": -50},
            {"weight": -50},
            [
                "a.conf:3:5 150 - 50 = 100 = 100 of VI_1 in b.conf: VI_1 stays MASTER on a.conf when script chk_web fails"
            ],
        ),
        (
            "KA506",
            {"state": "BACKUP", "extra": "    nopreempt\n"},
            {"extra": "    nopreempt\n"},
            [
                "a.conf:3:5 150 - 60 = 90 < 100 of VI_1 in b.conf, but nopreempt there leaves a live MASTER alone "
                "(with nopreempt, use weight 0: a failure then faults the MASTER): VI_1 stays MASTER on a.conf when "
                "script chk_web fails"
            ],
        ),
        (
            "KA506",  # the entry's weight overrides the script's
            {"track": " weight -20"},
            {},
            [
                "a.conf:20:9 150 - 20 = 130 > 100 of VI_1 in b.conf: VI_1 stays MASTER on a.conf when script chk_web fails"
            ],
        ),
        (
            "KA507",
            {"weight": 0},
            {"weight": 0, "track": " weight 60"},
            [
                "b.conf:9:5 100 + 60 (weights) = 160 > 150 of VI_1 in a.conf, written state MASTER: VI_1 on b.conf is "
                "MASTER while both are healthy"
            ],
        ),
        (
            "KA508",
            {},
            {"extra": "    nopreempt\n"},
            [
                "b.conf:22:5 nopreempt on b.conf has no effect: VI_1 in a.conf has the higher priority (150 > 100) and "
                "no nopreempt, so it takes the virtual IP back when it returns"
            ],
        ),
        (
            "KA509",
            {},
            {"advert": 2},
            [
                "b.conf:10:5 advert_int 2 here, 1 in VI_1 in a.conf: VRRPv2 drops adverts of another interval: both become MASTER"
            ],
        ),
        (
            "KA509",
            {},
            {"advert": "1.4"},  # VRRPv2 rounds to whole seconds: 1
            [],
        ),
        (
            "KA509",
            {"extra": "    version 3\n"},
            {"advert": "1.5", "extra": "    version 3\n"},
            [
                "b.conf:10:5 advert_int 1.5 here, 1 in VI_1 in a.conf: VRRPv3 BACKUPs adopt the MASTER's interval: "
                "takeover times differ by direction [warning]"
            ],
        ),
        (
            "KA509",
            {"state": "BACKUP", "extra": "    preempt_delay 30\n"},
            {"extra": "    preempt_delay 5\n"},
            [
                "b.conf:22:5 preempt_delay 5 here, 30 in VI_1 in a.conf: taking the virtual IP back is slower one way "
                "than the other [warning]"
            ],
        ),
    ],
)
def test_failover_rules(tmp_path, code, a, b, expected):
    assert pair(tmp_path, code, a, b) == expected


@pytest.mark.parametrize(
    "code, a, b",
    [
        ("KA506", {"weight": 0}, {"weight": 0}),  # a failure faults the MASTER: the BACKUP takes over
        ("KA506", {"priority": 255, "weight": -30}, {}),  # an address owner's weights are dropped (KA-owner)
        ("KA507", {"weight": 0}, {"weight": 0, "track": " weight 40"}),  # 140 < 150
        ("KA508", {"state": "BACKUP", "extra": "    nopreempt\n"}, {"extra": "    nopreempt\n"}),
        ("KA509", {"extra": "    preempt_delay 30\n"}, {}),  # keepalived clears it with state MASTER
    ],
)
def test_passing_pairs(tmp_path, code, a, b):
    assert pair(tmp_path, code, a, b) == []
