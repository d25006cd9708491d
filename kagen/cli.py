"""The ``kagen`` command line. Thin: each command calls library functions and prints.

Exit codes: 0 clean; 1 findings (error-level diagnostics); 2 usage, I/O or internal error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from kagen import __version__
from kagen.diagnostics import Diagnostic
from kagen.dump import config_to_dict, document, outline
from kagen.parse import gc_paused, parse_file
from kagen.source import InputError, default_config_id

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    for item in sorted(diagnostics, key=Diagnostic.sort_key):
        print(item.to_text(), file=sys.stderr)


def cmd_parse(args: argparse.Namespace) -> int:
    config_id = args.config_id if args.config_id is not None else default_config_id()
    documents = []
    worst = EXIT_OK
    for path in args.files:
        config = parse_file(path, config_id)
        _print_diagnostics(config.diagnostics)
        if config.has_errors:
            worst = EXIT_FINDINGS
        if args.json:
            documents.append(config_to_dict(config, path, config_id))
        elif not args.quiet:
            for line in outline(config):
                print(line)
    if args.json:
        # Indented only for a person at a terminal: json's indenting encoder is pure Python and
        # many times slower than the compact one on large configurations.
        indent = 1 if sys.stdout.isatty() else None
        separators = None if indent else (",", ":")
        sys.stdout.write(json.dumps(document(documents), indent=indent, separators=separators) + "\n")
    return worst


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kagen",
        description="Lint and generate keepalived configurations for unicast VRRP pairs.",
        epilog="exit status: 0 clean, 1 findings, 2 usage, I/O or internal error",
    )
    parser.add_argument("--version", action="version", version=f"kagen {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

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
    parse.add_argument(
        "--config-id",
        metavar="ID",
        help="keepalived's -i: keep '@ID' lines for this ID (default: the short host name)",
    )
    parse.set_defaults(func=cmd_parse)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already printed
        return EXIT_OK if exc.code in (0, None) else EXIT_ERROR
    try:
        with gc_paused():
            return args.func(args)
    except InputError as exc:
        print(f"kagen: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (kagen ... | head); don't let Python complain at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FINDINGS
    except Exception as exc:
        if os.environ.get("KAGEN_DEBUG"):
            raise
        print(f"kagen: internal error: {type(exc).__name__}: {exc} (set KAGEN_DEBUG=1 for details)", file=sys.stderr)
        return EXIT_ERROR


def run() -> None:
    """Console-script entry point."""
    for stream in (sys.stdout, sys.stderr):
        stream.reconfigure(errors="backslashreplace")  # type: ignore[attr-defined]
    sys.exit(main())
