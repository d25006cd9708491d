"""KA506-KA509: what a cluster does when something fails, worked out from the members'
priorities as keepalived computes them (kagen.keepalived.vrrp) and its election
(kagen.lint.failover). None of these is a syntax error; each is arithmetic over the members that
the user expects to come out one way and keepalived computes another."""

from __future__ import annotations

from collections.abc import Iterator

from kagen.diagnostics import Diagnostic, Position, Severity
from kagen.lint.clusters import clusters
from kagen.lint.context import FileContext
from kagen.lint.failover import Node, arithmetic, elect, failing, nodes, nominal, start, weighted
from kagen.lint.rule import Rule, Scope


def _at(node: Node, keyword: str | None = None) -> Position:
    instance = node.behaviour.instance
    line = instance.get(keyword) if keyword else None
    return (line or instance.line).pos


def _intended(cluster: list[Node]) -> int | None:
    """The member meant to be MASTER: the one written with state MASTER, else none."""
    written = [i for i, node in enumerate(cluster) if node.behaviour.instance.state == "MASTER"]
    return written[0] if len(written) == 1 else None


class WeightTooSmall(Rule):
    """What: A tracked object of the MASTER whose failure lowers its priority, but not below a
    BACKUP's: the MASTER keeps the virtual IP while its service is down.
    Why: A BACKUP takes over only when the MASTER's adverts carry a lower priority than its own
    (an equal one is accepted). With priorities 150 and 100, a script weight of -30 leaves the
    MASTER at 120: keepalived logs the change and nothing moves.
    Example:
        # web-a: priority 150       # web-b: priority 100
        vrrp_script chk_web {
            script "/usr/bin/pgrep -x nginx"
            weight -30
        }
    Fix: Make the weight larger than the gap: here -60 (150 - 60 = 90 < 100), or weight 0 so that
    a failure puts the MASTER in FAULT.
    """

    code, name, severity, scope = "KA506", "weight-too-small", Severity.ERROR, Scope.FILES
    reads = ("vrrp_instance",)

    def check_files(self, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        for members in clusters(ctxs):
            cluster = nodes(members)
            master = start(cluster)
            if master is None:
                continue
            node = cluster[master]
            for tracker in weighted(node):
                priorities = failing(cluster, master, tracker)
                if elect(cluster, priorities, master) != master:
                    continue
                others = [(p, cluster[i]) for i, p in priorities.items() if i != master and p is not None]
                if not others:
                    continue
                best, backup = max(others, key=lambda item: item[0])
                after = priorities[master] or 0
                line = tracker.weight_at or tracker.line or node.behaviour.instance.line
                if after < best:  # a higher BACKUP that will not take over
                    why = (
                        f"{arithmetic(node, tracker)} < {best} of {backup.label()}, but nopreempt there leaves a "
                        "live MASTER alone (with nopreempt, use weight 0: a failure then faults the MASTER)"
                    )
                else:
                    why = f"{arithmetic(node, tracker)} {'>' if after > best else '='} {best} of {backup.label()}"
                yield self.report(line.pos, f"{why}: {node.name} stays MASTER on {node.file} when {tracker} fails")


class BackupOutranksMaster(Rule):
    """What: A weight that gives a BACKUP a higher priority than the healthy MASTER, so the
    member written with state MASTER is not the one that holds the virtual IP.
    Why: A positive weight adds to the priority while its object is ok: priority 100 with a
    script weight of +60 is 160 on a healthy node, above a MASTER's 150 without one.
    Example:
        # web-a: state MASTER, priority 150, no weights
        # web-b: state BACKUP, priority 100, track_script { chk_web weight 60 }
    Fix: Give every member the same tracked objects with the same weights, or keep the priority
    gap larger than the weights.
    """

    code, name, severity, scope = "KA507", "backup-outranks-master", Severity.WARNING, Scope.FILES
    reads = ("vrrp_instance",)

    def check_files(self, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        for members in clusters(ctxs):
            cluster = nodes(members)
            intended, master = _intended(cluster), start(cluster)
            if intended is None or master is None or master == intended:
                continue
            winner, meant = cluster[master], cluster[intended]
            priorities = nominal(cluster)
            if priorities[intended] is None or winner.behaviour.base > meant.behaviour.base:
                continue  # a FAULT, or a plain priority choice (KA503 is about state)
            added = priorities[master] or 0
            yield self.report(
                _at(winner, "priority"),
                f"{winner.behaviour.base} + {added - winner.behaviour.base} (weights) = {added} > "
                f"{priorities[intended]} of {meant.label()}, written state MASTER: {winner.name} on "
                f"{winner.file} is MASTER while both are healthy",
            )


class NopreemptNoEffect(Rule):
    """What: nopreempt on members that never have a lower-priority MASTER to leave alone, while the
    member with the highest priority has none (or keepalived clears it: state MASTER, priority
    255).
    Why: nopreempt stops a BACKUP from taking the virtual IP from a MASTER of lower priority. Only
    the highest-priority member ever does that; on the others nopreempt does nothing, and the
    virtual IP moves back when the highest one returns.
    Example:
        # web-a: state MASTER, priority 150
        # web-b: state BACKUP, priority 100, nopreempt
    Fix: For a virtual IP that stays where it is: state BACKUP and nopreempt on every member,
    priorities below 255.
    """

    code, name, severity, scope = "KA508", "nopreempt-no-effect", Severity.WARNING, Scope.FILES
    reads = ("vrrp_instance",)

    def check_files(self, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        for members in clusters(ctxs):
            cluster = nodes(members)
            priorities = {i: p for i, p in nominal(cluster).items() if p is not None}
            if not priorities:
                continue
            top = max(priorities.values())
            preempting = [cluster[i] for i, p in priorities.items() if p == top and not cluster[i].behaviour.nopreempt]
            if not preempting:
                continue
            leader = preempting[0]
            for i, node in enumerate(cluster):
                if node.behaviour.nopreempt and priorities.get(i, top) < top:
                    yield self.report(
                        _at(node, "nopreempt"),
                        f"nopreempt on {node.file} has no effect: {leader.label()} has the higher priority "
                        f"({top} > {priorities[i]}) and no nopreempt, so it takes the virtual IP back when it returns",
                    )


class TimingMismatch(Rule):
    """What: Members of one cluster with different VRRP versions, advert intervals or preempt
    delays (as keepalived rounds them).
    Why: VRRPv2 drops adverts whose interval differs from its own, so both members become MASTER;
    versions 2 and 3 do not read each other's adverts at all. VRRPv3 adopts the MASTER's interval,
    and different preempt delays make a takeover slower one way than the other.
    Example:
        # web-a: advert_int 1         # web-b: advert_int 2
    Fix: Give every member the same version, advert_int and preempt_delay.
    """

    code, name, severity, scope = "KA509", "timing-mismatch", Severity.ERROR, Scope.FILES
    reads = ("vrrp_instance",)

    def check_files(self, ctxs: list[FileContext]) -> Iterator[Diagnostic]:
        for members in clusters(ctxs):
            cluster = nodes(members)
            first = cluster[0]
            for node in cluster[1:]:
                ours, theirs = node.behaviour, first.behaviour
                if ours.version != theirs.version:
                    yield self.report(
                        _at(node, "version"),
                        f"VRRP version {ours.version} here, {theirs.version} in {first.label()}: "
                        "they do not read each other's adverts",
                    )
                elif ours.advert_int != theirs.advert_int:
                    what = (
                        "VRRPv2 drops adverts of another interval: both become MASTER"
                        if ours.version == 2
                        else "VRRPv3 BACKUPs adopt the MASTER's interval: takeover times differ by direction"
                    )
                    yield self.report(
                        _at(node, "advert_int"),
                        f"advert_int {ours.advert_int:g} here, {theirs.advert_int:g} in {first.label()}: {what}",
                        None if ours.version == 2 else Severity.WARNING,
                    )
                if ours.preempt_delay != theirs.preempt_delay:
                    yield self.report(
                        _at(node, "preempt_delay"),
                        f"preempt_delay {ours.preempt_delay:g} here, {theirs.preempt_delay:g} in {first.label()}: "
                        "taking the virtual IP back is slower one way than the other",
                        Severity.WARNING,
                    )


RULES = (WeightTooSmall(), BackupOutranksMaster(), NopreemptNoEffect(), TimingMismatch())
