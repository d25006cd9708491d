"""``kagen explain``: per cluster, who is MASTER at start and after each single failure."""

from __future__ import annotations

import argparse
import sys

from kagen.cli.options import (
    EXIT_ERROR,
    EXIT_NOTHING,
    EXIT_OK,
    cluster_option,
    cluster_problems,
    config_id_option,
    load_inventory,
)
from kagen.diagnostics import InputError
from kagen.lint import files, settings
from kagen.lint.clusters import clusters


def run(args: argparse.Namespace) -> int:
    from kagen.explain.report import document, text
    from kagen.explain.scenarios import explain

    options = settings.load({"config_id": args.config_id, "clusters": args.cluster, "inventory": args.inventory})
    errors: list[str] = []
    inventory = None
    try:
        inventory = load_inventory(options)
    except InputError as exc:  # explained without it, as kagen lint lints without it
        errors.extend(getattr(exc, "problems", None) or [str(exc)])
    ctxs, found = files.inputs(args.paths or ["."], options)
    errors.extend(found.missing)
    errors.extend(cluster_problems(options, args.cluster or [], ctxs))
    groups = [ctxs]
    if inventory is not None and len(ctxs) > 1:
        from kagen.lint.placement import networks

        groups = networks(inventory, ctxs)
    explained: list = []
    paired: set[str] = set()
    for group in groups:
        for members in clusters(group):
            explained.append(explain(members))
            paired.update(ctx.path for ctx, _ in members)
    alone = [ctx.path for ctx in ctxs if ctx.path not in paired and ctx.config.vrrp_instances]
    for error in errors:
        print(f"kagen: error: {error}", file=sys.stderr)
    if not ctxs and not errors:
        print("kagen: warning: no keepalived configuration files found", file=sys.stderr)
        return EXIT_NOTHING
    sys.stdout.write(document(explained, alone, errors) if args.format == "json" else text(explained, alone))
    return EXIT_ERROR if errors else EXIT_OK


def add(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser(
        "explain",
        help="per cluster: who is MASTER at start and after each single failure",
        description="For every cluster (grouped as kagen lint groups them): each member's state and priorities as "
        "keepalived computes them, then who is MASTER after each tracked object of each member fails, after a "
        "member stops or crashes, whether the virtual IP moves, how fast, and whether it comes back.",
        epilog="exit status: 0 explained, 2 usage or I/O error, 3 no keepalived configuration found",
    )
    command.add_argument("paths", nargs="*", metavar="PATH", help="files and directories (default: .)")
    command.add_argument("--inventory", metavar="FILE", help="the cloud inventory: which files form a cluster")
    cluster_option(command)
    command.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    config_id_option(command)
    command.set_defaults(func=run)
