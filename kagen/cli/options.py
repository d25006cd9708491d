"""What the commands share: exit codes, the options several of them take, and small helpers."""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn

from kagen.diagnostics import Diagnostic, did_you_mean
from kagen.lint import settings

if TYPE_CHECKING:
    from kagen.cloud.model import Inventory

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR, EXIT_NOTHING = 0, 1, 2, 3  # 3: no keepalived configuration found


class Parser(argparse.ArgumentParser):
    """argparse as users of ruff or git expect it: an unknown option is reported by the command it
    was given to, with that command's usage, and a misspelt command, choice or option gets a
    "did you mean"."""

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        parsed, extras = super().parse_known_args(args, namespace)
        if extras and self._subparsers is None:  # a command's own parser: the extras are its to report
            options = [option for action in self._actions for option in action.option_strings]
            self.error(f"unrecognized arguments: {' '.join(extras)}{did_you_mean(extras[0].split('=')[0], options)}")
        return parsed, extras

    def error(self, message: str) -> NoReturn:
        match = re.search(r"invalid choice: '?([^' ]*)'? \(choose from (.*)\)$", message)
        if match is not None:
            choices = [choice.strip(" '") for choice in match.group(2).split(",")]
            message += did_you_mean(match.group(1), choices)
        super().error(message)


def plural(number: int, noun: str) -> str:
    """``1 file``, ``2 files``."""
    return f"{number} {noun}{'s' * (number != 1)}"


def print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    for item in sorted(diagnostics, key=Diagnostic.sort_key):
        print(item.to_text(), file=sys.stderr)


def color(choice: str | None = None) -> bool:
    """Whether text output is coloured: ``--color always|never`` decides; else (auto) a non-empty
    NO_COLOR turns colour off, a FORCE_COLOR other than empty, 0 or false turns it on, and
    otherwise only a terminal gets colour (https://no-color.org, https://force-color.org)."""
    if choice in ("always", "never"):
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "").lower() not in ("", "0", "false"):
        return True
    return sys.stdout.isatty()


def color_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text output: auto (a terminal, unless NO_COLOR; FORCE_COLOR forces it), always, never",
    )


def load_inventory(options: settings.Options) -> Inventory | None:
    """The inventory the options name, loaded (its problems raise InventoryError)."""
    if options.inventory is None:
        return None
    from kagen.inventory.load import load

    return load(options.inventory)


def output_options(parser: argparse.ArgumentParser, default: str) -> None:
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        default=default,
        help=f"where to write (default: {default}; - for standard output)",
    )
    parser.add_argument("--force", action="store_true", help="replace the file if it exists")


def codes(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def target_version_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--target-version",
        metavar="X.Y.Z",
        help="the keepalived release that will read the files (default: the newest kagen knows)",
    )


def config_id_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--config-id", metavar="ID", help="keepalived's -i: keep '@ID' lines for this ID (default: the short host name)"
    )


def cache_dir_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--cache-dir",
        metavar="DIR",
        default=os.environ.get("KAGEN_CACHE_DIR"),
        help="the lint cache's directory (default: $KAGEN_CACHE_DIR, else .kagen_cache beside the settings "
        "file, else in the working directory)",
    )


def cluster_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--cluster",
        action="append",
        type=codes,
        metavar="FILE,FILE",
        help="these files are the members of one cluster: match their instances by name (repeatable)",
    )


def cluster_problems(options: settings.Options, given: list[list[str]], ctxs: list) -> list[str]:
    """What is wrong with the clusters named: a group of fewer than two files, a file that does not
    exist, and, for ``--cluster`` (not the settings file, whose groups serve every run of a
    pre-commit hook), a file that is not among those linted."""
    linted = {os.path.realpath(ctx.path) for ctx in ctxs}
    problems = []
    for group in options.clusters:
        where = "--cluster" if group in given else f"{options.source}: clusters"
        if len({os.path.realpath(member) for member in group}) < 2:
            problems.append(f"{where} {','.join(group)}: a cluster needs at least two files")
        elif len({os.path.realpath(member) for member in group}) < len(group):
            problems.append(f"{where} {','.join(group)}: a file is named twice")
        for member in group:
            if not os.path.isfile(member):
                problems.append(f"{where}: {member}: No such file")
            elif group in given and os.path.realpath(member) not in linted:
                problems.append(f"--cluster: {member} is not among the files linted")
    return problems
