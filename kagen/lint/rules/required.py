"""KA207: blocks without what keepalived requires of them."""

from __future__ import annotations

from collections.abc import Iterator

from kagen.diagnostics import Diagnostic, Severity
from kagen.keepalived.keywords import Keyword
from kagen.keepalived.tree import Block
from kagen.lint.context import FileContext
from kagen.lint.rule import Rule


def _required(keyword: Keyword) -> tuple[str, ...]:
    return tuple(name for name, child in keyword.children.items() if child.required)


# vrrp.c vrrp_complete_init gives up at the first instance it cannot complete, and the VRRP
# process exits with a configuration error (vrrp_daemon.c): every instance goes, not this one.
STOPS = "keepalived does not start VRRP at all (every instance of the configuration is lost)"


def _consequence(path: str, name: str) -> str:
    if path == "vrrp_instance" and name == "virtual_router_id":
        return STOPS
    return "keepalived drops it"


class MissingRequired(Rule):
    """What: A block without what keepalived requires of it: a vrrp_instance without
    virtual_router_id or interface, a vrrp_script without script, a track_file without
    file, a vrrp_track_process without process, a bfd_instance without neighbor_ip, a url without
    path.
    Why: keepalived drops the check ("No script set ... removing", "No file set for track_file ...
    - ignoring"), so it does not exist; an instance without a virtual router id or interface ("the
    virtual router id must be set", "Unknown interface!") stops the whole VRRP process, so no
    instance of the configuration runs.
    Example:
        vrrp_instance VI_1 {
            interface eth0
        }
    Fix: Add the missing keyword.
    """

    code, name, severity = "KA207", "missing-required", Severity.ERROR

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        skipped = {id(block) for block in ctx.config.skipped}
        for keyword, visit in ctx.visits_of(lambda k: k.kind == "block" and _required(k)):
            node = visit.node
            if not isinstance(node, Block) or id(node) in skipped:
                continue
            required = _required(keyword)
            present = {child.keyword for child in node.children}
            for name in required:
                if name not in present:
                    what = " ".join(node.header.words[:2])
                    end = node.close.pos if node.close is not None else None
                    yield self.report(node.pos, f"{what} has no {name}: {_consequence(keyword.path, name)}", end=end)
        for keyword_name in ("track_file", "vrrp_track_file"):
            for block in ctx.config.top(keyword_name):
                if not any(child.keyword == "file" for child in block.children):
                    what = " ".join(block.header.words[:2])
                    end = block.close.pos if block.close is not None else None
                    yield self.report(block.pos, f"{what} has no file: keepalived ignores it", end=end)
        for server in ctx.config.virtual_servers:
            for real in server.real_servers:
                for checker in real.checkers:
                    if checker.kind in ("HTTP_GET", "SSL_GET") and checker.blocks("url"):
                        urls = [url for url in checker.blocks("url") if any(c.keyword == "path" for c in url.children)]
                        if not urls:
                            yield self.report(
                                checker.line.pos,
                                f"{checker.kind} has no url with a path: keepalived ignores the checker",
                                end=checker.end,
                            )
        for instance in ctx.config.vrrp_instances:
            if instance.has("interface"):
                continue
            unicast_ok = ctx.target >= (2, 3, 0) and instance.unicast and instance.has("unicast_src_ip")
            if not unicast_ok:
                yield self.report(
                    instance.line.pos,
                    f"vrrp_instance {instance.name} has no interface: keepalived {ctx.options.target} says "
                    f"'Unknown interface!' and {STOPS.removeprefix('keepalived ')}",
                    end=instance.end,
                )


RULES = (MissingRequired(),)
