"""A throwaway network namespace with a real keepalived in it: kagen's referee (the one on PATH,
or another binary: tests/support/referee.py).

``keepalived -t`` needs the interfaces a configuration names, and keepalived's own dump of what it
parsed (``keepalived -n -l -d``) needs it to start. Both run inside a namespace this module creates
(veth pairs stand in for the interfaces: this machine has no dummy link driver) and removes again.
keepalived's checker process needs IPVS before it dumps anything; where the kernel has no ip_vs,
``ipvs_standin.c`` (compiled here) is preloaded to answer its IPVS requests (socket options for
2.2, generic netlink for 2.4).

Only processes started here are stopped, by their PID; nothing outside the namespace is touched.
"""

from __future__ import annotations

import functools
import os
import re
import shlex
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kagen.keepalived.keywords import Version, parse_version

HERE = Path(__file__).parent
_VERSION = re.compile(r"^Keepalived v(\d+(?:\.\d+)+)", re.M)
_TIMESTAMP = re.compile(r"^\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4}: ")
_IFNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,14}$")
_INTERFACE_WORDS = re.compile(r"\b(?:interface|dev|bind_if|lvs_sync_daemon|vrf|default_interface)\s+([^\s{}\"#!]+)")
_TRACK_INTERFACE = re.compile(r"track_interface\s*\{([^}]*)\}")


