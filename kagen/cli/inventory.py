"""``kagen init`` and ``kagen import``: an inventory to start from, written from kagen's example or
from what the cloud already records."""

from __future__ import annotations

import argparse
import sys

from kagen.cli.options import EXIT_OK, output_options
from kagen.cloud.facts import PROVIDERS


def write_example(args: argparse.Namespace) -> int:
    from importlib import resources

    from kagen.generate.write import write_text

    text = resources.files("kagen.inventory").joinpath("data", "init-inventory.yaml").read_text(encoding="utf-8")
    write_text(args.output, text, args.force)
    if args.output != "-":
        print(f"wrote {args.output}; check it with: kagen lint --inventory {args.output}", file=sys.stderr)
    return EXIT_OK


def import_state(args: argparse.Namespace) -> int:
    from kagen.cloud.facts import facts
    from kagen.generate.write import write_text
    from kagen.importers import api, terraform
    from kagen.importers import found as imported

    if args.source == "terraform":
        found = terraform.read(args.state, args.provider)
    elif args.source == "list-ports":
        found = api.read_ports(args.ports, args.vswitches or [], args.instances or [])
    else:
        found = api.read_havips(args.havips, args.provider, args.vswitches or [], args.instances or [], args.enis or [])
    text = imported.verified(found)
    write_text(args.output, text, args.force)
    if args.output != "-":
        clusters = sum(1 for h in found.havips.values() if h.members)
        print(
            f"wrote {args.output}: {len(found.havips)} {facts(found.provider).terms.vips}, {clusters} clusters; "
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
        help="saved JSON outputs of DescribeHaVips and its companions (Alibaba Cloud, Tencent Cloud, Volcengine)",
        description="Read saved API responses (one per file, or a JSON list of pages). The provider is told "
        "from the DescribeHaVips response's shape unless --provider says.",
    )
    describe.add_argument("havips", nargs="+", metavar="HAVIPS.json", help="DescribeHaVips output(s)")
    describe.add_argument(
        "--provider",
        choices=("alibaba", "tencent", "volcengine"),
        help="whose responses they are (default: told from the first file's shape)",
    )
    describe.add_argument(
        "--vswitches",
        "--subnets",
        dest="vswitches",
        action="append",
        metavar="FILE",
        help="DescribeVSwitches (Alibaba) or DescribeSubnets (Tencent, Volcengine) output (repeatable)",
    )
    describe.add_argument(
        "--instances", action="append", metavar="FILE", help="ECS or CVM DescribeInstances output (repeatable)"
    )
    describe.add_argument(
        "--enis",
        action="append",
        metavar="FILE",
        help="DescribeNetworkInterfaces output (repeatable; Alibaba, Tencent)",
    )
    output_options(describe, "-")
    describe.set_defaults(func=import_state)
    ports = sources.add_parser(
        "list-ports",
        help="saved JSON outputs of Huawei Cloud's ListPorts, ListSubnets and ListServersDetails",
        description="Read saved Huawei Cloud API responses (one per file, or a JSON list of pages): virtual IPs "
        "are the ports with device_owner neutron:VIP_PORT, their members the ports their allowed address pairs hold.",
    )
    ports.add_argument("ports", nargs="+", metavar="PORTS.json", help="ListPorts output(s)")
    ports.add_argument("--provider", choices=("huawei",), default="huawei", help="whose responses they are: huawei")
    ports.add_argument(
        "--subnets", dest="vswitches", action="append", metavar="FILE", help="ListSubnets output (repeatable)"
    )
    ports.add_argument(
        "--instances", action="append", metavar="FILE", help="ECS ListServersDetails output (repeatable)"
    )
    output_options(ports, "-")
    ports.set_defaults(func=import_state)
    state = sources.add_parser(
        "terraform",
        help="the output of terraform show -json",
        description="Read the state of a Terraform configuration (terraform show -json) of the alicloud, "
        "tencentcloud, volcengine or huaweicloud provider, told from its resource types unless --provider says.",
    )
    state.add_argument("state", metavar="STATE.json", help="terraform show -json output")
    state.add_argument(
        "--provider", choices=PROVIDERS, help="whose resources to read (default: told from the resource types)"
    )
    output_options(state, "-")
    state.set_defaults(func=import_state)
