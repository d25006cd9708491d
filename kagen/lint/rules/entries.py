"""KA213: entries of value blocks (peers, track_* lists, virtual_server_group) keepalived cannot read."""

from __future__ import annotations

from collections.abc import Iterator

from kagen.diagnostics import Diagnostic, Severity
from kagen.keepalived import numbers
from kagen.keepalived.model import parse_address
from kagen.keepalived.tree import Line, ValueBlock
from kagen.lint.context import FileContext
from kagen.lint.rule import Rule


class InvalidEntry(Rule):
    """What: An entry of a value block that keepalived cannot read: a unicast_peer option other than
    min_ttl/max_ttl, a track_* entry with a bad weight or option, several addresses on one line.
    Why: keepalived skips the entry or the option ("Unknown configuration entry", "unknown
    unicast_peer option"), so the peer, address or tracking is missing.
    Example:
        virtual_ipaddress {
            192.168.0.100 192.168.0.101
        }
    Fix: One entry per line, with only the options keepalived documents.
    """

    code, name, severity = "KA213", "invalid-entry", Severity.ERROR

    def _group(self, ctx: FileContext, node: ValueBlock) -> Iterator[Diagnostic]:
        """A virtual_server_group keepalived removes (vsg_handler): nothing usable in it, or both
        address families together with a fwmark that has none."""
        usable = [entry.words for entry in node.entries if _vsg_problem(entry.words) is None]
        families = {_vsg_family(words) for words in usable}
        end = node.close.pos if node.close is not None else None
        if not usable:
            yield self.report(node.pos, "virtual_server_group has no usable entry: keepalived removes it", end=end)
        elif {4, 6, None} <= families:
            yield self.report(
                node.pos,
                "virtual_server_group mixes IPv4 and IPv6 with a fwmark of no family: keepalived removes it; "
                "add inet or inet6 to the fwmark entries",
                end=end,
            )

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for keyword, visit in ctx.visits_of(lambda k: k.kind == "list"):
            node = visit.node
            if not isinstance(node, ValueBlock):
                continue
            entry_kind = keyword.entry
            if node.keyword == "virtual_server_group":
                yield from self._group(ctx, node)
            if node.keyword == "notification_email" and not node.entries:
                end = node.close.pos if node.close is not None else None
                yield self.report(node.pos, "notification_email block is empty", Severity.WARNING, end=end)
            if entry_kind == "track":
                yield from self._duplicates(ctx, node)
            for entry in node.entries:
                if entry_kind == "vsg":
                    problem = _vsg_problem(entry.words)
                    if problem is not None:
                        yield self.report(entry.pos, f"virtual_server_group entry '{entry.text}': {problem}")
                words = entry.words
                if entry_kind == "peer":
                    for index in range(1, len(words), 2):
                        if words[index] not in ("min_ttl", "max_ttl"):
                            yield self.report(
                                entry.word_pos(index),
                                f"'{words[index]}' is not a unicast_peer option (min_ttl, max_ttl)",
                            )
                        elif index + 1 >= len(words):
                            yield self.report(entry.word_pos(index), f"{words[index]} needs a value")
                        elif numbers.unsigned(words[index + 1], "0", "255") is not None:
                            yield self.report(
                                entry.word_pos(index + 1), f"{words[index]} {words[index + 1]} is not 0..255"
                            )
                elif entry_kind == "track":
                    yield from self._track(ctx, node.keyword, entry)

    def _duplicates(self, ctx: FileContext, node: ValueBlock) -> Iterator[Diagnostic]:
        seen: set[str] = set()
        for entry in node.entries:
            if entry.words[0] in seen:
                yield self.report(
                    entry.pos,
                    f"{entry.words[0]} is already in this {node.keyword}: keepalived ignores it",
                    Severity.WARNING,
                )
            seen.add(entry.words[0])

    def _track(self, ctx: FileContext, kind: str, entry: Line) -> Iterator[Diagnostic]:
        words = entry.words
        limit = "254" if kind in ("track_file", "track_process") else "253"
        index = 1
        while index < len(words):
            option = words[index]
            if option == "weight":
                if index + 1 >= len(words):
                    yield self.report(entry.word_pos(index), "weight needs a value")
                    return
                problem = numbers.signed(words[index + 1], f"-{limit}", limit)
                if problem is not None:
                    yield self.report(entry.word_pos(index + 1), f"weight {words[index + 1]} {problem}")
                index += 2
            elif option in ("reverse", "noreverse") and index > 1:
                index += 1
            else:
                yield self.report(entry.word_pos(index), f"'{option}' is not a {kind} option (weight N [reverse])")
                return


def _vsg_family(words: list[str]) -> int | None:
    """4 or 6 for a usable entry; None for a fwmark without inet/inet6."""
    if words[0] == "fwmark":
        return {"inet": 4, "inet6": 6}.get(words[2]) if len(words) > 2 else None
    address = parse_address(words[0].partition("-")[0].partition("/")[0])
    return address.version if address is not None else None


def _vsg_problem(words: list[str]) -> str | None:
    """keepalived's virtual_server_group entry: ADDR[-LAST|/LEN] [PORT] or fwmark N [inet|inet6]."""
    if words[0] == "fwmark":
        if len(words) < 2 or numbers.unsigned(words[1], "0", str(2**32 - 1)) is not None:
            return "fwmark needs a number 0..4294967295"
        if len(words) > 2 and words[2] not in ("inet", "inet6"):
            return f"'{words[2]}' is not inet or inet6"
        return None
    text = words[0]
    base, _, last = text.partition("-")
    base, _, prefix = base.partition("/")
    address = parse_address(base)
    if address is None:
        return "not an IP address"
    if (
        last
        and parse_address(last) is None
        and numbers.whole(last, signed=False) is None
        and not all(c in "0123456789abcdefABCDEF" for c in last)
    ):
        return f"range end '{last}' is not valid"
    if prefix and numbers.unsigned(prefix, "0", str(address.max_prefixlen)) is not None:
        return f"prefix /{prefix} is not 0..{address.max_prefixlen}"
    if len(words) > 1 and numbers.unsigned(words[1], "0", "65535") is not None:
        return f"port '{words[1]}' is not a port number"
    if len(words) > 2:
        return f"'{' '.join(words[2:])}' is not part of an entry"
    return None


RULES = (InvalidEntry(),)
