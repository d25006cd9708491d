"""The fixes rules offer: for a finding, the edits of the original text that remove it.

An edit replaces whole physical lines of one file (the file the statement was read from, so an
included file is edited, not the one including it). A statement is edited only when it has its
physical line to itself (apart from a trailing comment); otherwise the finding stays. What a
fix needs to know that the file does not say (this node's address, its peers) comes in
``Facts``, from the inventory or the other files of the pair (kagen.fix).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from kagen.diagnostics import Diagnostic
from kagen.keepalived.model import VrrpInstance
from kagen.keepalived.tree import Line, SourceFile, ValueBlock
from kagen.lint.context import FileContext
from kagen.lint.rules.unicast import vmac_statement


@dataclass(frozen=True)
class Edit:
    """Physical lines ``start`` to ``end - 1`` (1-based) of ``file`` become ``lines``; ``start ==
    end`` inserts before line ``start``."""

    file: SourceFile
    start: int
    end: int
    lines: tuple[str, ...]


@dataclass
class Facts:
    """What the files do not say: per (file name, vrrp_instance name), this node's address and
    the other members' addresses; and why they are unknown where they are."""

    addresses: dict[tuple[str, str], tuple[str, list[str]]] = field(default_factory=dict)
    missing: str = "give --inventory, or the other files of the pair with their unicast_src_ip or mcast_src_ip"


class Unfixable(Exception):
    """The finding has a fix, but not here; the message says why."""


Fixer = Callable[[FileContext, Diagnostic, Facts], list[Edit]]


@functools.lru_cache(maxsize=16)
def physical(file: SourceFile) -> list[str]:
    """The file's physical lines (read once per parse: every fix looks at a few of them)."""
    return file.text.split("\n")


# What may stand before a statement on its line: blanks and a config-id condition (@ID, @^ID).
_LEAD = re.compile(r"[ \t]*(?:@\^?[^ \t]+[ \t]+)?")


def _alone(line: Line) -> bool:
    """The statement has its physical line to itself (a condition before it and a trailing
    comment aside)."""
    if line.via is not None or (line.spans is not None and any(not span[3] for span in line.spans)):
        return False  # produced by a parameter or a conditional: the text is not the file's
    text = physical(line.file)[line.line - 1].rstrip("\r")
    lead, rest = text[: line.col - 1], text[line.col - 1 :]
    if not _LEAD.fullmatch(lead) or not rest.startswith(line.text):
        return False
    rest = rest[len(line.text) :].strip(" \t")
    return not rest or rest[0] in "#!"


def _own_line(line: Line) -> Line:
    if not _alone(line):
        raise Unfixable("the statement shares its line with others: edit it by hand")
    return line


def _delete(line: Line) -> Edit:
    _own_line(line)
    return Edit(line.file, line.line, line.line + 1, ())


def _replace_keyword(line: Line, keyword: str) -> Edit:
    _own_line(line)
    text = physical(line.file)[line.line - 1]
    start = line.col - 1
    return Edit(line.file, line.line, line.line + 1, (text[:start] + keyword + text[start + len(line.keyword) :],))


def _indent(line: Line) -> str:
    text = physical(line.file)[line.line - 1]
    return text[: len(text) - len(text.lstrip(" \t"))]


def _ending(file: SourceFile) -> str:
    return "\r" if "\r\n" in file.text else ""


def _statement(ctx: FileContext, finding: Diagnostic) -> Line:
    """The statement or value-block entry the finding points at (or into)."""
    where = finding.pos
    lines = []
    for visit in ctx.visits:
        node = visit.node
        lines.extend(node.entries if isinstance(node, ValueBlock) else [node] if type(node) is Line else [])
    for line in lines:
        if line.file.name == where.file and line.line == where.line and line.col <= where.col:
            return line
    raise Unfixable("no statement at the finding's position")


def _instance(ctx: FileContext, finding: Diagnostic) -> VrrpInstance:
    for instance in ctx.config.vrrp_instances:
        if instance.block.header.pos == finding.pos:
            return instance
        if any(_within(node, finding) for node in instance.block.children):
            return instance
    raise Unfixable("no vrrp_instance at the finding's position")


