"""``kagen fix``: the rules' fixes applied in place, as a diff, or from standard input to standard
output."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from kagen.cli.options import (
    EXIT_FINDINGS,
    EXIT_NOTHING,
    EXIT_OK,
    codes,
    config_id_option,
    load_inventory,
    plural,
    target_version_option,
)
from kagen.diagnostics import Severity
from kagen.keepalived.source import LIMITS
from kagen.lint import settings
from kagen.reading import read_stream

if TYPE_CHECKING:  # kagen.fix is loaded when a fix is asked for
    from kagen.fix.apply import FixResult


def write_fixes(result: FixResult) -> None:
    """Put the fixed files in place (atomically), after tidying what a killed run left there."""
    from kagen.fix.apply import targets
    from kagen.generate.write import tidy, write_all

    tidy([path for path in result.remaining.files if path != "-"])
    write_all(targets(result))


def run(args: argparse.Namespace) -> int:
    from kagen.fix import apply as fix

    options = settings.load(
        {
            "select": args.select,
            "target_version": args.target_version,
            "config_id": args.config_id,
            "inventory": args.inventory,
        }
    )
    inventory = load_inventory(options)
    stdin = read_stream(sys.stdin.buffer, LIMITS["file_bytes"], "<stdin>") if "-" in args.paths else None
    result = fix.fix(args.paths or ["."], options, inventory, stdin)
    nothing = len(result.remaining.files) == (1 if inventory is not None else 0)  # the inventory is listed too
    if nothing:
        print("kagen: warning: no keepalived configuration files found", file=sys.stderr)
    sys.stdout.flush()  # what follows goes out as bytes: the files' own, whatever their encoding
    if args.diff:
        sys.stdout.buffer.write(result.diff().encode("utf-8", "surrogateescape"))
    else:
        write_fixes(result)
        if stdin is not None:
            sys.stdout.buffer.write(result.stdin(stdin))
    # With --diff nothing is written: say where each finding is in the file the user has.
    shown = result.on_disk if args.diff else (lambda finding: finding)
    for finding, reason in result.refused:
        print(f"{shown(finding).pos}: {finding.code} not fixed: {reason}", file=sys.stderr)
    remaining = [f for f in result.remaining.findings if f.severity is Severity.ERROR]
    for finding in remaining:
        print(shown(finding).to_text(), file=sys.stderr)
    verb = "would fix" if args.diff else "fixed"
    print(
        f"kagen: {verb} {plural(len(result.applied), 'finding')} in {plural(len(result.fixed), 'file')}; "
        f"{plural(len(remaining), 'error')} {'remain' if len(remaining) != 1 else 'remains'}",
        file=sys.stderr,
    )
    if nothing:
        return EXIT_NOTHING
    return EXIT_FINDINGS if remaining or (args.diff and result.fixed) else EXIT_OK


def add(commands: argparse._SubParsersAction) -> None:
    fixer = commands.add_parser(
        "fix",
        help="apply the rules' fixes in place (multicast to unicast and more)",
        description="Edit configurations in place with the fixes rules offer (kagen rules CODE shows them); "
        "everything else stays byte for byte. Each fix is checked by linting the edited text: one that would "
        "not remove its finding, or would add an error, is not applied. The peers a multicast instance needs "
        "come from --inventory or from the other files of the pair given in the same run.",
        epilog="exit status: 0 no errors left (and, with --diff, nothing to change), 1 errors left or, with "
        "--diff, changes to make, 2 usage or I/O error, 3 no keepalived configuration found",
    )
    fixer.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="files and directories (default: .); - reads standard input and writes the result to standard output",
    )
    fixer.add_argument(
        "--inventory", metavar="FILE", help="the cloud inventory: where nodes' addresses and peers come from"
    )
    fixer.add_argument(
        "--diff",
        action="store_true",
        help="write nothing; show the changes as a unified diff (findings left: at their lines on disk)",
    )
    fixer.add_argument(
        "--select", type=codes, metavar="CODES", help="only these rules' fixes: codes, prefixes or names"
    )
    target_version_option(fixer)
    config_id_option(fixer)
    fixer.set_defaults(func=run)
