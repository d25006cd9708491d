"""KA101, KA105-KA110: unicast versus multicast VRRP, the reason kagen exists.

On a network without multicast, such as an Alibaba Cloud HAVIP vSwitch, a VRRP instance that
sends its adverts to 224.0.0.18 is never heard: every node becomes MASTER and the address flaps.
keepalived runs an instance unicast only when its unicast_peer block yields at least one usable
peer; these rules say when that is not the case, and what else undermines unicast.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kagen.diagnostics import Diagnostic, Severity
from kagen.keepalived.keywords import Version
from kagen.keepalived.model import VrrpInstance, parse_address
from kagen.keepalived.tree import Line, ValueBlock
from kagen.keepalived.words import names
from kagen.lint.context import FileContext
from kagen.lint.edits import (
    Edit,
    Facts,
    Unfixable,
    after,
    alone,
    child_indent,
    delete,
    ending,
    indent,
    insert,
    own_line,
    physical,
)
from kagen.lint.rule import Rule


class MulticastInstance(Rule):
    """What: A vrrp_instance that runs multicast: no unicast_peer block, an empty one, or one whose
    peers keepalived all drops.
    Why: Cloud networks such as HAVIP vSwitches carry no multicast. Adverts to 224.0.0.18 never
    arrive, every node becomes MASTER and the virtual address flaps between them. With only
    unicast_src_ip and no peers keepalived silently falls back to multicast.
    Example:
        vrrp_instance VI_1 {
            interface eth0
            virtual_router_id 51
            virtual_ipaddress {
                192.168.0.100
            }
        }
    Fix: Add this node's address and the other nodes' addresses:
    unicast_src_ip 192.168.0.11 and unicast_peer { 192.168.0.12 }.
    """

    code, name, severity = "KA101", "multicast-instance", Severity.ERROR
    reads = ("vrrp_instance",)
    beyond_keepalived = True
    fix_summary = (
        "adds unicast_src_ip (this node) and a unicast_peer block with the other members (or fills an "
        "empty one), from --inventory or the pair's other files given in the same run; and vmac_xmit_base "
        "where the instance has use_vmac or use_ipvlan (KA110)"
    )

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for instance in ctx.config.vrrp_instances:
            if instance.unicast:
                continue
            peers = instance.nodes("unicast_peer")
            if not peers:
                why = "it has no unicast_peer"
            elif not instance.unicast_peers:
                why = "its unicast_peer block is empty, so keepalived silently falls back to multicast"
            else:
                why = "keepalived drops all of its unicast peers and falls back to multicast"
            yield self.report(
                instance.line.pos,
                f"vrrp_instance {instance.name} runs multicast: {why}; on a network without multicast "
                "every node becomes MASTER. Add unicast_src_ip <this node> and unicast_peer { <the other nodes> }",
                end=instance.end,
                node=instance,
            )

    def fix(self, ctx: FileContext, finding: Diagnostic, facts: Facts) -> list[Edit]:
        instance: VrrpInstance = finding.node
        known = facts.addresses.get((ctx.path, instance.name or ""))
        if known is None:
            raise Unfixable(f"this node's address and its peers are unknown: {facts.missing}")
        own, peers = known
        peers = [peer for peer in peers if peer != own]
        if not peers:
            raise Unfixable("the cluster has no other member")
        child, entry = child_indent(instance)
        file = instance.block.header.file
        end = ending(file)
        has_source = instance.unicast_src_ip or instance.get("mcast_src_ip")
        source = [] if has_source else [f"{child}unicast_src_ip {own}{end}"]
        at = after(instance, "interface") + 1
        blocks = [n for n in instance.block.children if isinstance(n, ValueBlock) and n.keyword == "unicast_peer"]
        if not blocks:
            peer_block = [f"{child}unicast_peer {{{end}", *(f"{entry}{p}{end}" for p in peers), f"{child}}}{end}"]
            return [Edit(file, at, at, (*source, *peer_block)), *_xmit_base(instance)]
        block = blocks[-1]  # empty, or all its peers dropped: fill it
        one_line = _one_line_empty_block(block)
        if one_line is not None:
            lead, rest = one_line
            lines = (f"{lead}unicast_peer {{{rest}{end}", *(f"{entry}{p}{end}" for p in peers), f"{lead}}}{end}")
            return [
                Edit(file, block.header.line, block.header.line + 1, lines),
                *insert(file, at, source),
                *_xmit_base(instance),
            ]
        if block.close is None or not alone(block.close) or not all(alone(e) for e in block.entries):
            raise Unfixable("the unicast_peer block shares its lines with others: edit it by hand")
        edits = [delete(e) for e in block.entries]
        edits.append(Edit(block.close.file, block.close.line, block.close.line, tuple(entry + p + end for p in peers)))
        return edits + insert(file, at, source) + _xmit_base(instance)


_EMPTY_PEERS = re.compile(r"(?P<lead>[ \t]*)unicast_peer[ \t]*\{[ \t]*\}(?P<rest>[ \t]*(?:[#!].*)?)")


def _one_line_empty_block(block: ValueBlock) -> tuple[str, str] | None:
    """``unicast_peer {}`` on a line of its own: its indentation and what follows it (blanks, a
    comment)."""
    header, close = block.header, block.close
    if block.entries or close is None or close.line != header.line or header.via is not None:
        return None
    match = _EMPTY_PEERS.fullmatch(physical(header.file)[header.line - 1].rstrip("\r"))
    return (match["lead"], match["rest"]) if match else None


def _source(instance: VrrpInstance) -> Line | None:
    return instance.get("unicast_src_ip") or instance.get("mcast_src_ip")


class OwnAddressPeer(Rule):
    """What: A vrrp_instance whose unicast_peer list contains its own unicast_src_ip.
    Why: The node sends adverts to itself and may hear itself as a peer; a configuration copied to
    both nodes without editing the peer list has exactly this mistake.
    Example:
        unicast_src_ip 192.168.0.11
        unicast_peer {
            192.168.0.11
            192.168.0.12
        }
    Fix: List only the other nodes in unicast_peer.
    """

    code, name, severity = "KA105", "own-address-peer", Severity.ERROR
    reads = ("vrrp_instance",)
    beyond_keepalived = True
    fix_summary = "removes the node's own address from unicast_peer"

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for instance in ctx.config.vrrp_instances:
            source = _source(instance)
            own = parse_address(source.args[0]) if source is not None and source.args else None
            if source is None or own is None:
                continue
            for peer in instance.unicast_peers:
                if peer.address == own:
                    yield self.report(
                        peer.line.pos,
                        f"{peer.text} is this node's own address ({source.keyword}): list only the other nodes",
                        node=peer.line,
                    )

    def fix(self, ctx: FileContext, finding: Diagnostic, facts: Facts) -> list[Edit]:
        return [delete(finding.node)]


class NoUnicastSource(Rule):
    """What: A unicast vrrp_instance without unicast_src_ip.
    Why: keepalived then sends from the primary address of the interface, which is not always the
    address the other nodes list as their peer (secondary addresses, several NICs), and adverts
    from an unexpected source are dropped.
    Example:
        vrrp_instance VI_1 {
            interface eth0
            unicast_peer {
                192.168.0.12
            }
        }
    Fix: Add unicast_src_ip with this node's address on the interface.
    """

    code, name, severity = "KA106", "no-unicast-src-ip", Severity.WARNING
    reads = ("vrrp_instance",)

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for instance in ctx.config.vrrp_instances:
            if instance.unicast and _source(instance) is None:
                yield self.report(
                    instance.line.pos,
                    f"{instance.name} has no unicast_src_ip: keepalived sends from the interface's primary "
                    "address; set unicast_src_ip to the address the other nodes list as peer",
                )


class DroppedPeer(Rule):
    """What: A unicast_peer entry keepalived drops: not an address, or of the other address family
    than the instance (fixed by its first address: source, peer or virtual IP).
    Why: The node never sends adverts to that peer; when all peers are dropped the instance falls
    back to multicast.
    Example:
        virtual_ipaddress {
            192.168.0.100
        }
        unicast_peer {
            fd00::12
        }
    Fix: Use the peer's address of the instance's family; run separate instances for IPv4 and IPv6.
    """

    code, name, severity = "KA107", "dropped-peer", Severity.ERROR
    reads = ("vrrp_instance",)

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for instance in ctx.config.vrrp_instances:
            for peer in instance.unicast_peers:
                if peer.valid:
                    continue
                if peer.address is None:
                    why = "is not an IP address"
                else:
                    other = "IPv6" if peer.address.version == 6 else "IPv4"
                    why = f"is {other} but {instance.name} is IPv{instance.family}"
                yield self.report(peer.line.pos, f"unicast peer {peer.text} {why}: keepalived skips it")


class NoFaultNoPeer(Rule):
    """What: A unicast vrrp_instance without unicast_fault_no_peer, where the target keepalived has
    it (2.2.5 and later).
    Why: Without it, an instance left with no usable peer (say, after an edit) silently falls back
    to multicast instead of going to FAULT state where monitoring sees it.
    Example:
        vrrp_instance VI_1 {
            unicast_peer {
                192.168.0.12
            }
        }
    Fix: Add unicast_fault_no_peer to the instance.
    """

    code, name, severity = "KA108", "no-fault-no-peer", Severity.WARNING
    reads = ("vrrp_instance",)
    fix_summary = "adds unicast_fault_no_peer after the unicast_peer block"

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        if ctx.target < (2, 2, 5):
            return
        for instance in ctx.config.vrrp_instances:
            configured = any(isinstance(node, ValueBlock) for node in instance.nodes("unicast_peer"))
            if configured and not instance.has("unicast_fault_no_peer"):
                yield self.report(
                    instance.line.pos,
                    f"{instance.name} has no unicast_fault_no_peer: without peers it would silently fall "
                    "back to multicast; add unicast_fault_no_peer",
                    node=instance,
                )

    def fix(self, ctx: FileContext, finding: Diagnostic, facts: Facts) -> list[Edit]:
        instance: VrrpInstance = finding.node
        child, _ = child_indent(instance)
        blocks = [
            node for node in instance.block.children if isinstance(node, ValueBlock) and node.keyword == "unicast_peer"
        ]
        close = blocks[-1].close if blocks else None
        if close is None or not alone(close):
            raise Unfixable("the unicast_peer block's end shares its line with others: edit it by hand")
        end = ending(close.file)
        return [Edit(close.file, close.line + 1, close.line + 1, (f"{child}unicast_fault_no_peer{end}",))]


class UnicastWithoutPeers(Rule):
    """What: Unicast settings (unicast_src_ip, unicast_ttl, check_unicast_src) in a vrrp_instance
    that has no usable unicast peer.
    Why: They do nothing without peers: keepalived resets unicast_ttl ("Cannot use unicast_ttl
    without unicast peers") and runs the instance multicast, so the settings suggest a unicast
    setup that does not exist.
    Example:
        vrrp_instance VI_1 {
            unicast_src_ip 192.168.0.11
            unicast_ttl 5
        }
    Fix: Add the peers (unicast_peer { ... }); without peers remove the settings.
    """

    code, name, severity = "KA109", "unicast-without-peers", Severity.WARNING
    reads = ("vrrp_instance",)

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for instance in ctx.config.vrrp_instances:
            if instance.unicast:
                continue
            for keyword in names("unicast-only"):
                line = instance.get(keyword)
                if line is not None:
                    yield self.report(
                        line.pos,
                        f"{keyword} has no effect: {instance.name} has no usable unicast peer",
                        end=instance.end,
                    )


# keepalived's vrrp_end_handler (keepalived/vrrp/vrrp_parser.c) checks unicast with a VMAC or an
# ipvlan interface since 2.2.0: first when the instance kept unicast peers, from 2.2.5 on when any
# of the "unicast-configured" keywords (words.txt) configured unicast.
VMAC_CHECKED = (2, 2, 0)
UNICAST_CONFIGURED_FROM = (2, 2, 5)


def _vmac_statement(instance: VrrpInstance) -> Line | None:
    """The use_vmac / use_ipvlan statement of an instance without vmac_xmit_base."""
    if instance.has("vmac_xmit_base"):
        return None
    return next((line for keyword in names("vmac") if (line := instance.get(keyword)) is not None), None)


def _unicast_configured(instance: VrrpInstance, target: Version) -> bool:
    if target >= UNICAST_CONFIGURED_FROM:
        return any(instance.nodes(keyword) for keyword in names("unicast-configured"))
    return target >= VMAC_CHECKED and instance.unicast


class VmacXmitBase(Rule):
    """What: A unicast vrrp_instance with use_vmac or use_ipvlan but without vmac_xmit_base.
    Why: Unicast adverts must leave by the base interface, not the virtual MAC one. keepalived
    (2.2.0 and later) turns vmac_xmit_base on by itself and reports a configuration error, so
    keepalived -t fails; a multicast instance made unicast runs into this.
    Example:
        vrrp_instance VI_1 {
            interface eth0
            use_vmac
            unicast_peer {
                192.168.0.12
            }
        }
    Fix: Add vmac_xmit_base to the instance.
    """

    code, name, severity = "KA110", "vmac-xmit-base", Severity.ERROR
    reads = ("vrrp_instance",)
    fix_summary = "adds vmac_xmit_base after use_vmac / use_ipvlan"

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for instance in ctx.config.vrrp_instances:
            vmac = _vmac_statement(instance)
            if vmac is not None and instance.interface is not None and _unicast_configured(instance, ctx.target):
                yield self.report(
                    vmac.pos,
                    f"{instance.name} runs unicast with {vmac.keyword} but without vmac_xmit_base: keepalived "
                    "reports an error and sets it; add vmac_xmit_base",
                    node=instance,
                )

    def fix(self, ctx: FileContext, finding: Diagnostic, facts: Facts) -> list[Edit]:
        return _xmit_base(finding.node)


def _xmit_base(instance: VrrpInstance) -> list[Edit]:
    """vmac_xmit_base after use_vmac / use_ipvlan (KA110): unicast adverts leave by the base
    interface, and keepalived reports an error without it."""
    vmac = _vmac_statement(instance)
    if vmac is None:
        return []
    own_line(vmac)
    return insert(vmac.file, vmac.line + 1, [f"{indent(vmac)}vmac_xmit_base{ending(vmac.file)}"])


RULES = (
    MulticastInstance(),
    OwnAddressPeer(),
    NoUnicastSource(),
    DroppedPeer(),
    NoFaultNoPeer(),
    UnicastWithoutPeers(),
    VmacXmitBase(),
)
