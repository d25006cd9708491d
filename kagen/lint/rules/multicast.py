"""KA102-KA104: multicast settings left in a configuration meant for unicast VRRP, and strict
mode, which refuses unicast peers."""

from __future__ import annotations

from collections.abc import Iterator

from kagen.diagnostics import Diagnostic, Severity
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


class StrictMode(Rule):
    """What: vrrp_strict in global_defs or strict_mode in a vrrp_instance.
    Why: RFC strict mode refuses unicast peers on interfaces that can multicast ("Unicast peers are
    not supported in strict mode"), drops authentication and preempt_delay: a unicast pair in
    strict mode does not work.
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
            strict = instance.get("strict_mode")
            if strict is not None and not (strict.args and booleans().get(strict.args[0].lower()) is False):
                yield self.report(
                    strict.pos, f"strict_mode makes {instance.name} refuse its unicast peers: remove it", node=strict
                )

    def fix(self, ctx: FileContext, finding: Diagnostic, facts: Facts) -> list[Edit]:
        return [delete(finding.node)]


RULES = (MulticastGlobal(), MulticastAddress(), StrictMode())
