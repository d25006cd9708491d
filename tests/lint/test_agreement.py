"""kagen reads configurations the way keepalived does: compared with keepalived's own dump.

For every sample (the shared corpus, the repository's own tricky configurations and the shipped
examples) and every keepalived release kagen is measured against (the distribution's and the
newest, tests/support/referee.py), keepalived is started briefly in a network namespace; the VRRP
instances it kept, with their unicast mode, peers and virtual IPs, the vrrp_scripts and the
virtual servers with their real servers must be what kagen's model says; kagen's multicast errors
(KA1xx), for that release as the target, follow keepalived's own decision.
"""

from __future__ import annotations

import ipaddress
import subprocess
from pathlib import Path

import pytest

from kagen.diagnostics import Severity
from kagen.keepalived.keywords import Version, table
from kagen.keepalived.model import Config
from kagen.keepalived.parse import parse_file
from kagen.lint import engine
from kagen.lint.context import FileContext
from kagen.lint.rules.entries import REPEATS_IGNORED
from kagen.lint.settings import Options
from support.helpers import REPO, corpus_files
from support.lab import Dump

# Matches no "@ID" line of any sample: the corpus uses @high/@low to switch net_namespace, which
# keepalived would try to enter.
CONFIG_ID = "kagen-lab"
NOT_CONFIGS = {"doc.keepalived.conf.SYNOPSIS", "tools.json_tracking.template_vrrp_instance.j2"}
OWN = [*sorted((REPO / "tests" / "configs").glob("*.conf")), REPO / "tests" / "configs" / "include" / "main.conf"]
# The working examples (examples/broken is wrong on purpose: keepalived keeps nothing of it).
EXAMPLES = sorted(path for path in (REPO / "examples").rglob("*.conf") if path.parent.name != "broken")
SAMPLES = [path for path in corpus_files() if path.name not in NOT_CONFIGS] + OWN + EXAMPLES


def _ids(path: Path) -> str:
    return str(path.relative_to(path.parents[1]))


def _interface(text: str) -> str:
    """A VIP as keepalived dumps it ("10.0.0.1/24 dev eth0 scope global") -> "10.0.0.1/24"."""
    return str(ipaddress.ip_interface(text.split()[0]))


def _vrrp_view(config: Config, version: tuple[int, ...]) -> dict[str, tuple]:
    """What kagen's model says keepalived of ``version`` keeps: from 2.3.3 not a repeated peer or
    virtual IP."""
    dropped = version >= REPEATS_IGNORED
    view = {}
    for instance in config.vrrp_instances:
        view[instance.name] = (
            instance.unicast,
            sorted(str(p.address) for p in instance.unicast_peers if p.valid and not (dropped and p.repeats)),
            sorted(
                f"{vip.address}/{vip.network_prefix}"
                for vip in instance.virtual_ipaddresses
                if vip.valid and not (dropped and vip.repeats)
            ),
        )
    return view


def _dump_view(dump: Dump) -> dict[str, tuple]:
    return {
        name: (
            found.unicast,
            sorted(str(ipaddress.ip_address(peer)) for peer in found.peers),
            sorted(_interface(vip) for vip in found.vips),
        )
        for name, found in dump.instances.items()
    }


def _command(argv: list[str]) -> list[str]:
    """keepalived dumps the command after resolving it on PATH; compare the name and arguments."""
    return [Path(argv[0]).name, *argv[1:]]


def test_samples_are_present():
    assert OWN and EXAMPLES


