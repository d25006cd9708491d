"""A vSwitch made of network namespaces, with real keepalived nodes on it: the failover lab.

One namespace holds a Linux bridge (the vSwitch); every node and the client get a namespace of
their own, joined to the bridge by a veth pair whose inner end carries the node's interface name
and address. Like an HAVIP vSwitch, the bridge can be told to carry no multicast (its ports'
``mcast_flood off``: VRRP's 224.0.0.18 is link-local multicast, which the bridge floods, and
flooding then skips those ports) while broadcast, and so ARP, still passes.

A node is cut off silently by setting its bridge port's forwarding state to disabled: frames stop
both ways while both ends of the link stay up. (Setting the port's link down is not silent with
veth: the node's end loses its carrier, and keepalived goes to FAULT and drops the address.)

keepalived runs in each node's namespace in the foreground, in a session of its own, with its
own PID files: it is stopped by its PID (SIGTERM: a clean shutdown, which sends a priority-0
advert) or its whole process group is killed (SIGKILL: a crash; killing only the parent lets its
VRRP child shut down cleanly). Small Python helpers answer UDP on each node and probe the HAVIP
address from the client, so a test sees which node the client's traffic really reaches.

Everything is created with names unique to the run and removed on exit, also after a failure,
an interrupt or a SIGTERM to the test run; only processes started here are stopped, by PID.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from support import lab

POLL = 0.02  # seconds between two looks at the nodes: the resolution of every measured time
PORT = 9  # the UDP port the nodes answer on
ECHO = """
import socket, sys
name = sys.argv[1].encode()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[2])))
while True:
    data, peer = s.recvfrom(64)
    s.sendto(name + b" " + data, peer)
"""
PROBE = """
import socket, sys, time
address, port = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.05)
sequence = 0
while True:
    sequence += 1
    sent = time.monotonic()
    answer = "-"
    try:
        s.sendto(str(sequence).encode(), (address, port))
        while answer == "-":
            data, _ = s.recvfrom(64)
            name, _, number = data.decode().partition(" ")
            if number == str(sequence):
                answer = name
    except OSError:
        pass
    print(f"{sent:.3f} {answer}", flush=True)
    time.sleep(max(0.0, 0.02 - (time.monotonic() - sent)))
"""


def missing_prerequisites() -> str | None:
    """Why the lab cannot run here, or None."""
    return lab.missing_prerequisites(("ip", "bridge", "keepalived"), _bridge_missing)


def _bridge_missing(namespace: str) -> str | None:
    command = ["ip", "-n", namespace, "link", "add", "br0", "type", "bridge"]
    made = subprocess.run(command, capture_output=True, text=True)
    return None if made.returncode == 0 else f"cannot create a Linux bridge: {made.stderr.strip()}"


def _ip(*args: str) -> str:
    return subprocess.run(["ip", *args], check=True, capture_output=True, text=True).stdout


@dataclass
class Node:
    name: str
    namespace: str
    interface: str
    address: str  # with its prefix length
    port: str  # its end on the bridge
    mac: str = ""
    keepalived: subprocess.Popen | None = None
    stopping: subprocess.Popen | None = None
    log: Path | None = None


class Probe:
    """The client's view: every 20 ms one datagram to the address, and which node answered."""

    def __init__(self, process: subprocess.Popen, output: Path) -> None:
        self.process = process
        self.output = output

    def answers(self, since: float) -> list[tuple[float, str]]:
        """(time sent, node that answered or "-") for the datagrams sent after ``since``."""
        found = []
        for line in self.output.read_text().splitlines():
            sent, _, name = line.partition(" ")
            if name and float(sent) >= since:
                found.append((float(sent), name))
        return found

    def first_answer_from(self, node: str, since: float, steady: int = 5) -> float | None:
        """When the answers began to come from ``node`` only (``steady`` in a row), after ``since``."""
        answers = self.answers(since)
        for index, (sent, name) in enumerate(answers):
            window = answers[index : index + steady]
            if name == node and len(window) == steady and all(other == node for _, other in window):
                return sent
        return None


