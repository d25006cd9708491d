"""The ``kagen`` command line. Thin: each command calls library functions and prints.

Exit codes: 0 clean; 1 findings (error-level diagnostics); 2 usage, I/O or internal error.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import sys
from collections.abc import Sequence

from kagen import __version__
from kagen.diagnostics import Diagnostic, InputError, Severity
from kagen.keepalived.parse import gc_paused, parse_file
from kagen.keepalived.source import default_config_id
from kagen.lint import engine, registry, settings

# Output modules are imported when used: a pre-commit run pays start-up on every commit.
FORMATTERS = {"text": "text", "json": "json_report", "sarif": "sarif", "github": "github"}

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    for item in sorted(diagnostics, key=Diagnostic.sort_key):
        print(item.to_text(), file=sys.stderr)


def cmd_parse(args: argparse.Namespace) -> int:
    from kagen.keepalived.dump import config_to_dict, document, outline

    config_id = args.config_id if args.config_id is not None else default_config_id()
    documents = []
    worst = EXIT_OK
    for path in args.files:
        config = parse_file(path, config_id)
        _print_diagnostics(config.diagnostics)
        if config.has_errors:
            worst = EXIT_FINDINGS
        if args.json:
            documents.append(config_to_dict(config, path, config_id))
        elif not args.quiet:
            for line in outline(config):
                print(line)
    if args.json:
        # Indented only for a person at a terminal: json's indenting encoder is pure Python and
        # many times slower than the compact one on large configurations.
        indent = 1 if sys.stdout.isatty() else None
        separators = None if indent else (",", ":")
        sys.stdout.write(json.dumps(document(documents), indent=indent, separators=separators) + "\n")
    return worst


def _color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def cmd_lint(args: argparse.Namespace) -> int:
    options = settings.load(
        {
            "select": args.select,
            "ignore": args.ignore,
            "strict": args.strict or None,
            "fragment": args.fragment or None,
            "target_version": args.target_version,
            "config_id": args.config_id,
            "exclude": args.exclude,
            "clusters": args.cluster,
            "inventory": args.inventory,
            "format": args.format,
        }
    )
    # `--inventory FILE` alone checks the inventory alone; an inventory from the settings file
    # does not change what a bare `kagen lint` walks.
    paths = args.paths or ([] if args.inventory is not None else ["."])
    result = engine.lint(paths, options, fixes=options.format == "sarif")
    if not result.files:
        print("kagen: warning: no keepalived configuration files found", file=sys.stderr)
    formatter = importlib.import_module(f"kagen.report.{FORMATTERS[options.format]}")
    sys.stdout.write(formatter.render(result, color=options.format == "text" and _color()))
    return result.exit_code(options.strict)


def cmd_fix(args: argparse.Namespace) -> int:
    from kagen.fix import apply as fix
    from kagen.generate.write import write_all
    from kagen.inventory.load import load

    options = settings.load(
        {
            "select": args.select,
            "target_version": args.target_version,
            "config_id": args.config_id,
            "inventory": args.inventory,
        }
    )
    inventory = load(options.inventory) if options.inventory is not None else None
    stdin = sys.stdin.buffer.read() if "-" in args.paths else None
    result = fix.fix(args.paths or ["."], options, inventory, stdin)
    if len(result.remaining.files) == (1 if inventory is not None else 0):  # the inventory is listed too
        print("kagen: warning: no keepalived configuration files found", file=sys.stderr)
    sys.stdout.flush()  # what follows goes out as bytes: the files' own, whatever their encoding
    if args.diff:
        sys.stdout.buffer.write(result.diff().encode("utf-8", "surrogateescape"))
    else:
        write_all(fix.targets(result))
        if stdin is not None:
            sys.stdout.buffer.write(result.stdin(stdin))
    for finding, reason in result.refused:
        print(f"{finding.pos}: {finding.code} not fixed: {reason}", file=sys.stderr)
    remaining = [f for f in result.remaining.findings if f.severity is Severity.ERROR]
    for finding in remaining:
        print(finding.to_text(), file=sys.stderr)
    verb = "would fix" if args.diff else "fixed"
    print(
        f"kagen: {verb} {len(result.applied)} findings in {len(result.fixed)} files; {len(remaining)} errors remain",
        file=sys.stderr,
    )
    return EXIT_FINDINGS if remaining or (args.diff and result.fixed) else EXIT_OK


def cmd_rules(args: argparse.Namespace) -> int:
    found = [rule for rule in registry.RULES if args.rule is None or registry.matches(rule, args.rule)]
    if not found:
        raise InputError(f"no rule '{args.rule}' (kagen rules lists them)")
    if len(found) > 1:
        for rule in found:
            print(f"{rule.code}  {rule.name:<24} {rule.severity!s:<8} {rule.summary()}")
        return EXIT_OK
    rule = found[0]
    doc = rule.doc()
    print(f"{rule.code} {rule.name} ({rule.severity}, scope: {rule.scope})")
    if rule.beyond_keepalived:
        print("Goes beyond keepalived: keepalived itself accepts what this rule reports.")
    if rule.whole_config:
        print("Needs the whole configuration: silent with --fragment.")
    if rule.reads:
        print(f"Reads: {', '.join(rule.reads)}.")
    for name in ("What", "Why", "Example", "Fix"):
        if name in doc:
            body = doc[name]
            if name == "Example":
                print(f"\n{name}:\n" + "\n".join("    " + line for line in body.splitlines()))
            else:
                print(f"\n{name}: {body}")
    from kagen.lint import edits as fixes

    automatic = fixes.describe(rule.code)
    if automatic:
        print(f"\nkagen fix: {automatic}.")
    return EXIT_OK


def cmd_init(args: argparse.Namespace) -> int:
    from importlib import resources

    from kagen.generate.write import write_text

    text = resources.files("kagen.inventory").joinpath("data", "init-inventory.yaml").read_text(encoding="utf-8")
    write_text(args.output, text, args.force)
    if args.output != "-":
        print(f"wrote {args.output}; check it with: kagen lint --inventory {args.output}", file=sys.stderr)
    return EXIT_OK


def cmd_generate(args: argparse.Namespace) -> int:
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


def cmd_import(args: argparse.Namespace) -> int:
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


def _output_options(parser: argparse.ArgumentParser, default: str) -> None:
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        default=default,
        help=f"where to write (default: {default}; - for standard output)",
    )
    parser.add_argument("--force", action="store_true", help="replace the file if it exists")


def _codes(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _target_version_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--target-version",
        metavar="X.Y.Z",
        help="the keepalived release that will read the files (default: the newest kagen knows)",
    )


def _config_id_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--config-id", metavar="ID", help="keepalived's -i: keep '@ID' lines for this ID (default: the short host name)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kagen",
        description="Lint and generate keepalived configurations for unicast VRRP pairs.",
        epilog="exit status: 0 clean, 1 findings, 2 usage, I/O or internal error",
    )
    parser.add_argument("--version", action="version", version=f"kagen {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    parse = commands.add_parser(
        "parse",
        help="show how a configuration is read: tree, positions, include origins",
        description="Parse keepalived configuration files the way keepalived reads them and print "
        "the result: an outline (default) or JSON. Diagnostics go to standard error.",
        epilog="exit status: 0 no syntax errors, 1 syntax errors, 2 unreadable input",
    )
    parse.add_argument("files", nargs="+", metavar="FILE", help="configuration file, - for standard input")
    output = parse.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the tree and the typed model as JSON")
    output.add_argument("-q", "--quiet", action="store_true", help="print nothing but diagnostics")
    _config_id_option(parse)
    parse.set_defaults(func=cmd_parse)

    lint = commands.add_parser(
        "lint",
        help="check configurations: keepalived's own errors, unicast safety, pairs",
        description="Check keepalived configurations. Files are read the way keepalived reads them; "
        "directories are searched for keepalived configuration files (files they include are "
        "checked as part of them). Settings come from .kagen.toml or [tool.kagen] in pyproject.toml, "
        "found from the working directory upward; options given here replace them.",
        epilog="exit status: 0 clean, 1 errors (or warnings with --strict), 2 usage or I/O error",
    )
    lint.add_argument("paths", nargs="*", metavar="PATH", help="files, directories, - for standard input (default: .)")
    lint.add_argument("--format", choices=settings.FORMATS, help="output format (default: text)")
    lint.add_argument(
        "--select",
        type=_codes,
        metavar="CODES",
        help="only these rules: codes, prefixes (KA1) or names, comma-separated",
    )
    lint.add_argument(
        "--ignore", type=_codes, metavar="CODES", help="skip these rules: codes, prefixes or names, comma-separated"
    )
    _target_version_option(lint)
    lint.add_argument(
        "--fragment", action="store_true", help="the files are conf.d pieces: no errors for things defined elsewhere"
    )
    lint.add_argument("--strict", action="store_true", help="warnings fail too (exit status 1)")
    _config_id_option(lint)
    lint.add_argument(
        "--exclude",
        action="append",
        metavar="PATTERN",
        help="skip files and directories matching this glob (repeatable)",
    )
    lint.add_argument(
        "--cluster",
        action="append",
        type=_codes,
        metavar="FILE,FILE",
        help="these files are the members of one cluster: match their instances by name (repeatable)",
    )
    lint.add_argument(
        "--inventory",
        metavar="FILE",
        help="the cloud inventory (YAML, JSON or TOML): check it (KA4xx) and the files against it; "
        "alone, only the inventory is checked",
    )
    lint.set_defaults(func=cmd_lint)

    rules = commands.add_parser(
        "rules",
        help="list the rules, or explain one",
        description="Without an argument, list every rule; with a code or name, explain that rule: what, why, "
        "example, fix; with a code prefix (KA1), list the rules it selects.",
    )
    rules.add_argument(
        "rule", nargs="?", metavar="CODE", help="a rule code (KA101), name (multicast-instance) or prefix (KA1)"
    )
    rules.set_defaults(func=cmd_rules)

    fixer = commands.add_parser(
        "fix",
        help="apply the rules' fixes in place (multicast to unicast and more)",
        description="Edit configurations in place with the fixes rules offer (kagen rules CODE shows them); "
        "everything else stays byte for byte. Each fix is checked by linting the edited text: one that would "
        "not remove its finding, or would add an error, is not applied. The peers a multicast instance needs "
        "come from --inventory or from the other files of the pair given in the same run.",
        epilog="exit status: 0 no errors left (and, with --diff, nothing to change), 1 errors left or, with "
        "--diff, changes to make, 2 usage or I/O error",
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
    fixer.add_argument("--diff", action="store_true", help="write nothing; show the changes as a unified diff")
    fixer.add_argument(
        "--select", type=_codes, metavar="CODES", help="only these rules' fixes: codes, prefixes or names"
    )
    _target_version_option(fixer)
    _config_id_option(fixer)
    fixer.set_defaults(func=cmd_fix)

    init = commands.add_parser(
        "init",
        help="write a commented example inventory to start from",
        description="Write a commented example inventory (an HAVIP pair) to edit into yours.",
    )
    _output_options(init, "inventory.yaml")
    init.set_defaults(func=cmd_init)

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
    _target_version_option(generate)
    generate.set_defaults(func=cmd_generate)

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
    _output_options(describe, "-")
    describe.set_defaults(func=cmd_import)
    state = sources.add_parser(
        "terraform",
        help="the output of terraform show -json",
        description="Read the state of an aliyun/alicloud Terraform configuration (terraform show -json).",
    )
    state.add_argument("state", metavar="STATE.json", help="terraform show -json output")
    _output_options(state, "-")
    state.set_defaults(func=cmd_import)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already printed
        return EXIT_OK if exc.code in (0, None) else EXIT_ERROR
    try:
        with gc_paused():
            return args.func(args)
    except InputError as exc:
        # An inventory's problems (kagen.inventory.InventoryError) are FILE:LINE: lines of their own.
        problems = getattr(exc, "problems", None)
        if problems:
            print("\n".join(problems), file=sys.stderr)
            plural = "s" * (len(problems) != 1)
            print(f"kagen: error: the inventory cannot be used ({len(problems)} problem{plural})", file=sys.stderr)
        else:
            print(f"kagen: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except (settings.SettingsError, registry.UnknownSelector) as exc:
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


def run() -> None:
    """Console-script entry point."""
    # The process ends with os._exit below: a collection pass over the ~10^6 objects a large
    # configuration leaves would only delay it (main's own pause would otherwise end with one).
    gc.disable()
    for stream in (sys.stdout, sys.stderr):
        stream.reconfigure(errors="backslashreplace")  # type: ignore[attr-defined]
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        code = code or EXIT_FINDINGS
    # A large configuration leaves ~10^6 objects behind; freeing them one by one at exit costs
    # about a tenth of a second and nothing depends on it, so leave that to the OS.
    os._exit(code)