def _within(node, finding: Diagnostic) -> bool:
    if type(node) is Line:
        return node.pos == finding.pos
    if isinstance(node, ValueBlock):
        return node.header.pos == finding.pos or any(entry.pos == finding.pos for entry in node.entries)
    return node.header.pos == finding.pos


def _child_indent(instance: VrrpInstance) -> tuple[str, str]:
    """The indentation of the instance's statements, and of one more level."""
    header = _indent(instance.block.header)
    child = next(
        (_indent(node.header if not isinstance(node, Line) else node) for node in instance.block.children), None
    )
    if child is None or len(child) <= len(header):
        child = header + "    "
    step = child[len(header) :] or "    "
    return child, child + step


def _after(instance: VrrpInstance, *keywords: str) -> int:
    """The physical line after which new statements go: after the first of ``keywords`` the
    instance has on a line of its own, else after its opening line."""
    for keyword in keywords:
        line = instance.get(keyword)
        if line is not None and _alone(line):
            return line.line
    block = instance.block
    opening = block.open if block.open is not None else block.header
    if physical(block.header.file)[opening.line - 1].rstrip("\r").rstrip(" \t").endswith("{"):
        return opening.line
    raise Unfixable("the vrrp_instance's opening line holds statements: edit it by hand")


def fix_multicast_instance(ctx: FileContext, finding: Diagnostic, facts: Facts) -> list[Edit]:
    instance = _instance(ctx, finding)
    known = facts.addresses.get((ctx.path, instance.name or ""))
    if known is None:
        raise Unfixable(f"this node's address and its peers are unknown: {facts.missing}")
    own, peers = known
    peers = [peer for peer in peers if peer != own]
    if not peers:
        raise Unfixable("the cluster has no other member")
    child, entry = _child_indent(instance)
    end = _ending(instance.block.header.file)
    file = instance.block.header.file
    source = [] if instance.unicast_src_ip or instance.get("mcast_src_ip") else [f"{child}unicast_src_ip {own}{end}"]
    at = _after(instance, "interface") + 1
    blocks = [n for n in instance.block.children if isinstance(n, ValueBlock) and n.keyword == "unicast_peer"]
    if not blocks:
        peer_block = [f"{child}unicast_peer {{{end}", *(f"{entry}{p}{end}" for p in peers), f"{child}}}{end}"]
        return [Edit(file, at, at, (*source, *peer_block)), *_xmit_base(instance)]
    block = blocks[-1]  # empty, or all its peers dropped: fill it
    one_line = _one_line_empty_block(block)
    if one_line is not None:
        lead, rest = one_line
        lines = (f"{lead}unicast_peer {{{rest}{end}", *(f"{entry}{p}{end}" for p in peers), f"{lead}}}{end}")
        return [
            Edit(file, block.header.line, block.header.line + 1, lines),
            *_at(file, at, source),
            *_xmit_base(instance),
        ]
    if block.close is None or not _alone(block.close) or not all(_alone(e) for e in block.entries):
        raise Unfixable("the unicast_peer block shares its lines with others: edit it by hand")
    edits = [_delete(e) for e in block.entries]
    edits.append(Edit(block.close.file, block.close.line, block.close.line, tuple(entry + p + end for p in peers)))
    return edits + _at(file, at, source) + _xmit_base(instance)


def _at(file: SourceFile, line: int, lines: list[str]) -> list[Edit]:
    return [Edit(file, line, line, tuple(lines))] if lines else []


_EMPTY_PEERS = re.compile(r"(?P<lead>[ \t]*)unicast_peer[ \t]*\{[ \t]*\}(?P<rest>[ \t]*(?:[#!].*)?)")


def _one_line_empty_block(block: ValueBlock) -> tuple[str, str] | None:
    """``unicast_peer {}`` on a line of its own: its indentation and what follows it (blanks, a
    comment)."""
    header, close = block.header, block.close
    if block.entries or close is None or close.line != header.line or header.via is not None:
        return None
    match = _EMPTY_PEERS.fullmatch(physical(header.file)[header.line - 1].rstrip("\r"))
    return (match["lead"], match["rest"]) if match else None


