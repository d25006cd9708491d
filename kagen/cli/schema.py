"""``kagen schema inventory``: the inventory's JSON Schema, for editors and validators."""

from __future__ import annotations

import argparse
import sys

from kagen.cli.options import EXIT_OK


def run(args: argparse.Namespace) -> int:
    from kagen.inventory.jsonschema import schema_text

    sys.stdout.write(schema_text())
    return EXIT_OK


def add(commands: argparse._SubParsersAction) -> None:
    schema = commands.add_parser(
        "schema",
        help="print the inventory's JSON Schema",
        description="Print the JSON Schema (draft 2020-12) of an inventory, built from the checks kagen makes, "
        "with a description for every key: editors (VS Code with the YAML extension, any yaml-language-server "
        "client) validate and complete inventory.yaml with it. kagen also ships it as "
        "kagen/inventory/data/inventory.schema.json.",
    )
    schema.add_argument("document", choices=("inventory",), help="the file whose schema to print: inventory")
    schema.set_defaults(func=run)
