"""``kagen clean``: remove the lint cache (as ``ruff clean`` does)."""

from __future__ import annotations

import argparse
import os
import shutil
import sys

from kagen.cli.options import EXIT_ERROR, EXIT_OK, cache_dir_option
from kagen.lint import settings
from kagen.lint.cache import location
from kagen.lint.store import made_by_kagen


def run(args: argparse.Namespace) -> int:
    directory = location(settings.load({}), args.cache_dir)
    if os.path.islink(directory) or (os.path.lexists(directory) and not os.path.isdir(directory)):
        print(f"kagen: error: {directory} is not a directory kagen made: not removed", file=sys.stderr)
        return EXIT_ERROR
    if not os.path.isdir(directory):
        if not args.quiet:
            print(f"kagen: no cache at {directory}", file=sys.stderr)
        return EXIT_OK
    if not made_by_kagen(directory):
        print(f"kagen: error: {directory} has no kagen CACHEDIR.TAG: not removed", file=sys.stderr)
        return EXIT_ERROR
    try:
        shutil.rmtree(directory)
    except OSError as exc:
        print(f"kagen: error: {directory}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
    if not args.quiet:
        print(f"kagen: removed {directory}", file=sys.stderr)
    return EXIT_OK


def add(commands: argparse._SubParsersAction) -> None:
    clean = commands.add_parser(
        "clean",
        help="remove the lint cache",
        description="Remove the lint cache: .kagen_cache beside the settings file (.kagen.toml or pyproject.toml "
        "found from the working directory upward), else in the working directory. Only a directory kagen "
        "made (it holds kagen's CACHEDIR.TAG) is removed.",
        epilog="exit status: 0 removed or nothing to remove, 2 not removed",
    )
    cache_dir_option(clean)
    clean.add_argument("-q", "--quiet", action="store_true", help="say nothing unless it fails")
    clean.set_defaults(func=run)
