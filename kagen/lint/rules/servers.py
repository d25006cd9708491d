"""KA216, KA218: virtual servers keepalived completes with its own defaults or warnings."""

from __future__ import annotations

from collections.abc import Iterator

from kagen.diagnostics import Diagnostic, Severity
from kagen.lint.context import FileContext
from kagen.lint.rule import Rule


class FwmarkProtocol(Rule):
    """What: protocol in a virtual_server defined by fwmark.
    Why: A firewall-mark service covers every protocol the mark selects; keepalived ignores the
    protocol line with a warning.
    Example:
        virtual_server fwmark 1 {
            protocol TCP
        }
    Fix: Remove protocol from fwmark virtual servers.
    """

    code, name, severity = "KA216", "fwmark-protocol", Severity.WARNING
    reads = ("virtual_server",)

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for server in ctx.config.virtual_servers:
            line = server.get("protocol")
            if server.fwmark is not None and line is not None:
                yield self.report(line.pos, f"protocol is ignored for virtual_server fwmark {server.fwmark}")


class VirtualServerDefaults(Rule):
    """What: A virtual_server without a scheduler (lvs_sched/lb_algo), a forwarding method
    (lvs_method/lb_kind) or, for an address (not fwmark) service, a protocol.
    Why: keepalived fills in its defaults (wlc, NAT, UDP) and reports each, so keepalived -t fails;
    a TCP service balanced as UDP does not work, and NAT needs the real servers to route back
    through the director.
    Example:
        virtual_server 192.168.0.100 80 {
            protocol TCP
            real_server 192.168.0.21 80 {
            }
        }
    Fix: Say what you mean: lvs_sched rr and lvs_method DR (or lb_algo / lb_kind).
    """

    code, name, severity = "KA218", "virtual-server-defaults", Severity.ERROR
    reads = ("virtual_server",)

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for server in ctx.config.virtual_servers:
            if server.scheduler is None:
                yield self.report(server.line.pos, "no lvs_sched/lb_algo: keepalived uses wlc")
            if server.method is None:
                yield self.report(server.line.pos, "no lvs_method/lb_kind: keepalived uses NAT")
            if server.protocol is None and server.fwmark is None:
                yield self.report(server.line.pos, "no protocol: keepalived uses UDP")


RULES = (FwmarkProtocol(), VirtualServerDefaults())
