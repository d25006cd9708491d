"""KA102-KA104: multicast settings left in a configuration meant for unicast VRRP, and strict
mode, which refuses unicast peers."""

from __future__ import annotations

from collections.abc import Iterator

from kagen.diagnostics import Diagnostic, Severity
from kagen.keepalived.model import VrrpInstance
from kagen.keepalived.tree import Line
from kagen.keepalived.words import booleans
from kagen.lint.context import FileContext
from kagen.lint.edits import (
    Edit,
    Facts,
    delete,
    replace_keyword,
)
from kagen.lint.rule import Rule


class MulticastGlobal(Rule):
    """What: Global multicast settings: vrrp_mcast_group4, vrrp_mcast_group6, disable_local_igmp.
    Why: They only matter to multicast VRRP; in a unicast setup they are dead weight that suggests
    multicast is in use, and on a network without multicast they cannot work.
    Example:
        global_defs {
            vrrp_mcast_group4 224.0.0.18
        }
    Fix: Remove them and give every vrrp_instance unicast_src_ip and unicast_peer.
    """

    code, name, severity = "KA102", "multicast-global", Severity.WARNING
    reads = ("global_defs",)
    fix_summary = "removes the statement"

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for keyword in ("vrrp_mcast_group4", "vrrp_mcast_group6", "disable_local_igmp"):
            line = ctx.config.global_defs.get(keyword)
            if line is not None:
                yield self.report(
                    line.pos, f"{keyword} only applies to multicast VRRP: remove it and use unicast peers", node=line
                )

    def fix(self, ctx: FileContext, finding: Diagnostic, facts: Facts) -> list[Edit]:
        return [delete(finding.node)]


class MulticastAddress(Rule):
    """What: mcast_src_ip or mcast_dst_ip in a vrrp_instance.
    Why: Both name multicast. mcast_src_ip only sets the source address, which unicast_src_ip says
    more clearly; mcast_dst_ip is ignored once the instance has unicast peers.
    Example:
        mcast_src_ip 192.168.0.11
    Fix: Write unicast_src_ip instead of mcast_src_ip, and remove mcast_dst_ip.
    """

    code, name, severity = "KA103", "multicast-address", Severity.WARNING
    reads = ("vrrp_instance",)
    fix_summary = "turns mcast_src_ip into unicast_src_ip (removes it if the instance has one) and removes mcast_dst_ip"

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for instance in ctx.config.vrrp_instances:
            source = instance.get("mcast_src_ip")
            if source is not None:
                yield self.report(
                    source.pos, "mcast_src_ip names multicast: write unicast_src_ip instead", node=(instance, source)
                )
            destination = instance.get("mcast_dst_ip")
            if destination is not None:
                yield self.report(
                    destination.pos,
                    "mcast_dst_ip sends adverts to a multicast group: remove it and use unicast_peer",
                    node=(instance, destination),
                )

    def fix(self, ctx: FileContext, finding: Diagnostic, facts: Facts) -> list[Edit]:
        instance, line = finding.node  # the instance, and its mcast_src_ip or mcast_dst_ip
        if line.keyword == "mcast_src_ip" and instance.unicast_src_ip is None:
            return [replace_keyword(line, "unicast_src_ip")]
        return [delete(line)]


# Strict mode's "Unicast peers are not supported in strict mode" (vrrp_complete_instance) is dead
# code up to 2.3.x: it tests VRRP_FLAG_UNICAST before the flag is set (2.2.7 vrrp/vrrp.c:2958-2964
# and :2986). 2.4.0 sets the flag first (2.4.3 vrrp/vrrp.c:3391-3410), so the instance is refused,
# vrrp_complete_init fails (:5067-5069) and the VRRP process stops (vrrp_daemon.c:646-652).
REFUSES_UNICAST = (2, 4, 0)


class StrictMode(Rule):
    """What: vrrp_strict in global_defs or strict_mode in a vrrp_instance.
    Why: RFC strict mode refuses unicast peers on interfaces that can multicast ("Unicast peers are
    not supported in strict mode": keepalived 2.4.0 and later refuse such an instance and do not
    run VRRP at all; earlier releases skipped the check), drops authentication and
    preempt_delay: a unicast pair in strict mode does not work.
    Example:
        global_defs {
            vrrp_strict
        }
    Fix: Remove vrrp_strict / strict_mode.
    """

    code, name, severity = "KA104", "strict-mode", Severity.ERROR
    reads = ("global_defs", "vrrp_instance")
    beyond_keepalived = True
    fix_summary = "removes vrrp_strict / strict_mode"

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        line = ctx.config.global_defs.get("vrrp_strict")
        if line is not None:
            yield self.report(line.pos, "vrrp_strict forbids unicast peers and authentication: remove it", node=line)
        for instance in ctx.config.vrrp_instances:
            cause = _strictness(instance, line)
            if cause is not None and cause is not line:
                yield self.report(
                    cause.pos, f"strict_mode makes {instance.name} refuse its unicast peers: remove it", node=cause
                )
            # keepalived checks the peers only where the instance has an interface (vrrp->ifp)
            if ctx.target >= REFUSES_UNICAST and cause is not None and instance.unicast and instance.interface:
                yield self.report(
                    instance.line.pos,
                    f"{instance.name} has unicast peers in strict mode: keepalived {ctx.options.target} refuses it "
                    "('Unicast peers are not supported in strict mode') and does not run VRRP; "
                    f"remove {cause.keyword}",
                    end=instance.end,
                    node=cause,
                )

    def fix(self, ctx: FileContext, finding: Diagnostic, facts: Facts) -> list[Edit]:
        return [delete(finding.node)]


def _strictness(instance: VrrpInstance, vrrp_strict: Line | None) -> Line | None:
    """The line that puts ``instance`` in strict mode: its strict_mode, else global vrrp_strict
    (vrrp_complete_instance takes the global value where the instance says nothing)."""
    own = instance.get("strict_mode")
    if own is None:
        return vrrp_strict
    return None if own.args and booleans().get(own.args[0].lower()) is False else own


RULES = (MulticastGlobal(), MulticastAddress(), StrictMode())
