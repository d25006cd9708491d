"""Every multicast configuration of the shared corpus, made unicast by ``kagen fix`` with a
two-member inventory, checked by kagen and by keepalived itself.

Each file is node-a of an inventory written here (node-a 10.200.0.11 with the file as its
``config:``, node-b 10.200.0.12, one cluster and HAVIP per VRID of the file). After the fix:
kagen finds nothing of KA1xx, the diff is the golden one in tests/fixtures/fix/corpus/ and holds
only lines the fixes mean to write, keepalived -t says nothing it did not say of the original
(and accepts the file where it accepted the original), and keepalived's own dump shows every
instance unicast with node-b as its peer.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from kagen import cli
from kagen.keepalived.parse import parse_file
from kagen.lint.settings import Options
from support.helpers import REPO, corpus_files, lint_paths

GOLDEN = REPO / "tests" / "fixtures" / "fix" / "corpus"
CONFIG_ID = "kagen-lab"  # matches no @ID line of the corpus, as in the agreement tests
OWN, PEER = "10.200.0.11", "10.200.0.12"
NOT_CONFIGS = {"doc.keepalived.conf.SYNOPSIS", "tools.json_tracking.template_vrrp_instance.j2"}
# The corpus files with a multicast vrrp_instance (KA101), reviewed by hand.
MULTICAST = {
    "docker.keepalived.conf",
    "etc.keepalived.conf",
    "etc.keepalived.conf.sample.in",
    "keepalived.conf.SSL_GET",
    "keepalived.conf.conditional_conf",
    "keepalived.conf.sample",
    "keepalived.conf.track_interface",
    "keepalived.conf.vrrp",
    "keepalived.conf.vrrp.localcheck",
    "keepalived.conf.vrrp.lvs_syncd",
    "keepalived.conf.vrrp.routes",
    "keepalived.conf.vrrp.rules",
    "keepalived.conf.vrrp.scripts",
    "keepalived.conf.vrrp.static_ipaddress",
    "keepalived.conf.vrrp.sync",
    "test.mk_lots.rendered.conf",
    "www.case-study-failover.1.conf",
    "www.case-study-mixing.1.conf",
}
# What the fixes write (the lines stripped of indentation); every other line stays.
ADDED = {f"unicast_src_ip {OWN}", "unicast_peer {", PEER, "}", "unicast_fault_no_peer", "vmac_xmit_base"}
REMOVED = re.compile(r"(vrrp_strict|strict_mode|vrrp_mcast_group[46]|disable_local_igmp|mcast_(src|dst)_ip)\b")
_WHERE = re.compile(r"^\([^)]*Line \d+\) ")

pytestmark = pytest.mark.skipif(not corpus_files(), reason="shared corpus not found (../shared or $KAGEN_SHARED)")


@dataclass
class Migrated:
    original: Path
    fixed: Path
    code: int
    err: str

    def diff(self) -> str:
        before = self.original.read_text().splitlines(keepends=True)
        after = self.fixed.read_text().splitlines(keepends=True)
        name = self.original.name
        return "".join(difflib.unified_diff(before, after, f"a/{name}", f"b/{name}", n=1))


def _multicast(path: Path) -> bool:
    return bool(lint_paths([str(path)], Options(select=["KA101"], config_id=CONFIG_ID)).findings)


def inventory(config: Path) -> str:
    """Two members, one cluster and HAVIP per VRID of the file; node-a runs ``config``."""
    vrids = sorted({int(i.virtual_router_id) for i in parse_file(str(config), CONFIG_ID).vrrp_instances})
    lines = [
        "vswitches: {vsw: {cidr: 10.200.0.0/24}}",
        f"instances: {{node-a: {{ip: {OWN}, vswitch: vsw}}, node-b: {{ip: {PEER}, vswitch: vsw}}}}",
        "havips:",
        *(f"  h{vrid}: {{vswitch: vsw, members: [node-a, node-b]}}" for vrid in vrids),
        "clusters:",
        *(
            f"  c{vrid}: {{vrid: {vrid}, havip: h{vrid}, members: [{{name: node-a, config: {config.name}}}, node-b]}}"
            for vrid in vrids
        ),
    ]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> dict[str, Migrated]:
    result = {}
    for original in corpus_files():
        if original.name not in MULTICAST:
            continue
        work = tmp_path_factory.mktemp("fix-corpus")
        fixed = work / original.name
        shutil.copy(original, fixed)
        (work / "inventory.yaml").write_text(inventory(fixed))
        errors = io.StringIO()
        with contextlib.redirect_stderr(errors):
            code = cli.main(["fix", "--config-id", CONFIG_ID, "--inventory", str(work / "inventory.yaml"), str(fixed)])
        result[original.name] = Migrated(original, fixed, code, errors.getvalue())
    return result


def test_the_multicast_files_are_the_ones_reviewed():
    found = {path.name for path in corpus_files() if path.name not in NOT_CONFIGS and _multicast(path)}
    assert found == MULTICAST


@pytest.mark.parametrize("name", sorted(MULTICAST))
def test_the_fixed_file_is_unicast_to_kagen(name, migrated, capsys):
    fixed = migrated[name].fixed
    assert "KA101 not fixed" not in migrated[name].err
    assert cli.main(["lint", "--select", "KA1", "--config-id", CONFIG_ID, str(fixed)]) == 0
    assert capsys.readouterr().out == "All checks passed (1 file).\n"


@pytest.mark.parametrize("name", sorted(MULTICAST))
def test_the_diff_holds_only_what_the_fixes_write(name, migrated):
    diff = migrated[name].diff()
    assert diff == (GOLDEN / f"{name}.diff").read_text()
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed, "nothing changed"
    for line in changed:
        text = line[1:].strip(" \t")
        assert (line[0] == "+" and text in ADDED) or (line[0] == "-" and REMOVED.match(text)), line


def _said(messages: list[str]) -> list[str]:
    """keepalived's messages without the file and line they name (the fix moves lines)."""
    return sorted(_WHERE.sub("", message) for message in messages)


@pytest.mark.keepalived
@pytest.mark.parametrize("name", sorted(MULTICAST))
def test_keepalived_accepts_the_fixed_file_as_it_did_the_original(name, migrated, keepalived_lab):
    before = keepalived_lab.config_test(migrated[name].original, CONFIG_ID)
    after = keepalived_lab.config_test(migrated[name].fixed, CONFIG_ID)
    new = [message for message in _said(after.messages) if message not in _said(before.messages)]
    assert new == []
    assert after.status == 0 or before.status != 0


@pytest.mark.keepalived
@pytest.mark.parametrize("name", sorted(MULTICAST))
def test_keepalived_runs_every_instance_unicast(name, migrated, keepalived_lab):
    dump = keepalived_lab.dump(migrated[name].fixed, "vrrp", CONFIG_ID)
    config = parse_file(str(migrated[name].fixed), CONFIG_ID)
    assert sorted(dump.instances) == sorted(instance.name for instance in config.vrrp_instances)
    assert {name: (found.unicast, found.peers) for name, found in dump.instances.items()} == {
        name: (True, [PEER]) for name in dump.instances
    }
