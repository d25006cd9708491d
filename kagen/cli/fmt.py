"""``kagen fmt``: configurations laid out in place (as ``terraform fmt`` and ``ruff format`` do), as
a check, as a diff, or from standard input to standard output."""

from __future__ import annotations

import argparse
import difflib
import os
import sys

from kagen.cli.options import EXIT_ERROR, EXIT_FINDINGS, EXIT_NOTHING, EXIT_OK, config_id_option, plural
from kagen.diagnostics import InputError
from kagen.format.run import ENCODING, Formatted, format_bytes
from kagen.keepalived.source import LIMITS, stdin_path
from kagen.lint import settings
from kagen.lint.discovery import discover
from kagen.reading import read_capped, read_stream


def _diff(result: Formatted) -> str:
    assert result.formatted is not None  # only changed files are shown
    before = result.original.decode(*ENCODING).splitlines(keepends=True)
    after = result.formatted.decode(*ENCODING).splitlines(keepends=True)
    lines = difflib.unified_diff(before, after, result.name, result.name)
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _format(path: str, options: settings.Options) -> Formatted:
    if path == "-":
        data = read_stream(sys.stdin.buffer, LIMITS["file_bytes"], "<stdin>")
        return format_bytes(data, "<stdin>", stdin_path(), options.indentation, options.config_id)
    data = read_capped(path, LIMITS["file_bytes"])
    return format_bytes(data, path, path, options.indentation, options.config_id)


def _write(results: list[Formatted]) -> None:
    """Every changed file in place at once, each whole (kagen.generate.write), mode kept; through
    a symbolic link the file it points at."""
    from kagen.generate.write import tidy, write_all

    files = []
    for result in results:
        assert result.formatted is not None
        real = os.path.realpath(result.name)
        files.append((real, result.formatted.decode(*ENCODING), os.stat(real).st_mode & 0o7777))
    tidy([path for path, _, _ in files])
    write_all(files)


def run(args: argparse.Namespace) -> int:
    options = settings.load({"config_id": args.config_id})
    found = discover(
        args.paths or ["."],
        options.exclude,
        options.extend_exclude,
        options.force_exclude,
        options.respect_gitignore,
    )
    problems = list(found.missing)
    results: list[Formatted] = []
    for path in found.files:
        try:
            results.append(_format(path, options))
        except InputError as exc:
            problems.append(str(exc))
    for result in results:
        if result.problem is not None:
            problems.append(result.problem)
    changed = [result for result in results if result.changed and result.name != "<stdin>"]
    sys.stdout.flush()  # what follows may go out as bytes: the files' own, whatever their encoding
    if args.diff:
        sys.stdout.buffer.write("".join(_diff(result) for result in results if result.changed).encode(*ENCODING))
    elif args.check:
        for result in results:
            if result.changed:
                print(f"would reformat {result.name}")
    else:
        _write(changed)
        for result in results:
            if result.name == "<stdin>":
                sys.stdout.buffer.write(result.formatted if result.formatted is not None else result.original)
    for problem in problems:
        print(f"kagen: error: {problem}", file=sys.stderr)
    if not results and not problems:
        print("kagen: warning: no keepalived configuration files found", file=sys.stderr)
        return EXIT_NOTHING
    to_change = sum(result.changed for result in results)
    verb = "would reformat" if args.check or args.diff else "reformatted"
    unchanged = sum(result.formatted is not None and not result.changed for result in results)
    print(f"kagen: {verb} {plural(to_change, 'file')}, {unchanged} left unchanged", file=sys.stderr)
    if problems:
        return EXIT_ERROR
    return EXIT_FINDINGS if (args.check or args.diff) and to_change else EXIT_OK


def add(commands: argparse._SubParsersAction) -> None:
    formatter = commands.add_parser(
        "fmt",
        help="lay configurations out canonically, in place",
        description="Lay keepalived configurations out in one canonical way: block contents indented "
        "(`indent` in .kagen.toml, default 4 spaces), one statement per line, words one blank apart, '{' on "
        "the header line, one blank line at most, one final newline. Comments, quoted strings, words, include, "
        "@ID, $NAME and ~SEQ lines are never changed, and keepalived reads the result exactly as the original "
        "(kagen checks). A file kagen cannot read (unterminated quote, braces that do not pair up, binary) is "
        "left as it is.",
        epilog="exit status: 0 formatted (or already so), 1 with --check or --diff: files to reformat, "
        "2 a file could not be read or formatted, 3 no keepalived configuration found",
    )
    formatter.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="files and directories (default: .); - reads standard input and writes the result to standard output",
    )
    changes = formatter.add_mutually_exclusive_group()
    changes.add_argument(
        "--check", action="store_true", help="write nothing; list the files that would change and exit 1 if any"
    )
    changes.add_argument(
        "--diff", action="store_true", help="write nothing; show the changes as a unified diff and exit 1 if any"
    )
    config_id_option(formatter)
    formatter.set_defaults(func=run)
