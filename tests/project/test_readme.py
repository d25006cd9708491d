"""The README stays true: its first two commands, its rules table, its CLI options, its example."""

from __future__ import annotations

import argparse
import re

from kagen import cli
from kagen.lint import registry
from support.helpers import REPO

README = (REPO / "README.md").read_text()


def test_starts_with_the_two_commands():
    block = README.split("```sh\n", 1)[1].split("```", 1)[0].splitlines()
    assert block[0].startswith(
        "python3 -m pip install . && kagen generate examples/web-pair/inventory.yaml -o out && "
        "kagen lint --inventory examples/web-pair/inventory.yaml out/"
    )
    assert block[1].startswith("python3 -m pip install tox && tox")
    assert (REPO / "examples" / "web-pair").is_dir()
    ci = (REPO / ".ci" / "run").read_text()
    assert "python3 -m pip install --quiet tox && tox" in ci


def test_rules_table_matches_the_registry():
    rows = re.findall(r"^\| (KA\d{3}) \| ([a-z0-9-]+) \| (\w+) \| (.*) \|$", README, re.M)
    assert [(code, name, severity) for code, name, severity, _ in rows] == [
        (rule.code, rule.name, str(rule.severity)) for rule in registry.RULES
    ]
    for (_, _, _, rest), rule in zip(rows, registry.RULES, strict=True):
        notes = rest.rsplit(" | ", 1)[1]
        assert ("beyond keepalived" in notes) == rule.beyond_keepalived, rule.code
        assert ("off with `--fragment`" in notes) == rule.whole_config, rule.code
        assert ("several files" in notes) == (rule.scope.value == "files"), rule.code
        assert ("`--inventory`" in notes) == (rule.scope.value == "inventory"), rule.code
        assert ("opt-in" in notes) == rule.opt_in, rule.code


def _options(command: str) -> list[str]:
    parser = cli.build_parser()
    for name in command.split():
        commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = commands.choices[name]
    return [o for action in parser._actions for o in action.option_strings if o not in ("-h", "--help")]


def test_every_option_is_documented():
    commands = (
        "parse",
        "lint",
        "fix",
        "explain",
        "fmt",
        "lsp",
        "generate",
        "init",
        "import describe-havips",
        "import list-ports",
        "import terraform",
        "schema",
        "clean",
    )
    for command in commands:
        for option in _options(command):
            assert f"`{option}" in README or f"{option}`" in README, (command, option)


def test_example_outputs_are_what_kagen_prints(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    monkeypatch.delenv("NO_COLOR", raising=False)
    examples = [block.split("```", 1)[0] for block in README.split("```console\n")[1:]]
    runs = [run for example in examples for run in re.split(r"^\$ ", example, flags=re.M)[1:]]
    assert [run.split(None, 2)[:2] for run in runs] == [["kagen", "lint"], ["kagen", "lint"], ["kagen", "explain"]]
    for run in runs:
        command, *expected = run.rstrip("\n").split("\n")
        argv = command.split()
        assert argv[0] == "kagen"
        cli.main(argv[1:])
        assert capsys.readouterr().out.rstrip("\n").split("\n") == expected


def _layout() -> dict[str, str]:
    """The README's layout tree: each entry's path (``kagen/lint/rules/``) and its description."""
    block = README.split("### Layout", 1)[1].split("```\n", 1)[1].split("```", 1)[0]
    entries: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    last = None
    for line in block.splitlines():
        indent = len(line) - len(line.lstrip(" "))
        name, _, description = line.strip().partition(" ")
        if indent > 20 or not name:  # a description's second line
            entries[last] += " " + line.strip()
            continue
        while stack and stack[-1][0] >= indent:
            stack.pop()
        last = "".join(part for _, part in stack) + name
        entries[last] = description.strip()
        if name.endswith("/"):
            stack.append((indent, name))
    return entries


def test_layout_section_matches_the_tree():
    entries = _layout()
    for path in entries:
        if path.startswith("kagen/"):
            assert (REPO / path).exists(), path
    for directory in sorted(p for p in (REPO / "kagen").rglob("*") if p.is_dir() and (p / "__init__.py").exists()):
        path = directory.relative_to(REPO).as_posix() + "/"
        assert path in entries, f"{path} is not in the README's layout"
        listed = [entry for entry in entries if entry.startswith(path) and entry != path]
        for module in sorted(directory.glob("*.py")):
            if module.name == "__init__.py":
                continue
            mentioned = module.relative_to(REPO).as_posix() in listed or re.search(rf"\b{module.stem}\b", entries[path])
            assert mentioned, f"{module.relative_to(REPO)} is not in the README's layout"


def test_the_github_actions_example_uploads_the_sarif_its_lint_step_writes(tmp_path, monkeypatch, capsys):
    import json
    import shlex
    import shutil

    import yaml

    section = README.split("## CI: GitHub Actions", 1)[1]
    workflow = yaml.safe_load(section.split("```yaml\n", 1)[1].split("```", 1)[0])
    steps = workflow["jobs"]["lint"]["steps"]
    (run,) = [step["run"] for step in steps if "run" in step and step["run"].startswith("kagen lint")]
    (upload,) = [step for step in steps if step.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
    assert workflow["permissions"]["security-events"] == "write" and upload["if"] == "always()"
    argv = shlex.split(run)
    assert argv[argv.index("--output-file") + 1] == upload["with"]["sarif_file"]
    shutil.copytree(REPO / "examples" / "web-pair", tmp_path / "repo")
    monkeypatch.chdir(tmp_path / "repo")
    assert cli.main(argv[1:]) == 0
    assert capsys.readouterr().out == ""
    report = json.loads((tmp_path / "repo" / upload["with"]["sarif_file"]).read_text())
    assert report["version"] == "2.1.0" and report["runs"][0]["results"] == []
