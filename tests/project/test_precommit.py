"""The ``kagen-lint`` pre-commit hook, run the way a user's repository runs it: ``pre-commit
try-repo`` installs kagen from this repository into pre-commit's own environment."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from support.helpers import REPO, require

HOOKS = REPO / ".pre-commit-hooks.yaml"
BAD = "vrrp_instance V {\n    interface eth0\n    virtual_router_id 300\n}\n"


def _missing() -> str | None:
    if shutil.which("git") is None:
        return "git is not installed"
    if not (REPO / ".git").exists():
        return "the source tree is not a git repository"
    if subprocess.run([sys.executable, "-m", "pre_commit", "--version"], capture_output=True).returncode:
        return "pre-commit is not installed (pip install pre-commit)"
    return None


def _hooks() -> dict[str, dict]:
    return {hook["id"]: hook for hook in yaml.safe_load(HOOKS.read_text())}


def _stage(work: Path) -> None:
    """``work`` as a git repository with every file staged."""
    if not (work / ".git").exists():
        subprocess.run(["git", "init", "-q"], cwd=work, check=True)
    subprocess.run(["git", "add", "-A"], cwd=work, check=True)


def _env(work: Path) -> dict[str, str]:
    return {**os.environ, "PRE_COMMIT_HOME": str(work.parent / "cache"), "NO_COLOR": "1"}


def _try_repo(work: Path, hook: str, *args: str) -> subprocess.CompletedProcess:
    """``hook`` of this checkout, run by pre-commit in the user's repository ``work``."""
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), hook, "--color", "never", *args]
    return subprocess.run(command, cwd=work, env=_env(work), capture_output=True, text=True)


def test_files_pattern_matches_keepalived_configs_only():
    hook = _hooks()["kagen-lint"]
    assert (hook["id"], hook["entry"], hook["language"], hook["require_serial"]) == (
        "kagen-lint",
        "kagen lint",
        "python",
        True,
    )
    names = {
        "keepalived.conf": True,
        "etc/keepalived/keepalived.conf": True,
        "etc/keepalived/conf.d/vi_1.conf": True,
        "roles/lb/files/lb1-keepalived.conf": True,
        "nodes/web-a.keepalived": True,
        "Keepalived/site.cfg": True,
        "etc/nginx/nginx.conf": False,
        "keepalived/README.md": False,
        "templates/keepalived.conf.j2": False,
    }
    assert {name: bool(re.search(hook["files"], name)) for name in names} == names


@pytest.mark.slow
def test_hook_through_pre_commit_try_repo(tmp_path):
    require(_missing())
    work = tmp_path / "site"
    (work / "keepalived").mkdir(parents=True)
    shutil.copy(REPO / "examples" / "web-pair" / "web-a.conf", work / "keepalived" / "good.conf")
    (work / "keepalived" / "bad.conf").write_text(BAD)
    (work / "notes.conf").write_text("not keepalived at all {\n")
    _stage(work)

    def hook(*files: str) -> subprocess.CompletedProcess:
        return _try_repo(work, "kagen-lint", "--files", *files)

    passed = hook("keepalived/good.conf", "notes.conf")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert re.search(r"^kagen lint \(keepalived\)\.+Passed$", passed.stdout, re.M)

    failed = hook("keepalived/good.conf", "keepalived/bad.conf", "notes.conf")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert re.search(r"^kagen lint \(keepalived\)\.+Failed$", failed.stdout, re.M)
    assert (
        "keepalived/bad.conf:3:23: KA202 virtual_router_id 300 is outside 1..255: keepalived leaves it unset "
        "and runs no VRRP instance at all [value-out-of-range]" in failed.stdout
    )
    assert "Found 2 errors and 1 warning in 1 of 2 files." in failed.stdout


@pytest.mark.slow
def test_fmt_hook_through_pre_commit_try_repo(tmp_path):
    """It lays the staged configurations out, fails because it changed one, then passes."""
    require(_missing())
    hook = _hooks()["kagen-fmt"]
    assert (hook["entry"], hook["language"], hook["files"]) == ("kagen fmt", "python", _hooks()["kagen-lint"]["files"])
    work = tmp_path / "site"
    (work / "keepalived").mkdir(parents=True)
    messy = work / "keepalived" / "lb.conf"
    messy.write_text("vrrp_instance VI_1\n{\n  state MASTER\n interface eth0 }\n")
    _stage(work)
    changed = _try_repo(work, "kagen-fmt", "--files", "keepalived/lb.conf")
    assert changed.returncode == 1, changed.stdout + changed.stderr
    assert re.search(r"^kagen fmt \(keepalived\)\.+Failed$", changed.stdout, re.M)
    assert "- files were modified by this hook" in changed.stdout
    assert messy.read_text() == "vrrp_instance VI_1 {\n    state MASTER\n    interface eth0\n}\n"
    _stage(work)
    passed = _try_repo(work, "kagen-fmt", "--files", "keepalived/lb.conf")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert re.search(r"^kagen fmt \(keepalived\)\.+Passed$", passed.stdout, re.M)


def test_generate_check_hook_definition():
    hook = _hooks()["kagen-generate-check"]
    assert (hook["entry"], hook["language"], hook["pass_filenames"], hook["always_run"]) == (
        "kagen generate --check",
        "python",
        False,
        True,
    )


