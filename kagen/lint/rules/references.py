"""KA3xx: references between blocks, and things defined twice."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from kagen.diagnostics import Diagnostic, Severity
from kagen.keepalived import numbers
from kagen.keepalived.model import VrrpInstance, kept_real_servers
from kagen.keepalived.tree import Block, ValueBlock
from kagen.keepalived.vrrp import NEEDS
from kagen.keepalived.words import grouped
from kagen.lint.context import FileContext
from kagen.lint.rule import Rule


def _defined(ctx: FileContext) -> dict[str, dict[str, int]]:
    """For each top-level block kind: name -> index in the configuration's item list. A
    vrrp_script without script, or a track_file without file, does not count: keepalived removes
    it ("No file set for track_file ... - ignoring")."""
    defined: dict[str, dict[str, int]] = defaultdict(dict)
    for index, node in enumerate(ctx.config.items):
        if isinstance(node, (Block, ValueBlock)) and node.args:
            needs = NEEDS.get(node.keyword)
            if isinstance(node, Block) and needs and not any(child.keyword == needs for child in node.children):
                continue
            defined[node.keyword].setdefault(node.args[0], index)
    return defined


class UndefinedReference(Rule):
    """What: A name that refers to nothing keepalived knows at that point: a track_script,
    track_file, track_process or track_bfd entry whose block is missing or defined after the
    instance, a sync group member that is no vrrp_instance, a virtual_server group that is no
    virtual_server_group.
    Why: keepalived says "not found, ignoring" (or "doesn't exist") and goes on without it: the
    health check that should move the address is never consulted.
    Example:
        vrrp_instance VI_1 {
            track_script {
                chk_nginx
            }
        }
        vrrp_script chk_nginx {
            script "/usr/bin/pgrep nginx"
        }
    Fix: Define the referenced block, before the instance that tracks it.
    """

    code, name, severity = "KA301", "undefined-reference", Severity.ERROR
    reads = ("vrrp_instance", "vrrp_sync_group", "virtual_server")
    whole_config = True

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        defined = _defined(ctx)
        items = ctx.config.items
        for index, node in enumerate(items):
            if not isinstance(node, Block):
                continue
            if node.keyword in ("vrrp_instance", "vrrp_sync_group"):
                yield from self._tracks(ctx, node, index, defined)
            if node.keyword == "vrrp_sync_group":
                instances = defined["vrrp_instance"]
                for member in (
                    e
                    for child in node.children
                    if isinstance(child, ValueBlock) and child.keyword == "group"
                    for e in child.entries
                ):
                    if member.words[0] not in instances:
                        yield self.report(
                            member.pos,
                            f"sync group member '{member.words[0]}' is not a vrrp_instance: keepalived ignores it",
                        )
            if node.keyword == "virtual_server" and len(node.args) > 1 and node.args[0] == "group":
                if node.args[1] not in defined["virtual_server_group"]:
                    yield self.report(node.header.word_pos(2), f"virtual_server_group '{node.args[1]}' is not defined")

    def _tracks(
        self, ctx: FileContext, block: Block, index: int, defined: dict[str, dict[str, int]]
    ) -> Iterator[Diagnostic]:
        for child in block.children:
            if not isinstance(child, ValueBlock) or child.keyword not in grouped("tracked-block"):
                continue
            kinds = grouped("tracked-block")[child.keyword]
            for entry in child.entries:
                name = entry.words[0]
                where = [defined[kind][name] for kind in kinds if name in defined[kind]]
                if not where and any(b.args[:1] == [name] for kind in kinds for b in ctx.config.top(kind)):
                    message = (
                        f"{child.keyword} '{name}' is defined without {NEEDS.get(kinds[0])}: keepalived ignores it"
                    )
                elif not where:
                    message = f"{child.keyword} '{name}' is not defined: keepalived ignores it"
                elif min(where) > index:
                    later = ctx.config.items[min(where)].pos
                    message = (
                        f"{child.keyword} '{name}' is defined after this block (line {later.line}): keepalived "
                        "looks it up here, does not find it and ignores it; move its definition up"
                    )
                else:
                    continue
                yield self.report(entry.pos, message)


class DuplicateName(Rule):
    """What: A vrrp_instance or vrrp_sync_group name used twice.
    Why: keepalived keeps the first and skips the whole second block ("already defined"), so its
    addresses and settings are silently missing.
    Example:
        vrrp_instance VI_1 {
        }
        vrrp_instance VI_1 {
        }
    Fix: Give every instance and group its own name.
    """

    code, name, severity = "KA302", "duplicate-name", Severity.ERROR
    reads = ("vrrp_instance", "vrrp_sync_group")

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        seen: dict[tuple[str, str], Block] = {}
        for node in ctx.config.items:
            if isinstance(node, Block) and node.keyword in self.reads and len(node.args) == 1:
                key = (node.keyword, node.args[0])
                if key in seen:
                    first = seen[key].pos
                    yield self.report(
                        node.pos,
                        f"{node.keyword} {node.args[0]} is already defined at line {first.line}: "
                        "keepalived skips this one",
                    )
                else:
                    seen[key] = node


def _vrid_key(instance: VrrpInstance) -> tuple | None:
    vrid, interface = instance.virtual_router_id, instance.interface
    if vrid is None or interface is None or instance.family is None:
        return None
    return vrid, instance.family, interface.split("@")[0]


class DuplicateVrid(Rule):
    """What: Two vrrp_instances with the same virtual_router_id, address family and interface that
    keepalived considers in conflict: both multicast, or both unicast from the same source with a
    peer in common.
    Why: VRRP tells routers apart by VRID; keepalived refuses the pair ("duplicate VRID conflict",
    "both use VRID"), and on the wire the adverts of one would be taken for the other's.
    Example:
        vrrp_instance VI_1 {
            interface eth0
            virtual_router_id 51
        }
        vrrp_instance VI_2 {
            interface eth0
            virtual_router_id 51
        }
    Fix: Give each instance on an interface its own virtual_router_id (1..255).
    """

    code, name, severity = "KA303", "duplicate-vrid", Severity.ERROR
    reads = ("vrrp_instance",)

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        groups: dict[tuple, list[VrrpInstance]] = defaultdict(list)
        for instance in ctx.config.vrrp_instances:
            key = _vrid_key(instance)
            if key is not None:
                groups[key].append(instance)
        for (vrid, _, interface), members in groups.items():
            for i, later in enumerate(members):
                for earlier in members[:i]:
                    if self._conflict(earlier, later):
                        for one, other in ((later, earlier), (earlier, later)):
                            yield self.report(
                                (one.get("virtual_router_id") or one.line).pos,
                                f"{one.name} and {other.name} both use VRID {vrid} on {interface}",
                                end=one.end,
                            )
                        break

    @staticmethod
    def _conflict(a: VrrpInstance, b: VrrpInstance) -> bool:
        if a.unicast != b.unicast:
            return False
        if not a.unicast:
            return True
        if a.source_address is None or a.source_address != b.source_address:
            return False
        peers_a = {peer.address for peer in a.unicast_peers if peer.valid}
        return any(peer.valid and peer.address in peers_a for peer in b.unicast_peers)


class DuplicateVip(Rule):
    """What: The same virtual IP address in two vrrp_instances (a warning when both are in one
    vrrp_sync_group).
    Why: Each instance adds and removes the address on its own; when they are in different states
    the address is both added and removed, and the service flaps. keepalived accepts it silently:
    this goes beyond keepalived. Instances of one sync group change state together, so there the
    second copy is only redundant.
    Example:
        vrrp_instance VI_1 {
            virtual_ipaddress {
                192.168.0.100
            }
        }
        vrrp_instance VI_2 {
            virtual_ipaddress {
                192.168.0.100
            }
        }
    Fix: Let one instance own each address; use a vrrp_sync_group if instances must move together.
    """

    code, name, severity = "KA304", "duplicate-vip", Severity.ERROR
    reads = ("vrrp_instance",)
    beyond_keepalived = True

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        group_of = {
            member.words[0]: group.name for group in ctx.config.sync_groups for member in group.members if member.words
        }
        owner: dict[object, str | None] = {}
        for instance in ctx.config.vrrp_instances:
            for vip in instance.virtual_ipaddresses:
                if not vip.valid:
                    continue
                other = owner.get(vip.address)
                if vip.address in owner and other != instance.name:
                    group = group_of.get(instance.name or "")
                    if group is not None and group_of.get(other or "") == group:
                        yield self.report(
                            vip.line.pos,
                            f"{vip.address} is also a virtual IP of {other}; they are in sync group {group} and "
                            "change state together, so one of them is enough",
                            Severity.WARNING,
                        )
                    else:
                        yield self.report(vip.line.pos, f"{vip.address} is also a virtual IP of {other}")
                owner.setdefault(vip.address, instance.name)


class EmptyVirtualServer(Rule):
    """What: A virtual_server without real_server.
    Why: keepalived ignores it ("has no real servers - ignoring"): the service is not set up in
    IPVS at all. Real servers keepalived skips do not count: an address it cannot read, or one of
    the other family than the virtual server (unless tunnelled).
    Example:
        virtual_server 192.168.0.100 80 {
            lb_algo rr
        }
    Fix: Add the real servers, or remove the virtual server.
    """

    code, name, severity = "KA305", "empty-virtual-server", Severity.ERROR
    reads = ("virtual_server",)

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for server in ctx.config.virtual_servers:
            if not kept_real_servers(server):
                what = " ".join(server.block.header.words)
                yield self.report(server.line.pos, f"{what} has no real_server: keepalived ignores it", end=server.end)


class InstanceInTwoGroups(Rule):
    """What: A vrrp_instance listed in more than one vrrp_sync_group.
    Why: keepalived refuses it ("cannot exist in more than one sync group").
    Example:
        vrrp_sync_group A {
            group {
                VI_1
                VI_2
            }
        }
        vrrp_sync_group B {
            group {
                VI_1
                VI_3
            }
        }
    Fix: Put each instance in one group.
    """

    code, name, severity = "KA306", "instance-in-two-groups", Severity.ERROR
    reads = ("vrrp_sync_group",)

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        first: dict[str, str | None] = {}
        for group in ctx.config.sync_groups:
            for member in group.members:
                name = member.words[0]
                if name in first and first[name] != group.name:
                    yield self.report(member.pos, f"{name} is already in sync group {first[name]}")
                first.setdefault(name, group.name)


class SyncGroupWeight(Rule):
    """What: A vrrp_instance in a vrrp_sync_group that tracks a script with a weight (its own or
    the track_script entry's), while the group does not say sync_group_tracking_weight.
    Why: keepalived ("ignoring tracked script with weights due to SYNC group") removes that
    tracked script from the instance: the health check never runs and a dead service keeps the
    address. keepalived -t fails on it.
    Example:
        vrrp_script chk_web {
            script "/usr/bin/pgrep nginx"
            weight -30
        }
        vrrp_sync_group G {
            group {
                VI_1
                VI_2
            }
        }
        vrrp_instance VI_1 {
            track_script {
                chk_web
            }
        }
    Fix: Add sync_group_tracking_weight to the sync group (keepalived 2.1.0 and later), or
    track the script with weight 0 so a failure puts the whole group in FAULT.
    """

    code, name, severity = "KA308", "sync-group-weight", Severity.ERROR
    reads = ("vrrp_sync_group",)

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        config = ctx.config
        weights = {script.name: script.value("weight") for script in config.vrrp_scripts}
        instances = {instance.name: instance for instance in config.vrrp_instances}
        for group in config.sync_groups:
            if group.has("sync_group_tracking_weight"):
                continue
            for member in group.members:
                instance = instances.get(member.words[0])
                if instance is None:
                    continue
                for ref in instance.track("track_script"):
                    weight = ref.weight if ref.weight is not None else weights.get(ref.name)
                    if weight is not None and numbers.whole(weight):
                        yield self.report(
                            ref.line.pos,
                            f"keepalived drops {ref.name} from {instance.name}: in sync group {group.name} a "
                            f"tracked script with a weight ({weight}) is ignored, so the check never runs; add "
                            f"sync_group_tracking_weight to {group.name} or track it with weight 0",
                        )


RULES = (
    UndefinedReference(),
    DuplicateName(),
    DuplicateVrid(),
    DuplicateVip(),
    EmptyVirtualServer(),
    InstanceInTwoGroups(),
    SyncGroupWeight(),
)