def missing_prerequisites(
    tools: tuple[str, ...] = ("ip", "keepalived", "gcc"), inside: Callable[[str], str | None] | None = None
) -> str | None:
    """Why the lab cannot run here, or None. ``inside`` checks more in a probe namespace (its
    name given), returning what is missing."""
    if os.geteuid() != 0:
        return "needs root for network namespaces"
    for tool in tools:
        if shutil.which(tool) is None:
            return f"'{tool}' is not installed"
    name = f"kagen-probe-{os.getpid()}"
    probe = subprocess.run(["ip", "netns", "add", name], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"cannot create a network namespace: {probe.stderr.strip()}"
    try:
        return inside(name) if inside is not None else None
    finally:
        subprocess.run(["ip", "netns", "del", name], capture_output=True)


@functools.cache
def _about(keepalived: str) -> str:
    result = subprocess.run([keepalived, "--version"], capture_output=True, text=True, errors="replace", timeout=30)
    return result.stderr + result.stdout


def version_of(keepalived: str) -> Version:
    """The release a keepalived binary says it is (``Keepalived v2.4.3 (07/20,2026)`` on its
    ``--version``): kagen's target version for that binary, read rather than assumed."""
    found = _VERSION.search(_about(keepalived))
    if found is None:
        raise RuntimeError(f"{keepalived} --version says no version: {_about(keepalived)[:200]!r}")
    return parse_version(found.group(1))


def built_with(keepalived: str) -> frozenset[str]:
    """The ``Config options:`` of a keepalived binary (LVS, VRRP, BFD ...): a build without BFD
    refuses the ``-b`` option, for one."""
    found = re.search(r"^Config options:(.*)$", _about(keepalived), re.M)
    return frozenset(found.group(1).split()) if found else frozenset()


def interface_names(text: str) -> set[str]:
    """Interface names a configuration mentions (plus eth0..eth3, which most samples use)."""
    names = {f"eth{i}" for i in range(4)}
    names.update(_INTERFACE_WORDS.findall(text))
    for block in _TRACK_INTERFACE.findall(text):
        names.update(line.split()[0] for line in block.splitlines() if line.split())
    return {name for name in names if _IFNAME.match(name) and name not in ("lo", "all")}


@dataclass
class Verdict:
    """``keepalived -t``: exit status and the messages it printed (line prefixes kept)."""

    status: int
    messages: list[str]


@dataclass
class Instance:
    name: str
    unicast: bool = False
    peers: list[str] = field(default_factory=list)
    vips: list[str] = field(default_factory=list)
    tracked_scripts: list[str] = field(default_factory=list)
    interface: str | None = None
    vrid: str | None = None


@dataclass
class VirtualServer:
    key: str  # "10.0.0.1:80", "fwmark 1" or "group NAME"
    real_servers: list[str] = field(default_factory=list)  # "ADDR:PORT weight W"


@dataclass
class Dump:
    """What keepalived says it parsed."""

    instances: dict[str, Instance] = field(default_factory=dict)
    scripts: dict[str, list[str]] = field(default_factory=dict)
    virtual_servers: list[VirtualServer] = field(default_factory=list)
    log: list[str] = field(default_factory=list)


def parse_dump(output: str) -> Dump:
    """Read the ``------< ... >------`` sections keepalived prints with ``-d``."""
    dump = Dump()
    section = ""
    instance: Instance | None = None
    script: str | None = None
    listing = ""
    for raw in output.splitlines():
        line = _TIMESTAMP.sub("", raw)
        if line.lstrip(" ").startswith("------<"):
            section = line.strip("-<> ")
            continue
        indent = len(line) - len(line.lstrip(" "))
        text = line.strip()
        if indent == 0:
            dump.log.append(text)
            continue
        if section == "VRRP Topology":
            if indent == 1 and text.startswith("VRRP Instance = "):
                instance = Instance(text.split(" = ", 1)[1])
                dump.instances[instance.name] = instance
                listing = ""
            elif instance is not None and indent == 3:
                listing = text.rstrip(":").split(" (")[0].strip() if text.endswith(":") else ""
                key, _, value = text.partition(" = ")
                if key == "Interface":
                    instance.interface = value
                elif key == "Virtual Router ID":
                    instance.vrid = value
            elif instance is not None and indent == 5:
                if listing == "Flags" and text == "Using unicast":
                    instance.unicast = True
                elif listing == "Unicast Peer":
                    instance.peers.append(text.split()[0])
                elif listing == "Virtual IP":
                    instance.vips.append(text)
                elif listing == "Tracked scripts":
                    instance.tracked_scripts.append(text.split()[0])
        elif section == "VRRP Scripts":
            if indent == 1 and text.startswith("VRRP Script = "):
                script = text.split(" = ", 1)[1]
            elif script is not None and text.startswith("Command = "):
                dump.scripts[script] = shlex.split(text.split(" = ", 1)[1])
        elif section in ("Virtual server", "Real server") and text.startswith("VS "):
            if text.startswith("VS VIP = "):
                match = re.match(r"VS VIP = (\S+), VPORT = (\d+)", text)
                dump.virtual_servers.append(VirtualServer(f"{match.group(1)}:{match.group(2)}"))
            elif text.startswith("VS FWMARK = "):
                dump.virtual_servers.append(VirtualServer(f"fwmark {text.split(' = ')[1]}"))
            elif text.startswith("VS GROUP = "):
                dump.virtual_servers.append(VirtualServer(f"group {text.split('[')[1].split(']')[0]}"))
        elif section in ("Virtual server", "Real server") and text.startswith("RIP = ") and dump.virtual_servers:
            match = re.match(r"RIP = (\S+), RPORT = (\d+), WEIGHT = (-?\d+)", text)
            dump.virtual_servers[-1].real_servers.append(f"{match.group(1)}:{match.group(2)} weight {match.group(3)}")
    return dump


class Lab:
    """One network namespace, removed on exit (also after a failure), where one keepalived binary
    (``keepalived`` on PATH unless told) is run."""

    def __init__(self, workdir: Path, keepalived: str = "keepalived") -> None:
        self.workdir = workdir
        self.keepalived = keepalived
        self.name = f"kagen-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.interfaces: set[str] = set()
        self.shim = workdir / "ipvs_standin.so"

    def __enter__(self) -> Lab:
        subprocess.run(
            ["gcc", "-shared", "-fPIC", "-O2", "-o", str(self.shim), str(HERE / "ipvs_standin.c"), "-ldl"],
            check=True,
            capture_output=True,
        )
        subprocess.run(["ip", "netns", "add", self.name], check=True, capture_output=True)
        try:
            self._ip("link", "set", "lo", "up")
        except subprocess.CalledProcessError:
            self.__exit__()
            raise
        return self

    @functools.cached_property
    def version(self) -> Version:
        """The binary's release: the target version that goes with this lab."""
        return version_of(self.keepalived)

    def __exit__(self, *exc: object) -> None:
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)

    def _ip(self, *args: str) -> None:
        subprocess.run(["ip", "-n", self.name, *args], check=True, capture_output=True)

    def provide(self, names: set[str]) -> None:
        """Create the interfaces a configuration needs (each a veth pair, both ends up)."""
        for name in sorted(names - self.interfaces):
            peer = f"kp{len(self.interfaces)}"
            self._ip("link", "add", name, "type", "veth", "peer", "name", peer)
            self._ip("link", "set", name, "up")
            self._ip("link", "set", peer, "up")
            self.interfaces.add(name)

    def _command(self, *args: str) -> list[str]:
        return ["ip", "netns", "exec", self.name, self.keepalived, *args]

    def config_test(self, path: Path, config_id: str | None = None) -> Verdict:
        self.provide(interface_names(path.read_text(errors="replace")))
        args = ["-t", "-f", str(path)] + (["-i", config_id] if config_id else [])
        result = subprocess.run(self._command(*args), capture_output=True, text=True, errors="replace", timeout=60)
        return Verdict(result.returncode, result.stderr.splitlines())

    def dump(self, path: Path, subsystem: str, config_id: str | None = None) -> Dump:
        """What keepalived (``-P`` VRRP or ``-C`` checker only) says it parsed (see raw_dump)."""
        return parse_dump(self.raw_dump(path, subsystem, config_id))

    def raw_dump(self, path: Path, subsystem: str, config_id: str | None = None) -> str:
        """Start keepalived (``-P`` VRRP or ``-C`` checker only) until it has dumped its
        configuration, stop it by its PID, and return what it printed."""
        self.provide(interface_names(path.read_text(errors="replace")))
        run = self.workdir / f"run-{uuid.uuid4().hex[:8]}"
        run.mkdir()
        # The VRRP dump ends with its interface list; the checker dump has no end marker, so it is
        # taken as complete once the output stops growing.
        marker = "------< Interfaces >------" if subsystem == "vrrp" else "------< LVS Topology >------"
        args = [
            "-n",
            "-l",
            "-d",
            "-P" if subsystem == "vrrp" else "-C",
            "-f",
            str(path),
            "-p",
            str(run / "keepalived.pid"),
            "-r",
            str(run / "vrrp.pid"),
            "-c",
            str(run / "checkers.pid"),
        ]
        if "BFD" in built_with(self.keepalived):
            args += ["-b", str(run / "bfd.pid")]
        if config_id:
            args += ["-i", config_id]
        log = run / "output.txt"
        command = ["ip", "netns", "exec", self.name, "env", f"LD_PRELOAD={self.shim}", self.keepalived, *args]
        with open(log, "wb") as out:
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + 5
            size = -1
            while time.monotonic() < deadline and process.poll() is None:
                time.sleep(0.25)
                text = log.read_text(errors="replace")
                if marker in text and len(text) == size:
                    break
                size = len(text)
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        return log.read_text(errors="replace")