@pytest.mark.slow
def test_generate_check_hook_in_a_users_repository(tmp_path):
    """Through ``pre-commit run`` with the hook's args in the user's configuration (try-repo
    cannot pass args); the hook comes from this repository's committed HEAD."""
    require(_missing())
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True)
    require(None if head.returncode == 0 else "the source tree has no commit")
    work = tmp_path / "site"
    work.mkdir()
    shutil.copy(REPO / "examples" / "web-pair" / "inventory.yaml", work / "inventory.yaml")
    made = subprocess.run(
        [sys.executable, "-m", "kagen", "generate", "inventory.yaml", "-o", "generated"],
        cwd=work,
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    (work / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {REPO}\n    rev: {head.stdout.strip()}\n    hooks:\n"
        "      - id: kagen-generate-check\n        args: [inventory.yaml, -o, generated]\n"
    )
    _stage(work)

    def run() -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "pre_commit", "run", "kagen-generate-check", "--all-files", "--color", "never"]
        return subprocess.run(command, cwd=work, env=_env(work), capture_output=True, text=True)

    passed = run()
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert re.search(r"^kagen generate --check \(inventory\)\.+Passed$", passed.stdout, re.M)

    conf = work / "generated" / "web-a" / "keepalived.conf"
    conf.write_text(conf.read_text().replace("priority 150", "priority 140"))
    failed = run()
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert re.search(r"^kagen generate --check \(inventory\)\.+Failed$", failed.stdout, re.M)
    assert "-    priority 140\n+    priority 150\n" in failed.stdout
    assert "kagen: 1 of 3 files differ from the inventory" in failed.stdout


STRICT = (
    "global_defs {\n    vrrp_strict\n}\n"
    "vrrp_instance V {\n    state MASTER\n    interface eth0\n    virtual_router_id 51\n    priority 150\n"
    "    unicast_src_ip 10.0.0.1\n    unicast_peer {\n        10.0.0.2\n    }\n    unicast_fault_no_peer\n"
    "    virtual_ipaddress {\n        10.0.0.100/24\n    }\n}\n"
)


@pytest.mark.slow
def test_fix_hook_edits_then_passes(tmp_path):
    require(_missing())
    hooks = _hooks()
    assert hooks["kagen-fix"]["files"] == hooks["kagen-lint"]["files"]
    work = tmp_path / "site"
    (work / "keepalived").mkdir(parents=True)
    conf = work / "keepalived" / "keepalived.conf"
    conf.write_text(STRICT)
    _stage(work)

    def hook() -> subprocess.CompletedProcess:
        return _try_repo(work, "kagen-fix", "--all-files")

    fixed = hook()
    assert fixed.returncode == 1, fixed.stdout + fixed.stderr
    assert re.search(r"^kagen fix \(keepalived\)\.+Failed$", fixed.stdout, re.M)
    assert "- files were modified by this hook" in fixed.stdout
    assert conf.read_text() == STRICT.replace("    vrrp_strict\n", "")
    _stage(work)
    again = hook()
    assert again.returncode == 0, again.stdout + again.stderr
    assert re.search(r"^kagen fix \(keepalived\)\.+Passed$", again.stdout, re.M)


def _own_hooks() -> dict[str, dict]:
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text())
    return {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}


def test_own_configuration_is_valid():
    require(_missing())
    command = [sys.executable, "-m", "pre_commit", "validate-config", str(REPO / ".pre-commit-config.yaml")]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    hooks = _own_hooks()
    assert sorted(hooks) == ["kagen-lint-examples", "mypy", "ruff-check", "ruff-format"]
    assert (hooks["mypy"]["entry"], hooks["mypy"]["pass_filenames"]) == ("mypy", False)


@pytest.mark.slow
def test_own_configuration_runs_kagen_and_ruff(tmp_path):
    """This repository's own hooks, run by pre-commit on a copy of its examples and of one module:
    they pass as committed, and kagen's hook fails on an example made multicast."""
    require(_missing())
    work = tmp_path / "repo"
    shutil.copytree(REPO / "examples", work / "examples")
    (work / "kagen").mkdir()
    shutil.copy(REPO / "kagen" / "partition.py", work / "kagen" / "partition.py")
    shutil.copy(REPO / ".pre-commit-config.yaml", work / ".pre-commit-config.yaml")
    shutil.copy(REPO / "pyproject.toml", work / "pyproject.toml")
    _stage(work)

    def run(*hooks: str) -> subprocess.CompletedProcess:
        results = []
        for hook in hooks:
            command = [sys.executable, "-m", "pre_commit", "run", hook, "--all-files", "--color", "never"]
            results.append(subprocess.run(command, cwd=work, env=_env(work), capture_output=True, text=True))
        return subprocess.CompletedProcess(
            hooks, max(r.returncode for r in results), "".join(r.stdout for r in results)
        )

    passed = run("kagen-lint-examples", "ruff-check", "ruff-format")
    assert passed.returncode == 0, passed.stdout
    for name in ("kagen lint \\(examples\\)", "ruff check", "ruff format"):
        assert re.search(rf"^{name}\.+Passed$", passed.stdout, re.M), name
    conf = work / "examples" / "web-pair" / "web-b.conf"
    conf.write_text(re.sub(r"    unicast_peer \{\n[^}]*\}\n", "", conf.read_text()))
    _stage(work)
    failed = run("kagen-lint-examples")
    assert failed.returncode == 1, failed.stdout
    assert re.search(r"^kagen lint \(examples\)\.+Failed$", failed.stdout, re.M)
    assert "examples/web-pair/web-b.conf:18:1: KA101 [*] vrrp_instance VI_WEB runs multicast" in failed.stdout
