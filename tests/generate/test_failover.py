"""Generated pairs fail over on real keepalived, on a vSwitch without multicast (tests/support/failover.py).

Each test builds its own vSwitch and nodes, generates the configurations with ``kagen generate``
for the keepalived installed here, and measures: election (start to one holder of the HAVIP
address), failover after a clean stop, take-back after a restart, take-over after a crash and
after a silent cut-off, and how soon the client's traffic reaches the right node after the cut
heals. The times are printed (``pytest -s``) and bounded in units of the advert interval.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kagen import cli
from kagen.reading import shown
from support.failover import Switch, members, missing_prerequisites
from support.helpers import REPO, require

pytestmark = [pytest.mark.failover, pytest.mark.slow]

FIXTURES = REPO / "tests" / "fixtures"


@pytest.fixture
def switch(tmp_path):
    require(missing_prerequisites())
    with Switch(tmp_path) as lab:
        yield lab
    _assert_removed(lab)


def _assert_removed(lab: Switch) -> None:
    left = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
    assert not [line for line in left.splitlines() if line.startswith(lab.run)]
    assert all(process.returncode is not None for process in lab.processes)


def test_the_lab_is_removed_when_the_test_run_is_terminated(tmp_path):
    require(missing_prerequisites())
    script = f"""
import sys, time
sys.path.insert(0, {str(REPO / "tests")!r})
from pathlib import Path
from support.failover import Switch
with Switch(Path({str(tmp_path)!r})) as lab:
    node = lab.add("web-a", "eth0", "192.168.0.11/24")
    lab.start(node, Path({str(MULTICAST / "web-a.conf")!r}))
    print(lab.run, node.keepalived.pid, flush=True)
    time.sleep(60)
