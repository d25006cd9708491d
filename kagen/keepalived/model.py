"""The typed model of a keepalived configuration, over the generic tree.

Rules read ``config.vrrp_instances[0].unicast_peers`` rather than walking blocks, and every value
they read still carries the line it came from. Where keepalived derives something (the address
family of an instance, whether it really runs unicast, which ``priority`` wins when given twice)
the model derives it the same way, following keepalived's parser and ``vrrp_complete_instance``.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
from functools import cached_property
from typing import Any

from kagen.diagnostics import Diagnostic, Severity
from kagen.keepalived import numbers
from kagen.keepalived.lvs import RealServer, VirtualServer
from kagen.keepalived.section import Section, Setting
from kagen.keepalived.tree import Block, Line, Node, SourceFile, ValueBlock, split_quoted_escaped
from kagen.keepalived.words import names

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@functools.lru_cache(maxsize=65536)
def parse_address(text: str) -> IPAddress | None:
    """keepalived's ``inet_stosockaddr``: family from ``:``, anything from ``-`` or ``/`` ignored."""
    cut = min((i for i in (text.find("-"), text.find("/")) if i >= 0), default=len(text))
    core = text[:cut]
    if "%" in core:
        return None
    # inet_pton is what keepalived calls: the same libc decides, and it is much faster than
    # ipaddress parsing the text (a large configuration has 10^5 addresses).
    try:
        if ":" in core:
            return ipaddress.IPv6Address(socket.inet_pton(socket.AF_INET6, core))
        return ipaddress.IPv4Address(socket.inet_pton(socket.AF_INET, core))
    except (OSError, ValueError):
        return None


class Peer:
    """A ``unicast_peer`` entry. ``valid`` is what keepalived keeps: it parses and its family
    matches the instance."""

    __slots__ = ("address", "line", "repeats", "valid")

    def __init__(self, line: Line, address: IPAddress | None) -> None:
        self.line = line
        self.address = address
        self.valid = False
        self.repeats = False  # the address of an earlier valid peer: keepalived 2.3.3 and later drop it

    @property
    def text(self) -> str:
        return self.line.words[0]


class Vip:
    """A ``virtual_ipaddress`` entry: ``ADDR[/PREFIX] [dev IF] [options]``."""

    __slots__ = ("address", "dev", "line", "prefix", "repeats", "valid")

    def __init__(self, line: Line) -> None:
        words = line.words
        text, _, prefix_text = words[0].partition("/")
        self.line = line
        self.address = parse_address(text) if "-" not in text else None
        self.prefix: int | None = None  # None: the default (keepalived also falls back to it on a bad prefix)
        prefix = numbers.whole(prefix_text, signed=False)
        if prefix is not None and self.address is not None and prefix <= self.address.max_prefixlen:
            self.prefix = prefix
        self.dev = next((words[i + 1] for i in range(1, len(words) - 1) if words[i] == "dev"), None)
        self.valid = False
        self.repeats = False  # the address of an earlier valid virtual IP: keepalived 2.3.3 and later drop it

    @property
    def network_prefix(self) -> int | None:
        """The prefix length in effect (keepalived defaults to a host address)."""
        if self.address is None:
            return None
        return self.prefix if self.prefix is not None else self.address.max_prefixlen


class TrackRef:
    """An entry of a ``track_*`` value block: ``NAME [weight W [reverse|noreverse]]``."""

    __slots__ = ("line",)

    def __init__(self, line: Line) -> None:
        self.line = line

    @property
    def name(self) -> str:
        return self.line.words[0]

    @property
    def weight(self) -> str | None:
        words = self.line.words
        return words[2] if len(words) > 2 and words[1] == "weight" else None


class Script:
    """A script-valued statement (``notify_master``, ``script``, ``misc_path`` ...), re-parsed the
    way keepalived does: the first argument is the command line, then an optional user/group."""

    __slots__ = ("argv", "line", "user")

    def __init__(self, line: Line) -> None:
        words = split_quoted_escaped(line.text)
        self.line = line
        # None: keepalived cannot parse the command line and ignores the script.
        self.argv = split_quoted_escaped(words[1]) if words is not None and len(words) > 1 else None
        self.user = words[2:4] if words is not None else []


