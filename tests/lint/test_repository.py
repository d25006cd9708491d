"""kagen lint in a real repository (issue 16): which files a walk reads, and every error reported
in every format."""

from __future__ import annotations

import json
import os

import pytest

from kagen import cli
from support.helpers import REPO, shared_dir

PAIR = REPO / "examples" / "web-pair"
KEEPALIVED = (PAIR / "web-a.conf").read_text()
OTHER = (PAIR / "web-b.conf").read_text()


def write(path, text: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def lint(capsys, *args: str) -> tuple[int, str, str]:
    status = cli.main(["lint", "--config-id", "x", *args])
    out, err = capsys.readouterr()
    return status, out, err


def linted(out: str) -> list[str]:
    return [json.loads(out)["files"]][0]


@pytest.fixture
def repository(tmp_path, monkeypatch):
    """A repository holding keepalived configurations next to everything else."""
    write(tmp_path / ".git" / "info" / "exclude", "secret-notes/\n")
    write(tmp_path / ".gitignore", "build/\n*.local.conf\n")
    write(tmp_path / "prod" / "keepalived.conf", KEEPALIVED)
    write(tmp_path / "prod" / "lb.local.conf", KEEPALIVED)  # ignored by .gitignore
    write(tmp_path / "build" / "keepalived.conf", "vrrp_instance broken {\n")
    write(tmp_path / "secret-notes" / "keepalived.conf", KEEPALIVED)  # .git/info/exclude
    write(tmp_path / "nginx" / "nginx.conf", "user www-data;\ninclude /etc/nginx/modules/*.conf;\nevents {\n}\n")
    write(tmp_path / "app.conf", "[server]\ninclude = common.ini\nport = 8080\n")
    write(tmp_path / "ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n")
    write(tmp_path / "unit.conf", "[Unit]\nDescription=x\n")
    write(tmp_path / "roles" / "lb" / "templates" / "keepalived.conf.j2", "vrrp_instance {{ name }} {\n}\n")
    write(tmp_path / "venv" / "pyvenv.cfg", "home = /usr/bin\n")
    write(tmp_path / "venv" / "lib" / "keepalived.conf", KEEPALIVED)
    write(tmp_path / "node_modules" / "x" / "keepalived.conf", KEEPALIVED)
    write(tmp_path / "sub" / ".ignore", "old.conf\n")
    write(tmp_path / "sub" / "old.conf", KEEPALIVED)
    write(tmp_path / "sub" / "new.conf", OTHER)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_walk_reads_keepalived_files_only(repository, capsys):
    status, out, err = lint(capsys, "--format", "json", ".")
    assert (status, linted(out)) == (0, ["prod/keepalived.conf", "sub/new.conf"])
    assert err == "kagen: skipped 1 template (roles/lb/templates/keepalived.conf.j2): name one to lint it\n"


def test_ignore_files_can_be_left_out_and_excludes_replaced_or_extended(repository, capsys):
    out = lint(capsys, "--format", "json", "--no-respect-gitignore", ".")[1]
    assert linted(out) == [
        "prod/keepalived.conf",
        "prod/lb.local.conf",
        "secret-notes/keepalived.conf",
        "sub/new.conf",
        "sub/old.conf",
    ]
    out = lint(capsys, "--format", "json", "--extend-exclude", "sub", ".")[1]
    assert linted(out) == ["prod/keepalived.conf"]
    out = lint(capsys, "--format", "json", "--exclude", "prod/*", "--no-respect-gitignore", ".")[1]
    assert "build/keepalived.conf" in linted(out) and "prod/keepalived.conf" not in linted(out)


def test_named_files_are_read_unless_forced_out(repository, capsys):
    status, out, _ = lint(capsys, "--format", "json", "build/keepalived.conf", "nginx/nginx.conf")
    assert (status, linted(out)) == (1, ["build/keepalived.conf", "nginx/nginx.conf"])
    out = lint(
        capsys, "--format", "json", "--force-exclude", "build/keepalived.conf", "node_modules/x/keepalived.conf"
    )[1]
    assert linted(out) == []
    status, out, _ = lint(capsys, "roles/lb/templates/keepalived.conf.j2")  # named: read, KA015 explains
    assert "KA015 template syntax '{{ name }}' left in the configuration" in out


def test_an_include_outside_the_tree_is_read_but_reported_only_when_it_is_keepalived(tmp_path, capsys):
    outside = tmp_path / "etc"
    write(outside / "notes.conf", "some = thing\n")
    write(outside / "piece.conf", "vrrp_instance P {\n    prority 1\n}\n")
    tree = tmp_path / "repo"
    write(tree / "keepalived.conf", KEEPALIVED + f"include {outside}/*.conf\n")
    out = lint(capsys, "--select", "KA002", str(tree))[1]
    assert out.splitlines() == [
        f"{outside}/piece.conf:2:5: KA002 unknown keyword 'prority'; did you mean 'priority'? [unknown-keyword]",
        "Found 1 error in 1 file.",
    ]


# -- every error in every format ---------------------------------------------------------------


def _run_with_failures(tmp_path, capsys, fmt: str) -> tuple[int, str, str]:
    good = write(
        tmp_path / "good" / "keepalived.conf", KEEPALIVED.replace("virtual_router_id 51", "virtual_router_id 300")
    )
    broken = write(tmp_path / "inv.yaml", "havips:\n  web: {vswitch: nowhere}\n")
    return lint(capsys, "--format", fmt, "--inventory", str(broken), str(good), str(tmp_path / "missing.conf"))


def test_errors_in_json(tmp_path, capsys):
    status, out, _ = _run_with_failures(tmp_path, capsys, "json")
    document = json.loads(out)
    assert status == 2
    assert document["errors"] == [
        {"message": "havips.web.vswitch: unknown vSwitch 'nowhere'", "file": str(tmp_path / "inv.yaml"), "line": 2},
        {"message": f"{tmp_path / 'missing.conf'}: No such file or directory", "file": None, "line": None},
    ]
    assert [f["code"] for f in document["findings"]] == ["KA202"]  # the other paths are linted all the same


def test_errors_in_sarif(tmp_path, capsys):
    status, out, _ = _run_with_failures(tmp_path, capsys, "sarif")
    document = json.loads(out)
    (run,) = document["runs"]
    assert status == 2
    assert run["invocations"][0]["executionSuccessful"] is False
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [note["message"]["text"] for note in notes] == [
        "havips.web.vswitch: unknown vSwitch 'nowhere'",
        f"{tmp_path / 'missing.conf'}: No such file or directory",
    ]
    assert notes[0]["locations"][0]["physicalLocation"]["region"] == {"startLine": 2}
    assert [result["ruleId"] for result in run["results"]] == ["KA202"]
    shared = shared_dir()
    if shared is not None and (shared / "schemas" / "sarif-schema-2.1.0.json").is_file():
        jsonschema = pytest.importorskip("jsonschema")
        jsonschema.validate(document, json.loads((shared / "schemas" / "sarif-schema-2.1.0.json").read_text()))


def test_errors_in_github_and_text(tmp_path, capsys):
    status, out, err = _run_with_failures(tmp_path, capsys, "github")
    assert status == 2
    assert out.splitlines()[-2:] == [
        f"::error file={tmp_path / 'inv.yaml'},line=2::kagen: havips.web.vswitch: unknown vSwitch 'nowhere'",
        f"::error::kagen: {tmp_path / 'missing.conf'}: No such file or directory",
    ]
    status, out, err = _run_with_failures(tmp_path, capsys, "text")
    assert status == 2
    assert out.splitlines()[-1] == "Found 1 error in 1 file. 2 inputs could not be used (kagen: error)."
    assert err.splitlines() == [
        f"{tmp_path / 'inv.yaml'}:2: havips.web.vswitch: unknown vSwitch 'nowhere'",
        "kagen: error: the inventory cannot be used (1 problem)",
        f"kagen: error: {tmp_path / 'missing.conf'}: No such file or directory",
    ]


@pytest.mark.parametrize("fmt", ["json", "sarif", "github"])
def test_a_bad_settings_file_is_reported_in_the_format(tmp_path, capsys, monkeypatch, fmt):
    write(tmp_path / ".kagen.toml", "colour = 1\n")
    monkeypatch.chdir(tmp_path)
    status, out, _ = lint(capsys, "--format", fmt)
    assert status == 2
    assert "unknown setting 'colour'" in out


def test_an_unreadable_file_does_not_hide_the_others(tmp_path, capsys):
    good = write(tmp_path / "keepalived.conf", KEEPALIVED)
    status, out, err = lint(capsys, "--format", "json", "/dev/zero", str(good))
    assert status == 2 and json.loads(out)["files"] == [str(good)]
    assert err == "kagen: error: /dev/zero: is a device, not a file kagen reads\n"
    assert os.path.exists("/dev/zero")


def test_a_directory_named_is_walked_even_where_an_ignore_file_ignores_it(repository, capsys):
    """As ruff does: kagen generate -o out, then kagen lint out/, in a repository ignoring out/."""
    write(repository / "build" / "ok.conf", KEEPALIVED)
    write(repository / "build" / "lb.local.conf", KEEPALIVED)  # its own pattern still applies
    out = lint(capsys, "--format", "json", "build")[1]
    assert linted(out) == ["build/keepalived.conf", "build/ok.conf"]
    assert linted(lint(capsys, "--format", "json", ".")[1]) == ["prod/keepalived.conf", "sub/new.conf"]
