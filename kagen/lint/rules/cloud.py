"""KA42x: configurations measured against the inventory they are meant to run on.

Given together (``kagen lint --inventory INV a.conf b.conf``), each file is matched to a node
and each of its vrrp_instances to the node's cluster with the same VRID (kagen.lint.placement),
and compared with what the cloud says.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from kagen.diagnostics import Diagnostic, Position, Severity
from kagen.lint.placement import placement
from kagen.lint.rule import InventoryRule

if TYPE_CHECKING:  # the cloud model is loaded with an inventory, not on every lint run's start-up
    from kagen.cloud.model import Inventory
    from kagen.keepalived.model import VrrpInstance
    from kagen.lint.context import FileContext


def _where(instance: VrrpInstance, keyword: str) -> Position:
    return (instance.nodes(keyword) or [instance.block])[0].pos


class VipNotHavip(InventoryRule):
    """What: A vrrp_instance whose virtual_ipaddress is not the address of its cluster's HAVIP(s),
    or has a prefix length other than the vSwitch's or /32.
    Why: The cloud only delivers the HAVIP's address to the node that announces it; any other
    address the MASTER brings up is unreachable from the rest of the VPC.
    Example:
        # inventory: havips: {web: {address: 192.168.0.100, ...}}
        virtual_ipaddress {
            192.168.0.200/24
        }
    Fix: Put exactly the HAVIP address (with the vSwitch prefix or /32) in virtual_ipaddress.
    """

    code, name, severity = "KA420", "vip-not-havip", Severity.ERROR
    configs = True

    def check_inventory(self, inv: Inventory, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        for placed in placement(inv, ctxs).placed:
            havips = [inv.havips[h] for h in placed.cluster.havips if h in inv.havips]
            expected = {h.address for h in havips if h.address is not None}
            if len(expected) < len(havips):
                continue  # an "auto" address: not known before the cloud assigns it
            vips = [vip for vip in placed.instance.virtual_ipaddresses if vip.valid]
            actual = {vip.address for vip in vips}
            pos = _where(placed.instance, "virtual_ipaddress")
            if actual != expected:
                want = ", ".join(sorted(map(str, expected)))
                have = ", ".join(sorted(map(str, actual))) or "none"
                yield self.report(
                    pos,
                    f"{placed.instance.name}'s virtual_ipaddress ({have}) is not the address of "
                    f"{inv.terms.vip} {', '.join(h.name for h in havips)} ({want})",
                )
                continue
            cidrs = [inv.vswitches[h.vswitch].cidr for h in havips if h.vswitch in inv.vswitches]
            prefixes = {32} | {cidr.prefixlen for cidr in cidrs if cidr is not None}
            for vip in vips:
                if vip.network_prefix not in prefixes:
                    yield self.report(
                        vip.line.pos,
                        f"{vip.address}/{vip.network_prefix}: use the {inv.terms.subnet} prefix "
                        f"(/{max(prefixes - {32}, default=32)}) or /32 for the {inv.terms.vip} address",
                    )


class SourceNotMember(InventoryRule):
    """What: A unicast_src_ip that is not this node's address in the HAVIP's vSwitch.
    Why: The peers expect adverts from the member's address in the vSwitch; adverts from another
    address are dropped (or leave by another NIC), and both nodes become MASTER.
    Example:
        # inventory: web-1 is 192.168.0.11
        unicast_src_ip 10.0.0.11
    Fix: Set unicast_src_ip to the member's private IP in the HAVIP's vSwitch.
    """

    code, name, severity = "KA421", "source-not-member", Severity.ERROR
    configs = True

    def check_inventory(self, inv: Inventory, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        for placed in placement(inv, ctxs).placed:
            line = placed.instance.unicast_src_ip
            source = placed.instance.source_address
            wanted = placed.endpoint.ip
            if line is not None and source is not None and wanted is not None and source != wanted:
                yield self.report(
                    line.pos,
                    f"unicast_src_ip {source} is not {placed.endpoint.name}'s address in {inv.terms.subnet} "
                    f"{placed.endpoint.vswitch} ({placed.endpoint.ip})",
                )


class PeersNotMembers(InventoryRule):
    """What: A unicast_peer list that is not exactly the other members of the cluster.
    Why: A missing member never hears this node's adverts and becomes MASTER too; an address that
    is no member receives adverts meant for nobody, and a wrong address hides a missing peer.
    Example:
        # inventory: members web-1 (192.168.0.11), web-2 (192.168.0.12); this is web-1
        unicast_peer {
            192.168.0.13
        }
    Fix: List every other member's address, and nothing else.
    """

    code, name, severity = "KA422", "peers-not-members", Severity.ERROR
    configs = True

    def check_inventory(self, inv: Inventory, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        for placed in placement(inv, ctxs).placed:
            peers = [peer for peer in placed.instance.unicast_peers if peer.valid]
            if not peers:
                continue  # no peers at all: the instance runs multicast (KA101)
            others = {
                inv.endpoints[m.name].ip: m.name
                for m in placed.cluster.members
                if m.name in inv.endpoints and m.name != placed.endpoint.name and inv.endpoints[m.name].ip is not None
            }
            listed = {peer.address for peer in peers}
            pos = _where(placed.instance, "unicast_peer")
            missing = [f"{ip} ({name})" for ip, name in others.items() if ip not in listed]
            if missing:
                yield self.report(
                    pos,
                    f"{placed.instance.name}'s unicast_peer lacks member {', '.join(missing)} "
                    f"of cluster {placed.cluster.name}",
                )
            for peer in peers:
                if peer.address not in others and peer.address != placed.endpoint.ip:
                    yield self.report(
                        peer.line.pos, f"unicast_peer {peer.address} is not a member of cluster {placed.cluster.name}"
                    )


class InterfaceNotNic(InventoryRule):
    """What: An instance's interface that is not the member's NIC in the HAVIP's vSwitch.
    Why: keepalived sends adverts and gratuitous ARP on that interface; on another NIC they reach
    another vSwitch, where the HAVIP does not live.
    Example:
        # inventory: web-1's ENI in vsw-web is eth1
        interface eth0
    Fix: Set interface to the device of the member's NIC in the HAVIP's vSwitch (`interface:`
    of the instance, `device:` of the ENI, in the inventory).
    """

    code, name, severity = "KA423", "interface-not-nic", Severity.ERROR
    configs = True

    def check_inventory(self, inv: Inventory, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        for placed in placement(inv, ctxs).placed:
            line = placed.instance.get("interface")
            wanted = placed.endpoint.interface
            if line is not None and line.args and wanted is not None and line.args[0] != wanted:
                yield self.report(
                    line.pos,
                    f"interface {line.args[0]} is not {placed.endpoint.name}'s NIC in {inv.terms.subnet} "
                    f"{placed.endpoint.vswitch} ({wanted})",
                )


class MemberWithoutConfig(InventoryRule):
    """What: A member of a cluster with no configuration among the files given, when other
    members' files are given.
    Why: The cluster is checked only in part; a member left out is often a member forgotten in a
    rollout. (Checking a single changed file, as pre-commit does, also shows this.)
    Example:
        kagen lint --inventory inventory.yaml web-1.conf   # web-2.conf not given
    Fix: Give every member's configuration, or name it with `config:` in the inventory.
    """

    code, name, severity = "KA424", "member-without-config", Severity.WARNING
    configs = True

    def check_inventory(self, inv: Inventory, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        found = placement(inv, ctxs)
        covered = set(found.nodes.values())
        for cluster in {id(p.cluster): p.cluster for p in found.placed}.values():
            for member in cluster.members:
                endpoint = inv.endpoints.get(member.name)
                if endpoint is not None and endpoint.node not in covered:
                    yield self.report(
                        member.pos,
                        f"member {member.name} of cluster {cluster.name} has no configuration among the files given",
                    )


class NotInInventory(InventoryRule):
    """What: A configuration that belongs to no member of the inventory, or a vrrp_instance whose
    VRID matches no cluster of its node.
    Why: It runs VRRP the inventory does not know about, so nothing checks it against the cloud,
    and a stale or copied configuration goes unnoticed.
    Example:
        # inventory: web-1 (192.168.0.11) serves only cluster web, vrid 51
        vrrp_instance VI_2 {
            virtual_router_id 52
            unicast_src_ip 192.168.0.11
        }
    Fix: Add the cluster (or the member's `config:`) to the inventory, or remove the instance.
    """

    code, name, severity = "KA425", "not-in-inventory", Severity.ERROR
    configs = True

    def check_inventory(self, inv: Inventory, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        found = placement(inv, ctxs)
        for ctx in found.unmatched_files:
            first = ctx.config.vrrp_instances[0]
            yield self.report(
                first.line.pos,
                f"{ctx.path} belongs to no member of {inv.path}: no member's config: names it and no "
                "unicast_src_ip is a member's address",
            )
        for _ctx, instance, node in found.unmatched_instances:
            line = instance.get("virtual_router_id") or instance.line
            yield self.report(
                line.pos,
                f"{instance.name} (VRID {instance.virtual_router_id}) runs on {node}, but no cluster of "
                f"{node} in the inventory has that VRID",
            )


RULES = (
    VipNotHavip(),
    SourceNotMember(),
    PeersNotMembers(),
    InterfaceNotNic(),
    MemberWithoutConfig(),
    NotInInventory(),
)