class GlobalDefs:
    """All ``global_defs`` blocks together (keepalived applies each of them in order)."""

    def __init__(self, blocks: list[Block]) -> None:
        self.blocks = blocks
        self._sections = [Section(block) for block in reversed(blocks)]

    def get(self, keyword: str) -> Line | None:
        for section in self._sections:
            found = section.get(keyword)
            if found is not None:
                return found
        return None

    def value(self, keyword: str) -> str | None:
        line = self.get(keyword)
        return line.args[0] if line is not None and line.args else None

    def has(self, keyword: str) -> bool:
        return self.get(keyword) is not None


class VrrpInstance(Section):
    state = Setting("state")
    interface = Setting("interface")
    virtual_router_id = Setting("virtual_router_id")
    priority = Setting("priority")

    @property
    def unicast_src_ip(self) -> Line | None:
        return self.get("unicast_src_ip")

    @cached_property
    def _addresses(self) -> tuple[int | None, list[Peer], list[Vip], IPAddress | None]:
        """Walk the instance in order, as keepalived's handlers do: the first address seen
        (source, peer or VIP) fixes the family, and later ones of the other family are dropped."""
        family: int | None = None
        peers: list[Peer] = []
        vips: list[Vip] = []
        source: IPAddress | None = None
        for node in self.block.children:
            keyword = node.keyword
            if isinstance(node, Line):
                if keyword == "native_ipv6":
                    family = family or 6
                elif keyword in ("unicast_src_ip", "mcast_src_ip") and node.args:
                    address = parse_address(node.args[0])
                    if address is not None and family in (None, address.version):
                        family, source = address.version, address
            elif isinstance(node, ValueBlock) and keyword == "unicast_peer":
                for entry in node.entries:
                    peer = Peer(entry, parse_address(entry.words[0]))
                    if peer.address is not None and family in (None, peer.address.version):
                        family = peer.address.version
                        peer.repeats = any(p.valid and p.address == peer.address for p in peers)
                        peer.valid = True
                    peers.append(peer)
            elif isinstance(node, ValueBlock) and keyword == "virtual_ipaddress":
                for entry in node.entries:
                    vip = Vip(entry)
                    if vip.address is not None and family in (None, vip.address.version):
                        family = vip.address.version
                        vip.repeats = any(v.valid and v.address == vip.address for v in vips)
                        vip.valid = True
                    vips.append(vip)
        return family, peers, vips, source

    @property
    def family(self) -> int | None:
        """4 or 6, as keepalived decides it; None if the instance names no address."""
        return self._addresses[0]

    @property
    def unicast_peers(self) -> list[Peer]:
        return self._addresses[1]

    @property
    def virtual_ipaddresses(self) -> list[Vip]:
        return self._addresses[2]

    @property
    def source_address(self) -> IPAddress | None:
        return self._addresses[3]

    @cached_property
    def unicast(self) -> bool:
        """keepalived runs an instance unicast only if at least one peer survived parsing."""
        return any(peer.valid for peer in self.unicast_peers)

    def track(self, kind: str) -> list[TrackRef]:
        """Entries of ``track_script``, ``track_interface``, ``track_file``, ``track_process``,
        ``track_bfd``."""
        return [TrackRef(line) for line in self.entries(kind)]

    @property
    def notify(self) -> dict[str, Script]:
        return {keyword: Script(line) for keyword in names("notify") if (line := self.get(keyword)) is not None}


class VrrpScript(Section):
    @property
    def script(self) -> Script | None:
        line = self.get("script")
        return Script(line) if line is not None else None


class SyncGroup(Section):
    @property
    def members(self) -> list[Line]:
        return self.entries("group")


def _unreadable(server: VirtualServer) -> bool:
    """An address, port or fwmark keepalived cannot read. A port of zeros is no port (keepalived
    2.0.7 and later, check_data.c alloc_vs)."""
    if server.fwmark is not None:
        return numbers.unsigned(server.fwmark, "0", "4294967295") is not None
    port = server.port
    if server.address is None:
        return False
    bad_port = port is not None and port.strip("0") != "" and numbers.unsigned(port, "1", "65535") is not None
    return parse_address(server.address) is None or bad_port


def kept_real_servers(server: VirtualServer) -> list[RealServer]:
    """The real servers keepalived keeps: their address reads, and it is of the virtual server's
    family (an address-less server takes its first real server's) unless tunnelled
    (check_parser.c rs_handler, "don't match - skipping real server", and vs_end_handler)."""
    address = parse_address(server.address) if server.address is not None else None
    declared = {"inet": 4, "inet6": 6}.get(server.value("ip_family") or "")
    family = declared or (address.version if address is not None else None)
    kept = []
    for real in server.real_servers:
        found = parse_address(real.address) if real.address is not None else None
        if found is None:
            continue
        if family is None:
            family = found.version
        if found.version == family or (real.value("lvs_method") or server.method) == "TUN":
            kept.append(real)
    return kept


