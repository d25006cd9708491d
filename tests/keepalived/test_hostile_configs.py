"""Hostile and unlucky input to the reader and to kagen lint (issue 15): each case from its minimal
input (tests/fixtures/hostile/), each ending in findings or a clear error, in bounded time and
memory, never an internal error."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from kagen import cli
from kagen.keepalived import includes, source
from support.helpers import REPO

HOSTILE = REPO / "tests" / "fixtures" / "hostile"


def lint(capsys, *args: str) -> tuple[int, list[str], str]:
    status = cli.main(["lint", "--config-id", "x", *args])
    out, err = capsys.readouterr()
    assert "internal error" not in err
    return status, out.splitlines(), err


def findings(lines: list[str], code: str) -> list[str]:
    return [line.split(": ", 1)[1] for line in lines if f": {code} " in line]


def test_a_line_of_300_braces(capsys):
    """It overflowed Python's stack in the reader; keepalived reads it and reports errors."""
    status, out, _ = lint(capsys, str(HOSTILE / "braces.conf"))
    assert status == 1
    assert out[-1] == "Found 600 errors in 1 file."
    assert findings(out, "KA001")[-1].startswith("KA001 unexpected '{' after 'a', an unknown keyword")


def test_unicode_digits_are_not_numbers(capsys):
    """isdigit() is true for '²' and int() then failed; keepalived reads ASCII digits only."""
    status, out, _ = lint(capsys, str(HOSTILE / "unicode-digits.conf"))
    assert status == 1
    assert findings(out, "KA201") == ["KA201 priority '²' is not a whole number [invalid-number]"]
    assert findings(out, "KA204") == ["KA204 prefix /² is not 0..32: keepalived uses /32 [invalid-address]"]


def test_a_pair_with_unicode_and_huge_numbers(capsys):
    """priority '²' and a 5,000-digit priority compared by the pair rules, a weight '²' and '+-5'
    on a tracked script of a sync group: each crashed int()."""
    status, out, _ = lint(capsys, str(HOSTILE / "pair-a.conf"), str(HOSTILE / "pair-b.conf"))
    assert status == 1
    assert findings(out, "KA213") == [
        "KA213 weight ² is not a whole number [invalid-entry]",
        "KA213 weight +-5 is not a whole number [invalid-entry]",
    ]
    assert (
        findings(out, "KA201")[-1]
        == "KA201 virtual_router_id '²' is not a whole number: keepalived leaves it unset and runs no VRRP "
        "instance at all [invalid-number]"
    )


@pytest.mark.parametrize(
    "name, message",
    [
        # a bound of 5,000 digits crashed int(); strtol saturates
        ("seq-bound.conf", "~SEQ would generate 9223372036854775807 lines (kagen stops at 100000)"),
        # a 53-byte line of three nested ~SEQ took minutes and gigabytes
        ("nested-seq.conf", "this ~SEQ/~LST inside another would make 10000000000 lines (kagen stops at 100000)"),
        # 26 brace groups make 67 million patterns: counted as they are made
        ("include-braces.conf", "include '/nonexistent/" + "{a,b}" * 26 + "' has more than 1000 brace alternatives"),
    ],
)
def test_expansion_is_counted_before_it_is_done(capsys, name, message):
    start = time.monotonic()
    status, out, _ = lint(capsys, str(HOSTILE / name))
    assert time.monotonic() - start < 10  # a bound on a hang, not a benchmark
    assert status == 1
    assert findings(out, "KA007") == [f"KA007 {message} [expansion-limit]"]


def test_include_glob_bomb_stops_while_listing(tmp_path, monkeypatch):
    monkeypatch.setitem(source.LIMITS, "files", 5)  # so the listing cap is 50 matches
    for index in range(60):
        (tmp_path / f"{index:02}.conf").write_text("")
    (tmp_path / "main.cfg").write_text("include *.conf\ninclude 0*.conf\n")
    result = source.read_config(str(tmp_path / "main.cfg"), "x")
    assert [(d.pos.line, d.code, d.message) for d in result.diagnostics] == [
        (1, "KA007", "include '*.conf' matches more than 50 files"),
        (2, "KA007", "more than 5 files included"),
    ]
    assert includes.expand_braces("{a,b}" * 20, 1000) is None  # a million: not made


@pytest.mark.parametrize("text", ["a\n", "vrrp_instance V {\n", "x\n@^x y\n"])
def test_the_logical_line_cap_holds_for_every_kind_of_line(monkeypatch, text):
    """Plain lines took a fast path that did not count (2.1M lines: no KA007, 1.4 GB)."""
    monkeypatch.setitem(source.LIMITS, "lines", 1000)
    result = source.read_text(text * 2000, "t.conf", "x")
    assert len(result.lines) == 1000
    assert [(d.code, d.message) for d in result.diagnostics if d.code == "KA007"] == [
        ("KA007", "more than 1,000 logical lines; kagen stops reading here")
    ]


def test_devices_kernel_files_and_pipes(tmp_path, capsys):
    status, _, err = lint(capsys, "/dev/zero")
    assert (status, err) == (2, "kagen: error: /dev/zero: is a device, not a file kagen reads\n")
    if os.path.exists("/proc/kmsg"):
        (tmp_path / "x.conf").symlink_to("/proc/kmsg")
        status, _, err = lint(capsys, str(tmp_path / "x.conf"))
        reason = "is a kernel interface file (/proc, /sys); kagen does not read them"
        assert err == f"kagen: error: {tmp_path / 'x.conf'}: {reason}\n"
        assert status == 2
        (tmp_path / "x.conf").unlink()
    os.mkfifo(tmp_path / "fifo.conf")
    (tmp_path / "kmsg.conf").symlink_to("/proc/kmsg" if os.path.exists("/proc/kmsg") else "/dev/zero")
    (tmp_path / "good.conf").write_text((REPO / "examples" / "web-pair" / "web-a.conf").read_text())
    status, out, _ = lint(capsys, str(tmp_path))  # a walk meets a FIFO and a link into /proc: skipped
    assert (status, out[-1]) == (0, "All checks passed (1 file).")


def test_standard_input_and_pipes_are_capped():
    big = subprocess.run(
        [sys.executable, "-m", "kagen", "lint", "-"],
        input=b"a\n" * (9 * 2**20),
        capture_output=True,
        cwd="/",
    )
    assert (big.returncode, big.stderr) == (
        2,
        b"kagen: error: <stdin>: more than 16 MiB; kagen reads files of at most 16 MiB\n",
    )
    small = subprocess.run(
        ["bash", "-c", f"kagen lint <(cat {REPO / 'examples' / 'web-pair' / 'web-a.conf'})"],
        capture_output=True,
        text=True,
    )
    assert (small.returncode, small.stdout) == (0, "All checks passed (1 file).\n")
