"""Which vrrp_instances of the files given together form one cluster, from evidence: the pair
rules (KA5xx) compare the members of each cluster, and KA505 looks for clusters on one VRID that
can hear each other.

- Instances that share a virtual IP are one cluster, whatever their VRIDs: a VRID that differs
  is then KA501. Instances on one VRID that name each other (one's unicast_peer holds the
  other's unicast_src_ip) are one cluster too; on different VRIDs, naming each other is what
  every cluster between the same two nodes does (several VIPs on one pair), so it joins nothing.
- The same VRID joins nothing on its own: a repository of many sites reuses VRIDs in other
  subnets. Two clusters on one VRID conflict only when they can hear each other (KA505):
  multicast instances on one subnet, or unicast instances that send to a common node.
- For the files named together in ``--cluster a.conf,b.conf``, instances are matched by name
  instead (interfaces often differ between nodes).

``grouping`` also says why each cluster was formed (``kagen lint --format json`` shows it).
"""

from __future__ import annotations

import functools
import ipaddress
import os
from collections import defaultdict
from typing import NamedTuple

from kagen.keepalived.model import IPAddress, VrrpInstance
from kagen.lint.context import FileContext
from kagen.lint.facts import Seen
from kagen.partition import Partition

Member = tuple[FileContext, VrrpInstance]
Seat = tuple[FileContext, int]  # a file and the index of one of its vrrp_instances
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class Cluster(NamedTuple):
    members: list[Seat]
    links: list[tuple[int, int, str]]  # two members (indexes) and what joined them: peer, vip, --cluster


def clusters(ctxs: list[FileContext]) -> list[list[Member]]:
    """Groups of instances, one per cluster, each with members from at least two files."""
    return [[(ctx, ctx.config.vrrp_instances[i]) for ctx, i in cluster.members] for cluster in grouping(ctxs)]


def evidence(ctxs: list[FileContext]) -> list[list[tuple[FileContext, Seen]]]:
    """The clusters of ``clusters`` as their evidence: without the configurations (a cached file's
    is not loaded for it)."""
    return [[(ctx, ctx.instances[i]) for ctx, i in cluster.members] for cluster in grouping(ctxs)]


def components(ctxs: list[FileContext]) -> list[list[FileContext]]:
    """The files that clusters join, in groups that no cluster crosses, each in the order of
    ``ctxs``: the rules that compare the members of a cluster find the same on each group alone."""
    partition = Partition()
    for cluster in grouping(ctxs):
        first = id(cluster.members[0][0])
        for ctx, _ in cluster.members[1:]:
            partition.join(first, id(ctx))
    joined = {id(ctx): ctx for cluster in grouping(ctxs) for ctx, _ in cluster.members}
    groups = partition.groups([id(ctx) for ctx in ctxs if id(ctx) in joined])
    return [[joined[key] for key in group] for group in groups]


def grouping(ctxs: list[FileContext]) -> list[Cluster]:
    """The clusters of ``clusters``, with what joined their members."""
    return _grouping(tuple(ctxs)) if len(ctxs) > 1 else []


def described(ctxs: list[FileContext]) -> list[dict]:
    """The clusters as ``kagen lint --format json`` shows them: each member (file, instance, line)
    and each link, two members by index and the evidence that joined them."""
    return [
        {
            "members": [
                {"file": ctx.path, "instance": ctx.instances[i].name, "line": ctx.instances[i].at.line}
                for ctx, i in cluster.members
            ],
            "joined": [{"members": [first, second], "by": why} for first, second, why in cluster.links],
        }
        for cluster in grouping(ctxs)
    ]


def vips(instance: VrrpInstance) -> frozenset[tuple[IPAddress, int | None]]:
    return frozenset(
        (vip.address, vip.network_prefix)
        for vip in instance.virtual_ipaddresses
        if vip.valid and vip.address is not None
    )


