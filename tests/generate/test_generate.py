"""``kagen generate``: byte-exact golden files, every generated file clean for kagen lint and
accepted by keepalived -t, --check and its diff, ownership of files on disk, problems with the
inventory, and what a run that fails half-way leaves behind.

Goldens: tests/fixtures/generate/CASE/expected, made with
    kagen generate INVENTORY -o tests/fixtures/generate/CASE/expected
(the eni-group case with KAGEN_EDGE_PASSWORD=s3cret; CASE tencent, volcengine, huawei from
examples/CASE/inventory.yaml)."""

from __future__ import annotations

import json
import os
import random
import stat
from pathlib import Path

import pytest

from kagen import cli
from kagen.generate import write
from support.helpers import REPO

FIXTURES = REPO / "tests" / "fixtures" / "generate"
CASES = {
    "web-pair": (REPO / "examples" / "web-pair" / "inventory.yaml", {}),
    "eni-group": (REPO / "examples" / "eni-group" / "inventory.yaml", {"KAGEN_EDGE_PASSWORD": "s3cret"}),
    "sync-pairs": (FIXTURES / "sync-pairs" / "inventory.yaml", {}),
    # one per other provider: a pair and an ENI/port group (examples/PROVIDER/inventory.yaml)
    "tencent": (REPO / "examples" / "tencent" / "inventory.yaml", {}),
    "volcengine": (REPO / "examples" / "volcengine" / "inventory.yaml", {}),
    "huawei": (REPO / "examples" / "huawei" / "inventory.yaml", {}),
}


