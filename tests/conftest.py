"""Shared fixtures: parsing helpers, the shared sample corpus, and the keepalived lab."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kagen.parse import parse_string
from tests import lab

REPO = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() == "true"


def shared_dir() -> Path | None:
    """The project's shared material (corpus, references): $KAGEN_SHARED or ../shared."""
    candidates = [os.environ.get("KAGEN_SHARED"), str(REPO.parent / "shared")]
    for candidate in filter(None, candidates):
        path = Path(candidate)
        if (path / "corpus" / "keepalived-samples").is_dir():
            return path
    return None


def corpus_files() -> list[Path]:
    shared = shared_dir()
    if shared is None:
        return []
    folder = shared / "corpus" / "keepalived-samples"
    return sorted(path for path in folder.iterdir() if path.is_file() and path.name != "PROVENANCE.md")


@pytest.fixture
def parse():
    """Parse text with a fixed config id, so that tests do not depend on the host name."""

    def run(text: str, config_id: str = "test", directory: str | os.PathLike = ".", name: str = "t.conf"):
        return parse_string(text, name=name, config_id=config_id, directory=str(directory))

    return run


def require(problem: str | None) -> None:
    """Skip with the reason; in CI (CI=true) a missing prerequisite fails instead."""
    if problem is None:
        return
    if IN_CI:
        pytest.fail(f"CI=true but {problem}")
    pytest.skip(problem)


@pytest.fixture(scope="session")
def keepalived_lab(tmp_path_factory):
    require(lab.missing_prerequisites())
    with lab.Lab(tmp_path_factory.mktemp("lab")) as the_lab:
        yield the_lab
