"""``kagen rules``: the rules listed, or one explained."""

from __future__ import annotations

import argparse

from kagen.cli.options import EXIT_OK
from kagen.diagnostics import InputError
from kagen.lint import registry


def run(args: argparse.Namespace) -> int:
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
    if rule.fix_summary:
        print(f"\nkagen fix: {rule.fix_summary}.")
    return EXIT_OK


def add(commands: argparse._SubParsersAction) -> None:
    rules = commands.add_parser(
        "rules",
        help="list the rules, or explain one",
        description="Without an argument, list every rule; with a code or name, explain that rule: what, why, "
        "example, fix; with a code prefix (KA1), list the rules it selects.",
    )
    rules.add_argument(
        "rule", nargs="?", metavar="CODE", help="a rule code (KA101), name (multicast-instance) or prefix (KA1)"
    )
    rules.set_defaults(func=run)
