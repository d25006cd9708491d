"""keepalived's own corrections (what it changes, drops or refuses while it completes the
configuration), each tried on the real keepalived of every release the lab has
(``keepalived_release_lab``: the distribution's and the newest) and on kagen with the matching
target version: keepalived's message must be there, and kagen's finding on the line or block it
is about. The cases are issue 17's list; their sources are cited in the rules they test."""

# ruff: noqa: E501 - configurations and expected messages read best on one line each

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest

from kagen.keepalived.keywords import table
from kagen.keepalived.parse import parse_file
from kagen.lint import engine
from kagen.lint.context import FileContext
from kagen.lint.settings import Options

pytestmark = pytest.mark.keepalived

UNICAST = "    unicast_src_ip 10.0.0.1\n    unicast_peer {\n        10.0.0.2\n    }\n    unicast_fault_no_peer\n"


def instance(*body: str, name: str = "VI_1", vrid: str = "51", vip: str = "10.0.0.100/24", unicast: bool = True) -> str:
    lines = "".join(f"    {line}\n" for line in body)
    return (
        f"vrrp_instance {name} {{\n    interface eth0\n    virtual_router_id {vrid}\n"
        f"{UNICAST if unicast else ''}    virtual_ipaddress {{\n        {vip}\n    }}\n{lines}}}\n"
    )


STRICT = "global_defs {\n    vrrp_strict\n}\n"
SCRIPT = 'global_defs {\n    enable_script_security\n    script_user root\n}\nvrrp_script chk {\n    script "/usr/bin/true"\n    weight -30\n}\n'
SERVER = "virtual_server 10.0.0.10 {port} {{\n    lb_algo rr\n    lb_kind {kind}\n    protocol {protocol}\n{extra}    real_server 192.168.2.10 {rport} {{\n    }}\n}}\n"


def server(port: str = "80", kind: str = "DR", protocol: str = "TCP", extra: str = "", rport: str = "80") -> str:
    return SERVER.format(port=port, kind=kind, protocol=protocol, extra=extra, rport=rport)


@dataclass
class Case:
    text: str
    said: str | None  # a regular expression keepalived's output matches (None: it says nothing)
    found: list[str]  # "LINE CODE message start" findings kagen must have
    absent: list[str] = field(default_factory=list)  # codes kagen must not report
    only: bool = False  # kagen reports nothing else (apart from KA101/KA104/KA108 the case brings)


