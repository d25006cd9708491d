"""The explicit list of rules, and selection by code, code prefix or name."""

from __future__ import annotations

import functools

from kagen.diagnostics import did_you_mean
from kagen.lint.rule import InventoryRule, Rule
from kagen.lint.rules import (
    addresses,
    arguments,
    cloud,
    entries,
    failover,
    havip,
    multicast,
    pairs,
    references,
    repeats,
    required,
    routes,
    scripts,
    servers,
    suppressions,
    syntax,
    tracking,
    unicast,
    vrrp,
)
from kagen.lint.settings import SettingsError

# The order of `kagen rules`, the README table and SARIF's rule index: by theme; within the
# unicast and the values themes (one module per subject), by code.
UNICAST = sorted(unicast.RULES + multicast.RULES, key=lambda rule: rule.code)
VALUES = sorted(
    arguments.RULES
    + addresses.RULES
    + vrrp.RULES
    + required.RULES
    + scripts.RULES
    + entries.RULES
    + servers.RULES
    + routes.RULES
    + tracking.RULES,
    key=lambda rule: rule.code,
)
RULES: tuple[Rule, ...] = (
    syntax.RULES
    + suppressions.RULES
    + tuple(UNICAST)
    + tuple(VALUES)
    + references.RULES
    + repeats.RULES
    + havip.RULES
    + cloud.RULES
    + pairs.RULES
    + failover.RULES
)
BY_CODE = {rule.code: rule for rule in RULES}


class UnknownSelector(SettingsError):
    """A --select or --ignore value that names no rule: a setting that cannot be used."""


def matches(rule: Rule, selector: str) -> bool:
    """``ALL``, a code (KA101), a code prefix (KA1, KA10) or a rule name (multicast-instance)."""
    selector = selector.strip()
    return selector.upper() == "ALL" or rule.code.startswith(selector.upper()) or rule.name == selector.lower()


def names(rule: Rule, selector: str) -> bool:
    """Whether ``selector`` is the rule's code or name: what selects an opt-in rule."""
    selector = selector.strip()
    return selector.upper() == rule.code or selector.lower() == rule.name


def suggestion(selector: str) -> str:
    """``"; did you mean 'NAME'?"`` for a misspelt rule name, else ``""`` (a code or prefix close
    to another is another rule, not a misspelling)."""
    if selector.strip().upper().startswith("KA"):
        return ""
    return did_you_mean(selector.strip().lower(), [rule.name for rule in RULES])


def check_selectors(selectors: list[str]) -> None:
    for selector in selectors:
        if not any(matches(rule, selector) for rule in RULES):
            raise UnknownSelector(f"'{selector}' matches no rule{suggestion(selector) or ' (see kagen rules)'}")


def enabled(select: list[str], ignore: list[str]) -> frozenset[str]:
    """Codes of the rules that ``select`` picks and ``ignore`` does not drop."""
    return _enabled(tuple(select), tuple(ignore))


@functools.lru_cache(maxsize=16)
def _enabled(select: tuple[str, ...], ignore: tuple[str, ...]) -> frozenset[str]:
    """Cached: kagen generate runs the engine once per group of generated files."""
    check_selectors([*select, *ignore])
    return frozenset(
        rule.code
        for rule in RULES
        if any(names(rule, s) if rule.opt_in else matches(rule, s) for s in select)
        and not any(matches(rule, s) for s in ignore)
    )


def inventory_alone() -> tuple[str, ...]:
    """Codes of the rules that read the inventory alone, not the configurations (kagen generate
    runs them once for the whole inventory)."""
    return tuple(rule.code for rule in RULES if isinstance(rule, InventoryRule) and not rule.configs)
