"""KA5xx: consistency across the members of an active/standby pair or cluster.

The configurations of the members are given together (``kagen lint a.conf b.conf``); which
instances form a cluster is kagen.lint.clusters' business. With an inventory, only the files of
nodes that share clusters are compared (kagen.lint.placement.networks).
"""

from __future__ import annotations

from collections.abc import Iterator

from kagen.diagnostics import Diagnostic, Severity
from kagen.keepalived.model import VrrpInstance, parse_address
from kagen.keepalived.tree import Line
from kagen.keepalived.vrrp import behaviour
from kagen.lint.clusters import Member, clusters, conflicts, evidence, vips
from kagen.lint.context import FileContext
from kagen.lint.facts import Seen
from kagen.lint.rule import Rule, Scope


def _label(member: Member) -> str:
    ctx, instance = member
    return f"{instance.name} in {ctx.path}"


def _auth(instance: VrrpInstance) -> tuple:
    for block in instance.blocks("authentication")[-1:]:
        values = {n.keyword: n.args[0] for n in block.children if isinstance(n, Line) and n.args}
        return values.get("auth_type"), values.get("auth_pass", "")[:8]
    return None, None


class ClusterMismatch(Rule):
    """What: Members of one cluster (instances that list each other as peers or share a virtual IP,
    or that --cluster names) that disagree on what must be equal: virtual_router_id, the virtual
    IP addresses, or the authentication.
    Why: VRRP nodes only accept adverts for their own VRID and with matching authentication, and
    a member with other addresses brings up different addresses when it becomes MASTER.
    Example:
        # web-a.conf                      # web-b.conf
        virtual_ipaddress {               virtual_ipaddress {
            192.168.0.100/24                  192.168.0.101/24
        }                                 }
    Fix: Give every member the same virtual_router_id, virtual_ipaddress list and authentication.
    """

    code, name, severity, scope = "KA501", "cluster-mismatch", Severity.ERROR, Scope.FILES
    reads = ("vrrp_instance",)

    def check_files(self, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        for members in clusters(ctxs):
            (first_ctx, first), *others = members
            for _ctx, instance in others:
                if instance.virtual_router_id != first.virtual_router_id:
                    line = instance.get("virtual_router_id") or instance.line
                    yield self.report(
                        line.pos,
                        f"virtual_router_id {instance.virtual_router_id} differs from {first.virtual_router_id} "
                        f"of {_label((first_ctx, first))}",
                    )
                if vips(instance) != vips(first):
                    theirs = ", ".join(sorted(f"{a}/{p}" for a, p in vips(first)))
                    yield self.report(
                        (instance.nodes("virtual_ipaddress") or [instance.block])[0].pos,
                        f"{instance.name}'s virtual IPs differ from {_label((first_ctx, first))} ({theirs or 'none'})",
                    )
                if _auth(instance) != _auth(first):
                    yield self.report(
                        (instance.blocks("authentication") or [instance.block])[0].pos,
                        f"{instance.name}'s authentication differs from {_label((first_ctx, first))}",
                    )


class PeerNotListed(Rule):
    """What: A member whose unicast_peer list lacks another member's unicast_src_ip.
    Why: The member never sends adverts to that node, which then hears nothing, becomes MASTER as
    well, and both hold the virtual address.
    Example:
        # web-a.conf                      # web-b.conf
        unicast_src_ip 192.168.0.11       unicast_src_ip 192.168.0.12
        unicast_peer {                    unicast_peer {
            192.168.0.13                      192.168.0.11
        }                                 }
    Fix: List every other member's unicast_src_ip in each member's unicast_peer.
    """

    code, name, severity, scope = "KA502", "peer-not-listed", Severity.ERROR, Scope.FILES
    reads = ("vrrp_instance",)

    def check_files(self, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        for members in clusters(ctxs):
            for ctx, instance in members:
                peers = {peer.address for peer in instance.unicast_peers if peer.valid}
                for other_ctx, other in members:
                    if other is instance or other_ctx is ctx:
                        continue
                    source = other.get("unicast_src_ip")
                    address = parse_address(source.args[0]) if source is not None and source.args else None
                    if address is not None and address not in peers:
                        where = (instance.nodes("unicast_peer") or [instance.block])[0].pos
                        yield self.report(
                            where,
                            f"{instance.name} does not list {address} (unicast_src_ip of "
                            f"{_label((other_ctx, other))}) in its unicast_peer",
                        )


class MasterCount(Rule):
    """What: A cluster that does not have exactly one member with state MASTER, unless all members
    are BACKUP with nopreempt.
    Why: With two MASTERs both start by claiming the address until the first adverts arrive; with
    none and preemption on, the initial election depends on timing. Either is a sign the
    configurations were not written for each other.
    Example:
        # web-a.conf: state MASTER        # web-b.conf: state MASTER
    Fix: One MASTER and the others BACKUP, or all BACKUP with nopreempt for a sticky address.
    """

    code, name, severity, scope = "KA503", "master-count", Severity.WARNING, Scope.FILES
    reads = ("vrrp_instance",)

    def check_files(self, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        for members in clusters(ctxs):
            # The state keepalived starts in: strict mode corrects what is written (KA215).
            masters = [(ctx, i) for ctx, i in members if behaviour(ctx.config, i).state == "MASTER"]
            if len(masters) == 1 or (not masters and all(i.has("nopreempt") for _, i in members)):
                continue
            _ctx, instance = masters[1] if len(masters) > 1 else members[0]
            line = instance.get("state") or instance.line
            count = f"{len(masters)} members" if masters else "no member"
            yield self.report(line.pos, f"{count} of the cluster of {instance.name} have state MASTER (expected one)")


class SamePriority(Rule):
    """What: Two members of a cluster with the same effective priority.
    Why: VRRP then breaks the tie by the higher IP address, which is rarely the intended primary,
    and after a failover the roles do not return as planned.
    Example:
        # web-a.conf: priority 100        # web-b.conf: priority 100
    Fix: Give each member its own priority (for example 150 for the primary, 100 for the standby).
    """

    code, name, severity, scope = "KA504", "same-priority", Severity.WARNING, Scope.FILES
    reads = ("vrrp_instance",)

    def check_files(self, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        for members in clusters(ctxs):
            seen: dict[int, Member] = {}
            for member in members:
                ctx, instance = member
                priority = behaviour(ctx.config, instance).base
                if priority in seen:
                    line = instance.get("priority") or instance.line
                    yield self.report(line.pos, f"priority {priority} is also the priority of {_label(seen[priority])}")
                else:
                    seen[priority] = member


class VridReused(Rule):
    """What: One virtual_router_id used by two clusters given together that can hear each other:
    multicast instances on one subnet, or unicast instances that send to a common node.
    Why: VRRP routers on one network are told apart by VRID; two clusters with the same VRID on
    the same network read each other's adverts. Cloud guides ask for a VRID per cluster in a VPC.
    The same VRID in another subnet (another site, staging and production) is no conflict.
    Example:
        # web-a.conf: virtual_router_id 51 (VIP 192.168.0.100)
        # db-a.conf:  virtual_router_id 51 (VIP 192.168.0.200)
    Fix: Give each cluster its own virtual_router_id.
    """

    code, name, severity, scope = "KA505", "vrid-reused", Severity.ERROR, Scope.FILES
    reads = ("vrrp_instance",)

    across_clusters = True

    def check_files(self, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        by_vrid: dict[str, list[list[tuple[FileContext, Seen]]]] = {}
        for members in evidence(ctxs):
            for vrid in dict.fromkeys(instance.vrid for _, instance in members):
                if vrid is not None:
                    on = [member for member in members if member[1].vrid == vrid]
                    by_vrid.setdefault(vrid, []).append(on)
        for vrid, groups in by_vrid.items():
            for index, earlier in conflicts(groups).items() if len(groups) > 1 else ():
                ctx, first = groups[earlier][0]
                for _ctx, instance in groups[index]:
                    yield self.report(
                        instance.vrid_at, f"VRID {vrid} is also used by another cluster: {first.name} in {ctx.path}"
                    )


RULES = (ClusterMismatch(), PeerNotListed(), MasterCount(), SamePriority(), VridReused())
