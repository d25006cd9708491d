"""The README's Ansible recipe, run by a real ``ansible-playbook`` (ansible-core from PyPI, local
connection): kagen validates the rendered file before Ansible puts it in place."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from support.helpers import REPO, require

# The shipped pair's first node, its VRID left to the template.
TEMPLATE = (
    (REPO / "examples" / "web-pair" / "web-a.conf")
    .read_text()
    .replace("virtual_router_id 51", "virtual_router_id {{ vrid }}")
)


def _recipe() -> dict:
    """The Ansible task the README shows."""
    section = (REPO / "README.md").read_text().split("Ansible (`ansible.builtin.template`", 1)[1]
    block = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert block is not None
    (task,) = yaml.safe_load(block.group(1))
    return task


def _play(tmp_path: Path, vrid: int) -> subprocess.CompletedProcess:
    require(
        None if shutil.which("ansible-playbook") else "ansible-playbook is not installed (pip install ansible-core)"
    )
    task = _recipe()
    task.pop("notify")  # no handler in this play: the point is the validation
    task["ansible.builtin.template"].update(
        src=str(tmp_path / "keepalived.conf.j2"), dest=str(tmp_path / "keepalived.conf")
    )
    play = [
        {"hosts": "localhost", "connection": "local", "gather_facts": False, "vars": {"vrid": vrid}, "tasks": [task]}
    ]
    (tmp_path / "keepalived.conf.j2").write_text(TEMPLATE)
    (tmp_path / "site.yml").write_text(yaml.safe_dump(play))
    env = {
        **os.environ,
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"),
        "ANSIBLE_REMOTE_TEMP": str(tmp_path / "ansible-remote-tmp"),
        "ANSIBLE_HOME": str(tmp_path / "ansible-home"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    command = ["ansible-playbook", "-i", "localhost,", str(tmp_path / "site.yml")]
    return subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)


def test_a_good_rendering_is_put_in_place_and_a_broken_one_is_refused(tmp_path):
    good = _play(tmp_path, 51)
    assert good.returncode == 0, good.stdout + good.stderr
    written = (tmp_path / "keepalived.conf").read_text()
    assert "virtual_router_id 51\n" in written

    broken = _play(tmp_path, 300)
    assert broken.returncode == 2, broken.stdout + broken.stderr  # ansible-playbook: a task failed
    assert "failed to validate" in broken.stdout
    assert re.search(r":21:23: KA202 virtual_router_id 300 is outside 1\.\.255: keepalived leaves it", broken.stdout)
    assert (tmp_path / "keepalived.conf").read_text() == written
