"""keepalived reads every corpus sample exactly as before after ``kagen fmt``: its own dump of
what it parsed (``keepalived -d``, VRRP and checker processes, started as the agreement tests
start it) is the same before and after, up to what changes from run to run (times, process ids,
the run directory) and the line numbers in its messages."""

from __future__ import annotations

import re

import pytest

from kagen.format.run import format_bytes
from support.helpers import corpus_files

CONFIG_ID = "kagen-lab"  # matches no @ID line of the corpus, as in the agreement tests
SAMPLES = {path.name: path for path in corpus_files()}
# What differs between two runs of the same file, and the line numbers the layout moves.
VOLATILE = [
    (re.compile(r"^\w{3} \w{3} +\d+ [\d:]+ \d{4}: "), ""),
    (re.compile(r"run-[0-9a-f]{8}"), "run-X"),
    (re.compile(r"pid[= ]\d+"), "pid=N"),
    (re.compile(r"seq=\d+"), "seq=N"),
    (re.compile(r"index = \d+"), "index = N"),  # the lab's interfaces, made as configurations name them
    (re.compile(r"[Ll]ine \d+"), "line N"),
    # A tracked script's run state: whether it ran before the dump depends on the machine's load.
    (re.compile(r"^(\s+)(Status = \w+|Result = -?\d+|State = (idle|running|forked))$"), r"\1<script run state>"),
    (re.compile(r"[Ee]ffective priority = \d+"), "effective priority = N"),
]
# Their place or count depends on timing: events of the running instances, not what was read.
UNORDERED = (
    "Startup complete",
    "Reset ARP config counter",
    "Changing effective priority",
    "now returning",
    "VRRP_Script(",
)

pytestmark = [
    pytest.mark.keepalived,
    pytest.mark.slow,
    pytest.mark.skipif(not SAMPLES, reason="shared corpus not found (../shared or $KAGEN_SHARED)"),
]


def _normal(output: str) -> tuple[list[str], list[str]]:
    """The dump's indented lines in order, and its log lines sorted."""
    dump, log = [], []
    for line in output.splitlines():
        for pattern, replacement in VOLATILE:
            line = pattern.sub(replacement, line)
        if any(part in line for part in UNORDERED):
            continue
        (dump if line.startswith(" ") else log).append(line)
    return dump, sorted(log)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_keepalived_reads_the_formatted_file_alike(name, keepalived_lab, tmp_path):
    data = SAMPLES[name].read_bytes()
    path = tmp_path / "keepalived.conf"
    result = format_bytes(data, str(path), str(path), config_id=CONFIG_ID)
    if result.formatted is None:
        assert name == "tools.json_tracking.template_vrrp_instance.j2", result.problem  # a Jinja template
        return
    if not result.changed:
        return
    # The checker process dumps only where there are virtual servers (else its dump has no end
    # to wait for); the VRRP process dumps the global settings too.
    processes = ("vrrp", "check") if b"virtual_server" in data else ("vrrp",)
    dumps = {}
    for when, text in (("before", data), ("after", result.formatted)):
        path.write_bytes(text)
        dumps[when] = [_normal(keepalived_lab.raw_dump(path, process, CONFIG_ID)) for process in processes]
    assert dumps["after"] == dumps["before"]
    assert any(dump for dump, _ in dumps["before"])  # keepalived did dump something
