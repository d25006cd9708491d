"""Issue 16's "done when": ``kagen lint .`` in a repository as teams have them reports exactly the
planted keepalived findings, in all four formats, with the password nowhere in the output.

The repository: two environments whose pairs both use VRID 51 (in different subnets: no
conflict), an Ansible role with a keepalived template, nginx configurations with includes, a
virtual environment holding a keepalived file of its own, an ignored build/ with a broken
configuration, and a pair whose authentication password is longer than keepalived reads."""

from __future__ import annotations

import json
import subprocess

import pytest

from kagen import cli
from support.helpers import REPO

PASSWORD = "Pr0dSecretPass"
NODE = (REPO / "examples" / "web-pair" / "web-a.conf").read_text()
AUTH = f"    authentication {{\n        auth_type PASS\n        auth_pass {PASSWORD}\n    }}\n    virtual_ipaddress {{"


def node(net: str, own: int, peer: int, master: bool, auth: bool = False) -> str:
    text = NODE.replace("192.168.0.", f"{net}.").replace(f"unicast_src_ip {net}.11", f"unicast_src_ip {net}.{own}")
    text = text.replace(f"    unicast_peer {{\n        {net}.12", f"    unicast_peer {{\n        {net}.{peer}")
    if not master:
        text = text.replace("state MASTER", "state BACKUP").replace("priority 150", "priority 100")
    return text.replace("    virtual_ipaddress {", AUTH, 1) if auth else text


FILES = {
    ".gitignore": "build/\n",
    "prod/lb-a/keepalived.conf": node("10.1.0", 11, 12, True, auth=True),
    "prod/lb-b/keepalived.conf": node("10.1.0", 12, 11, False, auth=True),
    "staging/lb-a/keepalived.conf": node("10.2.0", 11, 12, True),
    "staging/lb-b/keepalived.conf": node("10.2.0", 12, 13, False),  # a peer that is neither node
    "roles/keepalived/templates/keepalived.conf.j2": NODE.replace("priority 150", "priority {{ priority }}"),
    "roles/keepalived/tasks/main.yml": "- ansible.builtin.template:\n    src: keepalived.conf.j2\n"
    "    dest: /etc/keepalived/keepalived.conf\n    validate: kagen lint --quiet %s\n",
    "nginx/nginx.conf": "user www-data;\nworker_processes auto;\ninclude /etc/nginx/modules-enabled/*.conf;\n"
    "events {\n    worker_connections 768;\n}\nhttp {\n    include conf.d/*.conf;\n}\n",
    "nginx/conf.d/site.conf": "server {\n    listen 80;\n    location / {\n        proxy_pass http://app;\n    }\n}\n",
    "venv/pyvenv.cfg": "home = /usr/bin\n",
    "venv/lib/python3.11/site-packages/kagen/keepalived.conf": "vrrp_instance V {\n    virtual_router_id 300\n}\n",
    "build/keepalived.conf": "vrrp_instance V {\n    prority 1\n",
}
EXPECTED = [
    ("prod/lb-a/keepalived.conf", 33, 19, "KA205", "auth_pass is 14 characters: keepalived uses only the first 8"),
    ("prod/lb-b/keepalived.conf", 33, 19, "KA205", "auth_pass is 14 characters: keepalived uses only the first 8"),
    (
        "staging/lb-b/keepalived.conf",
        27,
        5,
        "KA502",
        "VI_WEB does not list 10.2.0.11 (unicast_src_ip of VI_WEB in staging/lb-a/keepalived.conf) in its unicast_peer",
    ),
]
KEEPALIVED_FILES = sorted(path for path in FILES if path.startswith(("prod/", "staging/")))


@pytest.fixture
def repository(tmp_path, monkeypatch):
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    monkeypatch.chdir(tmp_path)


def lint(capsys, fmt: str) -> tuple[int, str, str]:
    status = cli.main(["lint", "--config-id", "lb", "--format", fmt, "."])
    out, err = capsys.readouterr()
    assert PASSWORD[:9] not in out + err and PASSWORD[-6:] not in out + err
    return status, out, err


NOTE = "kagen: skipped 1 template (roles/keepalived/templates/keepalived.conf.j2): name one to lint it\n"


def test_text(repository, capsys):
    status, out, err = lint(capsys, "text")
    names = {"KA205": "auth-pass-truncated", "KA502": "peer-not-listed"}
    assert (status, err) == (1, NOTE)
    assert out.splitlines() == [
        *(f"{file}:{line}:{col}: {code} {message} [{names[code]}]" for file, line, col, code, message in EXPECTED),
        "Found 3 errors in 3 of 4 files.",
    ]


def test_json(repository, capsys):
    status, out, _ = lint(capsys, "json")
    document = json.loads(out)
    assert status == 1 and document["files"] == KEEPALIVED_FILES and document["errors"] == []
    found = [(f["file"], f["line"], f["col"], f["code"], f["message"]) for f in document["findings"]]
    assert found == EXPECTED
    # Each environment's pair is one cluster, joined by its shared virtual IP; VRID 51 twice is no conflict.
    assert [[m["file"] for m in cluster["members"]] for cluster in document["clusters"]] == [
        KEEPALIVED_FILES[:2],
        KEEPALIVED_FILES[2:],
    ]


def test_sarif(repository, capsys):
    status, out, _ = lint(capsys, "sarif")
    (run,) = json.loads(out)["runs"]
    found = [
        (
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            result["locations"][0]["physicalLocation"]["region"]["startLine"],
            result["locations"][0]["physicalLocation"]["region"]["startColumn"],
            result["ruleId"],
            result["message"]["text"],
        )
        for result in run["results"]
    ]
    assert (status, found) == (1, EXPECTED)
    assert run["invocations"][0]["executionSuccessful"] is True


def test_github(repository, capsys):
    status, out, _ = lint(capsys, "github")
    names = {"KA205": "auth-pass-truncated", "KA502": "peer-not-listed"}
    assert (status, out.splitlines()) == (
        1,
        [
            f"::error file={file},line={line},col={col},title={code} {names[code]}::{message}"
            for file, line, col, code, message in EXPECTED
        ],
    )
