"""KA4xx (inventory): an HAVIP, its vSwitch and its members as Alibaba Cloud allows them.

These rules read only the inventory (``kagen lint --inventory INV``); the limits they apply come
from ``kagen/cloud/data/havip.toml`` and the inventory's ``limits:`` section. Hard limits are errors;
quotas that can be raised are warnings naming the ``limits:`` key to set.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING

from kagen.diagnostics import Diagnostic, Severity
from kagen.lint.rule import InventoryRule

if TYPE_CHECKING:  # the cloud model is loaded with an inventory, not on every lint run's start-up
    from kagen.cloud.model import Inventory
    from kagen.lint.context import FileContext


class RegionWithoutHavip(InventoryRule):
    """What: A region where Alibaba Cloud does not offer HAVIP, or no longer runs.
    Why: HAVIPs cannot be created there; a plan built for that region fails at the first API call.
    Example:
        region: ap-southeast-2   # Sydney: decommissioned
    Fix: Use a region from the HAVIP list (`kagen rules KA401` data: kagen/cloud/data/havip.toml).
    """

    code, name, severity = "KA401", "region-without-havip", Severity.ERROR

    def check_inventory(self, inv: Inventory, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        from kagen.cloud.facts import facts

        if inv.region is None or inv.region_pos is None:
            return
        region = facts().regions.get(inv.region)
        if region is None:
            close = difflib.get_close_matches(inv.region, facts().regions, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            yield self.report(inv.region_pos, f"HAVIP is not offered in region {inv.region}{hint}")
        elif region.status != "available":
            yield self.report(inv.region_pos, f"region {inv.region} ({region.name}) is {region.status}: {region.note}")


class HavipOutsideVswitch(InventoryRule):
    """What: An HAVIP address outside the CIDR of its vSwitch.
    Why: An HAVIP is an idle address of its vSwitch; the cloud refuses any other address.
    Example:
        vswitches: {vsw-web: {cidr: 192.168.0.0/24}}
        havips: {web: {vswitch: vsw-web, address: 192.168.1.100, members: [web-1, web-2]}}
    Fix: Pick an unused address inside the vSwitch CIDR, or `address: auto`.
    """

    code, name, severity = "KA402", "havip-outside-vswitch", Severity.ERROR

    def check_inventory(self, inv: Inventory, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        for havip in inv.havips.values():
            vswitch = inv.vswitches.get(havip.vswitch)
            if havip.address is None or vswitch is None or vswitch.cidr is None or havip.address.version != 4:
                continue
            if havip.address not in vswitch.cidr:
                yield self.report(
                    havip.address_pos,
                    f"HAVIP {havip.name} address {havip.address} is outside vSwitch {vswitch.name} ({vswitch.cidr})",
                )


class HavipReservedAddress(InventoryRule):
    """What: An HAVIP address the cloud reserves: the first or one of the last three addresses of
    the vSwitch CIDR.
    Why: Alibaba Cloud keeps those addresses for itself (network address, gateway and broadcast
    among them) and never hands them out.
    Example:
        vswitches: {vsw-web: {cidr: 192.168.0.0/24}}
        havips: {web: {vswitch: vsw-web, address: 192.168.0.255, members: [web-1, web-2]}}
    Fix: Pick another address in the vSwitch, or `address: auto`.
    """

    code, name, severity = "KA403", "havip-reserved-address", Severity.ERROR

    def check_inventory(self, inv: Inventory, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        for havip in inv.havips.values():
            vswitch = inv.vswitches.get(havip.vswitch)
            if havip.address is None or vswitch is None or vswitch.cidr is None or havip.address not in vswitch.cidr:
                continue
            if havip.address in vswitch.reserved():
                yield self.report(
                    havip.address_pos,
                    f"HAVIP {havip.name} address {havip.address} is reserved in vSwitch {vswitch.name} "
                    f"({vswitch.cidr}: the first and the last three addresses)",
                )


class HavipAddressInUse(InventoryRule):
    """What: An HAVIP address that another HAVIP, an ECS instance or an ENI of the same VPC also uses.
    Why: An HAVIP must be an idle address; two owners of one address answer ARP for it in turn.
    Example:
        instances: {web-1: {ip: 192.168.0.11, vswitch: vsw-web}}
        havips: {web: {vswitch: vsw-web, address: 192.168.0.11, members: [web-1, web-2]}}
    Fix: Give the HAVIP an address nothing else uses, or `address: auto`.
    """

    code, name, severity = "KA404", "havip-address-in-use", Severity.ERROR

    def check_inventory(self, inv: Inventory, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        owners: dict[tuple, str] = {}
        for endpoint in inv.endpoints.values():
            vswitch = inv.vswitches.get(endpoint.vswitch)
            if vswitch is not None and endpoint.ip is not None:
                owners.setdefault((vswitch.vpc, endpoint.ip), f"{endpoint.kind} {endpoint.name}")
        for havip in inv.havips.values():
            if havip.address is None:
                continue
            key = (inv.vpc_of(havip), havip.address)
            if key in owners:
                yield self.report(
                    havip.address_pos, f"HAVIP {havip.name} address {havip.address} is also used by {owners[key]}"
                )
            else:
                owners[key] = f"HAVIP {havip.name}"


class MemberOtherVswitch(InventoryRule):
    """What: An HAVIP member (ECS instance or ENI) in another vSwitch than the HAVIP.
    Why: An HAVIP can only be associated with instances or ENIs of its own vSwitch.
    Example:
        instances: {web-2: {ip: 192.168.1.12, vswitch: vsw-other}}
        havips: {web: {vswitch: vsw-web, members: [web-1, web-2]}}
    Fix: Use a member in the HAVIP's vSwitch (for an instance elsewhere, an ENI of it in this vSwitch).
    """

    code, name, severity = "KA405", "member-other-vswitch", Severity.ERROR

    def check_inventory(self, inv: Inventory, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        for havip in inv.havips.values():
            for name, pos in zip(havip.members, havip.member_pos, strict=True):
                endpoint = inv.endpoints.get(name)
                if endpoint is not None and endpoint.vswitch != havip.vswitch:
                    yield self.report(
                        pos,
                        f"{endpoint.kind} {name} is in vSwitch {endpoint.vswitch}, "
                        f"HAVIP {havip.name} in {havip.vswitch}",
                    )


class TooManyMembers(InventoryRule):
    """What: An HAVIP associated with more ECS instances or ENIs than allowed (10).
    Why: The association beyond the limit fails.
    Example:
        havips: {web: {vswitch: vsw-web, members: [n1, n2, n3, n4, n5, n6, n7, n8, n9, n10, n11]}}
    Fix: Split the members over two HAVIPs, or fewer members.
    """

    code, name, severity = "KA406", "too-many-members", Severity.ERROR

    def check_inventory(self, inv: Inventory, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        for havip in inv.havips.values():
            yield from self.over_limit(
                inv, "members_per_havip", len(havip.members), havip.pos, f"members of HAVIP {havip.name}"
            )


class MixedMemberTypes(InventoryRule):
    """What: An HAVIP with both ECS instances and ENIs as members.
    Why: An HAVIP is associated with one type of resource only.
    Example:
        havips: {web: {vswitch: vsw-web, members: [web-1, web-2-eni]}}
    Fix: Associate only instances, or only ENIs (an instance's primary ENI stands for it).
    """

    code, name, severity = "KA407", "mixed-member-types", Severity.ERROR

    def check_inventory(self, inv: Inventory, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        for havip in inv.havips.values():
            kinds = [(inv.endpoints[n].kind, p) for n, p in zip(havip.members, havip.member_pos, strict=True)]
            first = kinds[0][0] if kinds else None
            odd = next(((kind, pos) for kind, pos in kinds if kind != first), None)
            if odd is not None:
                yield self.report(
                    odd[1], f"HAVIP {havip.name} mixes ECS instances and ENIs; an HAVIP takes one type of member"
                )


class HavipsPerInstance(InventoryRule):
    """What: An ECS instance associated (itself or through its ENIs) with more HAVIPs than allowed (5).
    Why: The association beyond the limit fails.
    Example:
        # six HAVIPs listing web-1 among their members
    Fix: Spread the HAVIPs over more instances.
    """

    code, name, severity = "KA408", "havips-per-instance", Severity.ERROR

    def check_inventory(self, inv: Inventory, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        per_node: dict[str, list[str]] = defaultdict(list)
        for havip in inv.havips.values():
            for node in dict.fromkeys(inv.endpoints[n].node for n in havip.members):
                per_node[node].append(havip.name)
        for node, names in per_node.items():
            endpoint = inv.endpoints.get(node)
            pos = endpoint.pos if endpoint is not None else inv.pos
            yield from self.over_limit(inv, "havips_per_instance", len(names), pos, f"HAVIPs on instance {node}")


class HavipQuota(InventoryRule):
    """What: More HAVIPs per VPC or per account, or more route entries pointing to HAVIPs per VPC,
    than the quota (5 each by default).
    Why: Creating the resource beyond the quota fails until the quota is raised in Quota Center.
    Example:
        # six HAVIPs in vSwitches of one VPC
    Fix: Ask for a higher quota and record it in the inventory (`limits: {havips_per_vpc: 10}`).
    """

    code, name, severity = "KA409", "havip-quota", Severity.WARNING

    def check_inventory(self, inv: Inventory, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        per_vpc: dict[str, list] = defaultdict(list)
        routes: dict[str, list] = defaultdict(list)
        for havip in inv.havips.values():
            per_vpc[inv.vpc_of(havip)].append(havip)
            if havip.routes:
                routes[inv.vpc_of(havip)].extend([havip] * len(havip.routes))
        for vpc, havips in per_vpc.items():
            yield from self.over_limit(inv, "havips_per_vpc", len(havips), havips[-1].pos, f"HAVIPs in VPC {vpc}")
        for vpc, owners in routes.items():
            yield from self.over_limit(
                inv, "havip_routes_per_vpc", len(owners), owners[-1].pos, f"route entries to HAVIPs in VPC {vpc}"
            )
        if inv.havips:
            last = list(inv.havips.values())[-1]
            yield from self.over_limit(inv, "havips_per_account", len(inv.havips), last.pos, "HAVIPs in the account")


class TooManyEips(InventoryRule):
    """What: An HAVIP with more than one EIP.
    Why: An HAVIP can be associated with one EIP (of its region).
    Example:
        havips: {web: {vswitch: vsw-web, members: [web-1, web-2], eip: [47.1.1.1, 47.1.1.2]}}
    Fix: Keep one EIP on the HAVIP; put the others on their own HAVIPs.
    """

    code, name, severity = "KA410", "too-many-eips", Severity.ERROR

    def check_inventory(self, inv: Inventory, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        for havip in inv.havips.values():
            if havip.eips:
                yield from self.over_limit(
                    inv, "eips_per_havip", len(havip.eips), havip.eips[-1].pos, f"EIPs on HAVIP {havip.name}"
                )


class Ipv6Havip(InventoryRule):
    """What: An HAVIP with an IPv6 address.
    Why: HAVIPs are IPv4 only.
    Example:
        havips: {web: {vswitch: vsw-web, address: "2001:db8::10", members: [web-1, web-2]}}
    Fix: Use an IPv4 address of the vSwitch.
    """

    code, name, severity = "KA411", "ipv6-havip", Severity.ERROR

    def check_inventory(self, inv: Inventory, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        for havip in inv.havips.values():
            if havip.address is not None and havip.address.version == 6:
                yield self.report(
                    havip.address_pos, f"HAVIP {havip.name} has IPv6 address {havip.address}; HAVIPs are IPv4 only"
                )


def _member_interfaces(inv: Inventory) -> dict[tuple, list]:
    """(node, interface, vrid) -> the clusters that run that VRID there."""
    seen: dict[tuple, list] = defaultdict(list)
    for cluster in inv.clusters.values():
        for member in cluster.members:
            endpoint = inv.endpoints.get(member.name)
            if endpoint is not None:
                users = seen[(endpoint.node, endpoint.interface, cluster.vrid)]
                if cluster not in users:
                    users.append(cluster)
    return seen


class VridConflict(InventoryRule):
    """What: Two clusters with the same VRID on the same member and interface.
    Why: keepalived refuses two VRRP instances with one VRID on one interface (and address family).
    Example:
        clusters:
          web: {havip: web, vrid: 51}
          api: {havip: api, vrid: 51}   # the same two instances
    Fix: Give each cluster on a node its own vrid.
    """

    code, name, severity = "KA412", "vrid-conflict", Severity.ERROR

    def check_inventory(self, inv: Inventory, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        reported = set()
        for (node, interface, vrid), clusters in _member_interfaces(inv).items():
            for cluster in clusters[1:]:
                if cluster.name in reported:
                    continue
                reported.add(cluster.name)
                yield self.report(
                    cluster.vrid_pos,
                    f"VRID {vrid} of cluster {cluster.name} is also used by cluster {clusters[0].name} "
                    f"on {node} ({interface or 'the same interface'})",
                )


class VridReusedInVpc(InventoryRule):
    """What: One VRID used by two clusters of one VPC on different members.
    Why: keepalived accepts it, but adverts of one cluster that reach the other (a member moved,
    a peer list typo) are then taken for its own; cloud HAVIP guides ask for a VRID unique per VPC.
    Example:
        clusters:
          web: {havip: web, vrid: 51}
          db: {havip: db, vrid: 51}
    Fix: Give every cluster of the VPC its own vrid.
    """

    code, name, severity = "KA413", "vrid-reused-in-vpc", Severity.WARNING

    def check_inventory(self, inv: Inventory, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        conflicts = {c.name for clusters in _member_interfaces(inv).values() for c in clusters[1:]}
        first: dict[tuple, str] = {}
        for cluster in inv.clusters.values():
            vpcs = {inv.vpc_of(inv.havips[h]) for h in cluster.havips if h in inv.havips}
            for vpc in sorted(vpcs):
                key = (vpc, cluster.vrid)
                if key not in first:
                    first[key] = cluster.name
                elif cluster.name not in conflicts:
                    yield self.report(
                        cluster.vrid_pos, f"VRID {cluster.vrid} is also used by cluster {first[key]} in VPC {vpc}"
                    )


RULES = (
    RegionWithoutHavip(),
    HavipOutsideVswitch(),
    HavipReservedAddress(),
    HavipAddressInUse(),
    MemberOtherVswitch(),
    TooManyMembers(),
    MixedMemberTypes(),
    HavipsPerInstance(),
    HavipQuota(),
    TooManyEips(),
    Ipv6Havip(),
    VridConflict(),
    VridReusedInVpc(),
)
