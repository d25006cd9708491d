"""``kagen lint``: load the inventory, read the files, run the rules (and, for SARIF, find the
fixes), print the findings in the format asked for."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, TextIO

from kagen.cli.options import (
    EXIT_ERROR,
    EXIT_NOTHING,
    cache_dir_option,
    cluster_option,
    cluster_problems,
    codes,
    color,
    color_option,
    config_id_option,
    load_inventory,
    plural,
    target_version_option,
)
from kagen.diagnostics import InputError
from kagen.lint import settings
from kagen.lint.cache import LintCache, behind, opened

if TYPE_CHECKING:  # the rules, the parser and the reports are loaded when a run is not replayed
    from kagen.lint import engine
    from kagen.lint.discovery import Discovery

# Output modules are imported when used: a pre-commit run pays start-up on every commit.
EXIT_REFUSED = -1  # _lint's: the selection names no rule (exit status 2, and nothing recorded)
FORMATTERS = {"text": "text", "json": "json_report", "sarif": "sarif", "github": "github"}


def _options(args: argparse.Namespace) -> settings.Options:
    options = settings.load(
        {
            "select": args.select,
            "ignore": args.ignore,
            "strict": args.strict or None,
            "fragment": args.fragment or None,
            "target_version": args.target_version,
            "config_id": args.config_id,
            "exclude": args.exclude,
            "extend_exclude": args.extend_exclude,
            "force_exclude": args.force_exclude or None,
            "respect_gitignore": args.respect_gitignore,
            "clusters": args.cluster,
            "inventory": args.inventory,
            "format": args.format,
        }
    )
    return options


def _report(result: engine.LintResult, args: argparse.Namespace, fmt: str, started: bool = True) -> None:
    """The result in its format on standard output (or --output-file), and what could not be done
    on standard error too (a person reads that; a SARIF, JSON or GitHub consumer finds it in the
    document)."""
    problems = [f for f in result.failures if f.inventory]
    for failure in problems:  # FILE:LINE: lines of their own, then what they mean
        print(f"{failure.file}:{failure.line}: {failure.message}" if failure.file else failure.message, file=sys.stderr)
    if problems:
        plural = "s" * (len(problems) != 1)
        print(f"kagen: error: the inventory cannot be used ({len(problems)} problem{plural})", file=sys.stderr)
    for failure in result.failures:
        if not failure.inventory:
            print(f"kagen: error: {failure.message}", file=sys.stderr)
    if not started and fmt == "text":  # a run that read nothing has no text summary to give
        return
    to_file = args.output_file not in (None, "-")
    from kagen.report import View

    view = View(
        color=fmt == "text" and not to_file and color(args.color),
        show_source=args.show_source,
        statistics=args.statistics,
        quiet=args.quiet,
    )
    text = importlib.import_module(f"kagen.report.{FORMATTERS[fmt]}").render(result, view)
    if to_file:
        from kagen.generate.write import write_text

        write_text(args.output_file, text, force=True)
    else:
        sys.stdout.write(text)


def _usage(args: argparse.Namespace, paths: list[str]) -> str | None:
    """Options that do not go together."""
    if args.statistics and (args.format or "text") not in ("text", "json"):
        return "--statistics works with --format text or json"
    if args.fix and "-" in paths:
        return "--fix cannot rewrite standard input; use kagen fix - (the result goes to standard output)"
    return None


def run(args: argparse.Namespace) -> int:
    paths = args.paths or ([] if args.inventory is not None else ["."])
    try:
        options = _options(args)
        problem = _usage(args, paths)
        if problem is not None:
            raise settings.SettingsError(problem)
    except settings.SettingsError as exc:
        return _refused(exc, args)
    cache = None if args.no_cache or args.fix or "-" in paths else opened(options, args.cache_dir)
    if cache is None:
        code = _lint(args, paths, options, None, None)
        return EXIT_ERROR if code == EXIT_REFUSED else code
    from kagen.lint.files import find

    found = find(paths, options, cache)
    replayable = args.output_file in (None, "-")
    key = _run_key(args, paths, options, found, cache) if replayable else None
    replayed = cache.replay(key) if key is not None else None
    if replayed is not None:
        sys.stderr.write(replayed[1])
        sys.stdout.write(replayed[0])
        return replayed[2]
    with _recording() as (out, err):
        code = _lint(args, paths, options, found, cache)
    if code == EXIT_REFUSED:
        return EXIT_ERROR

    def persist() -> None:
        cache.keep()
        key = _run_key(args, paths, options, found, cache) if replayable else None
        if key is not None:
            cache.record(key, "".join(out), "".join(err), code)
        cache.save()

    behind(persist)
    return code


def _run_key(
    args: argparse.Namespace, paths: list[str], options: settings.Options, found: Discovery, cache: LintCache
) -> str | None:
    """What decides everything a run prints, or None if a file has no current cache entry."""
    names = [cache.name(path, found.reals.get(path)) for path in found.files]
    if None in names:
        return None
    inventory = cache.read(os.path.realpath(options.inventory))[0] if options.inventory is not None else None
    view = (options.format, args.quiet, args.statistics, args.show_source, color(args.color), args.output_file)
    return cache.run_key(
        (
            os.getcwd(),
            paths,
            repr(options),
            view,
            inventory,
            found.files,
            names,
            found.templates,
            found.missing,
            found.roots,
        )
    )


class _Tee(io.TextIOBase):
    """A stream that keeps a copy of what is written to it (the run's output, for the cache)."""

    def __init__(self, stream: TextIO, copy: list[str]) -> None:
        self.stream = stream
        self.copy = copy

    def write(self, text: str) -> int:
        self.copy.append(text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()


@contextlib.contextmanager
def _recording() -> Iterator[tuple[list[str], list[str]]]:
    out: list[str] = []
    err: list[str] = []
    with contextlib.redirect_stdout(_Tee(sys.stdout, out)), contextlib.redirect_stderr(_Tee(sys.stderr, err)):
        yield out, err


def _refused(exc: Exception, args: argparse.Namespace) -> int:
    """Settings or options that cannot be used: said in the format asked for."""
    from kagen.lint import engine

    result = engine.LintResult([], failures=[engine.Failure(str(exc))])
    _report(result, args, args.format or "text", started=False)
    return result.exit_code(False)


def _lint(
    args: argparse.Namespace,
    paths: list[str],
    options: settings.Options,
    found: Discovery | None,
    cache: LintCache | None,
) -> int:
    """The run itself; EXIT_REFUSED when the rule selection cannot be used (not to be cached)."""
    from kagen.lint import engine, files, registry

    try:
        registry.check_selectors([*options.select, *options.ignore])
    except registry.UnknownSelector as exc:
        _refused(exc, args)
        return EXIT_REFUSED
    failures: list[engine.Failure] = []
    inventory = None
    try:
        inventory = load_inventory(options)
    except InputError as exc:  # the files are linted all the same, without the inventory
        problems = getattr(exc, "problems", None)
        if problems:
            failures.extend(engine.Failure.of_inventory(problem) for problem in problems)
        else:
            failures.append(engine.Failure(str(exc)))
    if args.fix:
        from kagen.cli.fix import write_fixes
        from kagen.fix.apply import fix

        fixed = fix([path for path in paths if path == "-" or os.path.lexists(path)], options, inventory)
        write_fixes(fixed)
        if not args.quiet:
            print(
                f"kagen: fixed {plural(len(fixed.applied), 'finding')} in {plural(len(fixed.fixed), 'file')}",
                file=sys.stderr,
            )
    if found is None or args.fix:
        found = files.find(paths, options)
    # `--inventory FILE` alone checks the inventory alone; an inventory from the settings file
    # does not change what a bare `kagen lint` walks.
    ctxs = files.read(found, options, cache=cache)
    failures.extend(engine.Failure(message) for message in found.missing)
    if found.templates and not args.quiet:
        count = len(found.templates)
        named = ", ".join(found.templates[:3]) + (f" and {count - 3} more" if count > 3 else "")
        print(f"kagen: skipped {plural(count, 'template')} ({named}): name one to lint it", file=sys.stderr)
    failures.extend(engine.Failure(message) for message in cluster_problems(options, args.cluster or [], ctxs))
    result = engine.run(ctxs, options, inventory, cache)
    result.failures = failures
    if result.findings and options.format == "sarif" and "-" not in paths:
        from kagen.fix.apply import suggestions  # standard input cannot be read again to check fixes

        result.fixes = suggestions([ctx.path for ctx in ctxs], options, inventory, ctxs, result)
    elif options.format in ("text", "json") and any(
        registry.BY_CODE[finding.code].fix_summary is not None
        for finding in result.findings
        if finding.code in registry.BY_CODE
    ):
        from kagen.fix.apply import offered

        result.fixes = offered(options, inventory, ctxs, result)
    if not result.files and not failures:
        print("kagen: warning: no keepalived configuration files found", file=sys.stderr)
        _report(result, args, options.format, started=False)
        return EXIT_NOTHING
    _report(result, args, options.format, started=bool(result.files) or not failures)
    return result.exit_code(options.strict)


def add(commands: argparse._SubParsersAction) -> None:
    lint = commands.add_parser(
        "lint",
        help="check configurations: keepalived's own errors, unicast safety, pairs",
        description="Check keepalived configurations. Files are read the way keepalived reads them; "
        "directories are searched for keepalived configuration files (files they include are "
        "checked as part of them). Settings come from .kagen.toml or [tool.kagen] in pyproject.toml, "
        "found from the working directory upward; options given here replace them.",
        epilog="exit status: 0 clean, 1 errors (or warnings with --strict), 2 usage or I/O error, "
        "3 no keepalived configuration found",
    )
    lint.add_argument("paths", nargs="*", metavar="PATH", help="files, directories, - for standard input (default: .)")
    lint.add_argument("--format", choices=settings.FORMATS, help="output format (default: text)")
    lint.add_argument(
        "--select",
        type=codes,
        metavar="CODES",
        help="only these rules: codes, prefixes (KA1) or names, comma-separated",
    )
    lint.add_argument(
        "--ignore", type=codes, metavar="CODES", help="skip these rules: codes, prefixes or names, comma-separated"
    )
    target_version_option(lint)
    lint.add_argument(
        "--fragment", action="store_true", help="the files are conf.d pieces: no errors for things defined elsewhere"
    )
    lint.add_argument("--strict", action="store_true", help="warnings fail too (exit status 1)")
    config_id_option(lint)
    lint.add_argument(
        "--exclude",
        action="append",
        metavar="PATTERN",
        help="skip files and directories matching this glob, instead of the default excludes (build, dist, "
        "node_modules, site-packages, __pycache__, *.egg-info; repeatable)",
    )
    lint.add_argument(
        "--extend-exclude",
        action="append",
        metavar="PATTERN",
        help="skip files and directories matching this glob, as well as the default excludes (repeatable)",
    )
    lint.add_argument(
        "--force-exclude",
        action="store_true",
        help="apply the excludes to files named on the command line too (for pre-commit)",
    )
    lint.add_argument(
        "--respect-gitignore",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="skip what .gitignore, .ignore and .git/info/exclude ignore (default: on)",
    )
    cluster_option(lint)
    lint.add_argument(
        "--inventory",
        metavar="FILE",
        help="the cloud inventory (YAML, JSON or TOML): check it (KA4xx) and the files against it; "
        "alone, only the inventory is checked",
    )
    lint.add_argument(
        "--no-cache",
        action="store_true",
        help="neither read nor write the cache (.kagen_cache beside the settings file)",
    )
    cache_dir_option(lint)
    lint.add_argument(
        "--fix", action="store_true", help="apply kagen fix's checked fixes in place first, then report what is left"
    )
    lint.add_argument(
        "-o", "--output-file", metavar="FILE", help="write the report to FILE (replaced whole, never half-written)"
    )
    lint.add_argument("-q", "--quiet", action="store_true", help="the findings alone: no summary, no notes")
    lint.add_argument(
        "--statistics", action="store_true", help="how many findings of each rule, instead of the findings (text, json)"
    )
    lint.add_argument(
        "--show-source", action="store_true", help="show each finding's line with a caret under its column (text)"
    )
    color_option(lint)
    lint.set_defaults(func=run)
