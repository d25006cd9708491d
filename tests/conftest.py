"""Fixtures: parsing helper and the keepalived labs."""

from __future__ import annotations

import contextlib
import os
import shutil

import pytest

from kagen.keepalived.parse import parse_string
from support import lab, referee
from support.helpers import REPO, require

# Collected once: the test ids name each binary's release (keepalived-2.2.7, keepalived-2.4.3).
KEEPALIVEDS = referee.binaries()


@pytest.fixture(autouse=True)
def _in_the_repository(monkeypatch):
    """Every test starts in the repository root, as tox runs it: kagen shows paths under the
    working directory relative to it, so a run from / would shorten the temporary paths tests
    expect (tests that need another directory change to it themselves)."""
    monkeypatch.chdir(REPO)


@pytest.fixture(autouse=True)
def _own_lint_cache(monkeypatch, tmp_path_factory):
    """Each test's ``kagen lint`` runs write a cache of their own (the cache is exercised by every
    run, and a test that changes kagen's rules in memory cannot replay another test's output);
    tests of the cache itself choose their directories."""
    monkeypatch.setenv("KAGEN_CACHE_DIR", str(tmp_path_factory.mktemp("kagen_cache")))


@pytest.fixture
def parse():
    """Parse text with a fixed config id, so that tests do not depend on the host name."""

    def run(text: str, config_id: str = "test", directory: str | os.PathLike = ".", name: str = "t.conf"):
        return parse_string(text, name=name, config_id=config_id, directory=str(directory))

    return run


@pytest.fixture(scope="session")
def _labs(tmp_path_factory):
    """Opens one lab per keepalived binary on first use; all are removed at the end of the session."""
    with contextlib.ExitStack() as stack:
        opened: dict[str, lab.Lab] = {}

        def open_lab(keepalived: str) -> lab.Lab:
            if keepalived not in opened:
                the_lab = lab.Lab(tmp_path_factory.mktemp("lab"), keepalived)
                opened[keepalived] = stack.enter_context(the_lab)
            return opened[keepalived]

        yield open_lab


@pytest.fixture(scope="session")
def keepalived_lab(_labs):
    """The lab with the distribution's keepalived: what kagen's own output (generate, fix) must
    satisfy on the machine that runs it."""
    require(lab.missing_prerequisites())
    return _labs(shutil.which("keepalived"))


@pytest.fixture(scope="session", params=KEEPALIVEDS, ids=[keepalived.label for keepalived in KEEPALIVEDS])
def keepalived_release_lab(request, _labs):
    """A lab per keepalived release kagen is measured against (tests/support/referee.py): the
    distribution's and the newest; ``.version`` is the target version that goes with it."""
    keepalived = request.param
    if keepalived.problem is not None:
        if not keepalived.fatal:
            pytest.skip(keepalived.problem)
        require(keepalived.problem)
    require(lab.missing_prerequisites(("ip", keepalived.path, "gcc")))
    return _labs(keepalived.path)