class Config:
    """A parsed configuration: the tree, the files read, the diagnostics, and typed views."""

    def __init__(
        self,
        items: list[Node],
        files: list[SourceFile],
        diagnostics: list[Diagnostic],
        patterns: list[tuple[str, str, str, tuple[str, ...]]] | None = None,
    ) -> None:
        self.items = items
        self.files = files
        self.diagnostics = diagnostics
        self.patterns = patterns or []  # the include patterns looked up and what they matched
        # What kagen.keepalived.vrrp works out once per configuration (each instance's behaviour,
        # by where the instance starts; the definitions in order), keyed by positions and names,
        # not identities, so that the lint cache keeps it with the configuration.
        self.memo: dict[object, Any] = {}

    def top(self, keyword: str) -> list[Block]:
        return [node for node in self.items if isinstance(node, Block) and node.keyword == keyword]

    @cached_property
    def global_defs(self) -> GlobalDefs:
        return GlobalDefs(self.top("global_defs"))

    @cached_property
    def skipped(self) -> list[Block]:
        """Blocks keepalived reads past and takes nothing from (its skip_block): a vrrp_instance or
        vrrp_sync_group without exactly one name, or whose name an earlier one has ("already defined": vrrp_parser.c,
        vrrp_handler and vrrp_sync_group_handler), a virtual_server whose address, port or fwmark
        it cannot read ("- skipping" / "- ignoring": check_data.c, alloc_vs)."""
        found = []
        for keyword in ("vrrp_instance", "vrrp_sync_group"):
            seen: set[str] = set()
            for block in self.top(keyword):
                name = block.args[0] if len(block.args) == 1 else None  # else "must have a name"
                if name is None or name in seen:
                    found.append(block)
                else:
                    seen.add(name)
        found.extend(block for block in self.top("virtual_server") if _unreadable(VirtualServer(block)))
        return found

    @cached_property
    def unread(self) -> frozenset[tuple[str, int]]:
        """The lines inside the skipped blocks (file name, line; not their headers): keepalived
        reports nothing there, so neither does a rule."""
        found: set[tuple[str, int]] = set()

        def walk(node: Node) -> None:
            lines = [node] if isinstance(node, Line) else [node.header, *filter(None, (node.open, node.close))]
            found.update((line.file.name, line.line) for line in lines)
            for child in (
                node.entries if isinstance(node, ValueBlock) else node.children if isinstance(node, Block) else ()
            ):
                walk(child)

        for block in self.skipped:
            for child in [*block.children, *filter(None, (block.open, block.close))]:
                walk(child)
        # What is said of the header is said where keepalived says it, even with the block on one line.
        return frozenset(found - {(block.header.file.name, block.line) for block in self.skipped})

    @cached_property
    def _skipped_ids(self) -> frozenset[int]:
        return frozenset(map(id, self.skipped))

    def _kept(self, keyword: str) -> list[Block]:
        return [block for block in self.top(keyword) if id(block) not in self._skipped_ids]

    @cached_property
    def vrrp_instances(self) -> list[VrrpInstance]:
        return [VrrpInstance(block) for block in self._kept("vrrp_instance")]

    @cached_property
    def vrrp_scripts(self) -> list[VrrpScript]:
        return [VrrpScript(block) for block in self.top("vrrp_script")]

    @cached_property
    def sync_groups(self) -> list[SyncGroup]:
        return [SyncGroup(block) for block in self._kept("vrrp_sync_group")]

    @cached_property
    def virtual_servers(self) -> list[VirtualServer]:
        return [VirtualServer(block) for block in self._kept("virtual_server")]

    @cached_property
    def virtual_server_groups(self) -> list[ValueBlock]:
        return [node for node in self.items if isinstance(node, ValueBlock) and node.keyword == "virtual_server_group"]

    def static(self, keyword: str) -> list[Line]:
        """Entries of the top-level ``static_ipaddress``, ``static_routes`` or ``static_rules``."""
        return [
            entry
            for node in self.items
            if isinstance(node, ValueBlock) and node.keyword == keyword
            for entry in node.entries
        ]

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)
