"""``kagen parse --json`` is written as it is made (kagen.keepalived.jsonout): byte for byte what
``json.dumps`` gives for kagen.keepalived.dump's dictionaries, on every kind of line (quoted words,
parameters, sequences, includes, secrets, binary junk)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kagen.keepalived.dump import config_to_dict, document
from kagen.keepalived.jsonout import write
from kagen.keepalived.parse import parse_file, parse_string
from support.helpers import REPO, corpus_files

CONFIGS = [
    *sorted((REPO / "tests" / "configs").glob("*.conf")),
    REPO / "tests" / "configs" / "include" / "main.conf",
    *sorted((REPO / "tests" / "fixtures" / "hostile").glob("*.conf")),
]


def _both(config, name: str) -> tuple[str, str]:
    streamed = io.StringIO()
    write([(config, name, "x")], streamed)
    return streamed.getvalue(), json.dumps(document([config_to_dict(config, name, "x")]), separators=(",", ":")) + "\n"


@pytest.mark.parametrize("path", CONFIGS + corpus_files(), ids=lambda path: path.name)
def test_streamed_json_is_the_documented_json(path: Path):
    streamed, dumped = _both(parse_file(str(path), "x"), str(path))
    assert streamed == dumped


def test_every_shape_of_line():
    text = (
        '$PW=se"cr"et\n@x global_defs {\n  router_id "a b"\\ c\n}\n'
        "vrrp_instance VI_1 {\n    authentication {\n        auth_type PASS\n        auth_pass $PW\n    }\n"
        "    virtual_ipaddress {\n        10.0.0.1/24   dev  eth0\n        \u00e9t\u00e9\n    }\n"
        "    track_script {\n        chk\n    }\n    unknown {\n        nested words\n    }\n"
        "~SEQ(i,1,2) notify_master /bin/x$i\n}\n"
        "virtual_server 10.0.0.1 80 {\n    real_server 10.0.0.2 80 {\n        TCP_CHECK {\n"
        "            connect_timeout 3\n        }\n    }\n}\n"
    )
    config = parse_string(text.encode() + b"\xff\xfe junk\n", "shapes.conf", "x")
    streamed, dumped = _both(config, "shapes.conf")
    assert streamed == dumped
    assert '"keyword":"auth_pass","args":["********","********","********"]' in streamed


def test_the_command_streams_it(tmp_path: Path):
    conf = tmp_path / "a.conf"
    conf.write_text("vrrp_instance VI_1 {\n    interface eth0\n}\n")
    out = subprocess.run(
        [sys.executable, "-I", "-m", "kagen", "parse", "--json", "--config-id", "x", str(conf)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out == _both(parse_file(str(conf), "x"), str(conf))[1]
