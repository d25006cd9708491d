"""What the commands share: exit codes, the options several of them take, and small helpers."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from kagen.diagnostics import Diagnostic
from kagen.lint import settings

if TYPE_CHECKING:
    from kagen.cloud.model import Inventory

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    for item in sorted(diagnostics, key=Diagnostic.sort_key):
        print(item.to_text(), file=sys.stderr)


def color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


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
