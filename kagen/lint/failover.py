"""Who is MASTER in a cluster (the members ``kagen.lint.clusters`` groups), from each member's
behaviour as keepalived computes it (``kagen.keepalived.vrrp``): the failover rules (KA506-KA509)
and ``kagen explain`` both ask it.

The election as keepalived runs it (vrrp/vrrp.c, vrrp_state_backup and vrrp_state_master_rx):
at start an address owner (priority 255, state MASTER) takes over at once, every other member
waits its master-down interval, and the highest effective priority gets there first; a MASTER
stays MASTER until a BACKUP with a strictly higher priority and without nopreempt discards its
adverts and times out (a BACKUP accepts adverts of equal priority); equal priorities between
MASTERs go to the higher source address. A member in FAULT or not running is no candidate.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from kagen.keepalived.model import Config, IPAddress, parse_address
from kagen.keepalived.vrrp import Behaviour, Tracker, behaviour
from kagen.lint.clusters import Member

Priorities = dict[int, int | None]  # member index -> effective priority; None: FAULT; absent: not running


@dataclass
class Node:
    """A member of a cluster as the election sees it."""

    file: str
    config: Config
    behaviour: Behaviour

    @property
    def name(self) -> str:
        return self.behaviour.instance.name or "?"

    @property
    def address(self) -> IPAddress | None:
        """The source address adverts carry: unicast_src_ip or mcast_src_ip (the interface's
        primary address otherwise, which the file does not say)."""
        instance = self.behaviour.instance
        line = instance.get("unicast_src_ip") or instance.get("mcast_src_ip")
        return parse_address(line.args[0]) if line is not None and line.args else None

    def label(self) -> str:
        return f"{self.name} in {self.file}"


def nodes(members: list[Member]) -> list[Node]:
    return [Node(ctx.path, ctx.config, behaviour(ctx.config, instance)) for ctx, instance in members]


def _rank(node: Node, priority: int) -> tuple[int, int]:
    address = node.address
    return priority, int(address) if isinstance(address, ipaddress.IPv4Address | ipaddress.IPv6Address) else -1


def elect(cluster: list[Node], priorities: Priorities, master: int | None) -> int | None:
    """The MASTER after the members' priorities became ``priorities``, ``master`` being the
    MASTER before (None: none, as at start or after it went away)."""
    candidates = [index for index, priority in priorities.items() if priority is not None]
    if master in candidates:
        current = priorities[master]
        assert current is not None
        pool = [
            index
            for index in candidates
            if index != master and (priorities[index] or 0) > current and not cluster[index].behaviour.nopreempt
        ]
        if not pool:
            return master
    else:
        pool = candidates
    return max(pool, key=lambda index: _rank(cluster[index], priorities[index] or 0), default=None)


def tied(cluster: list[Node], priorities: Priorities, master: int | None) -> bool:
    """Whether an election from no MASTER (``master`` gone) is between members of the same top
    priority whose source addresses the files do not give: keepalived then takes the higher
    primary address of the interface (vrrp.c vrrp_saddr_cmp), which only the machines know."""
    if master in priorities and priorities[master] is not None:
        return False
    running = [i for i, p in priorities.items() if p is not None]
    top = max((priorities[i] or 0 for i in running), default=None)
    best = [i for i in running if priorities[i] == top]
    return len(best) > 1 and any(cluster[i].address is None for i in best)


def nominal(cluster: list[Node]) -> Priorities:
    """Every member running, every tracked object ok."""
    return {index: node.behaviour.priority() for index, node in enumerate(cluster)}


def start(cluster: list[Node]) -> int | None:
    """The MASTER once every member has started: an address owner that starts as MASTER at
    once, else the election."""
    priorities = nominal(cluster)
    owners = [i for i, node in enumerate(cluster) if node.behaviour.owner and node.behaviour.state == "MASTER"]
    running = [i for i in owners if priorities[i] is not None]
    return running[0] if running else elect(cluster, priorities, None)


def failing(cluster: list[Node], index: int, tracker: Tracker) -> Priorities:
    """The priorities with ``tracker`` of member ``index`` failed. Other members of the same node
    are not in ``cluster``: a node's sync group is modelled by the tracker list of each instance."""
    priorities = nominal(cluster)
    priorities[index] = cluster[index].behaviour.priority(frozenset([tracker]))
    return priorities


def weighted(node: Node) -> list[Tracker]:
    """The trackers that change the member's priority (not those that put it in FAULT)."""
    return [t for t in node.behaviour.trackers if t.weight and node.behaviour.priority(frozenset([t])) is not None]


def arithmetic(node: Node, tracker: Tracker) -> str:
    """``150 - 20 = 130``: how the member's priority comes out with ``tracker`` failed."""
    before, after = node.behaviour.priority(), node.behaviour.priority(frozenset([tracker]))
    if before is None or after is None:
        return ""
    change = after - before
    return f"{before} {'-' if change < 0 else '+'} {abs(change)} = {after}"
