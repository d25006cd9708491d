"""``kagen parse`` output: the parsed tree and model as JSON, or as a readable outline.

The JSON shape is documented in the README ("kagen parse --json"); ``FORMAT`` changes whenever a
field changes meaning or goes away, so scripts can check it.
"""

from __future__ import annotations

from collections.abc import Iterator

from kagen import __version__
from kagen.diagnostics import Position
from kagen.keepalived.keywords import table
from kagen.keepalived.model import Config, Script, VrrpInstance
from kagen.keepalived.redact import MASK, masked, secret_lines
from kagen.keepalived.tree import Block, Comment, Line, Node, SourceFile, ValueBlock, word_starts

FORMAT = 1


def _loc(pos: Position | None) -> dict[str, object] | None:
    if pos is None:
        return None
    return {"file": pos.file, "line": pos.line, "col": pos.col}


def _line_loc(line: Line | None) -> dict[str, object] | None:
    return None if line is None else _loc(line.pos)


def _word_locs(line: Line, skip: int) -> list[list[int]]:
    locs = []
    for start in word_starts(line.text)[skip:]:
        pos = line.pos_at(start)
        locs.append([pos.line, pos.col])
    return locs


def _header(line: Line, secrets: frozenset[int] = frozenset()) -> dict[str, object]:
    out: dict[str, object] = {
        "keyword": line.words[0],
        "args": [MASK] * (len(line.words) - 1) if id(line) in secrets else line.words[1:],
        "loc": _loc(line.pos),
        "arg_locs": _word_locs(line, 1),
    }
    if line.via is not None:
        out["via"] = _loc(line.via)
    return out


def node_to_dict(node: Node, secrets: frozenset[int] = frozenset()) -> dict[str, object]:
    """``secrets``: ids of the statements whose values are shown masked."""
    if isinstance(node, Line):
        return {"type": "statement", **_header(node, secrets)}
    if isinstance(node, ValueBlock):
        return {
            "type": "list",
            **_header(node.header),
            "open": _line_loc(node.open),
            "close": _line_loc(node.close),
            "entries": [
                {"words": entry.words, "loc": _loc(entry.pos), "word_locs": _word_locs(entry, 0)}
                for entry in node.entries
            ],
        }
    return {
        "type": "block",
        **_header(node.header),
        "open": _line_loc(node.open),
        "close": _line_loc(node.close),
        "children": [node_to_dict(child, secrets) for child in node.children],
    }


def _file(source: SourceFile, secret_at: frozenset[tuple[str, int]]) -> dict[str, object]:
    def text(comment: Comment) -> str:  # a comment inside a password is part of it
        return comment.text[0] + MASK if (source.name, comment.line) in secret_at else comment.text

    return {
        "name": source.name,
        "included_from": _loc(source.included_from),
        "comments": [{"line": c.line, "col": c.col, "text": text(c)} for c in source.comments],
    }


def _script(script: Script | None) -> dict[str, object] | None:
    if script is None:
        return None
    return {"argv": script.argv, "user": script.user, "loc": _loc(script.line.pos)}


def _instance(instance: VrrpInstance) -> dict[str, object]:
    source = instance.unicast_src_ip
    return {
        "name": instance.name,
        "loc": _loc(instance.line.pos),
        "state": instance.state,
        "interface": instance.interface,
        "virtual_router_id": instance.virtual_router_id,
        "priority": instance.priority,
        "family": instance.family,
        "unicast": instance.unicast,
        "unicast_src_ip": source.args[0] if source is not None and source.args else None,
        "unicast_peers": [
            {"address": peer.text, "valid": peer.valid, "loc": _loc(peer.line.pos)} for peer in instance.unicast_peers
        ],
        "virtual_ipaddresses": [
            {
                "address": str(vip.address) if vip.address is not None else vip.line.words[0],
                "prefix": vip.network_prefix,
                "dev": vip.dev,
                "valid": vip.valid,
                "loc": _loc(vip.line.pos),
            }
            for vip in instance.virtual_ipaddresses
        ],
        "track": {
            kind: [ref.name for ref in instance.track(kind)]
            for kind in ("track_interface", "track_script", "track_file", "track_process", "track_bfd")
            if instance.entries(kind)
        },
        "notify": {keyword: _script(script) for keyword, script in instance.notify.items()},
    }


def model_to_dict(config: Config) -> dict[str, object]:
    return {
        "vrrp_instances": [_instance(instance) for instance in config.vrrp_instances],
        "vrrp_scripts": [
            {"name": script.name, "loc": _loc(script.line.pos), "script": _script(script.script)}
            for script in config.vrrp_scripts
        ],
        "vrrp_sync_groups": [
            {"name": group.name, "loc": _loc(group.line.pos), "members": [m.words[0] for m in group.members]}
            for group in config.sync_groups
        ],
        "virtual_servers": [
            {
                "address": vs.address,
                "port": vs.port,
                "fwmark": vs.fwmark,
                "group": vs.group,
                "loc": _loc(vs.line.pos),
                "protocol": vs.protocol,
                "scheduler": vs.scheduler,
                "method": vs.method,
                "real_servers": [
                    {
                        "address": rs.address,
                        "port": rs.port,
                        "weight": rs.weight,
                        "loc": _loc(rs.line.pos),
                        "checkers": [checker.kind for checker in rs.checkers],
                    }
                    for rs in vs.real_servers
                ],
            }
            for vs in config.virtual_servers
        ],
        "virtual_server_groups": [
            {
                "name": group.args[0] if group.args else None,
                "loc": _loc(group.pos),
                "entries": [entry.words for entry in group.entries],
            }
            for group in config.virtual_server_groups
        ],
        **{
            keyword: [{"words": entry.words, "loc": _loc(entry.pos)} for entry in config.static(keyword)]
            for keyword in ("static_ipaddress", "static_routes", "static_rules")
        },
    }


def _secrets(config: Config) -> tuple[frozenset[int], frozenset[tuple[str, int]]]:
    """The statements holding a secret (by id), and the lines they stand on."""
    lines = secret_lines(config.items, table())
    return frozenset(map(id, lines)), frozenset((line.file.name, line.line) for line in lines)


def config_to_dict(config: Config, path: str, config_id: str) -> dict[str, object]:
    secrets, secret_at = _secrets(config)
    return {
        "path": path,
        "config_id": config_id,
        "files": [_file(source, secret_at) for source in config.files],
        "diagnostics": [d.to_dict() for d in sorted(config.diagnostics, key=lambda d: d.sort_key())],
        "items": [node_to_dict(node, secrets) for node in config.items],
        "model": model_to_dict(config),
    }


def document(configs: list[dict[str, object]]) -> dict[str, object]:
    return {"kagen": __version__, "format": FORMAT, "configs": configs}


def outline(config: Config) -> Iterator[str]:
    """One line per node: ``file:line:col`` then the logical line as keepalived reads it (comments
    gone, parameters substituted), indented by depth; secrets masked."""
    secrets = _secrets(config)[0]

    def walk(nodes: list[Node], depth: int) -> Iterator[str]:
        pad = "  " * depth
        for node in nodes:
            head = node if isinstance(node, Line) else node.header
            yield f"{head.pos}: {pad}{masked(head) if id(head) in secrets else head.text}"
            if isinstance(node, Block):
                yield from walk(node.children, depth + 1)
            elif isinstance(node, ValueBlock):
                for entry in node.entries:
                    yield f"{entry.pos}: {pad}  {entry.text}"

    yield from walk(config.items, 0)
