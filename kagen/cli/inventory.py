"""``kagen init`` and ``kagen import``: an inventory to start from, written from kagen's example or
from what the cloud already records."""

from __future__ import annotations

import argparse
import sys

from kagen.cli.options import EXIT_OK, output_options


def write_example(args: argparse.Namespace) -> int:
    from importlib import resources

    from kagen.generate.write import write_text

    text = resources.files("kagen.inventory").joinpath("data", "init-inventory.yaml").read_text(encoding="utf-8")
    write_text(args.output, text, args.force)
    if args.output != "-":
        print(f"wrote {args.output}; check it with: kagen lint --inventory {args.output}", file=sys.stderr)
    return EXIT_OK


def import_state(args: argparse.Namespace) -> int:
    from kagen.generate.write import write_text
    from kagen.importers import describe, terraform
    from kagen.importers import found as imported

    if args.source == "terraform":
        found = terraform.read(args.state)
    else:
        found = describe.read(args.havips, args.vswitches or [], args.instances or [], args.enis or [])
    text = imported.verified(found)
    write_text(args.output, text, args.force)
    if args.output != "-":
        clusters = sum(1 for h in found.havips.values() if h.members)
        print(
            f"wrote {args.output}: {len(found.havips)} HAVIPs, {clusters} clusters; "
            f"check it with: kagen lint --inventory {args.output}",
            file=sys.stderr,
        )
    return EXIT_OK


def add_init(commands: argparse._SubParsersAction) -> None:
    init = commands.add_parser(
        "init",
        help="write a commented example inventory to start from",
        description="Write a commented example inventory (an HAVIP pair) to edit into yours.",
    )
    output_options(init, "inventory.yaml")
    init.set_defaults(func=write_example)


def add_import(commands: argparse._SubParsersAction) -> None:
    importer = commands.add_parser(
        "import",
        help="turn existing cloud state into an inventory",
        description="Build an inventory from what the cloud already records. Values the records do not "
        "hold (roles, priorities, VRIDs, ENI device names) get kagen's defaults and a comment saying so. "
        "The result is loaded back before it is written.",
    )
    sources = importer.add_subparsers(dest="source", metavar="SOURCE", required=True)
    describe = sources.add_parser(
        "describe-havips",
        help="saved JSON outputs of the DescribeHaVips, DescribeVSwitches, DescribeInstances and "
        "DescribeNetworkInterfaces APIs",
        description="Read saved API responses (one per file, or a JSON list of pages).",
    )
    describe.add_argument("havips", nargs="+", metavar="HAVIPS.json", help="DescribeHaVips output(s)")
    describe.add_argument("--vswitches", action="append", metavar="FILE", help="DescribeVSwitches output (repeatable)")
    describe.add_argument("--instances", action="append", metavar="FILE", help="DescribeInstances output (repeatable)")
    describe.add_argument(
        "--enis", action="append", metavar="FILE", help="DescribeNetworkInterfaces output (repeatable)"
    )
    output_options(describe, "-")
    describe.set_defaults(func=import_state)
    state = sources.add_parser(
        "terraform",
        help="the output of terraform show -json",
        description="Read the state of an aliyun/alicloud Terraform configuration (terraform show -json).",
    )
    state.add_argument("state", metavar="STATE.json", help="terraform show -json output")
    output_options(state, "-")
    state.set_defaults(func=import_state)
