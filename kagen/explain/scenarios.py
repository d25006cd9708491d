"""``kagen explain``: for every cluster, who is MASTER at start and after each single failure, and
whether the virtual IP moves, how fast, and whether it comes back.

The members' priorities and the election are kagen.lint.failover's (the same arithmetic as the
failover rules). Timing follows keepalived (vrrp/vrrp.c, vrrp_scheduler.c): a BACKUP takes over
a master-down interval (3 x advert_int + skew) after the last advert it accepted; a MASTER that
stops or goes to FAULT sends a priority-0 advert, after which the best BACKUP takes over after its
skew alone, unless what failed is the interface the adverts leave by; a crashed MASTER sends
nothing. The time a tracked object takes to be seen failing (a script's fall x interval) comes
before these and is given apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kagen.keepalived.section import Section
from kagen.keepalived.vrrp import Tracker
from kagen.lint.clusters import Member
from kagen.lint.failover import Node, Priorities, elect, failing, nodes, nominal, start, tied


@dataclass
class Scenario:
    event: str
    fails: dict[str, str] | None  # {"file", "what", "name"}; None at start
    master: int | None  # index of the MASTER after it
    vip_moves: bool
    takeover: float | None  # seconds until the new MASTER holds the virtual IP
    detect: float | None = None  # seconds before keepalived sees the failure (scripts)
    moves_back: bool | None = None  # when the failure ends
    back_after: float | None = None
    priorities: Priorities = field(default_factory=dict)
    tie: bool = False  # the MASTER is one of several of the same priority, which the files cannot tell apart


@dataclass
class Explained:
    cluster: list[Node]
    master: int | None  # at start
    scenarios: list[Scenario]


def _detect(node: Node, tracker: Tracker) -> float | None:
    """A script is seen failing after ``fall`` runs ``interval`` apart (defaults 1 and 1 s)."""
    if tracker.kind != "script":
        return None
    block = next((b for b in node.config.top("vrrp_script") if b.args[:1] == [tracker.name]), None)
    if block is None:
        return None
    section = Section(block)
    try:
        interval = float(section.value("interval") or 1)
        fall = int(section.value("fall") or 1)
    except ValueError:
        return None
    return fall * interval


def _takeover(cluster: list[Node], priorities: Priorities, new: int | None, quick: bool) -> float | None:
    """Seconds until ``new`` holds the virtual IP: its skew after a priority-0 advert (``quick``),
    else its master-down interval."""
    if new is None:
        return None
    behaviour = cluster[new].behaviour
    priority = priorities.get(new) or behaviour.priority() or 1
    return round(behaviour.skew(priority) if quick else behaviour.master_down(priority), 3)


def _back(cluster: list[Node], master: int | None) -> tuple[bool | None, float | None]:
    """When everything is back to normal (the failed object ok again, the member restarted):
    whether the virtual IP goes back to where it was, and after how long."""
    priorities = nominal(cluster)
    back = elect(cluster, priorities, master)
    if back == master or back is None:
        return False, None
    behaviour = cluster[back].behaviour
    if behaviour.owner and behaviour.state == "MASTER":
        return True, 0.0
    return True, round(behaviour.master_down(priorities[back] or 1) + behaviour.preempt_delay, 3)


def _scenario(
    cluster: list[Node], event: str, fails: dict[str, str], priorities: Priorities, before: int | None, quick: bool
) -> Scenario:
    new = elect(cluster, priorities, before if before in priorities else None)
    moves = new != before
    takeover = _takeover(cluster, priorities, new, quick) if moves else None
    if takeover is not None and new is not None and before is not None and priorities.get(before) is not None:
        # A MASTER still advertising is preempted: the new one first waits out its preempt_delay
        # (vrrp.c: lower-priority adverts are accepted until preempt_time).
        takeover = round(takeover + cluster[new].behaviour.preempt_delay, 3)
    back, after = _back(cluster, new) if moves else (None, None)
    tie = tied(cluster, priorities, before if before in priorities else None)
    return Scenario(event, fails, new, moves, takeover, None, back, after, priorities, tie)


def explain(members: list[Member]) -> Explained:
    cluster = nodes(members)
    master = start(cluster)
    first = nominal(cluster)
    owner = master is not None and cluster[master].behaviour.owner and cluster[master].behaviour.state == "MASTER"
    startup = 0.0 if owner else _takeover(cluster, first, master, False)
    scenarios = [Scenario("start", None, master, False, startup, priorities=first, tie=tied(cluster, first, None))]
    for index, node in enumerate(cluster):
        for tracker in node.behaviour.trackers:
            priorities = failing(cluster, index, tracker)
            faulted = priorities[index] is None
            # A MASTER that goes to FAULT says so with a priority-0 advert, unless the interface
            # that failed is the one the adverts leave by.
            own = tracker.kind == "interface" and tracker.name == node.behaviour.instance.interface
            quick = index == master and faulted and not own
            verb = "goes down" if tracker.kind == "interface" else "fails"
            fails = {"file": node.file, "what": tracker.kind, "name": tracker.name}
            scenario = _scenario(cluster, f"{tracker} {verb} on {node.file}", fails, priorities, master, quick)
            scenario.detect = _detect(node, tracker)
            scenarios.append(scenario)
        for what, quick in (("stop", True), ("crash", False)):
            priorities = {i: p for i, p in first.items() if i != index}
            words = "stops (priority-0 advert)" if what == "stop" else "crashes (no advert)"
            fails = {"file": node.file, "what": what, "name": node.name}
            scenarios.append(_scenario(cluster, f"{node.file} {words}", fails, priorities, master, quick))
    return Explained(cluster, master, scenarios)
