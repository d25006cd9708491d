"""Fixtures: parsing helper and the keepalived lab."""

from __future__ import annotations

import os

import pytest

from kagen.keepalived.parse import parse_string
from support import lab
from support.helpers import REPO, require


@pytest.fixture(autouse=True)
def _in_the_repository(monkeypatch):
    """Every test starts in the repository root, as tox runs it: kagen shows paths under the
    working directory relative to it, so a run from / would shorten the temporary paths tests
    expect (tests that need another directory change to it themselves)."""
    monkeypatch.chdir(REPO)


@pytest.fixture
def parse():
    """Parse text with a fixed config id, so that tests do not depend on the host name."""

    def run(text: str, config_id: str = "test", directory: str | os.PathLike = ".", name: str = "t.conf"):
        return parse_string(text, name=name, config_id=config_id, directory=str(directory))

    return run


@pytest.fixture(scope="session")
def keepalived_lab(tmp_path_factory):
    require(lab.missing_prerequisites())
    with lab.Lab(tmp_path_factory.mktemp("lab")) as the_lab:
        yield the_lab
