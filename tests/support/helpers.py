"""Helpers shared by the tests. The tests directory is on sys.path (not the repository root), so
``import kagen`` always means the installed package, as in tox."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
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


def require(problem: str | None) -> None:
    """Skip with the reason; in CI (CI=true) a missing prerequisite fails instead."""
    if problem is None:
        return
    if IN_CI:
        pytest.fail(f"CI=true but {problem}")
    pytest.skip(problem)


def lint_text(text: str, select: str, name: str = "t.conf", directory: str = "/nonexistent", **settings) -> list[str]:
    """Findings of the selected rules on ``text`` as "line:col message", a "[severity]" suffix when
    it differs from the rule's default."""
    from kagen.keepalived.keywords import table
    from kagen.keepalived.parse import parse_string
    from kagen.lint import engine
    from kagen.lint.context import FileContext
    from kagen.lint.settings import Options

    options = Options(select=[select], config_id="t", **settings)
    ctx = FileContext(name, parse_string(text, name, "t", directory=directory), options, table())
    return [
        f"{f.pos.line}:{f.pos.col} {f.message}" + (f" [{f.severity}]" if f.severity != f.check.severity else "")
        for f in engine.run([ctx], options).findings
    ]


def lint_paths(paths: list[str], options):
    """What ``kagen lint PATHS`` finds with ``options``: the inventory they name loaded, the files
    read, the rules run."""
    from kagen.inventory.load import load
    from kagen.lint import engine, files

    inventory = load(options.inventory) if options.inventory is not None else None
    return engine.run(files.contexts(paths, options), options, inventory)
