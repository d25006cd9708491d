"""``kagen lsp``: the language server (kagen.lsp), for editors, over standard input and output."""

from __future__ import annotations

import argparse

from kagen.cli.options import EXIT_OK


def run(args: argparse.Namespace) -> int:
    from kagen.lsp.server import serve  # pygls is loaded only for the language server

    serve()
    return EXIT_OK


def add(commands: argparse._SubParsersAction) -> None:
    server = commands.add_parser(
        "lsp",
        help="language server for editors (LSP over standard input and output)",
        description="Serve the Language Server Protocol over standard input and output: diagnostics (the "
        "workspace's kagen lint, pair rules and inventory included), hover on keywords, $NAME and include, "
        "completion, go to definition, document symbols, code actions (fixes, disable comments) and "
        "formatting (kagen fmt). Settings come from the workspace folder's .kagen.toml or pyproject.toml.",
    )
    server.add_argument(
        "--stdio", action="store_true", help="use standard input and output (the default and only transport)"
    )
    server.set_defaults(func=run)
