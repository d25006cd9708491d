"""Property-based fuzzing (hypothesis) of the reader, kagen lint in every format with the pair
rules, kagen parse and kagen fix, on text built from keepalived's own pieces (keywords, braces,
addresses, parameters, ~SEQ/~LST, conditionals, includes, quotes, comments) mixed with arbitrary
characters, as a pair of files.

Whatever the input: no exception escapes (no "internal error"), the exit status is 0, 1 or 2, and
time and memory stay within a bound proportional to the work: the bytes read and the logical
lines they make (which the reader's own limits cap). Bounded so that CI stays quick; set
KAGEN_FUZZ_EXAMPLES for a longer run (and KAGEN_FUZZ_RANDOM=1 for new examples each time).
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import time
import tracemalloc
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kagen import cli
from kagen.keepalived.source import read_config

EXAMPLES = int(os.environ.get("KAGEN_FUZZ_EXAMPLES", "60"))
RANDOM = os.environ.get("KAGEN_FUZZ_RANDOM") == "1"

KEYWORDS = [
    "global_defs", "vrrp_instance", "vrrp_script", "vrrp_sync_group", "virtual_server", "real_server",
    "virtual_ipaddress", "unicast_peer", "unicast_src_ip", "track_script", "authentication", "auth_pass",
    "auth_type", "state", "priority", "interface", "virtual_router_id", "advert_int", "script", "weight",
    "notify_master", "group", "nopreempt", "vrrp_strict", "lvs_sched", "protocol", "TCP_CHECK", "include",
    "virtual_routes", "virtual_rules", "static_ipaddress", "use_vmac", "mcast_src_ip", "version",
]  # fmt: skip
WORDS = [
    "V", "VI_1", "eth0", "MASTER", "BACKUP", "51", "150", "255", "0", "-1", "+5", "²", "1e3", "0x10",
    "10.0.0.1", "10.0.0.2", "10.0.0.100/24", "fd00::1", "224.0.0.18", "dev", "via", "table", "PASS",
    "secret!x", "'x", '"', '"/bin/true x"', "\\", "\\#", "{{ x }}", "$X", "${X}", "${_RANDOM 1 5}",
]  # fmt: skip
PIECES = [
    "{", "}", "\n", " ", "\t", "#", "!", "@x ", "@^x ", "$X=", "$X=a \\\n", "~SEQ(i, ", "~LST(i, a, b) ",
    "~SEQ(j, 3) ", ")", "include *.conf\n", "include b.conf\n", "\r\n", "\x00", "\ufeff",
]  # fmt: skip

token = st.one_of(
    st.sampled_from(KEYWORDS),
    st.sampled_from(WORDS),
    st.sampled_from(PIECES),
    st.integers(min_value=-3, max_value=60).map(str),
    st.text(max_size=6),
)
statement = st.lists(token, min_size=1, max_size=8).map(" ".join)
config = st.lists(statement, max_size=30).map("\n".join)


def _measured(argv: list[str]) -> tuple[int, str, float, int]:
    """Exit status, standard error, seconds and peak traced bytes of one in-process run."""
    err = io.StringIO()
    tracemalloc.start()
    start = time.perf_counter()
    try:
        out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace")  # fix writes bytes
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = cli.main(argv)
    finally:
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return status, err.getvalue(), seconds, peak


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not RANDOM,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(first=config, second=config)
def test_no_input_escapes_the_bounds(first, second):
    with tempfile.TemporaryDirectory() as directory:
        a, b = Path(directory) / "a.conf", Path(directory) / "b.conf"
        a.write_text(first, encoding="utf-8", errors="surrogateescape")
        b.write_text(second, encoding="utf-8", errors="surrogateescape")
        work = sum(
            path.stat().st_size + len(read_config(str(path), "x").lines) for path in (a, b)
        )  # bytes read and logical lines made
        files = [str(a), str(b)]
        runs = [
            *(["lint", "--config-id", "x", "--format", fmt, *files] for fmt in ("text", "json", "sarif", "github")),
            ["parse", "--json", "--config-id", "x", *files],
            ["fix", "--diff", "--config-id", "x", *files],
        ]
        for argv in runs:
            status, err, seconds, peak = _measured(argv)
            assert status in (0, 1, 2), argv
            assert "internal error" not in err, (argv, err)
            assert seconds < 5 + 0.001 * work, (argv, seconds, work)
            assert peak < 32 * 2**20 + 4096 * work, (argv, peak, work)
