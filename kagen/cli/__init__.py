"""The ``kagen`` command line. Thin: each command (one module each) calls library functions and
prints.

Exit codes: 0 clean; 1 findings (error-level diagnostics); 2 usage, I/O or internal error.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import io
import os
import sys
from collections.abc import Sequence

from kagen import __version__
from kagen.cli.options import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, Parser
from kagen.diagnostics import InputError
from kagen.lint import settings

# Each command's module and the function that adds it to the parser, in the order --help lists
# them. A run loads only its command's module: start-up counts in pre-commit and in the editor.
COMMANDS = {
    "parse": ("parse", "add"),
    "lint": ("lint", "add"),
    "rules": ("rules", "add"),
    "fix": ("fix", "add"),
    "explain": ("explain", "add"),
    "fmt": ("fmt", "add"),
    "lsp": ("lsp", "add"),
    "init": ("inventory", "add_init"),
    "generate": ("generate", "add"),
    "import": ("inventory", "add_import"),
    "schema": ("schema", "add"),
    "clean": ("clean", "add"),
}


def _command(argv: Sequence[str]) -> str | None:
    """The command ``argv`` runs, when its first word names one (options before it: none)."""
    return argv[0] if argv and argv[0] in COMMANDS else None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, or with ``only`` the parser of that one command."""
    parser = Parser(
        prog="kagen",
        description="Lint and generate keepalived configurations for unicast VRRP pairs.",
        epilog="exit status: 0 clean, 1 findings, 2 usage, I/O or internal error, 3 nothing to lint",
    )
    parser.add_argument("--version", action="version", version=f"kagen {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module, add) in COMMANDS.items():
        if only is None or name == only:
            getattr(importlib.import_module(f"kagen.cli.{module}"), add)(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(_command(argv))
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already printed
        return EXIT_OK if exc.code in (0, None) else EXIT_ERROR
    # The run allocates many objects and no reference cycles worth collecting before it ends.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return args.func(args)
    except InputError as exc:
        # An inventory's problems (kagen.inventory.load.InventoryError) are FILE:LINE: lines of their own.
        problems = getattr(exc, "problems", None)
        if problems:
            print("\n".join(problems), file=sys.stderr)
            plural = "s" * (len(problems) != 1)
            print(f"kagen: error: the inventory cannot be used ({len(problems)} problem{plural})", file=sys.stderr)
        else:
            print(f"kagen: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except settings.SettingsError as exc:  # registry.UnknownSelector too
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
    finally:
        if collecting:
            gc.enable()


def run() -> None:
    """Console-script entry point."""
    # The process ends with os._exit below: a collection pass over the ~10^6 objects a large
    # configuration leaves would only delay it (main's own pause would otherwise end with one).
    gc.disable()
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):  # not when a test or an embedding program replaced it
            stream.reconfigure(errors="backslashreplace")
    from kagen.lint import cache

    cache.WRITE_BEHIND = True  # the process ends right after main: the cache is written behind it
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        code = code or EXIT_FINDINGS
    except ValueError:  # the language server's transport closed standard output as the editor left
        pass
    # A large configuration leaves ~10^6 objects behind; freeing them one by one at exit costs
    # about a tenth of a second and nothing depends on it, so leave that to the OS.
    os._exit(code)