def _xmit_base(instance: VrrpInstance) -> list[Edit]:
    """vmac_xmit_base after use_vmac / use_ipvlan (KA110): unicast adverts leave by the base
    interface, and keepalived reports an error without it."""
    vmac = vmac_statement(instance)
    if vmac is None:
        return []
    _own_line(vmac)
    return [Edit(vmac.file, vmac.line + 1, vmac.line + 1, (f"{_indent(vmac)}vmac_xmit_base{_ending(vmac.file)}",))]


def fix_xmit_base(ctx: FileContext, finding: Diagnostic, facts: Facts) -> list[Edit]:
    return _xmit_base(_instance(ctx, finding))


def fix_remove(ctx: FileContext, finding: Diagnostic, facts: Facts) -> list[Edit]:
    return [_delete(_statement(ctx, finding))]


def fix_multicast_address(ctx: FileContext, finding: Diagnostic, facts: Facts) -> list[Edit]:
    line = _statement(ctx, finding)
    instance = _instance(ctx, finding)
    if line.keyword == "mcast_src_ip" and instance.unicast_src_ip is None:
        return [_replace_keyword(line, "unicast_src_ip")]
    return [_delete(line)]


def fix_fault_no_peer(ctx: FileContext, finding: Diagnostic, facts: Facts) -> list[Edit]:
    instance = _instance(ctx, finding)
    child, _ = _child_indent(instance)
    blocks = [
        node for node in instance.block.children if isinstance(node, ValueBlock) and node.keyword == "unicast_peer"
    ]
    close = blocks[-1].close if blocks else None
    if close is None or not _alone(close):
        raise Unfixable("the unicast_peer block's end shares its line with others: edit it by hand")
    end = _ending(close.file)
    return [Edit(close.file, close.line + 1, close.line + 1, (f"{child}unicast_fault_no_peer{end}",))]


def fix_deprecated(ctx: FileContext, finding: Diagnostic, facts: Facts) -> list[Edit]:
    for visit in ctx.visits:
        node = visit.node
        if node.pos == finding.pos and visit.keyword is not None and visit.keyword.replacement:
            replacement = visit.keyword.replacement
            if not re.fullmatch(r"[a-z0-9_]+", replacement):  # "/K": a keyword of another block
                raise Unfixable(f"'{replacement.lstrip('/')}' goes elsewhere: move it by hand")
            line = node if type(node) is Line else node.header
            return [_replace_keyword(line, replacement)]
    raise Unfixable("no replacement is known")


def fix_unquoted_script(ctx: FileContext, finding: Diagnostic, facts: Facts) -> list[Edit]:
    line = _own_line(_statement(ctx, finding))
    command = line.text[len(line.keyword) :].strip(" \t")
    if '"' in command or "\\" in command:
        raise Unfixable("the command holds quotes or backslashes: quote it by hand")
    text = physical(line.file)[line.line - 1]
    body = text.rstrip("\r")
    rest = body[line.col - 1 + len(line.text) :]  # blanks and a trailing comment
    quoted = f'{body[: line.col - 1]}{line.keyword} "{command}"{rest}{text[len(body) :]}'
    return [Edit(line.file, line.line, line.line + 1, (quoted,))]


# Each rule's fix, with what it does (shown by ``kagen rules CODE``).
FIXES: dict[str, tuple[Fixer, str]] = {
    "KA013": (fix_deprecated, "replaces the keyword with its current name"),
    "KA101": (
        fix_multicast_instance,
        "adds unicast_src_ip (this node) and a unicast_peer block with the other members (or fills an "
        "empty one), from --inventory or the pair's other files given in the same run; and vmac_xmit_base "
        "where the instance has use_vmac or use_ipvlan (KA110)",
    ),
    "KA102": (fix_remove, "removes the statement"),
    "KA103": (
        fix_multicast_address,
        "turns mcast_src_ip into unicast_src_ip (removes it if the instance has one) and removes mcast_dst_ip",
    ),
    "KA104": (fix_remove, "removes vrrp_strict / strict_mode"),
    "KA105": (fix_remove, "removes the node's own address from unicast_peer"),
    "KA108": (fix_fault_no_peer, "adds unicast_fault_no_peer after the unicast_peer block"),
    "KA110": (fix_xmit_base, "adds vmac_xmit_base after use_vmac / use_ipvlan"),
    "KA209": (fix_unquoted_script, "puts the script command in double quotes"),
}


def describe(code: str) -> str | None:
    found = FIXES.get(code)
    return found[1] if found else None
