"""KA307: a statement given twice, where keepalived keeps only one."""

from __future__ import annotations

from collections.abc import Iterator

from kagen.diagnostics import Diagnostic, Severity
from kagen.keepalived.tree import Block, Line, Node, ValueBlock
from kagen.lint.context import FileContext
from kagen.lint.rule import Rule

SYNC_DAEMON = ("lvs_sync_daemon", "lvs_sync_daemon_interface")


class RepeatedKeyword(Rule):
    """What: A statement given twice in the same block; an error for the LVS sync daemon set
    twice anywhere (lvs_sync_daemon in global_defs, lvs_sync_daemon_interface in instances).
    Why: keepalived uses one of them (the last for most settings, the first for scripts) and does
    not say so; the other line is dead and misleads readers. This goes beyond keepalived, except
    for the sync daemon: keepalived keeps the first and reports each later one.
    Example:
        vrrp_instance VI_1 {
            priority 100
            priority 150
        }
    Fix: Keep one.
    """

    code, name, severity = "KA307", "repeated-keyword", Severity.WARNING
    beyond_keepalived = True

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for keyword, visits in ctx.by_keyword.items():
            group = keyword.path == "vrrp_sync_group/group"
            if len(visits) < 2 or (keyword.kind != "stmt" and not group):
                continue
            blocks = [id(visit.block) for visit in visits]
            if len(set(blocks)) == len(blocks):
                continue
            first: dict[int, Node] = {}
            for block, visit in zip(blocks, visits, strict=True):
                node = visit.node
                if type(node) is not (ValueBlock if group else Line):
                    continue
                if block not in first:
                    first[block] = node
                elif group:
                    yield self.report(
                        node.pos,
                        f"a second group list: keepalived keeps the first, skips this one, and its '}}' also "
                        f"ends {visit.parent} (what follows is read at the top level)",
                        Severity.ERROR,
                    )
                else:
                    pos = first[block].pos
                    where = f"line {pos.line}" if pos.file == node.pos.file else str(pos)
                    severity = Severity.ERROR if node.keyword in SYNC_DAEMON else None
                    yield self.report(
                        node.pos, f"{node.keyword} is already given at {where}: keepalived uses only one", severity
                    )
        yield from self._sync_daemon(ctx)

    def _sync_daemon(self, ctx: FileContext) -> Iterator[Diagnostic]:
        """One LVS sync daemon per keepalived: global_defs' lvs_sync_daemon and every instance's
        lvs_sync_daemon_interface set the same thing, the first in the file wins and each later
        one is "already specified ... - ignoring" (global_parser.c, vrrp_parser.c); an error,
        as keepalived -t fails on it. A repeat in one block is reported above."""
        kept = {id(instance.block) for instance in ctx.config.vrrp_instances}
        first: str | None = None
        for node in ctx.config.items:
            if not isinstance(node, Block) or not (node.keyword == "global_defs" or id(node) in kept):
                continue
            wanted = SYNC_DAEMON[0] if node.keyword == "global_defs" else SYNC_DAEMON[1]
            where = "global_defs" if node.keyword == "global_defs" else " ".join(node.header.words[:2])
            lines = [line for line in node.children if type(line) is Line and line.keyword == wanted]
            if first is not None:
                for line in lines:
                    yield self.report(
                        line.pos,
                        f"the LVS sync daemon is already set by {first}: keepalived ignores this {wanted}",
                        Severity.ERROR,
                    )
            elif lines:
                first = f"{wanted} in {where}"


RULES = (RepeatedKeyword(),)