@functools.lru_cache(maxsize=1)
def _grouping(ctxs: tuple[FileContext, ...]) -> list[Cluster]:
    """Computed once per run for all the pair rules, from each file's evidence."""
    named = [set(map(os.path.realpath, group)) for group in (ctxs[0].options.clusters if ctxs else [])]
    members: list[Seat] = []
    seen: list[Seen] = []
    by_name: dict[tuple[int, str | None], list[int]] = defaultdict(list)
    evidence: list[int] = []  # members grouped from evidence (not in a --cluster group)
    for ctx in ctxs:
        real = os.path.realpath(ctx.path) if named else ""
        where = next((i for i, group in enumerate(named) if real in group), None)
        for at, instance in enumerate(ctx.instances):
            index = len(members)
            members.append((ctx, at))
            seen.append(instance)
            if where is not None:
                by_name[(where, instance.name)].append(index)
            else:
                evidence.append(index)
    partition = Partition()
    links: list[tuple[int, int, str]] = []

    def join(first: int, second: int, why: str) -> None:
        if not partition.joined(first, second):
            partition.join(first, second)
            links.append((first, second, why))

    for indexes in by_name.values():
        for index in indexes[1:]:
            join(indexes[0], index, "--cluster")
    senders: dict[tuple[str, str | None], list[int]] = defaultdict(list)
    holders: dict[str, list[int]] = defaultdict(list)
    for index in evidence:
        instance = seen[index]
        if instance.source is not None:
            senders[(instance.source, instance.vrid)].append(index)
        for vip, _ in instance.vips:
            holders[vip].append(index)
    for index in evidence:
        instance = seen[index]
        for peer in instance.peers:
            for other in senders.get((peer, instance.vrid), ()):
                join(index, other, "peer")
    for indexes in holders.values():
        for index in indexes[1:]:
            join(indexes[0], index, "vip")
    groups = partition.groups(range(len(members)))
    number = {index: n for n, group in enumerate(groups) for index in group}
    own: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for link in links:
        own[number[link[0]]].append(link)
    found = []
    for n, group in enumerate(groups):
        if len({id(members[index][0]) for index in group}) < 2:
            continue
        place = {index: position for position, index in enumerate(group)}
        joins = [(place[a], place[b], why) for a, b, why in own[n]]
        found.append(Cluster([members[index] for index in group], joins))
    return found


def _networks(instance: Seen) -> list[Network]:
    """The subnets the instance is on, as its addresses say (virtual IPs with their prefix)."""
    nets = [ipaddress.ip_network(f"{address}/{prefix}", strict=False) for address, prefix in instance.vips if prefix]
    return nets + ([ipaddress.ip_network(instance.source)] if instance.source is not None else [])


class _Heard(NamedTuple):
    """What decides whether a group of instances hears another: whether all are unicast, the
    addresses they send from and to, and the subnets they are on."""

    unicast: bool
    addresses: frozenset[str]
    networks: list[Network]


def _heard(members: list[tuple[FileContext, Seen]], subnets: bool) -> _Heard:
    """``subnets``: whether they matter (only when a group on the VRID is multicast)."""
    addresses: set[str] = set()
    for _, instance in members:
        addresses |= instance.peers
        if instance.source is not None:
            addresses.add(instance.source)
    nets = [net for _, instance in members for net in _networks(instance)] if subnets else []
    return _Heard(all(instance.unicast for _, instance in members), frozenset(addresses), nets)


def _hear(first: _Heard, second: _Heard) -> bool:
    if first.unicast and second.unicast:  # adverts go to the peers only: a node in common
        return not first.addresses.isdisjoint(second.addresses)
    return any(a.version == b.version and a.overlaps(b) for a in first.networks for b in second.networks)


def conflicts(groups: list[list[tuple[FileContext, Seen]]]) -> dict[int, int]:
    """For the groups of instances on one VRID (one group per cluster), each group that hears an
    earlier one, and the first such: multicast instances on one subnet, or unicast instances that
    send to a common node. Candidates come from indexes of addresses and subnets (a repository
    may hold a thousand clusters on one VRID)."""
    subnets = not all(instance.unicast for group in groups for _, instance in group)
    heard = [_heard(group, subnets) for group in groups]
    lengths = {net.prefixlen for facts in heard for net in facts.networks}
    by_address: dict[str, list[int]] = defaultdict(list)
    by_network: dict[Network, list[int]] = defaultdict(list)  # a group's own subnets
    covering: dict[Network, list[int]] = defaultdict(list)  # the subnets holding a group's subnets
    for index, facts in enumerate(heard):
        for address in facts.addresses:
            by_address[address].append(index)
        for net in facts.networks:
            by_network[net].append(index)
            for length in lengths:
                if length <= net.prefixlen:
                    covering[net.supernet(new_prefix=length)].append(index)
    found: dict[int, int] = {}
    for index, facts in enumerate(heard):
        candidates = {other for address in facts.addresses for other in by_address[address]}
        for net in facts.networks:
            candidates.update(covering[net])  # subnets inside this one
            for length in lengths:
                if length <= net.prefixlen:
                    candidates.update(by_network[net.supernet(new_prefix=length)])  # subnets holding it
        earlier = sorted(other for other in candidates if other < index and _hear(heard[other], facts))
        if earlier:
            found[index] = earlier[0]
    return found
