"""KA213: entries of value blocks (peers, virtual IPs, track_* lists, virtual_server_group) keepalived
cannot read or does not keep."""

from __future__ import annotations

from collections.abc import Iterator

from kagen.diagnostics import Diagnostic, Severity
from kagen.keepalived import numbers
from kagen.keepalived.model import Vip, VrrpInstance, parse_address
from kagen.keepalived.tree import Line, ValueBlock
from kagen.lint.context import FileContext
from kagen.lint.rule import Rule

# From 2.3.3 keepalived ignores a virtual IP or unicast peer its instance already has ("VIP
# duplicates a VIP %s - ignoring", "%s - duplicate unicast_peer": 2.4.3 vrrp/vrrp_data.c:1094-1104
# and vip_is_duplicate, :1175-1216; commits e67cf6b2 and cb95b7f6, first in v2.3.3). 2.2.7 keeps
# both copies without a word (vrrp_data.c alloc_vrrp_vip, alloc_vrrp_unicast_peer).
REPEATS_IGNORED = (2, 3, 3)


class InvalidEntry(Rule):
    """What: An entry of a value block that keepalived cannot read: a unicast_peer option other than
    min_ttl/max_ttl, a track_* entry with a bad weight or option, several addresses on one line; a
    virtual IP or unicast peer the instance already has (an error from keepalived 2.3.3, which
    ignores it; a warning before).
    Why: keepalived skips the entry or the option ("Unknown configuration entry", "unknown
    unicast_peer option", "VIP duplicates a VIP"), so the peer, address or tracking is missing.
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
        for instance in ctx.config.vrrp_instances:
            yield from self._repeated(ctx, instance)
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

    def _repeated(self, ctx: FileContext, instance: VrrpInstance) -> Iterator[Diagnostic]:
        """Virtual IPs and peers the instance already has, compared as keepalived 2.3.3 does:
        a virtual IP with every earlier one, an excluded one (and a virtual IP with an excluded
        one) only on the same dev."""
        ignored = ctx.target >= REPEATS_IGNORED
        severity = Severity.ERROR if ignored else Severity.WARNING
        effect = "keepalived ignores it" if ignored else "listed twice (keepalived 2.3.3 and later ignore it)"
        kept_vips = {id(vip.line): vip for vip in instance.virtual_ipaddresses if vip.valid}
        earlier: list[tuple[Vip, bool]] = []
        for node in instance.block.children:
            if not isinstance(node, ValueBlock) or node.keyword not in (
                "virtual_ipaddress",
                "virtual_ipaddress_excluded",
            ):
                continue
            excluded = node.keyword == "virtual_ipaddress_excluded"
            for entry in node.entries:
                vip = Vip(entry) if excluded else kept_vips.get(id(entry))
                if vip is None or vip.address is None:
                    continue
                if any(
                    other.address == vip.address and (other.dev == vip.dev or not (excluded or other_excluded))
                    for other, other_excluded in earlier
                ):
                    yield self.report(
                        entry.pos, f"{vip.address} is already a virtual IP of {instance.name}: {effect}", severity
                    )
                    if ignored:
                        continue
                earlier.append((vip, excluded))
        seen = set()
        for peer in instance.unicast_peers:
            if peer.valid and peer.address in seen:
                yield self.report(
                    peer.line.pos,
                    f"unicast_peer {peer.address} is already a peer of {instance.name}: {effect}",
                    severity,
                )
            seen.add(peer.address)

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
