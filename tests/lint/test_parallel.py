"""The two-process rule run (kagen.lint.parallel) gives exactly the serial findings, also when the
child fails; forced on small files here by lowering the size from which it forks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kagen import cli
from kagen.diagnostics import Severity
from kagen.lint import engine, files, parallel
from kagen.lint.rule import Rule
from kagen.lint.settings import Options
from support.helpers import REPO, corpus_files

FILES = [*corpus_files(), *sorted((REPO / "tests" / "configs").glob("*.conf")), *sorted(REPO.glob("examples/*/*.conf"))]


def _findings(paths: list[Path], monkeypatch: pytest.MonkeyPatch, nodes: int) -> list[str]:
    monkeypatch.setattr(parallel, "PARALLEL_NODES", nodes)
    options = Options(config_id="t")
    result = engine.run(files.contexts([str(path) for path in paths], options), options)
    return [finding.to_text() for finding in result.findings]


def test_parallel_run_gives_the_serial_findings(monkeypatch):
    serial = _findings(FILES, monkeypatch, 10**9)
    assert len(serial) > 20
    assert _findings(FILES, monkeypatch, 0) == serial


def test_files_shared_between_processes_give_the_serial_output(monkeypatch, capsys):
    """Many files: their rules on two processes; the report (fixes offered included) is the same."""
    command = ["lint", "--config-id", "t", "--no-cache", *map(str, FILES)]
    monkeypatch.setattr(parallel, "PARALLEL_FILES_NODES", 10**9)
    serial = (cli.main(command), capsys.readouterr())
    assert "fixable with kagen lint --fix" in serial[1].out
    monkeypatch.setattr(parallel, "PARALLEL_FILES_NODES", 0)
    children = []
    fork = os.fork

    def counted() -> int:
        pid = fork()
        children.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", counted)
    assert (cli.main(command), capsys.readouterr()) == serial
    assert children


class _Broken(Rule):
    """What: fails in the forked child only. Why: test. Example: -. Fix: -."""

    code, name, severity = "KA999", "broken-in-child", Severity.ERROR

    def __init__(self, parent: int) -> None:
        self.parent = parent

    def check(self, ctx):
        if os.getpid() != self.parent:
            raise RuntimeError("child failure")
        yield self.report(ctx.config.items[0].pos, "ran in the parent")


def test_rules_of_a_failed_child_run_again_in_the_parent(monkeypatch):
    monkeypatch.setattr(parallel, "PARALLEL_NODES", 0)
    options = Options(config_id="t")
    [ctx] = files.contexts([str(REPO / "examples" / "web-pair" / "web-a.conf")], options)
    rules = [_Broken(os.getpid()) for _ in range(8)]
    found = parallel.check(ctx, rules)
    assert [finding.message for finding in found] == ["ran in the parent"] * 8


def test_a_rule_that_fails_everywhere_raises_as_in_a_serial_run(monkeypatch):
    monkeypatch.setattr(parallel, "PARALLEL_NODES", 0)
    options = Options(config_id="t")
    [ctx] = files.contexts([str(REPO / "examples" / "web-pair" / "web-a.conf")], options)
    with pytest.raises(RuntimeError, match="child failure"):
        parallel.check(ctx, [_Broken(-1), _Broken(-1)])


def test_a_task_beside_runs_in_another_process_and_returns_its_result():
    parent = os.getpid()
    result = parallel.beside(lambda: (os.getpid(), [1, 2, 3]))
    pid, value = result()
    assert pid != parent and value == [1, 2, 3]


def test_a_task_whose_child_fails_runs_in_the_parent(tmp_path):
    parent = os.getpid()
    marker = tmp_path / "ran"

    def task():
        if os.getpid() != parent:
            raise RuntimeError("child failure")
        marker.write_text("here")
        return "done"

    assert parallel.beside(task)() == "done"
    assert marker.read_text() == "here"
