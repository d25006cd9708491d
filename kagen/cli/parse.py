"""``kagen parse``: how keepalived reads a configuration, as an outline or JSON."""

from __future__ import annotations

import argparse
import json
import sys

from kagen.cli.options import EXIT_FINDINGS, EXIT_OK, config_id_option, print_diagnostics
from kagen.keepalived import default_config_id
from kagen.keepalived.parse import parse_file


def run(args: argparse.Namespace) -> int:
    from kagen.keepalived.dump import outline

    config_id = args.config_id if args.config_id is not None else default_config_id()
    parsed = []
    worst = EXIT_OK
    for path in args.files:
        config = parse_file(path, config_id)
        print_diagnostics(config.diagnostics)
        if config.has_errors:
            worst = EXIT_FINDINGS
        if args.json:
            parsed.append((config, path, config_id))
        elif not args.quiet:
            for line in outline(config):
                print(line)
    if args.json and sys.stdout.isatty():  # indented for a person at a terminal
        from kagen.keepalived.dump import config_to_dict, document

        documents = [config_to_dict(*each) for each in parsed]
        sys.stdout.write(json.dumps(document(documents), indent=1) + "\n")
    elif args.json:
        from kagen.keepalived.jsonout import write

        write(parsed, sys.stdout)
    return worst


def add(commands: argparse._SubParsersAction) -> None:
    parse = commands.add_parser(
        "parse",
        help="show how a configuration is read: tree, positions, include origins",
        description="Parse keepalived configuration files the way keepalived reads them and print "
        "the result: an outline (default) or JSON. Diagnostics go to standard error.",
        epilog="exit status: 0 no syntax errors, 1 syntax errors, 2 unreadable input",
    )
    parse.add_argument("files", nargs="+", metavar="FILE", help="configuration file, - for standard input")
    output = parse.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the tree and the typed model as JSON")
    output.add_argument("-q", "--quiet", action="store_true", help="print nothing but diagnostics")
    config_id_option(parse)
    parse.set_defaults(func=run)
