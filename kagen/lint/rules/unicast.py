"""KA1xx: unicast versus multicast VRRP, the reason kagen exists.

On a network without multicast, such as an Alibaba Cloud HAVIP vSwitch, a VRRP instance that
sends its adverts to 224.0.0.18 is never heard: every node becomes MASTER and the address flaps.
keepalived runs an instance unicast only when its unicast_peer block yields at least one usable
peer; these rules say when that is not the case, and what else undermines unicast.
"""

from __future__ import annotations

from collections.abc import Iterator

from kagen.diagnostics import Diagnostic, Severity
from kagen.keepalived.keywords import Version
from kagen.keepalived.model import VrrpInstance, parse_address
from kagen.keepalived.tree import Line, ValueBlock
from kagen.lint.context import FileContext
from kagen.lint.rule import Rule

FALSE = ("off", "false", "no")


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
            yield ctx.report(
                self,
                instance.line.pos,
                f"vrrp_instance {instance.name} runs multicast: {why}; on a network without multicast "
                "every node becomes MASTER. Add unicast_src_ip <this node> and unicast_peer { <the other nodes> }",
                end=instance.end,
            )


class MulticastGlobal(Rule):
    """What: Global multicast settings: vrrp_mcast_group4, vrrp_mcast_group6, disable_local_igmp.
    Why: They only matter to multicast VRRP; in a unicast setup they are dead weight that suggests
    multicast is in use, and on a network without multicast they cannot work.
    Example:
        global_defs {
            vrrp_mcast_group4 224.0.0.18
        }
    Fix: Remove them and give every vrrp_instance unicast_src_ip and unicast_peer.
    """

    code, name, severity = "KA102", "multicast-global", Severity.WARNING
    reads = ("global_defs",)

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for keyword in ("vrrp_mcast_group4", "vrrp_mcast_group6", "disable_local_igmp"):
            line = ctx.config.global_defs.get(keyword)
            if line is not None:
                yield ctx.report(
                    self, line.pos, f"{keyword} only applies to multicast VRRP: remove it and use unicast peers"
                )


class MulticastAddress(Rule):
    """What: mcast_src_ip or mcast_dst_ip in a vrrp_instance.
    Why: Both name multicast. mcast_src_ip only sets the source address, which unicast_src_ip says
    more clearly; mcast_dst_ip is ignored once the instance has unicast peers.
    Example:
        mcast_src_ip 192.168.0.11
    Fix: Write unicast_src_ip instead of mcast_src_ip, and remove mcast_dst_ip.
    """

    code, name, severity = "KA103", "multicast-address", Severity.WARNING
    reads = ("vrrp_instance",)

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for instance in ctx.config.vrrp_instances:
            source = instance.get("mcast_src_ip")
            if source is not None:
                yield ctx.report(self, source.pos, "mcast_src_ip names multicast: write unicast_src_ip instead")
            destination = instance.get("mcast_dst_ip")
            if destination is not None:
                yield ctx.report(
                    self,
                    destination.pos,
                    "mcast_dst_ip sends adverts to a multicast group: remove it and use unicast_peer",
                )


class StrictMode(Rule):
    """What: vrrp_strict in global_defs or strict_mode in a vrrp_instance.
    Why: RFC strict mode refuses unicast peers on interfaces that can multicast ("Unicast peers are
    not supported in strict mode"), drops authentication and preempt_delay: a unicast pair in
    strict mode does not work.
    Example:
        global_defs {
            vrrp_strict
        }
    Fix: Remove vrrp_strict / strict_mode.
    """

    code, name, severity = "KA104", "strict-mode", Severity.ERROR
    reads = ("global_defs", "vrrp_instance")
    beyond_keepalived = True

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        line = ctx.config.global_defs.get("vrrp_strict")
        if line is not None:
            yield ctx.report(self, line.pos, "vrrp_strict forbids unicast peers and authentication: remove it")
        for instance in ctx.config.vrrp_instances:
            strict = instance.get("strict_mode")
            if strict is not None and not (strict.args and strict.args[0].lower() in FALSE):
                yield ctx.report(
                    self, strict.pos, f"strict_mode makes {instance.name} refuse its unicast peers: remove it"
                )


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

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for instance in ctx.config.vrrp_instances:
            source = _source(instance)
            own = parse_address(source.args[0]) if source is not None and source.args else None
            for peer in instance.unicast_peers:
                if own is not None and peer.address == own:
                    yield ctx.report(
                        self,
                        peer.line.pos,
                        f"{peer.text} is this node's own address ({source.keyword}): list only the other nodes",
                    )


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
                yield ctx.report(
                    self,
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
                yield ctx.report(self, peer.line.pos, f"unicast peer {peer.text} {why}: keepalived skips it")


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

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        if ctx.target < (2, 2, 5):
            return
        for instance in ctx.config.vrrp_instances:
            configured = any(isinstance(node, ValueBlock) for node in instance.nodes("unicast_peer"))
            if configured and not instance.has("unicast_fault_no_peer"):
                yield ctx.report(
                    self,
                    instance.line.pos,
                    f"{instance.name} has no unicast_fault_no_peer: without peers it would silently fall "
                    "back to multicast; add unicast_fault_no_peer",
                )


UNICAST_ONLY = ("unicast_ttl", "check_unicast_src", "unicast_src_ip")


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
            for keyword in UNICAST_ONLY:
                line = instance.get(keyword)
                if line is not None:
                    yield ctx.report(
                        self,
                        line.pos,
                        f"{keyword} has no effect: {instance.name} has no usable unicast peer",
                        end=instance.end,
                    )


# keepalived's vrrp_end_handler (keepalived/vrrp/vrrp_parser.c) checks unicast with a VMAC or an
# ipvlan interface since 2.2.0: first when the instance kept unicast peers, from 2.2.5 on when any
# of these keywords configured unicast.
VMAC_CHECKED = (2, 2, 0)
UNICAST_CONFIGURED_FROM = (2, 2, 5)
UNICAST_CONFIGURED = (
    "unicast_peer",
    "unicast_src_ip",
    "unicast_fault_no_peer",
    "check_unicast_src",
    "old_unicast_checksum",
)
VMAC_KEYWORDS = ("use_vmac", "use_ipvlan")


def vmac_statement(instance: VrrpInstance) -> Line | None:
    """The use_vmac / use_ipvlan statement of an instance without vmac_xmit_base."""
    if instance.has("vmac_xmit_base"):
        return None
    return next((line for keyword in VMAC_KEYWORDS if (line := instance.get(keyword)) is not None), None)


def _unicast_configured(instance: VrrpInstance, target: Version) -> bool:
    if target >= UNICAST_CONFIGURED_FROM:
        return any(instance.nodes(keyword) for keyword in UNICAST_CONFIGURED)
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

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for instance in ctx.config.vrrp_instances:
            vmac = vmac_statement(instance)
            if vmac is not None and instance.interface is not None and _unicast_configured(instance, ctx.target):
                yield ctx.report(
                    self,
                    vmac.pos,
                    f"{instance.name} runs unicast with {vmac.keyword} but without vmac_xmit_base: keepalived "
                    "reports an error and sets it; add vmac_xmit_base",
                )


RULES = (
    MulticastInstance(),
    MulticastGlobal(),
    MulticastAddress(),
    StrictMode(),
    OwnAddressPeer(),
    NoUnicastSource(),
    DroppedPeer(),
    NoFaultNoPeer(),
    UnicastWithoutPeers(),
    VmacXmitBase(),
)
