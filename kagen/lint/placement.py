"""Which node of the inventory each configuration is, and which cluster each of its
vrrp_instances serves: by a cluster member's ``config:`` path, else by an instance's
``unicast_src_ip`` being the node's address, then by VRID among the node's clusters. The
inventory rules (KA42x), the engine's grouping of files by network, and kagen fix's facts all
read the same placement.
"""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING, NamedTuple

from kagen.keepalived import numbers
from kagen.partition import Partition

if TYPE_CHECKING:  # the cloud model is loaded with an inventory, not on every lint run's start-up
    from kagen.cloud.model import Cluster, Endpoint, Inventory
    from kagen.keepalived.model import VrrpInstance
    from kagen.lint.context import FileContext


# NamedTuples, not dataclasses: every lint run imports this module (through the KA42x rules), and
# a dataclass costs a millisecond to define.


class Placed(NamedTuple):
    """A vrrp_instance of a file matched to the cluster it serves and the node's endpoint in it."""

    ctx: FileContext
    instance: VrrpInstance
    cluster: Cluster
    endpoint: Endpoint


class Placement(NamedTuple):
    nodes: dict[int, str]  # id(ctx) -> node (instance name) for the matched files
    placed: list[Placed]
    unmatched_files: list[FileContext]
    unmatched_instances: list[tuple[FileContext, VrrpInstance, str]]  # with the node they run on


def _vrid(instance: VrrpInstance) -> int | None:
    text = instance.virtual_router_id
    return numbers.whole(text, signed=False) if text is not None else None


class _Index(NamedTuple):
    """Lookups into one inventory, built once: kagen generate places its files group by group."""

    by_config: dict[str, str]  # realpath of a member's config: -> node
    by_ip: dict[object, str]  # endpoint address -> node
    clusters: dict[tuple[str, int | None], tuple[Cluster, Endpoint]]  # (node, vrid) -> the first such cluster


@functools.lru_cache(maxsize=1)
def _index(inv: Inventory) -> _Index:
    base = os.path.dirname(os.path.abspath(inv.path))
    index = _Index({}, {}, {})
    for cluster in inv.clusters.values():
        for member in cluster.members:
            endpoint = inv.endpoints.get(member.name)
            if endpoint is None:
                continue
            if member.config:
                index.by_config[os.path.realpath(os.path.join(base, member.config))] = endpoint.node
            index.clusters.setdefault((endpoint.node, cluster.vrid), (cluster, endpoint))
    for endpoint in inv.endpoints.values():
        if endpoint.ip is not None:
            index.by_ip.setdefault(endpoint.ip, endpoint.node)
    return index


@functools.lru_cache(maxsize=1)
def _placement(inv: Inventory, ctxs: tuple[FileContext, ...]) -> Placement:
    index = _index(inv)
    result = Placement({}, [], [], [])
    for ctx in ctxs:
        instances = ctx.config.vrrp_instances
        if not instances:
            continue
        node = index.by_config.get(os.path.realpath(ctx.path)) if index.by_config and ctx.path != "-" else None
        if node is None:
            node = next((index.by_ip[i.source_address] for i in instances if i.source_address in index.by_ip), None)
        if node is None:
            result.unmatched_files.append(ctx)
            continue
        result.nodes[id(ctx)] = node
        for instance in instances:
            found = index.clusters.get((node, _vrid(instance)))
            if found is None:
                result.unmatched_instances.append((ctx, instance, node))
            else:
                result.placed.append(Placed(ctx, instance, *found))
    return result


def placement(inv: Inventory, ctxs: list[FileContext]) -> Placement:
    return _placement(inv, tuple(ctxs))


def networks(inv: Inventory, ctxs: list[FileContext]) -> list[list[FileContext]]:
    """The files in groups whose nodes share clusters (directly or through another node), as
    kagen generate verifies them: only these exchange VRRP adverts, so the pair rules compare
    each group on its own (a VRID used again in another VPC is no conflict). The files the
    inventory does not place form one more group."""
    placed = placement(inv, ctxs).nodes
    return _nodes(inv).groups(ctxs, key=lambda ctx: placed.get(id(ctx)))


@functools.lru_cache(maxsize=1)
def _nodes(inv: Inventory) -> Partition:
    """The inventory's nodes joined by the clusters they share: built once per inventory (kagen
    generate asks once for each of its groups of files)."""
    partition = Partition()
    for cluster in inv.clusters.values():
        nodes = [inv.endpoints[m.name].node for m in cluster.members if m.name in inv.endpoints]
        for node in nodes[1:]:
            partition.join(node, nodes[0])
    return partition
