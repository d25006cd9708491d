"""kagen's layout holds: imports go one way between the pipeline stages, no module imports
itself through others, no rule module serves another as a library, only the command line
touches argparse, and no module grows past ~400 lines. Built from the source (ast), so a new
import anywhere, inside a function or under TYPE_CHECKING included, is held to it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from support.helpers import REPO

PACKAGE = REPO / "kagen"
MAX_LINES = 400

# What each part of kagen may import (besides itself and the package root's __version__):
# cli -> (generate, fix, explain, format, lsp, report) -> lint -> keepalived -> diagnostics;
# importers -> inventory -> cloud.
ALLOWED = {
    "kagen.diagnostics": set(),
    "kagen.partition": set(),
    "kagen.reading": {"kagen.diagnostics"},
    "kagen.keepalived": {"kagen.diagnostics", "kagen.reading"},
    "kagen.cloud": {"kagen.diagnostics"},
    "kagen.inventory": {"kagen.cloud", "kagen.diagnostics", "kagen.reading"},
    "kagen.importers": {"kagen.inventory", "kagen.cloud", "kagen.diagnostics"},
    "kagen.lint": {"kagen.keepalived", "kagen.cloud", "kagen.diagnostics", "kagen.partition", "kagen.reading"},
    "kagen.report": {"kagen.lint", "kagen.keepalived", "kagen.diagnostics"},
    "kagen.fix": {"kagen.lint", "kagen.keepalived", "kagen.cloud", "kagen.diagnostics"},
    "kagen.explain": {"kagen.lint", "kagen.keepalived", "kagen.diagnostics"},
    "kagen.format": {"kagen.lint", "kagen.keepalived", "kagen.diagnostics"},
    # The language server offers the fixes and the layout: it sits beside fix and format.
    "kagen.lsp": {
        "kagen.format",
        "kagen.fix",
        "kagen.lint",
        "kagen.keepalived",
        "kagen.inventory",
        "kagen.cloud",
        "kagen.diagnostics",
        "kagen.reading",
    },
    "kagen.generate": {
        "kagen.lint",
        "kagen.keepalived",
        "kagen.inventory",
        "kagen.cloud",
        "kagen.diagnostics",
        "kagen.partition",
        "kagen.reading",
    },
    "kagen.cli": {
        "kagen.generate",
        "kagen.fix",
        "kagen.explain",
        "kagen.format",
        "kagen.lsp",
        "kagen.report",
        "kagen.lint",
        "kagen.keepalived",
        "kagen.importers",
        "kagen.inventory",
        "kagen.cloud",
        "kagen.diagnostics",
        "kagen.reading",
    },
    "kagen.__main__": {"kagen.cli"},
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _resolve(base: str, name: str) -> str:
    """``from base import name``: the module ``base.name`` if there is one, else ``base``."""
    return f"{base}.{name}" if f"{base}.{name}" in MODULES else base


def imports(module: str) -> dict[str, int]:
    """Every module of kagen (and every outside module) that ``module`` imports, anywhere in its
    source, with the line of the first such import."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(), str(path))
    found: dict[str, int] = {}
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.setdefault(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            for alias in node.names:
                found.setdefault(_resolve(base, alias.name) if base.startswith("kagen") else base, node.lineno)
    return found


def part(module: str) -> str:
    """The stage a module belongs to: kagen.lint.rules.values -> kagen.lint."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def kagen_imports(module: str) -> dict[str, int]:
    return {name: line for name, line in imports(module).items() if name.startswith("kagen.") and name != "kagen"}


def test_every_module_belongs_to_a_known_part():
    unknown = sorted({part(module) for module in MODULES} - set(ALLOWED) - {"kagen"})
    assert unknown == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_go_one_way(module):
    own = part(module)
    allowed = ALLOWED.get(own, set()) | {own}
    wrong = [f"line {line}: {name}" for name, line in kagen_imports(module).items() if part(name) not in allowed]
    assert wrong == [], f"{module} imports what is above it or beside it"


def test_no_import_cycles():
    graph = {module: set(kagen_imports(module)) & set(MODULES) for module in MODULES}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_rule_modules_do_not_import_each_other():
    rules = [module for module in MODULES if module.startswith("kagen.lint.rules.")]
    wrong = {
        module: sorted(name for name in kagen_imports(module) if name.startswith("kagen.lint.rules"))
        for module in rules
    }
    assert {module: names for module, names in wrong.items() if names} == {}


def test_the_engine_and_the_rule_base_do_not_know_the_rules():
    for module in ("kagen.lint.engine", "kagen.lint.rule", "kagen.lint.context", "kagen.lint.parallel"):
        assert not [name for name in kagen_imports(module) if name.startswith("kagen.lint.rules")], module
    assert "kagen.lint.rule" not in kagen_imports("kagen.lint.context")


def test_only_the_command_line_uses_argparse():
    users = sorted(module for module in MODULES if "argparse" in imports(module))
    assert users and all(module.startswith("kagen.cli") for module in users)


def test_no_module_is_over_400_lines():
    long = {module: n for module, path in MODULES.items() if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def test_the_graph_is_read_from_the_code():
    """The checks above see real edges: the engine imports the registry, the registry the rules,
    and the reader's imports inside functions and under TYPE_CHECKING count."""
    assert "kagen.lint.registry" in kagen_imports("kagen.lint.engine")
    assert any(name.startswith("kagen.lint.rules.") for name in kagen_imports("kagen.lint.registry"))
    assert "kagen.cloud.model" in kagen_imports("kagen.lint.engine")  # under TYPE_CHECKING
    assert "kagen.fix.apply" in kagen_imports("kagen.cli.lint")  # inside a function


def test_every_package_is_shipped():
    """setup.cfg lists the packages by name: a new one left out installs nothing of it (an
    editable install hides that; a wheel does not)."""
    import configparser

    config = configparser.ConfigParser()
    config.read(REPO / "setup.cfg")
    shipped = set(config["options"]["packages"].split())
    found = {".".join(path.parent.relative_to(REPO).parts) for path in PACKAGE.rglob("__init__.py")}
    assert found <= shipped