def _tree(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def _generate(monkeypatch, capsys, *args: str, env: dict | None = None) -> tuple[int, str, str]:
    for name, value in (env or {}).items():
        monkeypatch.setenv(name, value)
    code = cli.main(["generate", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_files(case, tmp_path, monkeypatch, capsys):
    inventory, env = CASES[case]
    code, out, err = _generate(monkeypatch, capsys, str(inventory), "-o", str(tmp_path / "out"), env=env)
    assert code == 0, err
    assert _tree(tmp_path / "out") == _tree(FIXTURES / case / "expected")
    assert sorted(out.splitlines()) == [str(tmp_path / "out" / name) for name in _tree(tmp_path / "out")]


@pytest.mark.parametrize("case", sorted(CASES))
def test_generated_files_lint_clean_with_the_inventory(case, tmp_path, monkeypatch, capsys):
    inventory, env = CASES[case]
    assert _generate(monkeypatch, capsys, str(inventory), "-o", str(tmp_path), env=env)[0] == 0
    code = cli.main(["lint", "--strict", "--inventory", str(inventory), str(tmp_path)])
    out = capsys.readouterr().out
    assert (code, out.splitlines()[-1]) == (0, f"All checks passed ({len(_tree(tmp_path))} files).")


@pytest.mark.keepalived
@pytest.mark.parametrize("case", sorted(CASES))
def test_keepalived_accepts_every_generated_file(case, keepalived_lab):
    for path in sorted((FIXTURES / case / "expected").glob("*/keepalived.conf")):
        verdict = keepalived_lab.config_test(path)
        assert (path.parent.name, verdict.status, verdict.messages) == (path.parent.name, 0, [])


def test_a_second_run_writes_nothing(tmp_path, monkeypatch, capsys):
    inventory = str(CASES["web-pair"][0])
    _generate(monkeypatch, capsys, inventory, "-o", str(tmp_path))
    before = {path: os.stat(path).st_mtime_ns for path in tmp_path.rglob("*")}
    code, out, err = _generate(monkeypatch, capsys, inventory, "-o", str(tmp_path))
    assert (code, out) == (0, "")
    assert f"kagen: 0 files written, 3 unchanged in {tmp_path}" in err
    assert {path: os.stat(path).st_mtime_ns for path in tmp_path.rglob("*")} == before


def test_files_with_a_password_are_private(tmp_path, monkeypatch, capsys):
    inventory, env = CASES["eni-group"]
    _generate(monkeypatch, capsys, str(inventory), "-o", str(tmp_path), env=env)
    modes = {name: stat.S_IMODE((tmp_path / name).stat().st_mode) for name in _tree(tmp_path)}
    assert modes == {
        "havip.tf.json": 0o644,
        "lb-1/keepalived.conf": 0o600,
        "lb-2/keepalived.conf": 0o600,
        "lb-3/keepalived.conf": 0o600,
    }


def test_check_reports_drift_with_a_diff_and_masks_passwords(tmp_path, monkeypatch, capsys):
    inventory, env = CASES["eni-group"]
    out_dir = str(tmp_path)
    _generate(monkeypatch, capsys, str(inventory), "-o", out_dir, env=env)
    assert _generate(monkeypatch, capsys, "--check", str(inventory), "-o", out_dir)[:2] == (0, "")

    conf = tmp_path / "lb-1" / "keepalived.conf"
    conf.write_text(conf.read_text().replace('auth_pass "s3cret"', 'auth_pass "0ldpass"').replace("150", "140"))
    (tmp_path / "lb-3" / "keepalived.conf").unlink()
    before = _tree(tmp_path)
    code, out, err = _generate(monkeypatch, capsys, "--check", str(inventory), "-o", out_dir)
    assert code == 1
    assert _tree(tmp_path) == before
    assert "s3cret" not in out + err and "0ldpass" not in out + err
    assert f"--- {conf}\n+++ {conf}\n" in out
    assert '-        auth_pass "********"\n+        auth_pass "********"\n' in out
    assert "-    priority 140\n+    priority 150\n" in out
    assert f"--- /dev/null\n+++ {tmp_path / 'lb-3' / 'keepalived.conf'}\n" in out
    assert "kagen: 2 of 4 files differ from the inventory" in err


def test_a_file_kagen_did_not_write_is_replaced_only_with_force(tmp_path, monkeypatch, capsys):
    inventory = str(CASES["web-pair"][0])
    mine = tmp_path / "web-a" / "keepalived.conf"
    mine.parent.mkdir()
    mine.write_text("# my own config\n")
    code, _, err = _generate(monkeypatch, capsys, inventory, "-o", str(tmp_path))
    assert code == 2
    assert err == f"kagen: error: {mine}: not generated by kagen; use --force to replace it (nothing was written)\n"
    assert _tree(tmp_path) == {"web-a/keepalived.conf": b"# my own config\n"}
    assert _generate(monkeypatch, capsys, inventory, "-o", str(tmp_path), "--force")[0] == 0
    assert mine.read_bytes() == (FIXTURES / "web-pair" / "expected" / "web-a" / "keepalived.conf").read_bytes()


def test_a_node_that_left_the_inventory_is_reported(tmp_path, monkeypatch, capsys):
    inventory = str(CASES["web-pair"][0])
    _generate(monkeypatch, capsys, inventory, "-o", str(tmp_path))
    old = tmp_path / "web-c" / "keepalived.conf"
    old.parent.mkdir()
    old.write_bytes((tmp_path / "web-a" / "keepalived.conf").read_bytes())
    code, _, err = _generate(monkeypatch, capsys, inventory, "-o", str(tmp_path))
    assert code == 0
    assert f"kagen: warning: {old} was generated for a node the inventory no longer has\n" in err
    assert old.exists()


def _inventory(tmp_path: Path, text: str) -> str:
    path = tmp_path / "inventory.yaml"
    path.write_text(text)
    return str(path)


PAIR = """\
vswitches: {vsw: {cidr: 192.168.0.0/24}}
instances:
  a: {ip: 192.168.0.11, vswitch: vsw}
  b: {ip: 192.168.0.12, vswitch: vsw}
havips:
  web: {address: 192.168.0.100, vswitch: vsw, members: [a, b]}
clusters:
  web:
    havip: web
    vrid: 51
"""


@pytest.mark.parametrize(
    ("change", "env", "problem"),
    [
        (
            ("{address: 192.168.0.100,", "{address: auto,"),
            {},
            "6: havips.web.address: needed to generate: keepalived must name the address (create the HAVIP "
            "and kagen import it, or write the address here)",
        ),
        (
            ("vrid: 51\n", "vrid: 51\n    auth: {password_env: KAGEN_TEST_PASS}\n"),
            {"KAGEN_TEST_PASS": "much-too-long"},
            "8: clusters.web.auth: the password from $KAGEN_TEST_PASS is 13 characters; VRRP PASS authentication "
            "uses 8 and keepalived would cut it",
        ),
        (
            ("vrid: 51\n", "vrid: 51\n    auth: {password_env: KAGEN_TEST_PASS}\n"),
            {"KAGEN_TEST_PASS": 'a"b c'},
            "8: clusters.web.auth: the password from $KAGEN_TEST_PASS has a character keepalived cannot read as "
            'written in a quoted word (blank, control, non-ASCII, or one of " # ! { } \\ $; keepalived replaces '
            "$NAME even in quotes)",
        ),
        (  # issue 15: a '$' printed the rest of the password in a KA015 message
            ("vrid: 51\n", "vrid: 51\n    auth: {password_env: KAGEN_TEST_PASS}\n"),
            {"KAGEN_TEST_PASS": "q$Zk7Wm"},
            "8: clusters.web.auth: the password from $KAGEN_TEST_PASS has a character keepalived cannot read as "
            'written in a quoted word (blank, control, non-ASCII, or one of " # ! { } \\ $; keepalived replaces '
            "$NAME even in quotes)",
        ),
        (
            ("vrid: 51\n", "vrid: 51\n    auth: {password_env: KAGEN_UNSET_PASS}\n"),
            {},
            "8: clusters.web.auth: the environment variable KAGEN_UNSET_PASS is not set",
        ),
        (
            ("vrid: 51\n", "vrid: 51\n    auth: {password_file: missing.pass}\n"),
            {},
            "8: clusters.web.auth: cannot read the password file missing.pass: No such file or directory",
        ),
        (
            ("vrid: 51\n", "vrid: 51\n    auth: {type: PASS}\n"),
            {},
            "8: clusters.web.auth: needs password_env or password_file: kagen does not take passwords from the "
            "inventory",
        ),
        (
            ("vrid: 51\n", "vrid: 51\n    options: {state: MASTER}\n"),
            {},
            "8: clusters.web.options.state: kagen sets this from the inventory; it cannot be an option",
        ),
        (
            ("vrid: 51\n", "vrid: 51\n    options: {track_interface: eth1}\n"),
            {},
            "8: clusters.web.options.track_interface: 'track_interface' is not a vrrp_instance setting kagen can write",
        ),
        (
            ("vrid: 51\n", "vrid: 51\n    options: {vrrp_mcast_group4: 224.0.0.18}\n"),
            {},
            "8: clusters.web.options.vrrp_mcast_group4: 'vrrp_mcast_group4' is not a vrrp_instance setting kagen "
            "can write",
        ),
        (
            ("vrid: 51\n", "vrid: 51\n    sync_group: true\n"),
            {},
            "8: clusters.web.sync_group: a sync group needs at least two clusters on the same nodes; a has only "
            "this one",
        ),
        (  # issue 15: written, then dropped by keepalived ("missing terminating '")
            ("vrid: 51\n", 'vrid: 51\n    check: {script: "/bin/true \'x"}\n'),
            {},
            "8: clusters.web.check.script: keepalived cannot split this command: its ' has no closing '",
        ),
        (  # issue 15: '$' matches before a final newline; the name went into the configuration
            ("  web:\n    havip: web", '  "web\\n":\n    havip: web'),
            {},
            "8: clusters['web\\n']: 'web\\n' is not a name (letters, digits, '.', '_', '-'; at most 63)",
        ),
        (
            ("vrid: 51\n", "vrid: 51\n    advert_int: 0.5\n    auth: {password_env: KAGEN_TEST_PASS}\n"),
            {"KAGEN_TEST_PASS": "secret"},
            "8: clusters.web.auth: VRRP authentication needs VRRP version 2, and an advert_int under a second "
            "needs version 3",
        ),
    ],
)
def test_what_the_inventory_lacks_stops_the_run(tmp_path, monkeypatch, capsys, change, env, problem):
    path = _inventory(tmp_path, PAIR.replace(*change))
    out_dir = tmp_path / "out"
    code, out, err = _generate(monkeypatch, capsys, path, "-o", str(out_dir), env=env)
    assert (code, out) == (2, "")
    assert f"{path}:{problem}\n" in err
    assert err.endswith("problem)\n") or err.endswith("problems)\n")
    for secret in env.values():  # no part of a password either
        assert not [secret[i : i + 5] for i in range(len(secret) - 4) if secret[i : i + 5] in err]
        assert secret not in err
    assert not out_dir.exists()


def test_an_eni_without_its_device_cannot_be_generated(tmp_path, monkeypatch, capsys):
    text = PAIR.replace(
        "instances:\n  a: {ip: 192.168.0.11, vswitch: vsw}\n  b: {ip: 192.168.0.12, vswitch: vsw}\n", ""
    )
    text = text.replace(
        "clusters:",
        "enis:\n  a: {ip: 192.168.0.11, vswitch: vsw, device: eth1}\n  b: {ip: 192.168.0.12, vswitch: vsw}\nclusters:",
    )
    path = _inventory(tmp_path, text)
    code, _, err = _generate(monkeypatch, capsys, path, "-o", str(tmp_path / "out"))
    assert code == 2
    assert (
        f"{path}:6: enis.b.device: needed to generate: the network device of this ENI on its instance (e.g. eth1)\n"
        in err
    )


def test_a_lint_error_in_the_generated_files_writes_nothing(tmp_path, monkeypatch, capsys):
    # Two clusters of one pair with one VRID: every file is well-formed, but KA412 (and keepalived) refuse it.
    text = PAIR.replace(
        "members: [a, b]}\n", "members: [a, b]}\n  api: {address: 192.168.0.101, vswitch: vsw, members: [a, b]}\n"
    )
    text += "  api:\n    havip: api\n    vrid: 51\n"
    path = _inventory(tmp_path, text)
    code, out, err = _generate(monkeypatch, capsys, path, "-o", str(tmp_path / "out"))
    assert (code, out) == (1, "")
    assert "KA412" in err
    assert (
        err.endswith(
            "kagen: error: the generated configurations do not pass kagen lint (1 errors); nothing was written\n"
        )
        or "nothing was written" in err
    )
    assert not (tmp_path / "out").exists()


def test_a_lint_error_leaves_an_earlier_run_as_it_was(tmp_path, monkeypatch, capsys):
    # The files are staged while the lint runs; a failing lint must take every one of them back.
    out = tmp_path / "out"
    assert _generate(monkeypatch, capsys, _inventory(tmp_path, PAIR), "-o", str(out))[0] == 0
    before = _tree(out)
    text = PAIR.replace("192.168.0.11", "192.168.0.21").replace(
        "members: [a, b]}\n", "members: [a, b]}\n  api: {address: 192.168.0.101, vswitch: vsw, members: [a, b]}\n"
    )
    text += "  api:\n    havip: api\n    vrid: 51\n"
    assert _generate(monkeypatch, capsys, _inventory(tmp_path, text), "-o", str(out))[0] == 1
    assert _tree(out) == before
    assert sorted(path.name for path in out.rglob("*")) == sorted(["a", "b", "havip.tf.json", *["keepalived.conf"] * 2])


def test_target_version_decides_what_is_written(tmp_path, monkeypatch, capsys):
    inventory = str(CASES["web-pair"][0])
    _generate(monkeypatch, capsys, inventory, "-o", str(tmp_path / "new"))
    _generate(monkeypatch, capsys, inventory, "-o", str(tmp_path / "old"), "--target-version", "2.2.4")
    new = (tmp_path / "new" / "web-a" / "keepalived.conf").read_text()
    old = (tmp_path / "old" / "web-a" / "keepalived.conf").read_text()
    assert "    unicast_fault_no_peer\n" in new
    assert "unicast_fault_no_peer" not in old
    assert "(keepalived 2.2.4)" in old
    assert old.replace("2.2.4", "2.4.4") == new.replace("    unicast_fault_no_peer\n", "")


def test_generate_needs_an_output_directory(capsys):
    assert cli.main(["generate", str(CASES["web-pair"][0])]) == 2
    assert "the following arguments are required: -o/--output" in capsys.readouterr().err


def test_write_all_puts_everything_back_when_one_file_fails(tmp_path, monkeypatch):
    old = {tmp_path / f"n{i}" / "keepalived.conf": f"old {i}\n" for i in range(4)}
    for path, text in old.items():
        path.parent.mkdir()
        path.write_text(text)
    calls = []
    real = os.replace

    def failing(source, target):  # the third file put in place fails; putting back works
        calls.append(target)
        if len(calls) == 3 and os.path.basename(source).startswith(".kagen-new-"):
            raise OSError(28, "No space left on device", str(target))
        real(source, target)

    monkeypatch.setattr(write.os, "replace", failing)
    files = [(str(path), f"new {i}\n", 0o644) for i, path in enumerate(old)]
    files.append((str(tmp_path / "fresh" / "keepalived.conf"), "new\n", 0o644))
    with pytest.raises(write.InputError, match="No space left on device; nothing was changed"):
        write.write_all(files)
    assert {path: path.read_text() for path in old} == old
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["keepalived.conf"] * 4 + ["n0", "n1", "n2", "n3"]


def test_sigterm_during_write_all_waits_for_the_whole_run(tmp_path, monkeypatch):
    import signal

    old = {tmp_path / f"n{i}.conf": f"old {i}\n" for i in range(3)}
    for path, text in old.items():
        path.write_text(text)
    real = os.replace
    seen: list[dict] = []

    def interrupted(source, target):  # SIGTERM after the first file is in place
        real(source, target)
        if target.endswith("n0.conf"):
            os.kill(os.getpid(), signal.SIGTERM)

    def on_term(signum, frame):
        seen.append({path: path.read_text() for path in old})

    monkeypatch.setattr(write.os, "replace", interrupted)
    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        write.write_all([(str(path), "new\n", 0o644) for path in old])
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert seen == [{path: "new\n" for path in old}]  # delivered once, after every file was in place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["n0.conf", "n1.conf", "n2.conf"]


def _pairs(count: int, master_priority: int) -> str:
    lines = ["vswitches: {vsw: {cidr: 10.1.0.0/16}}", "instances:"]
    lines += [
        f"  n{i}-{s}: {{ip: 10.1.{i // 100}.{(i % 100) * 2 + s + 10}, vswitch: vsw}}"
        for i in range(count)
        for s in (0, 1)
    ]
    lines.append("havips:")
    lines += [f"  h{i}: {{address: 10.1.200.{i + 10}, vswitch: vsw, members: [n{i}-0, n{i}-1]}}" for i in range(count)]
    lines.append("clusters:")
    lines += [
        f"  h{i}: {{havip: h{i}, vrid: {i + 1}, members: [{{name: n{i}-0, priority: {master_priority}}}, n{i}-1]}}"
        for i in range(count)
    ]
    return "\n".join(lines) + "\n"


@pytest.mark.slow
def test_a_run_killed_half_way_leaves_every_file_whole(tmp_path):
    import shutil
    import signal
    import subprocess
    import sys
    import time

    old_inventory, new_inventory = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old_inventory.write_text(_pairs(120, 150))
    new_inventory.write_text(_pairs(120, 200))
    command = [sys.executable, "-m", "kagen", "generate", "-o"]
    # cwd: away from the source checkout, whose kagen/ would shadow the installed package
    quiet = {"check": True, "capture_output": True, "cwd": tmp_path}
    subprocess.run([*command, str(tmp_path / "old"), str(old_inventory)], **quiet)
    subprocess.run([*command, str(tmp_path / "new"), str(new_inventory)], **quiet)
    old, new = _tree(tmp_path / "old"), _tree(tmp_path / "new")
    assert old.keys() == new.keys() and all(old[name] != new[name] for name in old if name.endswith(".conf"))
    start = time.monotonic()
    subprocess.run([*command, str(tmp_path / "new"), str(new_inventory)], **quiet)
    duration = time.monotonic() - start
    outcomes = set()
    for step in range(1, 13):
        out = tmp_path / f"run{step}"
        shutil.copytree(tmp_path / "old", out)
        run = subprocess.Popen(
            [*command, str(out), str(new_inventory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            cwd=tmp_path,
        )
        time.sleep(duration * step / 6)  # from early in the run to well after its usual end
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()
        for name in old:
            text = (out / name).read_bytes()
            assert text in (old[name], new[name]), f"{out / name} is neither the old nor the new file"
            outcomes.add("new" if text == new[name] else "old")
        leftovers = [p.name for p in out.rglob("*") if p.is_file() and p.name.startswith(".kagen-")]
        assert all(name.startswith((".kagen-new-", ".kagen-old-", ".kagen-commit-")) for name in leftovers)
        subprocess.run([*command, str(out), str(new_inventory)], **quiet)  # the next run cleans up
        assert [p.name for p in out.rglob(".kagen-*")] == []
        assert _tree(out) == new
    assert outcomes == {"old", "new"}


HOSTILE = [
    "\n",
    "\r",
    '"',
    "{",
    "}",
    "#",
    "!",
    "\\",
    "\x00",
    "\x07",
    "\t",
    ";",
    "$(reboot)",
    "`id`",
    "'",
    " ",
    "@x",
    "~SEQ(a,1,2)",
    "$NAME",
    "%",
    "é",
    "\u2028",
    "vrrp_strict",
    "include /etc/shadow",
    "}\nvrrp_strict\n{",
    "x" * 950,
]
FIELDS = {
    "script": ("script: /usr/bin/pgrep -x nginx", "script: {value}"),
    "notify": ("notify: {master: /usr/bin/true}", "notify: {{master: {value}}}"),
    "interface": ("interface: eth0", "interface: {value}"),
    "region": ("region: cn-hangzhou", "region: {value}"),
    "instance id": ("id: i-web", "id: {value}"),
    "cluster name": ("\n  web:\n    havip: web", "\n  {value}:\n    havip: web"),
}
BASE = (
    "region: cn-hangzhou\n"
    + PAIR.replace(
        "a: {ip: 192.168.0.11, vswitch: vsw}", "a: {ip: 192.168.0.11, vswitch: vsw, interface: eth0, id: i-web}"
    )
    + "    check: {script: /usr/bin/pgrep -x nginx}\n    notify: {master: /usr/bin/true}\n"
)


def _statements(text: str) -> list[str]:
    """Every keyword path of a generated configuration, in order (value-block entries as '*')."""
    from kagen.keepalived.parse import parse_string
    from kagen.keepalived.tree import Block, ValueBlock

    found = []

    def walk(nodes, prefix):
        for node in nodes:
            found.append(prefix + node.keyword)
            if isinstance(node, Block):
                walk(node.children, f"{prefix}{node.keyword}/")
            elif isinstance(node, ValueBlock):
                found.extend(f"{prefix}{node.keyword}/*" for _ in node.entries)

    config = parse_string(text, "t.conf", "t")
    assert config.diagnostics == []
    walk(config.items, "")
    return found


def _attempt(text: str, tmp_path: Path):
    """(generated texts by path) or the InventoryError problems."""
    import yaml

    from kagen.generate.run import prepare
    from kagen.inventory.load import InventoryError
    from kagen.keepalived.keywords import table

    path = tmp_path / "inventory.yaml"
    try:
        path.write_text(text)
        yaml.safe_load(text)
    except (yaml.YAMLError, UnicodeEncodeError, ValueError):
        return None
    try:
        run = prepare(str(path), str(tmp_path / "out"), table().newest, {})
        run.verify()
    except InventoryError as exc:
        return exc.problems
    assert run.errors == []
    return {output.path: output.text for output in run.outputs if output.path.endswith(".conf")}


def test_hostile_strings_are_rejected_or_change_nothing_but_their_value(tmp_path):
    baseline = _attempt(BASE, tmp_path)
    shapes = {path: _statements(text) for path, text in baseline.items()}
    chooser = random.Random(20261125)
    tried = rejected = 0
    for field, (benign, template) in FIELDS.items():
        for _ in range(60):
            value = "".join(
                chooser.choice([*HOSTILE, "a", "b", "/usr/bin/x", "-"]) for _ in range(chooser.randint(1, 4))
            )
            text = BASE.replace(benign, template.format(value=json.dumps(value)))
            outcome = _attempt(text, tmp_path)
            if outcome is None:
                continue
            tried += 1
            if isinstance(outcome, list):
                rejected += 1
                assert outcome and all(": " in problem for problem in outcome)
                continue
            # Accepted: the same statements as the benign inventory, the value only where it belongs.
            assert {path: _statements(t) for path, t in outcome.items()} == shapes, (field, value)
            if field in ("script", "notify"):
                assert all(f'"{value}"' in t for t in outcome.values()), (field, value)
    assert tried > 300 and 0 < rejected < tried


TWO_VPCS = """region: cn-hangzhou
vpcs:
  east: {cidr: 10.1.0.0/16}
  west: {cidr: 10.2.0.0/16}
vswitches:
  vsw-east: {vpc: east, cidr: 10.1.0.0/24}
  vsw-west: {vpc: west, cidr: 10.2.0.0/24}
instances:
  east-a: {ip: 10.1.0.11, vswitch: vsw-east}
  east-b: {ip: 10.1.0.12, vswitch: vsw-east}
  west-a: {ip: 10.2.0.11, vswitch: vsw-west}
  west-b: {ip: 10.2.0.12, vswitch: vsw-west}
havips:
  east: {address: 10.1.0.100, vswitch: vsw-east, members: [east-a, east-b]}
  west: {address: 10.2.0.100, vswitch: vsw-west, members: [west-a, west-b]}
clusters:
  east: {havip: east, vrid: 51}
  west: {havip: west, vrid: 51}
"""


def test_a_vrid_used_again_in_another_vpc_lints_clean(tmp_path, monkeypatch, capsys):
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(TWO_VPCS)
    assert _generate(monkeypatch, capsys, str(inventory), "-o", str(tmp_path / "out"))[0] == 0
    assert cli.main(["lint", "--strict", "--inventory", str(inventory), str(tmp_path / "out")]) == 0
    assert capsys.readouterr().out == "All checks passed (5 files).\n"
    # Without the inventory too: each pair sends to its own peer only, in its own subnet, so the
    # VRID used twice is no conflict.
    assert cli.main(["lint", "--strict", str(tmp_path / "out")]) == 0
    assert capsys.readouterr().out == "All checks passed (4 files).\n"


@pytest.mark.parametrize(
    "old, new, message",
    [
        (
            "weight: -60",
            "weight: -30",
            "clusters.web.check.weight: weight -30 cannot move the virtual IP: the MASTER's 150 with a failed check "
            "is 120, not below the next member's 100; use weight -51 or lower (or leave it out: a failed check then "
            "puts the node in FAULT)",
        ),
        (
            "    vrid: 51\n",
            "    vrid: 51\n    nopreempt: true\n",
            "clusters.web.check.weight: with nopreempt a weighted check never moves the virtual IP (a BACKUP with "
            "nopreempt leaves a live MASTER alone): leave weight out, so that a failed check puts the node in FAULT",
        ),
    ],
)
def test_a_check_weight_that_cannot_move_the_vip_is_refused(tmp_path, monkeypatch, capsys, old, new, message):
    text = (REPO / "examples" / "web-pair" / "inventory.yaml").read_text()
    assert old in text
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(text.replace(old, new, 1))
    code, out, err = _generate(monkeypatch, capsys, str(inventory), "-o", str(tmp_path / "out"))
    assert (code, out, err) == (
        2,
        "",
        f"{inventory}:26: {message}\nkagen: error: the inventory cannot be used (1 problem)\n",
    )
    assert not (tmp_path / "out").exists()
