"""What a lint run needs to know of a file it does not read again: small enough to keep for every
file in the cache's index, so that a run where one file of 2,000 changed loads the parsed
configurations of that file's clusters only (kagen.lint.cache, kagen.lint.engine).

- ``Seen``: a vrrp_instance as the cluster evidence sees it (kagen.lint.clusters groups instances
  into clusters from these, and KA505 compares clusters with them).
- ``FileFacts``: the files read (for included files and the summary), the keyword paths present
  (which rules apply), the comments that may hold suppressions, and the instances' evidence.
"""

from __future__ import annotations

import functools
import operator
from typing import NamedTuple

from kagen.diagnostics import Position
from kagen.keepalived.keywords import table
from kagen.keepalived.model import Config, VrrpInstance, parse_address


class Seen(NamedTuple):
    name: str | None
    vrid: str | None
    at: Position  # the instance's header
    vrid_at: Position  # its virtual_router_id statement (the header if there is none)
    unicast: bool
    # Addresses as text (canonical: equal addresses, equal text), which the cache reads back
    # many times faster than address objects.
    source: str | None  # unicast_src_ip or mcast_src_ip
    peers: frozenset[str]  # the unicast peers keepalived keeps
    vips: frozenset[tuple[str, int | None]]  # the virtual IPs it keeps, with their prefix


def seen(instance: VrrpInstance) -> Seen:
    line = instance.get("unicast_src_ip") or instance.get("mcast_src_ip")
    source = parse_address(line.args[0]) if line is not None and line.args else None
    return Seen(
        instance.name,
        instance.virtual_router_id,
        instance.line.pos,
        (instance.get("virtual_router_id") or instance.line).pos,
        instance.unicast,
        str(source) if source is not None else None,
        frozenset(str(peer.address) for peer in instance.unicast_peers if peer.valid and peer.address is not None),
        frozenset(
            (str(vip.address), vip.network_prefix)
            for vip in instance.virtual_ipaddresses
            if vip.valid and vip.address is not None
        ),
    )


class Source(NamedTuple):
    name: str  # as findings name it
    real: str  # its real path
    keepalived: bool  # whether it reads like a keepalived configuration (kagen.lint.discovery)


class FileFacts(NamedTuple):
    sources: tuple[Source, ...]  # every file read, the top-level one first
    keywords: int  # the keyword paths present (FileContext.paths), one bit each (``_bits``)
    comments: tuple[tuple[str, int, int, str], ...]  # (file, line, col, text) of those naming kagen
    instances: tuple[Seen, ...]  # in the order of config.vrrp_instances

    @property
    def paths(self) -> frozenset[str]:
        return frozenset(path for path, bit in _bits().items() if self.keywords & bit)


@functools.cache
def _bits() -> dict[str, int]:
    """A bit for each keyword path of the table (an entry of the cache belongs to one kagen)."""
    return {path: 1 << index for index, path in enumerate(table().by_path)}


def sources_of(config: Config) -> tuple[Source, ...]:
    from kagen.lint.discovery import looks_like_keepalived

    return tuple(
        Source(source.name, source.realpath, index == 0 or looks_like_keepalived(source.text))
        for index, source in enumerate(config.files)
    )


def comments_of(config: Config) -> tuple[tuple[str, int, int, str], ...]:
    return tuple(
        (source.name, comment.line, comment.col, comment.text)
        for source in config.files
        for comment in source.comments
        if "kagen:" in comment.text
    )


def keywords_of(paths: frozenset[str]) -> int:
    bits = _bits()
    return functools.reduce(operator.or_, (bits[path] for path in paths), 0)
