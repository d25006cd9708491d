"""Which vrrp_instances of the files given together form one cluster (they exchange adverts):
the pair rules (KA5xx) compare the members of each cluster.

Instances are matched across files by virtual_router_id and interface; unicast instances on one
VRID that share no virtual IP and do not list each other are two clusters. For the files named
together in ``--cluster a.conf,b.conf``, instances are matched by name instead (interfaces often
differ between nodes).
"""

from __future__ import annotations

import functools
import os
from collections import defaultdict

from kagen.keepalived.model import VrrpInstance, parse_address
from kagen.lint.context import FileContext
from kagen.partition import Partition

Member = tuple[FileContext, VrrpInstance]


def clusters(ctxs: list[FileContext]) -> list[list[Member]]:
    """Groups of instances, one per cluster, each with members from at least two files."""
    return _clusters(tuple(ctxs)) if len(ctxs) > 1 else []


@functools.lru_cache(maxsize=1)
def _clusters(ctxs: tuple[FileContext, ...]) -> list[list[Member]]:
    """Computed once per run for all the pair rules."""
    named = [set(map(os.path.realpath, group)) for group in (ctxs[0].options.clusters if ctxs else [])]
    groups: dict[tuple[object, ...], list[Member]] = defaultdict(list)
    for ctx in ctxs:
        where = next((i for i, group in enumerate(named) if os.path.realpath(ctx.path) in group), None)
        for instance in ctx.config.vrrp_instances:
            key: tuple[object, ...]
            if where is not None:
                key = ("cluster", where, instance.name)
            elif instance.virtual_router_id is not None and instance.interface is not None:
                key = ("vrid", instance.virtual_router_id, instance.interface)
            else:
                continue
            groups[key].append((ctx, instance))
    split = [part for key, members in groups.items() for part in (_linked(members) if key[0] == "vrid" else [members])]
    return [members for members in split if len({id(ctx) for ctx, _ in members}) > 1]


def _addressing(instance: VrrpInstance) -> tuple[object, frozenset] | None:
    """A unicast instance's source and peers, or None when it does not say both."""
    source = instance.get("unicast_src_ip") or instance.get("mcast_src_ip")
    address = parse_address(source.args[0]) if source is not None and source.args else None
    peers = frozenset(peer.address for peer in instance.unicast_peers if peer.valid)
    return (address, peers) if address is not None and peers else None


def _linked(members: list[Member]) -> list[list[Member]]:
    """Instances with one VRID and interface, in the clusters they form: two unicast instances
    that share no virtual IP and do not list each other are separate clusters (their adverts
    never meet); an instance that does not say whom it talks to stays with all the others."""
    facts = [_addressing(instance) for _, instance in members]
    known = [fact for fact in facts if fact is not None]
    if len(known) < len(facts):
        return [members]
    partition = Partition()
    sources: dict[object, list[int]] = defaultdict(list)
    for index, ((_, instance), (source, _)) in enumerate(zip(members, known, strict=True)):
        for address, _prefix in vips(instance):
            partition.join(index, ("vip", address))
        sources[source].append(index)
    for index, (_, peers) in enumerate(known):
        for peer in peers:
            for other in sources.get(peer, ()):
                partition.join(index, other)
    return [[members[index] for index in group] for group in partition.groups(range(len(members)))]


def vips(instance: VrrpInstance) -> frozenset:
    return frozenset((vip.address, vip.network_prefix) for vip in instance.virtual_ipaddresses if vip.valid)
