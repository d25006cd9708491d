"""kagen explain: who is MASTER at start and after each single failure, from the pair's files,
as keepalived computes it (the failover lab checks the same answers against real keepalived)."""

from __future__ import annotations

import json

import pytest

from kagen import cli
from support.pairs import write_pair


def explained(capsys, tmp_path, a: dict, b: dict) -> tuple[int, dict]:
    paths = write_pair(tmp_path, a, b)
    status = cli.main(["explain", "--format", "json", *paths])
    document = json.loads(capsys.readouterr().out)
    assert document["format"] == 1 and document["alone"] == [] and document["errors"] == []
    return status, document


def outcomes(document: dict) -> list[tuple]:
    """Each scenario as (event, master's file name, priorities in member order, moves, seconds, back)."""
    rows = []
    for scenario in document["clusters"][0]["scenarios"]:
        master = scenario["master"] and scenario["master"].rsplit("/", 1)[-1]
        rows.append(
            (
                scenario["fails"] and (scenario["fails"]["file"].rsplit("/", 1)[-1], scenario["fails"]["what"]),
                master,
                list(scenario["priorities"].values()),
                scenario["vip_moves"],
                scenario["takeover_seconds"],
                scenario["moves_back"],
                scenario["back_after_seconds"],
            )
        )
    return rows


def test_a_consistent_pair(capsys, tmp_path):
    status, document = explained(capsys, tmp_path, {}, {})
    assert status == 0
    (cluster,) = document["clusters"]
    assert cluster["vrid"] == 51
    assert [
        (m["file"].rsplit("/", 1)[-1], m["instance"], m["state"], m["priority"], m["effective_priority"])
        for m in cluster["members"]
    ] == [
        ("a.conf", "VI_1", "MASTER", 150, 150),
        ("b.conf", "VI_1", "BACKUP", 100, 100),
    ]
    assert cluster["members"][0]["master_down"] == 3.414
    assert cluster["members"][0]["garp"] == {"delay": 5, "repeat": 5, "refresh": 0, "refresh_repeat": 1}
    assert outcomes(document) == [
        (None, "a.conf", [150, 100], False, 3.414, None, None),
        (("a.conf", "script"), "b.conf", [90, 100], True, 3.609, True, 3.414),
        (("a.conf", "interface"), "b.conf", ["FAULT", 100], True, 3.609, True, 3.414),
        (("a.conf", "stop"), "b.conf", ["stopped", 100], True, 0.609, True, 3.414),
        (("a.conf", "crash"), "b.conf", ["stopped", 100], True, 3.609, True, 3.414),
        (("b.conf", "script"), "a.conf", [150, 40], False, None, None, None),
        (("b.conf", "interface"), "a.conf", [150, "FAULT"], False, None, None, None),
        (("b.conf", "stop"), "a.conf", [150, "stopped"], False, None, None, None),
        (("b.conf", "crash"), "a.conf", [150, "stopped"], False, None, None, None),
    ]
    script = document["clusters"][0]["scenarios"][1]
    assert script["fails"] == {"file": str(tmp_path / "a.conf"), "what": "script", "name": "chk_web"}
    assert script["detect_seconds"] == 1.0


