"""KA4xx (inventory): a floating private IP (an HAVIP, Huawei's virtual IP), its subnet and its
members as the inventory's provider allows them.

These rules read only the inventory (``kagen lint --inventory INV``); the limits and facts they
apply come from the provider's data file (``kagen/cloud/data/``, kagen.cloud.facts) and the
inventory's ``limits:`` section, and their messages use the provider's words (``inv.terms``:
vSwitch or subnet, ENI or port). Hard limits are errors; quotas that can be raised are warnings
naming the ``limits:`` key to set; a limit or fact no source gives is not checked.
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
    Only providers with a region list in their data are checked (Alibaba Cloud's; none was found
    for the others).
    Example:
        region: ap-southeast-2   # Sydney: decommissioned
    Fix: Use a region from the HAVIP list (`kagen rules KA401` data: kagen/cloud/data/havip.toml).
    """

    code, name, severity = "KA401", "region-without-havip", Severity.ERROR

    def check_inventory(self, inv: Inventory, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        regions = inv.facts.regions
        if inv.region is None or inv.region_pos is None or not regions:
            return
        region = regions.get(inv.region)
        if region is None:
            close = difflib.get_close_matches(inv.region, regions, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            yield self.report(inv.region_pos, f"{inv.terms.vip} is not offered in region {inv.region}{hint}")
        elif region.status != "available":
            yield self.report(inv.region_pos, f"region {inv.region} ({region.name}) is {region.status}: {region.note}")


class HavipOutsideVswitch(InventoryRule):
    """What: An HAVIP (virtual IP) address outside the CIDR of its vSwitch (subnet).
    Why: A floating IP is an idle address of its vSwitch or subnet; the cloud refuses any other.
    Example:
        vswitches: {vsw-web: {cidr: 192.168.0.0/24}}
        havips: {web: {vswitch: vsw-web, address: 192.168.1.100, members: [web-1, web-2]}}
    Fix: Pick an unused address inside the vSwitch (subnet) CIDR, or `address: auto`.
    """

    code, name, severity = "KA402", "havip-outside-vswitch", Severity.ERROR

    def check_inventory(self, inv: Inventory, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        terms = inv.terms
        for havip in inv.havips.values():
            vswitch = inv.vswitches.get(havip.vswitch)
            if havip.address is None or vswitch is None or vswitch.cidr is None or havip.address.version != 4:
                continue
            if havip.address not in vswitch.cidr:
                yield self.report(
                    havip.address_pos,
                    f"{terms.vip} {havip.name} address {havip.address} is outside {terms.subnet} {vswitch.name} "
                    f"({vswitch.cidr})",
                )


class HavipReservedAddress(InventoryRule):
    """What: An HAVIP address the cloud reserves: the first or one of the last three addresses of
    the vSwitch CIDR.
    Why: Alibaba Cloud keeps those addresses for itself (network address, gateway and broadcast
    among them) and never hands them out. Checked where the provider's data gives the reserved
    addresses (Alibaba Cloud's; not found for the others).
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
            if havip.address in vswitch.reserved(inv.facts):
                yield self.report(
                    havip.address_pos,
                    f"{inv.terms.vip} {havip.name} address {havip.address} is reserved in {inv.terms.subnet} "
                    f"{vswitch.name} ({vswitch.cidr}: the first and the last three addresses)",
                )


class HavipAddressInUse(InventoryRule):
    """What: An HAVIP (virtual IP) address that another one, an instance or an ENI (port) of the same VPC also uses.
    Why: A floating IP must be an idle address; two owners of one address answer ARP for it in turn.
    Example:
        instances: {web-1: {ip: 192.168.0.11, vswitch: vsw-web}}
        havips: {web: {vswitch: vsw-web, address: 192.168.0.11, members: [web-1, web-2]}}
    Fix: Give the HAVIP an address nothing else uses, or `address: auto`.
    """

    code, name, severity = "KA404", "havip-address-in-use", Severity.ERROR

    def check_inventory(self, inv: Inventory, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        terms = inv.terms
        owners: dict[tuple, str] = {}
        for endpoint in inv.endpoints.values():
            vswitch = inv.vswitches.get(endpoint.vswitch)
            if vswitch is not None and endpoint.ip is not None:
                owners.setdefault((vswitch.vpc, endpoint.ip), f"{terms.kind(endpoint.kind)} {endpoint.name}")
        for havip in inv.havips.values():
            if havip.address is None:
                continue
            key = (inv.vpc_of(havip), havip.address)
            if key in owners:
                yield self.report(
                    havip.address_pos,
                    f"{terms.vip} {havip.name} address {havip.address} is also used by {owners[key]}",
                )
            else:
                owners[key] = f"{terms.vip} {havip.name}"


class MemberOtherVswitch(InventoryRule):
    """What: An HAVIP (virtual IP) member (instance, ENI or port) in another vSwitch (subnet) than the HAVIP.
    Why: Every provider's floating IP can only be associated with members of its own vSwitch or
    subnet (Alibaba, Tencent, Volcengine, Huawei documents alike).
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
                    terms = inv.terms
                    yield self.report(
                        pos,
                        f"{terms.kind(endpoint.kind)} {name} is in {terms.subnet} {endpoint.vswitch}, "
                        f"{terms.vip} {havip.name} in {havip.vswitch}",
                    )


class TooManyMembers(InventoryRule):
    """What: An HAVIP associated with more ECS instances or ENIs than allowed (10).
    Why: The association beyond the limit fails. Tencent Cloud and Volcengine allow 10 as well;
    Huawei Cloud's limit was not found, so it is checked once `limits: {members_per_havip: N}` says.
    Example:
        havips: {web: {vswitch: vsw-web, members: [n1, n2, n3, n4, n5, n6, n7, n8, n9, n10, n11]}}
    Fix: Split the members over two HAVIPs, or fewer members.
    """

    code, name, severity = "KA406", "too-many-members", Severity.ERROR

    def check_inventory(self, inv: Inventory, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        for havip in inv.havips.values():
            yield from self.over_limit(
                inv, "members_per_havip", len(havip.members), havip.pos, f"members of {inv.terms.vip} {havip.name}"
            )


class MixedMemberTypes(InventoryRule):
    """What: An HAVIP with both ECS instances and ENIs as members.
    Why: An HAVIP is associated with one type of resource only (Alibaba; Tencent: "CVM and ENI
    cannot be selected at the same time"; Volcengine: never both). Not checked where the
    provider's data does not say (Huawei Cloud: every member is a port).
    Example:
        havips: {web: {vswitch: vsw-web, members: [web-1, web-2-eni]}}
    Fix: Associate only instances, or only ENIs (an instance's primary ENI stands for it).
    """

    code, name, severity = "KA407", "mixed-member-types", Severity.ERROR

    def check_inventory(self, inv: Inventory, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        if not inv.facts.features["one_member_type"].value:
            return
        terms = inv.terms
        for havip in inv.havips.values():
            kinds = [(inv.endpoints[n].kind, p) for n, p in zip(havip.members, havip.member_pos, strict=True)]
            first = kinds[0][0] if kinds else None
            odd = next(((kind, pos) for kind, pos in kinds if kind != first), None)
            if odd is not None:
                yield self.report(
                    odd[1],
                    f"{terms.vip} {havip.name} mixes {terms.instances} and {terms.enis}; "
                    f"{terms.a_vip} takes one type of member",
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
            what = f"{inv.terms.vips} on {inv.terms.instance} {node}"
            yield from self.over_limit(inv, "havips_per_instance", len(names), pos, what)


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
        vips = inv.terms.vips
        for vpc, havips in per_vpc.items():
            yield from self.over_limit(inv, "havips_per_vpc", len(havips), havips[-1].pos, f"{vips} in VPC {vpc}")
        for vpc, owners in routes.items():
            yield from self.over_limit(
                inv, "havip_routes_per_vpc", len(owners), owners[-1].pos, f"route entries to {vips} in VPC {vpc}"
            )
        if inv.havips:
            last = list(inv.havips.values())[-1]
            yield from self.over_limit(inv, "havips_per_account", len(inv.havips), last.pos, f"{vips} in the account")


class TooManyEips(InventoryRule):
    """What: An HAVIP with more than one EIP.
    Why: An HAVIP can be associated with one EIP (of its region); Tencent's and Volcengine's
    records hold one EIP per HAVIP; Huawei Cloud's limit was not found (set `limits: {eips_per_havip: N}`).
    Example:
        havips: {web: {vswitch: vsw-web, members: [web-1, web-2], eip: [47.1.1.1, 47.1.1.2]}}
    Fix: Keep one EIP on the HAVIP; put the others on their own HAVIPs.
    """

    code, name, severity = "KA410", "too-many-eips", Severity.ERROR

    def check_inventory(self, inv: Inventory, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        for havip in inv.havips.values():
            if havip.eips:
                yield from self.over_limit(
                    inv, "eips_per_havip", len(havip.eips), havip.eips[-1].pos, f"EIPs on {inv.terms.vip} {havip.name}"
                )


class Ipv6Havip(InventoryRule):
    """What: An HAVIP with an IPv6 address.
    Why: Alibaba Cloud's HAVIPs are IPv4 only. Huawei Cloud's virtual IPs may be IPv6 where the
    subnet has it; for Tencent Cloud and Volcengine no source says, so kagen does not check.
    Example:
        havips: {web: {vswitch: vsw-web, address: "2001:db8::10", members: [web-1, web-2]}}
    Fix: Use an IPv4 address of the vSwitch.
    """

    code, name, severity = "KA411", "ipv6-havip", Severity.ERROR

    def check_inventory(self, inv: Inventory, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        if inv.facts.features["ipv6"].value is not False:
            return
        terms = inv.terms
        for havip in inv.havips.values():
            if havip.address is not None and havip.address.version == 6:
                yield self.report(
                    havip.address_pos,
                    f"{terms.vip} {havip.name} has IPv6 address {havip.address}; {terms.vips} are IPv4 only",
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
