"""The README stays true: its first two commands, its diagnostics table, its CLI options."""

from __future__ import annotations

import re

from helpers import REPO

from kagen.cli import build_parser
from kagen.diagnostics import PARSE_CHECKS

README = (REPO / "README.md").read_text()


def test_starts_with_the_two_commands():
    block = README.split("```sh\n", 1)[1].split("```", 1)[0].splitlines()
    assert block[0].startswith("python3 -m pip install . && kagen parse examples/web-pair/web-a.conf")
    assert block[1].startswith("python3 -m pip install tox && tox")
    assert (REPO / "examples" / "web-pair" / "web-a.conf").is_file()
    ci = (REPO / ".ci" / "run").read_text()
    assert "python3 -m pip install --quiet tox && tox" in ci


def test_diagnostics_table_matches_the_code():
    rows = re.findall(r"^\| (KA\d{3}) \| ([a-z-]+) \| (\w+)", README, re.M)
    assert rows == [(c.code, c.name, str(c.severity)) for c in PARSE_CHECKS]


def test_every_parse_option_is_documented():
    parse = build_parser()._subparsers._group_actions[0].choices["parse"]
    for action in parse._actions:
        for option in action.option_strings:
            if option not in ("-h", "--help"):
                assert f"`{option}" in README or f"{option}`" in README, option