@pytest.mark.parametrize(
    "a, b, expected",
    [
        # KA506: the weight cannot make the BACKUP win; the VIP stays on the failed MASTER.
        ({"weight": -30}, {"weight": -30}, (("a.conf", "script"), "a.conf", [120, 100], False, None, None, None)),
        # nopreempt on the BACKUP too: it does not take over from a MASTER of lower priority (KA506).
        (
            {"state": "BACKUP", "extra": "    nopreempt\n"},
            {"extra": "    nopreempt\n"},
            (("a.conf", "script"), "a.conf", [90, 100], False, None, None, None),
        ),
        # nopreempt on the first MASTER only: the VIP moves and stays where it went.
        (
            {"state": "BACKUP", "extra": "    nopreempt\n"},
            {},
            (("a.conf", "script"), "b.conf", [90, 100], True, 3.609, False, None),
        ),
        # preempt_delay: b waits it out before it preempts a MASTER still advertising, and a after
        # its own master-down interval before it takes the address back.
        (
            {"state": "BACKUP", "extra": "    preempt_delay 30\n"},
            {"extra": "    preempt_delay 30\n"},
            (("a.conf", "script"), "b.conf", [90, 100], True, 33.609, True, 33.414),
        ),
        # An address owner's weighted script is dropped by keepalived: its failure is no event.
        ({"priority": 255}, {}, None),
        # A weight that puts the BACKUP above the healthy MASTER (KA507): b is MASTER from the start.
        ({"weight": -60}, {"weight": 80}, (("a.conf", "script"), "b.conf", [90, 180], False, None, None, None)),
    ],
)
def test_the_failover_problems(capsys, tmp_path, a, b, expected):
    _, document = explained(capsys, tmp_path, a, b)
    scripts = [row for row in outcomes(document) if row[0] == ("a.conf", "script")]
    assert scripts == ([expected] if expected else [])


def test_the_text_table(capsys, tmp_path):
    paths = write_pair(tmp_path, {"weight": -30}, {"weight": -30})
    assert cli.main(["explain", *paths]) == 0
    assert capsys.readouterr().out == (
        "Cluster VI_1 (VRID 51, VIP 10.0.0.100): 2 members\n"
        f"  in {tmp_path}/\n"
        "  member  state   priority  effective  nopreempt  advert\n"
        "  a.conf  MASTER  150       150        -          1 s v2\n"
        "  b.conf  BACKUP  100       100        -          1 s v2\n"
        "\n"
        "  event                             priorities     MASTER after  VIP moves  in     back when it recovers\n"
        "  start                             150 / 100      a.conf        -          3.4 s  -\n"
        "  a.conf: script chk_web fails      120 / 100      a.conf        -          -      -\n"
        "  a.conf: interface eth0 goes down  FAULT / 100    b.conf        yes        3.6 s  yes, after 3.4 s\n"
        "  a.conf stops (priority-0 advert)  stopped / 100  b.conf        yes        0.6 s  yes, after 3.4 s\n"
        "  a.conf crashes (no advert)        stopped / 100  b.conf        yes        3.6 s  yes, after 3.4 s\n"
        "  b.conf: script chk_web fails      150 / 70       a.conf        -          -      -\n"
        "  b.conf: interface eth0 goes down  150 / FAULT    a.conf        -          -      -\n"
        "  b.conf stops (priority-0 advert)  150 / stopped  a.conf        -          -      -\n"
        "  b.conf crashes (no advert)        150 / stopped  a.conf        -          -      -\n"
        "  A new MASTER sends 5 gratuitous ARPs at once and 5 more after 5 s.\n"
    )