CASES = {
    "strict mode: authentication ignored": Case(
        STRICT + instance("authentication {", "    auth_type PASS", "    auth_pass secret", "}", unicast=False),
        r"\(VI_1\) Strict mode does not support authentication\. Ignoring\.",
        ["10 KA212 strict mode has no authentication: keepalived ignores this block"],
    ),
    "strict mode: state MASTER below priority 255": Case(
        STRICT + instance("state MASTER", "priority 100", unicast=False),
        r"\(VI_1\) State MASTER must match being address owner",
        [
            "10 KA215 strict mode: state MASTER must go with priority 255 (address owner) and only with it; keepalived starts it as BACKUP"
        ],
    ),
    "strict mode: state BACKUP at priority 255": Case(
        STRICT + instance("state BACKUP", "priority 255", unicast=False),
        r"\(VI_1\) State MASTER must match being address owner",
        [
            "10 KA215 strict mode: state BACKUP must go with priority 255 (address owner) and only with it; keepalived starts it as MASTER"
        ],
    ),
    "strict mode: nopreempt kept when state MASTER is turned into BACKUP": Case(
        STRICT + instance("state MASTER", "priority 100", "nopreempt", unicast=False),
        r"\(VI_1\) State MASTER must match being address owner",
        ["10 KA215 strict mode: state MASTER"],
        absent=["KA211"],
    ),
    "strict mode: preempt_delay reset": Case(
        STRICT + instance("state BACKUP", "priority 100", "preempt_delay 10", unicast=False),
        r"\(VI_1\) preempt_delay is incompatible with strict mode - resetting",
        ["12 KA211 preempt_delay is incompatible with strict mode: keepalived resets it"],
    ),
    "track_interface naming the instance's own interface": Case(
        instance("track_interface {", "    eth0", "    eth1 weight 10", "}"),
        r"\(VI_1\) Ignoring track_interface eth0 since own interface",
        ["13 KA220 keepalived ignores track_interface eth0: it is the instance's own interface"],
    ),
    "address owner: weighted track_script ignored": Case(
        SCRIPT + instance("priority 255", "track_script {", "    chk", "}"),
        r"\(VI_1\) ignoring tracked script chk with weights due to address_owner",
        [
            "22 KA220 keepalived ignores script chk, which has a weight: the instance is the address owner (priority 255)"
        ],
    ),
    "address owner: weighted track_interface ignored": Case(
        instance("state MASTER", "track_interface {", "    eth1 weight -10", "}"),
        r"\(VI_1\) ignoring eth1 tracked interface due to address owner",
        [
            "14 KA220 keepalived ignores interface eth1, which has a weight: the instance is the address owner (priority 255)"
        ],
    ),
    "authentication without auth_pass": Case(
        instance("authentication {", "    auth_type PASS", "}"),
        r"\(VI_1\) Authentication specified but no password given\. Ignoring",
        ["12 KA212 authentication without auth_pass: keepalived ignores this block"],
    ),
    "virtual_router_id out of range": Case(
        instance(vrid="256"),
        r"\(VI_1\) the virtual router id must be set",
        [
            "3 KA202 virtual_router_id 256 is outside 1..255: keepalived leaves it unset and runs no VRRP instance at all"
        ],
    ),
    "virtual_router_id missing": Case(
        instance().replace("    virtual_router_id 51\n", ""),
        r"\(VI_1\) the virtual router id must be set",
        ["1 KA207 vrrp_instance VI_1 has no virtual_router_id: keepalived does not start VRRP at all"],
    ),
    "lb_kind keepalived does not know": Case(
        server(kind="NATT"),
        r"no forwarding method set, setting default NAT",
        ["3 KA203 lb_kind 'NATT' is not one of NAT, DR, TUN: keepalived uses NAT"],
    ),
    "protocol keepalived does not know": Case(
        server(protocol="SCTPX"),
        r"no protocol set - defaulting to UDP",
        ["4 KA203 protocol 'SCTPX' is not one of TCP, UDP, SCTP: keepalived uses UDP"],
    ),
    "track_file without file": Case(
        "track_file tf1 {\n    weight 10\n}\n" + instance("track_file {", "    tf1", "}"),
        r"No file set for track_file tf1 - ignoring",
        [
            "1 KA207 track_file tf1 has no file: keepalived ignores it",
            "16 KA301 track_file 'tf1' is defined without file: keepalived ignores it",
        ],
    ),
    "a second lvs_sync_daemon_interface": Case(
        instance("lvs_sync_daemon_interface eth0")
        + instance("lvs_sync_daemon_interface eth0", name="VI_2", vrid="52", vip="10.0.0.101/24"),
        r"\(VI_2\) lvs_sync_daemon_interface has already been specified as eth0 - ignoring",
        [
            "25 KA307 the LVS sync daemon is already set by lvs_sync_daemon_interface in vrrp_instance VI_1: keepalived ignores this lvs_sync_daemon_interface"
        ],
    ),
    "smtp_server that is no host name": Case(
        "global_defs {\n    smtp_server -x\n}\n" + instance(),
        r"Invalid smtp server -x",
        ["2 KA204 smtp_server '-x' is not an IP address or host name"],
    ),
    "smtp_server with a prefix length": Case(
        "global_defs {\n    smtp_server 192.168.200.1/24 25\n}\n" + instance(),
        r"Invalid smtp server 192\.168\.200\.1/24 25",
        ["2 KA204 smtp_server '192.168.200.1/24' is not an IP address or host name"],
    ),
    "persistence_granularity that is no netmask": Case(
        server(extra="    persistence_timeout 60\n    persistence_granularity banana\n"),
        r"Invalid IPv4 persistence_granularity specified - banana",
        ["6 KA204 persistence_granularity 'banana' is not an IPv4 netmask"],
    ),
    "virtual_server port 0 without persistence": Case(
        server(port="0", rport="0"),
        r"zero port only valid for persistent services - setting",
        ["1 KA204 virtual_server 10.0.0.10 has no port (all ports): keepalived makes it persistent"],
    ),
    "virtual_server port 0 with persistence, real_server port 0": Case(
        server(port="0", rport="0", extra="    persistence_timeout 60\n"), None, [], absent=["KA204"]
    ),
    "real_server port 0 takes the virtual server's": Case(server(rport="0"), None, [], absent=["KA204"]),
    "a vrrp_instance defined twice: the second is skipped whole": Case(
        instance(unicast=False)
        + instance(
            "nonsense_kw",
            "state master",
            "authentication {",
            "    auth_type PASS",
            "    auth_pass longpassword",
            "}",
            unicast=False,
        ),
        r"vrrp instance VI_1 already defined",
        ["8 KA302 vrrp_instance VI_1 is already defined at line 1: keepalived skips this one"],
        only=True,
    ),
    "a virtual_server keepalived discards: nothing said of its inside": Case(
        "virtual_server 10.0.0.300 80 {\n    lb_kindd DR\n    real_server 192.168.2.10 0 {\n    }\n}\n",
        r"Invalid virtual server IP address/port 10\.0\.0\.300/80 - skipping",
        ["1 KA204 virtual_server address '10.0.0.300' is not an IP address"],
        only=True,
    ),
    "a block keyword without '{': the block is read all the same": Case(
        instance(unicast=False).replace(" {\n", "\n", 1),
        r"Line 2\) Missing '\{' at beginning of configuration block(.|\n)*Line 7\) Extra '\}' found",
        ["1 KA001 'vrrp_instance VI_1' is not followed by '{'", "7 KA001 '}' with no matching '{'"],
        only=True,
    ),
    "the same virtual IP in two instances of one sync group": Case(
        "vrrp_sync_group G {\n    group {\n        VI_1\n        VI_2\n    }\n}\n"
        + instance()
        + instance(name="VI_2", vrid="52"),
        None,
        [
            "28 KA304 10.0.0.100 is also a virtual IP of VI_1; they are in sync group G and change state together, so one of them is enough [warning]"
        ],
    ),
}
OWN = {"KA101", "KA104", "KA108", "KA208"}  # what the cases' own shape brings (multicast, strict mode)


def _kagen(path, version) -> list[str]:
    options = Options(config_id="kagen-lab", target_version=version)
    ctx = FileContext(str(path), parse_file(str(path), config_id="kagen-lab"), options, table())
    return [
        f"{f.pos.line} {f.code} {f.message}" + (f" [{f.severity}]" if f.severity != f.check.severity else "")
        for f in engine.run([ctx], options).findings
    ]


@pytest.mark.parametrize("name", CASES)
def test_keepalived_says_it_and_kagen_finds_it(name, keepalived_release_lab, tmp_path):
    case = CASES[name]
    path = tmp_path / "keepalived.conf"
    path.write_text(case.text)
    verdict = keepalived_release_lab.config_test(path, "kagen-lab")
    said = "\n".join(verdict.messages)
    if case.said is None:
        assert verdict.status == 0, said
    else:
        assert re.search(case.said, said), said
    findings = _kagen(path, keepalived_release_lab.version)
    for expected in case.found:
        assert any(finding.startswith(expected) for finding in findings), (expected, findings)
    codes = {finding.split()[1] for finding in findings}
    assert not codes & set(case.absent), findings
    if case.only:
        assert codes - OWN == {expected.split()[1] for expected in case.found}, findings
