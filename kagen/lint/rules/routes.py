"""KA217: virtual_routes/static_routes and virtual_rules/static_rules entries, read with
keepalived's route and rule syntax (a subset of ip-route and ip-rule)."""

from __future__ import annotations

from collections.abc import Iterator

from kagen.diagnostics import Diagnostic, Severity
from kagen.keepalived import numbers
from kagen.keepalived.model import parse_address
from kagen.keepalived.tree import Line, ValueBlock
from kagen.keepalived.words import REST, arity, names, values
from kagen.lint.context import FileContext
from kagen.lint.rule import Rule

# Before 2.3.2 keepalived refused to track a route without an interface ("Warning - cannot track
# route %s with no interface specified, not tracking", 2.2.7 vrrp/vrrp_iproute.c:1875-1888, a
# config error for -t); commit a205e87e, first in v2.3.2, removed the need (2.4.3
# vrrp/vrrp_iproute.c:1871-1876 keeps only the protocol part).
TRACKS_ROUTES_WITHOUT_DEV = (2, 3, 2)


def _prefix_ok(word: str) -> bool:
    text, _, prefix = word.partition("/")
    address = parse_address(text) if "-" not in text else None
    return address is not None and (not prefix or numbers.unsigned(prefix, "0", str(address.max_prefixlen)) is None)


class RouteEntry(Rule):
    """What: A virtual_routes/static_routes or virtual_rules/static_rules entry keepalived cannot
    read as written: an unknown word, a missing destination or value, an invalid address, a
    deprecated word (gw, or, default6), a route without dev (keepalived before 2.3.2 does not
    track it) or a rule without preference.
    Why: keepalived skips the route or rule, or the option ("unknown route keyword", "Invalid rule
    to address"), or installs it differently from what was written.
    Example:
        virtual_routes {
            192.168.112.0/24 gw 192.168.100.1
        }
    Fix: Use ip-route syntax with the current words (via instead of gw, nexthop instead of or), a
    dev for routes keepalived should track, and a preference for rules.
    """

    code, name, severity = "KA217", "route-entry", Severity.ERROR

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for keyword, visit in ctx.visits_of(lambda k: k.entry in ("route", "rule")):
            node = visit.node
            if not isinstance(node, ValueBlock):
                continue
            for entry in node.entries:
                if keyword.entry == "route":
                    yield from self._route(ctx, entry)
                else:
                    yield from self._rule(ctx, entry)

    def _words(self, ctx: FileContext, entry: Line, table: dict, start: int, what: str) -> Iterator[Diagnostic]:
        words = entry.words
        index = start
        while index < len(words):
            word = words[index]
            if word in values("route-deprecated") and what == "route":
                use = values("route-deprecated")[word]
                yield self.report(
                    entry.word_pos(index), f"'{word}' is deprecated in routes; use '{use}'", Severity.WARNING
                )
            takes = table.get(word, -1)
            if takes == -1:
                yield self.report(
                    entry.word_pos(index), f"'{word}' is not a {what} keyword: keepalived rejects the {what}"
                )
                return
            if takes is None:
                return
            if word in ("via", "gw") and index + 1 < len(words) and words[index + 1] in ("inet", "inet6"):
                index += 1  # via inet6 ADDR: the family is given before the address
            if index + takes >= len(words) and takes:
                yield self.report(entry.word_pos(index), f"'{word}' needs a value")
                return
            if word in names("route-address") and not _prefix_ok(words[index + 1]):
                yield self.report(entry.word_pos(index + 1), f"{word} '{words[index + 1]}' is not an IP address")
            index += 1 + takes

    def _route(self, ctx: FileContext, entry: Line) -> Iterator[Diagnostic]:
        words = entry.words
        index = 1 if words[0] in names("route-type") else 0
        while index < len(words) and words[index] in ("inet", "inet6", "src", "to"):
            index += 2 if words[index] == "src" else 1
        if index >= len(words):
            yield self.report(entry.pos, "route has no destination: keepalived skips it")
            return
        destination = words[index]
        if destination in values("route-deprecated"):
            use = values("route-deprecated")[destination]
            yield self.report(entry.word_pos(index), f"'{destination}' is deprecated; use '{use}'", Severity.WARNING)
        elif destination not in ("default", "any", "all") and not _prefix_ok(destination):
            yield self.report(entry.word_pos(index), f"route destination '{destination}' is not an address/prefix")
            return
        found = list(self._words(ctx, entry, arity("route"), index + 1, "route"))
        if not found:
            mixed = _route_family_mix(words)
            if mixed is not None:
                found.append(
                    self.report(
                        entry.word_pos(mixed),
                        f"'{words[mixed]}' is of the other address family than the route: keepalived skips the route",
                    )
                )
        yield from found
        untracked = ctx.target < TRACKS_ROUTES_WITHOUT_DEV and not {"dev", "oif", "no_track"} & set(words)
        if untracked and not any(f.severity is Severity.ERROR for f in found):
            yield self.report(
                entry.pos,
                "route without dev: keepalived before 2.3.2 cannot track it (add dev IF or no_track)",
                Severity.WARNING,
            )

    def _rule(self, ctx: FileContext, entry: Line) -> Iterator[Diagnostic]:
        found = list(self._words(ctx, entry, arity("rule"), 0, "rule"))
        if not found and not set(names("rule-action")) & set(entry.words):
            found.append(self.report(entry.pos, "rule has no action (table, goto, nop ...): keepalived ignores it"))
        yield from found
        if not found and not {"preference", "order", "priority"} & set(entry.words):
            yield self.report(
                entry.pos, "rule without preference: keepalived picks one (16384 downwards)", Severity.WARNING
            )


def _route_family_mix(words: list[str]) -> int | None:
    """The index of the first word whose address family differs from the route's, as
    keepalived's parse_route_opts sees it: the first of inet/inet6, src, via, from or the
    destination fixes the family."""
    family = None
    index = 1 if words[0] in names("route-type") else 0
    while index < len(words):
        word = words[index]
        found, at = None, index
        if word in ("inet", "inet6"):
            found = 4 if word == "inet" else 6
        elif word in ("src", "from") and index + 1 < len(words):
            index += 1
            found, at = _family(words[index]), index
        elif word in ("via", "gw") and index + 1 < len(words):
            index += 1
            if words[index] in ("inet", "inet6") and index + 1 < len(words):
                qualifier = 4 if words[index] == "inet" else 6
                if family is not None and qualifier != family:
                    return index
                family = qualifier
                index += 1
            found, at = _family(words[index]), index
        elif word in arity("route"):
            takes = arity("route")[word]
            if takes is REST:
                return None
            index += takes
        elif word == "to" or word in names("route-type"):
            pass
        elif word not in ("default", "any", "all"):
            found = _family(word)
        if found is not None:
            if family is not None and found != family:
                return at
            family = found
        index += 1
    return None


def _family(text: str) -> int | None:
    address = parse_address(text.partition("/")[0])
    return address.version if address is not None else None


RULES = (RouteEntry(),)
