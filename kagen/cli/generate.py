"""``kagen generate``: per-node configurations and the resource model from an inventory."""

from __future__ import annotations

import argparse
import sys

from kagen.cli.options import EXIT_FINDINGS, EXIT_OK, target_version_option
from kagen.lint import settings


def run(args: argparse.Namespace) -> int:
    from kagen.generate import run as generate

    target = settings.load({"target_version": args.target_version}).target_version
    run = generate.prepare(args.inventory, args.output, target)
    try:
        if args.check:
            run.verify()
            written = []
        else:
            written = run.verify_and_write(args.force) or []  # None: errors, nothing written
    finally:
        for finding in run.findings:
            print(run.plan.secrets.mask(finding.to_text()), file=sys.stderr)
    if run.errors:
        print(
            f"kagen: error: the generated configurations do not pass kagen lint ({len(run.errors)} errors); "
            "nothing was written",
            file=sys.stderr,
        )
        return EXIT_FINDINGS
    for path in run.stale():
        print(f"kagen: warning: {path} was generated for a node the inventory no longer has", file=sys.stderr)
    if args.check:
        diff = run.diff()
        sys.stdout.write(diff)
        changed = len(run.changed)
        if changed:
            print(f"kagen: {changed} of {len(run.outputs)} files differ from the inventory", file=sys.stderr)
            return EXIT_FINDINGS
        print(f"kagen: {len(run.outputs)} files up to date", file=sys.stderr)
        return EXIT_OK
    for path in written:
        print(path)
    print(
        f"kagen: {len(written)} files written, {len(run.outputs) - len(written)} unchanged in {args.output}",
        file=sys.stderr,
    )
    return EXIT_OK


def add(commands: argparse._SubParsersAction) -> None:
    generate = commands.add_parser(
        "generate",
        help="write unicast keepalived configurations and Terraform resources from an inventory",
        description="Write one keepalived.conf per node (OUTPUT/NODE/keepalived.conf) for every cluster of "
        "the inventory, and the HAVIP resources they rely on (OUTPUT/havip.tf.json). Every file is parsed "
        "and linted with the inventory first; nothing is written unless all pass, and then all files are "
        "replaced together. VRRP passwords come from the environment variable or file the inventory names.",
        epilog="exit status: 0 written (or up to date with --check), 1 lint findings in the generated files "
        "(or files that differ, with --check), 2 usage, inventory or I/O error",
    )
    generate.add_argument("inventory", metavar="INVENTORY", help="the inventory (YAML, JSON or TOML)")
    generate.add_argument("-o", "--output", required=True, metavar="DIR", help="directory to write into")
    generate.add_argument(
        "--check",
        action="store_true",
        help="write nothing; show a diff and exit 1 when a file differs from what would be generated",
    )
    generate.add_argument("--force", action="store_true", help="replace files that kagen did not generate")
    target_version_option(generate)
    generate.set_defaults(func=run)