def test_a_file_without_its_pair_and_no_files(capsys, tmp_path):
    (path,) = write_pair(tmp_path, {}, {})[:1]
    assert cli.main(["explain", path]) == 0
    assert capsys.readouterr().out == (
        f"{path}: no other member found (give the pair's other files, --cluster or --inventory)\n"
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli.main(["explain", str(empty)]) == 3
    assert "no keepalived configuration files found" in capsys.readouterr().err


def test_clusters_given_by_hand(capsys, tmp_path):
    paths = write_pair(tmp_path, {}, {})
    # Another VRID and another address: nothing joins them, unless --cluster says so.
    text = (tmp_path / "b.conf").read_text().replace("virtual_router_id 51", "virtual_router_id 52")
    (tmp_path / "b.conf").write_text(text.replace("10.0.0.100/24", "10.0.0.101/24"))
    assert cli.main(["explain", "--format", "json", *paths]) == 0
    assert json.loads(capsys.readouterr().out)["alone"] == paths
    assert cli.main(["explain", "--format", "json", "--cluster", ",".join(paths), *paths]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["alone"] == [] and [m["file"] for m in document["clusters"][0]["members"]] == paths
    assert cli.main(["explain", "--cluster", paths[0], *paths]) == 2
    assert f"kagen: error: --cluster {paths[0]}: a cluster needs at least two files" in capsys.readouterr().err


def test_a_broken_inventory_is_an_error_and_the_files_are_still_explained(capsys, tmp_path):
    paths = write_pair(tmp_path, {}, {})
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text("clusters: [\n")
    assert cli.main(["explain", "--inventory", str(inventory), *paths]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("kagen: error: ") and str(inventory) in captured.err
    assert captured.out.startswith("Cluster VI_1 (VRID 51")


def test_the_inventory_groups_the_files(capsys):
    example = "examples/web-pair"
    assert cli.main(["explain", "--format", "json", "--inventory", f"{example}/inventory.yaml", example]) == 0
    (cluster,) = json.loads(capsys.readouterr().out)["clusters"]
    assert [m["file"] for m in cluster["members"]] == [f"{example}/web-a.conf", f"{example}/web-b.conf"]


def test_config_id_picks_the_conditional_lines(capsys, tmp_path):
    paths = write_pair(tmp_path, {}, {})
    a = tmp_path / "a.conf"
    a.write_text(a.read_text().replace("    priority 150\n", "    @primary priority 150\n    @^primary priority 90\n"))
    document = {}
    for config_id, expected in (("primary", 150), ("other", 90)):
        assert cli.main(["explain", "--format", "json", "--config-id", config_id, *paths]) == 0
        document = json.loads(capsys.readouterr().out)
        assert document["clusters"][0]["members"][0]["priority"] == expected
    assert document["clusters"][0]["scenarios"][0]["master"] == paths[1]


def test_a_sync_group_fails_as_one(capsys, tmp_path):
    """A member in FAULT takes the whole group to FAULT: the other instance's virtual IP moves too."""
    group = "vrrp_sync_group G {\n    group {\n        VI_1\n        VI_2\n    }\n}\n"
    second = (
        "vrrp_instance VI_2 {{\n    interface eth1\n    virtual_router_id 52\n    priority {priority}\n"
        "    virtual_ipaddress {{\n        10.0.1.100/24\n    }}\n}}\n"
    )
    paths = write_pair(tmp_path, {"weight": 0}, {"weight": 0})
    for path, priority in zip(paths, (150, 100), strict=True):
        with open(path, "a") as file:
            file.write(group + second.format(priority=priority))
    assert cli.main(["explain", "--format", "json", *paths]) == 0
    clusters = json.loads(capsys.readouterr().out)["clusters"]
    vi_2 = next(c for c in clusters if c["vrid"] == 52)
    failures = {
        (s["fails"]["what"], s["fails"]["name"]): s for s in vi_2["scenarios"][1:] if s["fails"]["file"] == paths[0]
    }
    # VI_1's script and interface are VI_2's FAULT too.
    assert failures[("script", "chk_web")]["master"] == paths[1]
    assert failures[("interface", "eth0")]["master"] == paths[1]


def test_a_tie_the_files_cannot_break_is_said(capsys, tmp_path):
    paths = write_pair(tmp_path, {"priority": 100}, {})
    assert cli.main(["explain", "--format", "json", *paths]) == 0
    assert json.loads(capsys.readouterr().out)["clusters"][0]["scenarios"][0]["tie"] is False  # 10.0.0.2 wins
    for path in paths:
        with open(path) as file:
            text = file.read()
        with open(path, "w") as file:
            file.write("".join(line for line in text.splitlines(True) if "unicast_src_ip" not in line))
    assert cli.main(["explain", "--format", "json", *paths]) == 0
    start = json.loads(capsys.readouterr().out)["clusters"][0]["scenarios"][0]
    assert start["tie"] is True
