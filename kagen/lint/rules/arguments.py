"""KA201-KA203: numbers and choices, read as keepalived reads them: each argument word checked
against its keyword's specification in the keyword table."""

from __future__ import annotations

from collections.abc import Iterator

from kagen.diagnostics import Diagnostic, Severity
from kagen.keepalived import numbers
from kagen.keepalived.keywords import ArgSpec
from kagen.keepalived.words import booleans
from kagen.lint.context import FileContext
from kagen.lint.rule import Rule

NUMERIC = ("uint", "int", "dec")


def _choice_problem(spec: ArgSpec, word: str) -> str | None:
    if spec.type == "enum" and word not in spec.choices:
        return f"is not one of {', '.join(spec.choices)}"
    if spec.type == "enumi" and word.upper() not in (c.upper() for c in spec.choices):
        return f"is not one of {', '.join(spec.choices)}"
    if spec.type == "bool" and word not in booleans():
        return f"is not one of {', '.join(booleans())}"
    return None


class InvalidNumber(Rule):
    """What: A number keepalived cannot read: not decimal digits (0x10, 1e3, '100'), negative where
    only positive values exist, or more than six decimal places.
    Why: keepalived reports "invalid number" and falls back to the default (priority 100,
    advert_int 1 ...), which is rarely what was meant.
    Example:
        priority 0x64
    Fix: Write a plain decimal number in the documented range.
    """

    code, name, severity = "KA201", "invalid-number", Severity.ERROR
    views = ("arguments",)

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        vrid = _vrid_specs(ctx)
        for line, index, spec, word, statement in ctx.arguments_of(*NUMERIC):
            if statement:
                problem = numbers.READERS[spec.type](word, None, None)
                if problem is not None and not problem.startswith("is outside"):
                    lost = VRID_LOST if id(spec) in vrid else ""
                    yield self.report(line.word_pos(index), f"{line.keyword} '{word}' {problem}{lost}")


class ValueOutOfRange(Rule):
    """What: A number outside the range keepalived accepts for the keyword.
    Why: keepalived reports it and uses its default instead (priority 300 becomes 100; VRID 256
    leaves the instance without one, and then keepalived runs no VRRP instance at all).
    Example:
        virtual_router_id 256
    Fix: Use a value in the range kagen shows (virtual_router_id 1..255).
    """

    code, name, severity = "KA202", "value-out-of-range", Severity.ERROR
    views = ("arguments",)

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        vrid = _vrid_specs(ctx)
        for line, index, spec, word, statement in ctx.arguments_of(*NUMERIC):
            if statement and (spec.low is not None or spec.high is not None):
                problem = numbers.READERS[spec.type](word, spec.low, spec.high)
                if problem is not None and problem.startswith("is outside"):
                    lost = VRID_LOST if id(spec) in vrid else ""
                    yield self.report(line.word_pos(index), f"{line.keyword} {word} {problem}{lost}")


# What keepalived uses instead of a word it does not know, where it says so: check_data.c
# ("no forwarding method set, setting default NAT", "no protocol set - defaulting to UDP"),
# vrrp_parser.c ("unknown state '%s', defaulting to BACKUP").
# An invalid virtual_router_id leaves it unset, and keepalived then stops VRRP altogether
# (vrrp_parser.c vrrp_vrid_handler, vrrp.c vrrp_complete_init "the virtual router id must be set").
VRID_LOST = ": keepalived leaves it unset and runs no VRRP instance at all"


def _vrid_specs(ctx: FileContext) -> frozenset[int]:
    keyword = ctx.table.get("vrrp_instance/virtual_router_id")
    return frozenset(id(spec) for spec in keyword.args) if keyword is not None else frozenset()


FALLBACKS = {
    "virtual_server/lb_kind": "NAT",
    "virtual_server/lvs_method": "NAT",
    "virtual_server/protocol": "UDP",
    "vrrp_instance/state": "BACKUP",
}


class InvalidChoice(Rule):
    """What: A word that must be one of a fixed set and is not: state, auth_type, lb_algo/lvs_sched,
    lb_kind/lvs_method, protocol, version, booleans and the like. Except for protocol, case matters.
    Why: keepalived reports it and falls back (state master becomes BACKUP, an unknown scheduler is
    ignored), so the node does not behave as written.
    Example:
        state master
    Fix: Use one of the values kagen lists (state MASTER).
    """

    code, name, severity = "KA203", "invalid-choice", Severity.ERROR
    views = ("arguments",)

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        fallbacks = {
            id(spec): f": keepalived uses {value}"
            for path, value in FALLBACKS.items()
            if (keyword := ctx.table.get(path)) is not None
            for spec in keyword.args
        }
        for line, index, spec, word, statement in ctx.arguments_of("enum", "enumi", "bool"):
            problem = _choice_problem(spec, word) if statement else None
            if problem is not None:
                fallback = fallbacks.get(id(spec), "")
                yield self.report(line.word_pos(index), f"{line.keyword} '{word}' {problem}{fallback}")


RULES = (InvalidNumber(), ValueOutOfRange(), InvalidChoice())