"""
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=tmp_path)
    run, pid = child.stdout.readline().split()
    assert run.startswith("kf") and os.path.exists(f"/proc/{pid}")
    child.send_signal(signal.SIGTERM)
    assert child.wait(timeout=20) != 0
    left = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
    assert run not in left
    assert not os.path.exists(f"/proc/{pid}")


@functools.cache
def _keepalived_version() -> str:
    shown = subprocess.run(["keepalived", "--version"], capture_output=True, text=True)
    return re.search(r"v(\d+\.\d+\.\d+)", shown.stdout + shown.stderr).group(1)


def _generate(inventory: Path, out: Path) -> Path:
    code = cli.main(["generate", str(inventory), "-o", str(out), "--target-version", _keepalived_version()])
    assert code == 0
    return out


def _attach(switch: Switch, inventory: Path, names: list[str]) -> None:
    """The named nodes on the vSwitch, with the addresses the inventory gives them, and a client."""
    found = members(str(inventory), _keepalived_version())
    for name in names:
        switch.add(name, *found[name])
    interface, address = found[names[0]]
    network = address.split("/")[1]
    client = ".".join(address.split("/")[0].split(".")[:3]) + ".250"
    switch.add("client", interface, f"{client}/{network}")


def _report(title: str, times: dict[str, float]) -> None:
    print(f"\n{title}: " + ", ".join(f"{name} {value:.2f} s" for name, value in times.items()))


PAIRS = {
    "web-pair, advert_int 1": (
        REPO / "examples" / "web-pair" / "inventory.yaml",
        "192.168.0.100",
        "web-a",
        "web-b",
        1.0,
    ),
    **{
        f"{provider} pair, advert_int 1": (
            REPO / "examples" / provider / "inventory.yaml",
            address,
            "web-a",
            "web-b",
            1.0,
        )
        for provider, address in (
            ("tencent", "10.0.0.100"),
            ("volcengine", "172.16.0.100"),
            ("huawei", "192.168.10.100"),
        )
    },
    "fast pair, advert_int 0.2 (VRRPv3)": (
        FIXTURES / "generate" / "sync-pairs" / "inventory.yaml",
        "10.0.2.100",
        "fast-2",
        "fast-1",
        0.2,
    ),
}


@pytest.mark.parametrize("case", PAIRS)
def test_a_generated_pair_fails_over_without_multicast(case, switch, tmp_path, capsys):
    inventory, vip, master, backup, advert = PAIRS[case]
    out = _generate(inventory, tmp_path / "out")
    _attach(switch, inventory, [master, backup])
    switch.carry_multicast(False)
    switch.pretend("nginx")  # the web pair's check looks for it
    for name in (master, backup):
        switch.serve(switch.nodes[name])
    probe = switch.probe(switch.nodes["client"], vip)
    m, b = switch.nodes[master], switch.nodes[backup]
    times: dict[str, float] = {}

    for node in (m, b):
        switch.start(node, out / node.name / "keepalived.conf")
    times["election"] = switch.holds(vip, {master}, 5 * advert + 3)
    switch.stays(vip, {master}, 3 * advert + 0.5)
    switch.wait_for(lambda: probe.first_answer_from(master, 0) is not None, 3, "the client reaches the MASTER")

    since = time.monotonic()
    switch.stop(m)
    times["failover after SIGTERM"] = switch.takes(vip, backup, advert + 2)
    switch.holds(vip, {backup}, 3)
    switch.wait_for(lambda: probe.first_answer_from(backup, since) is not None, 3, "the client reaches the BACKUP")
    times["client follows"] = probe.first_answer_from(backup, since) - since

    switch.start(m, out / master / "keepalived.conf")
    times["take-back after restart"] = switch.holds(vip, {master}, 5 * advert + 3)

    since = time.monotonic()
    switch.crash(m)  # the address stays on the dead node's interface, as after a real crash
    times["take-over after a crash"] = switch.holds(vip, {master, backup}, 4 * advert + 1)
    switch.wait_for(lambda: probe.first_answer_from(backup, since) is not None, 3, "the client reaches the BACKUP")
    switch.start(m, out / master / "keepalived.conf")
    switch.holds(vip, {master}, 5 * advert + 3)
    switch.wait_for(lambda: probe.first_answer_from(master, time.monotonic() - 0.1) is not None, 3, "client back")

    since = time.monotonic()
    switch.cut(m)
    times["take-over after a silent cut"] = switch.holds(vip, {master, backup}, 4 * advert + 1)
    switch.wait_for(lambda: probe.first_answer_from(backup, since) is not None, 3, "the client reaches the BACKUP")
    healed = time.monotonic()
    switch.cut(m, False)
    times["one MASTER after the cut heals"] = switch.holds(vip, {master}, advert + 2)
    switch.wait_for(lambda: probe.first_answer_from(master, healed) is not None, 3, "the client reaches the MASTER")
    times["client back at the MASTER"] = probe.first_answer_from(master, healed) - healed
    assert times["client back at the MASTER"] < 0.5 + advert, "not by gratuitous ARP (ARP expiry takes seconds)"
    assert switch.neighbour(switch.nodes["client"], vip) == m.mac
    with capsys.disabled():
        _report(case, times)


def test_with_nopreempt_a_returning_node_leaves_the_address_where_it_is(switch, tmp_path, capsys):
    text = (REPO / "examples" / "web-pair" / "inventory.yaml").read_text()
    inventory = tmp_path / "inventory.yaml"
    # With nopreempt the check has no weight (kagen generate refuses one: it could not move the VIP).
    text = re.sub(r"\n      weight: .*", "", text.replace("    vrid: 51\n", "    vrid: 51\n    nopreempt: true\n"))
    inventory.write_text(text)
    out = _generate(inventory, tmp_path / "out")
    assert "nopreempt" in (out / "web-a" / "keepalived.conf").read_text()
    _attach(switch, inventory, ["web-a", "web-b"])
    switch.carry_multicast(False)
    switch.pretend("nginx")
    a, b = switch.nodes["web-a"], switch.nodes["web-b"]
    # Both are BACKUP with nopreempt: started together, whichever times out first would keep the
    # address (their master-down intervals differ by 0.04 s), so web-a comes up first.
    switch.start(a, out / "web-a" / "keepalived.conf")
    switch.holds("192.168.0.100", {"web-a"}, 8)
    switch.start(b, out / "web-b" / "keepalived.conf")
    switch.stays("192.168.0.100", {"web-a"}, 4)
    switch.stop(a)
    switch.holds("192.168.0.100", {"web-b"}, 3)
    switch.start(a, out / "web-a" / "keepalived.conf")
    switch.stays("192.168.0.100", {"web-b"}, 5)  # longer than web-a's master-down interval


MULTICAST = FIXTURES / "failover" / "multicast"


def test_the_multicast_pair_users_migrate_from_splits_where_multicast_is_dropped(switch, tmp_path, capsys):
    for name, address in (("web-a", "192.168.0.11/24"), ("web-b", "192.168.0.12/24")):
        switch.add(name, "eth0", address)
    a, b = switch.nodes["web-a"], switch.nodes["web-b"]
    times = {}

    switch.carry_multicast(False)
    since = time.monotonic()
    for node in (a, b):
        switch.start(node, MULTICAST / f"{node.name}.conf")
    switch.holds("192.168.0.100", {"web-a", "web-b"}, 8)
    times["both MASTER (split brain) after"] = time.monotonic() - since
    switch.stays("192.168.0.100", {"web-a", "web-b"}, 3)
    for node in (a, b):
        switch.stop(node)

    switch.carry_multicast(True)
    since = time.monotonic()
    for node in (a, b):
        switch.start(node, MULTICAST / f"{node.name}.conf")
    switch.holds("192.168.0.100", {"web-a"}, 8)
    times["one MASTER on a bridge that carries multicast after"] = time.monotonic() - since
    switch.stays("192.168.0.100", {"web-a"}, 3)
    with capsys.disabled():
        _report("multicast pair", times)

    code = cli.main(["lint", str(MULTICAST)])
    out = capsys.readouterr().out
    assert code == 1
    expected = (
        "KA101 vrrp_instance web runs multicast: it has no unicast_peer; on a network without multicast "
        "every node becomes MASTER. Add unicast_src_ip <this node> and unicast_peer { <the other nodes> } "
        "[multicast-instance]"
    )
    for name in ("web-a", "web-b"):
        assert f"{shown(str(MULTICAST / name) + '.conf')}:6:1: {expected}" in out.splitlines()


def test_a_three_member_group_takes_over_in_priority_order(switch, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("KAGEN_EDGE_PASSWORD", "lab-pass")
    inventory = REPO / "examples" / "eni-group" / "inventory.yaml"
    out = _generate(inventory, tmp_path / "out")
    names = ["lb-1", "lb-2", "lb-3"]
    _attach(switch, inventory, names)
    switch.carry_multicast(False)
    switch.pretend("haproxy")  # the group's check looks for it
    vip = "10.20.8.100"
    nodes = [switch.nodes[name] for name in names]
    times = {}
    for node in nodes:
        switch.start(node, out / node.name / "keepalived.conf")
    times["election"] = switch.holds(vip, {"lb-1"}, 8)
    switch.stays(vip, {"lb-1"}, 3.5)
    for stopped, successor in ((nodes[0], "lb-2"), (nodes[1], "lb-3")):
        switch.stop(stopped)
        times[f"{successor} after {stopped.name} stops"] = switch.takes(vip, successor, 3)
        switch.holds(vip, {successor}, 3)
    switch.start(nodes[1], out / "lb-2" / "keepalived.conf")
    times["lb-2 takes back from lb-3"] = switch.holds(vip, {"lb-2"}, 8)
    switch.start(nodes[0], out / "lb-1" / "keepalived.conf")
    times["lb-1 takes back from lb-2"] = switch.holds(vip, {"lb-1"}, 8)
    with capsys.disabled():
        _report("three-member group, advert_int 1", times)


def test_a_pair_fixed_by_kagen_fix_fails_over_like_a_generated_one(switch, tmp_path, capsys):
    for path in [*MULTICAST.glob("*.conf"), FIXTURES / "fix" / "inventory.yaml"]:
        shutil.copy(path, tmp_path / path.name)
    assert cli.main(["fix", "--inventory", str(tmp_path / "inventory.yaml"), str(tmp_path)]) == 0
    for name, address in (("web-a", "192.168.0.11/24"), ("web-b", "192.168.0.12/24")):
        switch.add(name, "eth0", address)
    switch.carry_multicast(False)
    a, b = switch.nodes["web-a"], switch.nodes["web-b"]
    times = {}
    for node in (a, b):
        switch.start(node, tmp_path / f"{node.name}.conf")
    times["election"] = switch.holds("192.168.0.100", {"web-a"}, 8)
    switch.stays("192.168.0.100", {"web-a"}, 3.5)
    switch.stop(a)
    times["failover after SIGTERM"] = switch.takes("192.168.0.100", "web-b", 3)
    switch.holds("192.168.0.100", {"web-b"}, 3)
    switch.start(a, tmp_path / "web-a.conf")
    times["take-back after restart"] = switch.holds("192.168.0.100", {"web-a"}, 8)
    with capsys.disabled():
        _report("multicast pair after kagen fix", times)