class Switch:
    """The vSwitch and the nodes on it; a context manager that removes all of it on exit."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.run = f"kf{os.getpid() % 100000}{uuid.uuid4().hex[:6]}"
        self.namespace = f"{self.run}-switch"
        self.nodes: dict[str, Node] = {}
        self.namespaces: list[str] = []
        self.processes: list[subprocess.Popen] = []
        self.multicast = True
        self._previous_handler: object = None

    # -- the lab's life -------------------------------------------------------------------------

    def __enter__(self) -> Switch:
        # A SIGTERM to the test run unwinds through __exit__ like an interrupt does.
        self._previous_handler = signal.signal(signal.SIGTERM, _raise_interrupt)
        try:
            self._namespace(self.namespace)
            _ip("-n", self.namespace, "link", "add", "br0", "type", "bridge", "stp_state", "0")
            _ip("-n", self.namespace, "link", "set", "br0", "up")
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)  # each runs in a session (and group) of its own
            process.wait()
        for namespace in reversed(self.namespaces):
            subprocess.run(["ip", "netns", "del", namespace], capture_output=True)
        if self._previous_handler is not None:
            signal.signal(signal.SIGTERM, self._previous_handler)

    def _namespace(self, name: str) -> None:
        _ip("netns", "add", name)
        self.namespaces.append(name)
        _ip("-n", name, "link", "set", "lo", "up")

    def _spawn(self, namespace: str, command: list[str], output: Path) -> subprocess.Popen:
        with open(output, "wb") as out:
            process = subprocess.Popen(
                ["ip", "netns", "exec", namespace, *command],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.processes.append(process)
        return process

    # -- building -------------------------------------------------------------------------------

    def add(self, name: str, interface: str, address: str) -> Node:
        """A node (or the client) on the vSwitch: ``interface`` with ``address`` (with prefix)."""
        index = len(self.nodes)
        node = Node(name, f"{self.run}-n{index}", interface, address, f"p{index}")
        self._namespace(node.namespace)
        _ip(
            "-n",
            self.namespace,
            "link",
            "add",
            node.port,
            "type",
            "veth",
            "peer",
            "name",
            interface,
            "netns",
            node.namespace,
        )
        _ip("-n", self.namespace, "link", "set", node.port, "master", "br0", "up")
        _ip("-n", node.namespace, "addr", "add", address, "dev", interface)
        _ip("-n", node.namespace, "link", "set", interface, "up")
        node.mac = _ip("-n", node.namespace, "-br", "link", "show", interface).split()[2]
        self.nodes[name] = node
        self._flood(node)
        return node

    def carry_multicast(self, carried: bool) -> None:
        """Whether the vSwitch carries multicast (an HAVIP vSwitch does not)."""
        self.multicast = carried
        for node in self.nodes.values():
            self._flood(node)

    def _flood(self, node: Node) -> None:
        subprocess.run(
            [
                "bridge",
                "-n",
                self.namespace,
                "link",
                "set",
                "dev",
                node.port,
                "mcast_flood",
                "on" if self.multicast else "off",
            ],
            check=True,
            capture_output=True,
        )

    def cut(self, node: Node, cut: bool = True) -> None:
        """Stop (or restart) forwarding on the node's bridge port; the node's link stays up."""
        state = "0" if cut else "3"  # disabled / forwarding
        subprocess.run(["bridge", "-n", self.namespace, "link", "set", "dev", node.port, "state", state], check=True)

    def pretend(self, name: str) -> None:
        """A process called ``name`` (a copy of sleep), for health checks that look for it:
        ``pgrep`` sees every namespace's processes, so one stands in for all the nodes' services."""
        program = self.workdir / name
        shutil.copy(shutil.which("sleep") or "/bin/sleep", program)
        self._spawn(self.namespace, [str(program), "3600"], self.workdir / f"{name}.log")

    # -- keepalived -----------------------------------------------------------------------------

    def start(self, node: Node, config: Path) -> None:
        """keepalived's VRRP process in the node's namespace, in the foreground."""
        if node.stopping is not None:
            node.stopping.wait(timeout=10)
            node.stopping = None
        # Fresh PID files each time: after a crash the old ones name PIDs that may be reused.
        run = self.workdir / f"{node.name}-run{len(self.processes)}"
        run.mkdir()
        node.log = run / "keepalived.log"
        pid_files = []
        for option, file in (("-p", "keepalived"), ("-r", "vrrp"), ("-c", "checkers"), ("-b", "bfd")):
            pid_files += [option, str(run / f"{file}.pid")]
        command = ["keepalived", "--dont-fork", "--log-console", "--log-detail", "--vrrp", "-f", str(config)]
        node.keepalived = self._spawn(node.namespace, [*command, *pid_files], node.log)

    def stop(self, node: Node) -> None:
        """A clean stop: SIGTERM to keepalived's PID, which gives the address up with a
        priority-0 advert. Returns at once (keepalived takes about a second to exit); the next
        ``start`` of the node waits for it."""
        assert node.keepalived is not None
        node.keepalived.send_signal(signal.SIGTERM)
        node.stopping, node.keepalived = node.keepalived, None

    def crash(self, node: Node) -> None:
        """keepalived dies at once, with its VRRP child: SIGKILL to its whole process group."""
        assert node.keepalived is not None
        os.killpg(node.keepalived.pid, signal.SIGKILL)
        node.keepalived.wait(timeout=10)
        node.keepalived = None

    # -- what the network shows -----------------------------------------------------------------

    def holders(self, address: str) -> set[str]:
        """The nodes that have ``address`` on an interface now."""
        found = set()
        for node in self.nodes.values():
            shown = _ip("-n", node.namespace, "-4", "-o", "addr", "show")
            if any(word.split("/")[0] == address for word in shown.split()):
                found.add(node.name)
        return found

    def wait_for(self, condition: Callable[[], bool], timeout: float, what: str) -> float:
        """Seconds until ``condition`` holds; an assertion error with the nodes' logs after ``timeout``."""
        start = time.monotonic()
        while not condition():
            if time.monotonic() - start > timeout:
                raise AssertionError(f"not within {timeout} s: {what}\n{self.logs()}")
            time.sleep(POLL)
        return time.monotonic() - start

    def holds(self, address: str, expected: set[str], timeout: float) -> float:
        """Seconds until exactly the ``expected`` nodes hold ``address``."""
        return self.wait_for(lambda: self.holders(address) == expected, timeout, f"{address} held by {expected}")

    def takes(self, address: str, node: str, timeout: float) -> float:
        """Seconds until ``node`` holds ``address`` (whoever else still does)."""
        return self.wait_for(lambda: node in self.holders(address), timeout, f"{node} holds {address}")

    def stays(self, address: str, expected: set[str], seconds: float) -> None:
        """``address`` is held by exactly the ``expected`` nodes all along ``seconds``."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            holders = self.holders(address)
            assert holders == expected, f"{address} held by {holders}, expected {expected}\n{self.logs()}"
            time.sleep(POLL * 5)

    def serve(self, node: Node) -> None:
        """A UDP responder on the node that answers with the node's name."""
        output = self.workdir / f"{node.name}-echo.log"
        self._spawn(node.namespace, [sys.executable, "-c", ECHO, node.name, str(PORT)], output)

    def probe(self, client: Node, address: str) -> Probe:
        output = self.workdir / f"{client.name}-probe.log"
        process = self._spawn(client.namespace, [sys.executable, "-u", "-c", PROBE, address, str(PORT)], output)
        return Probe(process, output)

    def neighbour(self, client: Node, address: str) -> str | None:
        """The MAC address the client sends ``address``'s traffic to, if it has one."""
        words = _ip("-n", client.namespace, "neigh", "show", address, "dev", client.interface).split()
        return words[words.index("lladdr") + 1] if "lladdr" in words else None

    def logs(self) -> str:
        parts = []
        for node in self.nodes.values():
            if node.log is not None and node.log.exists():
                tail = node.log.read_text(errors="replace").splitlines()[-15:]
                parts.append(f"--- {node.name} ({node.log.name}) ---\n" + "\n".join(tail))
        return "\n".join(parts)


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def members(inventory: str, target: str = "2.2.7") -> dict[str, tuple[str, str]]:
    """Each generated node's (interface, address with the vSwitch prefix), from the inventory's plan."""
    from kagen.generate.plan import plan
    from kagen.inventory.load import load
    from kagen.keepalived.keywords import parse_version

    decided = plan(load(inventory), parse_version(target), dict(os.environ))
    found = {}
    for node in decided.nodes:
        instance = node.instances[0]
        prefix = ipaddress.ip_interface(instance.vips[0].split()[0]).network.prefixlen
        found[node.name] = (instance.interface, f"{instance.source}/{prefix}")
    return found