@pytest.mark.keepalived
@pytest.mark.parametrize("path", [p for p in SAMPLES if "vrrp_instance" in p.read_text(errors="replace")], ids=_ids)
def test_vrrp_agrees_with_keepalived(keepalived_release_lab, path):
    config = parse_file(str(path), CONFIG_ID)
    dump = keepalived_release_lab.dump(path, "vrrp", CONFIG_ID)
    ours = _vrrp_view(config, keepalived_release_lab.version)
    theirs = _dump_view(dump)
    assert theirs, f"keepalived kept no VRRP instance from {path.name}: {dump.log[-5:]}"
    # keepalived drops an instance only with an error naming it; none of the samples has one.
    assert set(ours) == set(theirs)
    assert ours == theirs

    scripts = {script.name: script.script for script in config.vrrp_scripts}
    for name, argv in dump.scripts.items():
        assert scripts[name] is not None and _command(scripts[name].argv) == _command(argv)
    for name in set(scripts) - set(dump.scripts):
        if any(f"Disabling track script {name} due to insecure" in line for line in dump.log):
            # The script's path is insecure on this machine (2.4's check walks the path as written:
            # /bin is a link where /usr is merged): not the configuration's doing.
            continue
        # keepalived removes a vrrp_script without a script command, and says so.
        assert scripts[name] is None
        assert any(f"No script set for vrrp_script {name}" in line for line in dump.log)


@pytest.mark.keepalived
@pytest.mark.parametrize("path", [p for p in SAMPLES if "virtual_server" in p.read_text(errors="replace")], ids=_ids)
def test_virtual_servers_agree_with_keepalived(keepalived_release_lab, path):
    config = parse_file(str(path), CONFIG_ID)
    dump = keepalived_release_lab.dump(path, "check", CONFIG_ID)
    ours = []
    for vs in config.virtual_servers:
        key = f"group {vs.group}" if vs.group else f"fwmark {vs.fwmark}" if vs.fwmark else f"{vs.address}:{vs.port}"
        servers = [f"{rs.address}:{rs.port or 0} weight {rs.weight or 1}" for rs in vs.real_servers]
        ours.append((key, sorted(servers)))
    theirs = [(vs.key, sorted(vs.real_servers)) for vs in dump.virtual_servers]
    assert theirs, f"keepalived kept no virtual server from {path.name}: {dump.log[-5:]}"
    assert sorted(ours) == sorted(theirs)


@pytest.mark.keepalived
def test_lab_leaves_no_process_behind(keepalived_release_lab):
    """The dump helper stops keepalived by its PID: nothing of ours is left in the namespace."""
    keepalived_release_lab.dump(REPO / "examples" / "web-pair" / "web-a.conf", "vrrp")
    pids = subprocess.run(["ip", "netns", "pids", keepalived_release_lab.name], capture_output=True, text=True)
    assert pids.stdout.split() == []


def _ka1_errors(config_path: Path, target: Version) -> dict[str, set[str]]:
    """KA1xx error codes found inside each vrrp_instance of a file, for keepalived ``target``."""
    options = Options(config_id=CONFIG_ID, target_version=target)
    ctx = FileContext(str(config_path), parse_file(str(config_path), CONFIG_ID), options, table())
    findings = [
        f for f in engine.run([ctx], options).findings if f.code.startswith("KA1") and f.severity is Severity.ERROR
    ]
    codes: dict[str, set[str]] = {}
    for instance in ctx.config.vrrp_instances:
        end = instance.end.line if instance.end is not None else 10**9
        codes[instance.name] = {
            f.code for f in findings if f.pos.file == instance.line.pos.file and instance.line.line <= f.pos.line <= end
        }
    return codes


# Unicast instances that are unsafe all the same (strict mode refuses the peers at run time, a node
# that lists itself, a peer keepalived drops) keep their KA1xx error.
UNSAFE = {"KA104", "KA105", "KA107"}


@pytest.mark.keepalived
@pytest.mark.parametrize("path", [p for p in SAMPLES if "vrrp_instance" in p.read_text(errors="replace")], ids=_ids)
def test_multicast_errors_follow_keepalived_own_decision(keepalived_release_lab, path):
    dump = keepalived_release_lab.dump(path, "vrrp", CONFIG_ID)
    codes = _ka1_errors(path, keepalived_release_lab.version)
    for name, found in dump.instances.items():
        if found.unicast:
            assert codes[name] <= UNSAFE, f"{name} runs unicast but kagen says {codes[name]}"
        else:
            assert "KA101" in codes[name], f"{name} runs multicast but kagen has no KA101"
