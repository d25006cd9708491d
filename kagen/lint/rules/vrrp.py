"""KA205, KA206, KA208, KA211, KA212, KA214, KA215: VRRP settings keepalived changes, clears or
warns about in an instance or a sync group."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from kagen.diagnostics import Diagnostic, Severity
from kagen.keepalived import numbers
from kagen.keepalived.model import VrrpInstance
from kagen.keepalived.tree import Line
from kagen.keepalived.vrrp import flag_line, vrrp_version
from kagen.lint.context import FileContext
from kagen.lint.rule import Rule


class AuthPassTruncated(Rule):
    """What: An auth_pass longer than 8 characters.
    Why: VRRPv2 PASS authentication carries 8 bytes; keepalived truncates the password, so two
    nodes whose passwords differ only after the 8th character still talk, and the rest is
    pointless.
    Example:
        auth_pass mysecretpassword
    Fix: Use at most 8 characters (or drop authentication: it is cleartext and adds no security).
    """

    code, name, severity = "KA205", "auth-pass-truncated", Severity.ERROR
    reads = ("vrrp_instance/authentication",)

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for instance in ctx.config.vrrp_instances:
            for block in instance.blocks("authentication"):
                for node in block.children:
                    if isinstance(node, Line) and node.keyword == "auth_pass" and node.args and len(node.args[0]) > 8:
                        yield self.report(
                            node.word_pos(1),
                            f"auth_pass is {len(node.args[0])} characters: keepalived uses only the first 8",
                        )


def _version(ctx: FileContext, instance: VrrpInstance) -> str:
    return str(vrrp_version(ctx.config, instance))


class AdvertIntChanged(Rule):
    """What: An advert_int keepalived changes: a fraction with VRRP version 2 (rounded to whole
    seconds) or 40.96 seconds or more with version 3.
    Why: The other nodes use the value as written; two nodes whose intervals differ see adverts
    at unexpected times and may both become MASTER.
    Example:
        advert_int 0.5
    Fix: Use whole seconds with VRRPv2, or set version 3 for sub-second adverts.
    """

    code, name, severity = "KA206", "advert-int-changed", Severity.ERROR
    reads = ("vrrp_instance",)

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for instance in ctx.config.vrrp_instances:
            line = instance.get("advert_int")
            if line is None or not line.args or numbers.decimal(line.args[0], "0.01", "255") is not None:
                continue
            value = Decimal(line.args[0].strip().lstrip("+") or "0")
            if _version(ctx, instance) == "2" and value != value.to_integral_value():
                yield self.report(
                    line.word_pos(1),
                    f"advert_int {line.args[0]}: VRRP version 2 needs whole seconds, keepalived rounds it; "
                    "use version 3 for sub-second adverts",
                )
            elif _version(ctx, instance) == "3" and value >= Decimal("40.96"):
                yield self.report(
                    line.word_pos(1), f"advert_int {line.args[0]}: VRRP version 3 allows less than 40.96 s"
                )


class NoVirtualIp(Rule):
    """What: A vrrp_instance with no virtual IP address (an error in strict mode or with VRRP
    version 3, where keepalived refuses it).
    Why: keepalived warns "No VIP specified; at least one is sensible": the instance elects a
    MASTER but moves no address, which is rarely the intent. In strict mode or with version 3 it
    is "required", and the VRRP process stops.
    Example:
        vrrp_instance VI_1 {
            interface eth0
            virtual_router_id 51
        }
    Fix: Add virtual_ipaddress { ... }, or no_virtual_ipaddress (keepalived 2.2.8 and later) when
    the instance only drives scripts.
    """

    code, name, severity = "KA208", "no-virtual-ip", Severity.WARNING
    views = ("behaviours",)
    reads = ("vrrp_instance",)

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for instance, behaviour in zip(ctx.config.vrrp_instances, ctx.behaviours, strict=True):
            if any(vip.valid for vip in instance.virtual_ipaddresses) or instance.has("no_virtual_ipaddress"):
                continue
            if behaviour.strict or behaviour.version == 3:
                # vrrp.c vrrp_complete_instance: "No VIP specified; at least one is required", and
                # the VRRP process exits with a configuration error.
                mode = "strict mode" if behaviour.strict else "VRRP version 3"
                yield self.report(
                    instance.line.pos,
                    f"vrrp_instance {instance.name} has no virtual IP address: with {mode} keepalived requires "
                    "one and does not start VRRP at all",
                    Severity.ERROR,
                    end=instance.end,
                )
            else:
                yield self.report(
                    instance.line.pos, f"vrrp_instance {instance.name} has no virtual IP address", end=instance.end
                )


class NopreemptIgnored(Rule):
    """What: nopreempt or preempt_delay that keepalived clears: nopreempt with priority 255,
    either with an initial state MASTER (written, or implied by priority 255), preempt_delay in
    strict mode or with nopreempt.
    Why: keepalived resets them with an error, so the node preempts although the configuration
    says it should not. Strict mode changes the state first: a state MASTER it turns into BACKUP
    keeps its nopreempt.
    Example:
        state MASTER
        nopreempt
    Fix: With nopreempt, use state BACKUP on every node and a priority below 255.
    """

    code, name, severity = "KA211", "nopreempt-ignored", Severity.ERROR
    views = ("behaviours",)
    reads = ("vrrp_instance",)

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        # The order of vrrp.c vrrp_complete_instance: priority 255, then the initial state (after
        # strict mode has corrected it), then preempt_delay against strict mode and nopreempt.
        for instance, behaviour in zip(ctx.config.vrrp_instances, ctx.behaviours, strict=True):
            master = "state MASTER" if instance.get("state") is not None else "priority 255 (it starts as MASTER)"
            nopreempt = flag_line(instance, "nopreempt", "preempt")  # a later preempt clears it
            if nopreempt is not None and behaviour.base == 255:
                implied = " (state MASTER without a priority)" if instance.priority is None else ""
                yield self.report(
                    nopreempt.pos, f"nopreempt is incompatible with priority 255{implied}: keepalived clears it"
                )
            elif nopreempt is not None and behaviour.state == "MASTER":
                yield self.report(nopreempt.pos, f"nopreempt does not work with {master}: keepalived clears it")
            delay = instance.get("preempt_delay")
            if delay is None or not delay.args or delay.args[0].strip("0.") == "":
                continue
            if behaviour.state == "MASTER":
                yield self.report(delay.pos, f"preempt_delay does not work with {master}: keepalived clears it")
            elif behaviour.strict:
                yield self.report(delay.pos, "preempt_delay is incompatible with strict mode: keepalived resets it")
            elif behaviour.nopreempt:
                yield self.report(delay.pos, "preempt_delay is incompatible with nopreempt: keepalived resets it")


class AuthenticationIgnored(Rule):
    """What: An authentication block keepalived ignores: in strict mode, with VRRP version 3 or an
    IPv6 instance, without auth_pass.
    Why: keepalived drops it with an error; a node that still has it configured on the other side
    (version 2) rejects the adverts.
    Example:
        version 3
        authentication {
            auth_type PASS
            auth_pass secret
        }
    Fix: Remove the authentication block (VRRPv3 has none), or use version 2 on every node.
    """

    code, name, severity = "KA212", "authentication-ignored", Severity.ERROR
    views = ("behaviours",)
    reads = ("vrrp_instance",)

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        # vrrp.c vrrp_complete_instance, in its order; an authentication block without auth_type
        # sets nothing, so keepalived says nothing of it.
        for instance, behaviour in zip(ctx.config.vrrp_instances, ctx.behaviours, strict=True):
            for block in instance.blocks("authentication"):
                kinds = [
                    n.args[0] for n in block.children if isinstance(n, Line) and n.keyword == "auth_type" and n.args
                ]
                if not kinds or kinds[-1] not in ("PASS", "AH"):
                    continue
                password = any(
                    isinstance(n, Line) and n.keyword == "auth_pass" and n.args and n.args[0] for n in block.children
                )
                if behaviour.strict:
                    yield self.report(block.pos, "strict mode has no authentication: keepalived ignores this block")
                elif _version(ctx, instance) == "3":
                    yield self.report(block.pos, "VRRP version 3 has no authentication: keepalived ignores this block")
                elif not password:
                    yield self.report(block.pos, "authentication without auth_pass: keepalived ignores this block")
                elif instance.family == 6 and kinds[-1] == "AH":
                    yield self.report(block.pos, "AH authentication does not work with IPv6: keepalived ignores it")


class SyncGroupSize(Rule):
    """What: A vrrp_sync_group with fewer than two instances.
    Why: keepalived warns "has only 1 virtual router(s) - this probably isn't what you want": a
    group of one synchronises nothing.
    Example:
        vrrp_sync_group G {
            group {
                VI_1
            }
        }
    Fix: List every instance that must change state together, or remove the group.
    """

    code, name, severity = "KA214", "sync-group-size", Severity.WARNING
    reads = ("vrrp_sync_group",)

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        names = {instance.name for instance in ctx.config.vrrp_instances}
        for group in ctx.config.sync_groups:
            members = [m.words[0] for m in group.members if m.words[0] in names or ctx.options.fragment]
            if len(members) < 2:
                yield self.report(
                    group.line.pos,
                    f"vrrp_sync_group {group.name} has {len(members)} instance(s): it synchronises nothing",
                    end=group.end,
                )


class StateCleared(Rule):
    """What: A state keepalived changes: in strict mode, state MASTER below priority 255 (it starts
    as BACKUP) or state BACKUP at priority 255 (it starts as MASTER); state MASTER with AH
    authentication and a priority below 255.
    Why: keepalived clears the initial MASTER state ("Initial state master is incompatible with AH
    authentication"), so the node does not start as the configuration says.
    Example:
        state MASTER
        authentication {
            auth_type AH
            auth_pass secret
        }
    Fix: Use state BACKUP (the priorities still elect the MASTER), or auth_type PASS, or no
    authentication.
    """

    code, name, severity = "KA215", "state-cleared", Severity.ERROR
    views = ("behaviours",)
    reads = ("vrrp_instance",)

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for instance, behaviour in zip(ctx.config.vrrp_instances, ctx.behaviours, strict=True):
            state = instance.get("state")
            flipped = [c for c in behaviour.corrections if c.kind == "state"]  # vrrp.c: "State MASTER must match ..."
            if state is not None and flipped:
                yield self.report(
                    flipped[0].line.pos,
                    f"strict mode: state {instance.state} must go with priority 255 (address owner) and only "
                    f"with it; keepalived starts it as {behaviour.state}",
                )
                continue
            if state is None or instance.state != "MASTER" or instance.priority == "255":
                continue
            for block in instance.blocks("authentication"):
                types = [
                    n.args[0] for n in block.children if isinstance(n, Line) and n.keyword == "auth_type" and n.args
                ]
                if types and types[-1] == "AH" and _version(ctx, instance) == "2":
                    yield self.report(
                        state.pos,
                        "state MASTER is incompatible with AH authentication: keepalived starts as BACKUP",
                    )


RULES = (
    AuthPassTruncated(),
    AdvertIntChanged(),
    NoVirtualIp(),
    NopreemptIgnored(),
    AuthenticationIgnored(),
    SyncGroupSize(),
    StateCleared(),
)
