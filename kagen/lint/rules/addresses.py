"""KA204: addresses keepalived cannot use, in arguments, virtual IP entries and virtual servers."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator

from kagen.diagnostics import Diagnostic, Severity
from kagen.keepalived import numbers
from kagen.keepalived.keywords import ArgSpec
from kagen.keepalived.lvs import VirtualServer
from kagen.keepalived.model import parse_address
from kagen.keepalived.tree import Block, Line, ValueBlock
from kagen.keepalived.words import arity, names
from kagen.lint.context import FileContext
from kagen.lint.rule import Rule


def _address_problem(spec: ArgSpec, word: str) -> str | None:
    if spec.type == "port":
        return numbers.unsigned(word, "1", "65535")
    if spec.type not in ("ip", "mcast4", "mcast6"):
        return None
    address = parse_address(word)
    if address is None:
        return "is not an IP address"
    if spec.type == "mcast4" and not (address.version == 4 and address.is_multicast):
        return "is not an IPv4 multicast address"
    if spec.type == "mcast6" and not (address.version == 6 and address.is_multicast):
        return "is not an IPv6 multicast address"
    return None


def _scope(word: str) -> bool:
    """A scope keepalived takes: a name, or a number."""
    return word in names("vip-scope") or numbers.whole(word, signed=False) is not None


def _vip_problems(entry: Line, static: bool) -> Iterator[tuple[int, str]]:
    """(word index, problem) for a virtual_ipaddress / static_ipaddress entry."""
    text, _, prefix = entry.words[0].partition("/")
    address = parse_address(text) if "-" not in text else None
    if address is None:
        yield 0, f"'{entry.words[0]}' is not an IP address: keepalived skips it"
        return
    if prefix and numbers.unsigned(prefix, "0", str(address.max_prefixlen)) is not None:
        yield 0, f"prefix /{prefix} is not 0..{address.max_prefixlen}: keepalived uses /{address.max_prefixlen}"
    index = 1
    words = entry.words
    while index < len(words):
        option = words[index]
        only_here = arity("vip-option-static" if static else "vip-option-virtual")
        takes = only_here[option] if option in only_here else arity("vip-option").get(option)
        if takes is None:
            yield index, f"'{option}' is not a virtual_ipaddress option: keepalived ignores it"
        elif takes and index + 1 >= len(words):
            yield index, f"'{option}' needs a value"
        elif option == "scope" and address.version == 6:
            yield index, "keepalived ignores scope for IPv6 addresses"
        elif option == "scope" and not _scope(words[index + 1]):
            yield index + 1, f"scope '{words[index + 1]}' is not one of {', '.join(names('vip-scope'))} or a number"
        elif option in ("peer", "broadcast", "brd") and words[index + 1] not in ("+", "-"):
            other = parse_address(words[index + 1])
            if other is None or "/" in words[index + 1]:
                yield index + 1, f"{option} '{words[index + 1]}' is not an IP address"
        index += 1 + (takes or 0)


class InvalidAddress(Rule):
    """What: An address keepalived cannot use: not an IP address where one is required, a prefix
    out of range, a virtual IP of the other family than its instance, a multicast group that is
    not one, an unknown option on a virtual IP, an smtp_server that is no address or host name, a
    persistence_granularity that is no netmask (IPv4) or prefix length (IPv6). A warning for what
    keepalived reads otherwise than it looks: a virtual_server without a port (or port 0) and
    without persistence, which keepalived makes persistent; a persistence_granularity written as a
    prefix length (24 is the mask 0.0.0.24). A real_server port 0 is no port: it takes the virtual
    server's.
    Why: keepalived skips the address or the option, or substitutes its own prefix, and reports it.
    A skipped virtual IP means the service address is never brought up; a virtual_server whose
    address or port it cannot read is skipped whole.
    Example:
        virtual_ipaddress {
            192.168.0.300/24
        }
    Fix: Write a valid address of the instance's family; one address per line.
    """

    code, name, severity = "KA204", "invalid-address", Severity.ERROR
    views = ("arguments",)

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for line, index, spec, word, _ in ctx.arguments_of("port", "ip", "mcast4", "mcast6"):
            if line.keyword in ("virtual_server", "real_server") and spec.type == "port" and _no_port(word):
                continue  # keepalived takes a port of zeros for no port (below)
            problem = _address_problem(spec, word)
            if problem is not None:
                yield self.report(line.word_pos(index), f"{line.keyword} '{word}' {problem}")
        yield from self._servers(ctx)
        smtp = ctx.config.global_defs.get("smtp_server")
        if smtp is not None and smtp.args:
            host = smtp.args[0]
            if "/" in host or (parse_address(host) is None and (_QUAD.fullmatch(host) or not _HOST.fullmatch(host))):
                yield self.report(smtp.word_pos(1), f"smtp_server '{host}' is not an IP address or host name")
        for instance in ctx.config.vrrp_instances:
            for keyword in ("unicast_src_ip", "mcast_src_ip"):
                source = instance.get(keyword)
                if source is None or not source.args:
                    continue
                address = parse_address(source.args[0])
                if address is not None and instance.family is not None and address.version != instance.family:
                    yield self.report(
                        source.word_pos(1),
                        f"{keyword} {source.args[0]} is IPv{address.version} but {instance.name} is "
                        f"IPv{instance.family}: keepalived ignores it",
                    )
        for _, visit in ctx.visits_of(lambda k: k.entry == "vip"):
            node = visit.node
            if not isinstance(node, ValueBlock):
                continue
            static = node.keyword == "static_ipaddress"
            for entry in node.entries:
                for index, problem in _vip_problems(entry, static):
                    yield self.report(entry.word_pos(index), problem)
        for instance in ctx.config.vrrp_instances:
            for vip in instance.virtual_ipaddresses:
                if vip.address is not None and not vip.valid:
                    yield self.report(
                        vip.line.pos,
                        f"{vip.line.words[0]} is IPv{vip.address.version} but {instance.name} is "
                        f"IPv{instance.family}: keepalived skips it "
                        "(use virtual_ipaddress_excluded or another instance)",
                    )

    def _servers(self, ctx: FileContext) -> Iterator[Diagnostic]:
        """virtual_server IP PORT headers, and real servers of the other address family."""
        for server in map(VirtualServer, ctx.config.top("virtual_server")):  # the skipped too: why they are
            header = server.block.header
            family: int | None = None
            if server.address is not None:
                address = parse_address(server.address)
                if address is None:
                    yield self.report(
                        header.word_pos(1), f"virtual_server address '{server.address}' is not an IP address"
                    )
                    continue
                family = address.version
                if server.port is not None and not _no_port(server.port):
                    if numbers.unsigned(server.port, "1", "65535") is not None:
                        yield self.report(header.word_pos(2), f"virtual_server port '{server.port}' is not 1..65535")
                elif server.get("persistence_timeout") is None and server.get("persistence_granularity") is None:
                    # check_data.c validate_check_config: "zero port only valid for persistent services - setting"
                    yield self.report(
                        header.word_pos(2) if server.port is not None else header.pos,
                        f"virtual_server {server.address} has no port (all ports): keepalived makes it persistent "
                        "(persistence_timeout 360); give a port or persistence_timeout",
                        Severity.WARNING,
                        end=server.end,
                    )
            elif server.fwmark is not None and numbers.unsigned(server.fwmark, "1", None) is not None:
                yield self.report(
                    header.word_pos(2), f"virtual_server fwmark '{server.fwmark}' is not a positive number"
                )
            declared = server.value("ip_family")
            family = {"inet": 4, "inet6": 6}.get(declared or "", family)
            yield from self._granularity(server, family)
            # keepalived's rs_end_handler: an address-less (fwmark or group) server takes the family
            # of its first real server; a tunnelled real server may be of the other family.
            method = None
            for node in server.block.children:
                words = node.words if isinstance(node, Line) else node.header.words
                if type(node) is Line:
                    if words[0] in ("lvs_method", "lb_kind") and len(words) > 1:
                        method = words[1]
                    continue
                if type(node) is not Block or words[0] != "real_server" or len(words) < 2:
                    continue
                address = parse_address(words[1])
                if address is None or address.version == family:
                    continue
                own = next((c.args[0] for c in reversed(node.children) if c.keyword == "lvs_method" and c.args), None)
                if (own or method) == "TUN":
                    continue
                if family is None:
                    family = address.version
                else:
                    yield self.report(
                        node.header.word_pos(1),
                        f"real_server {words[1]} is IPv{address.version} but the virtual server is "
                        f"IPv{family}: keepalived skips it",
                        end=node.close.pos if node.close is not None else None,
                    )
            sorry = server.get("sorry_server")
            if sorry is None or not sorry.args:
                continue
            address = parse_address(sorry.args[0])
            tunnelled = server.value("sorry_server_lvs_method") == "TUN"
            if address is not None and family is not None and address.version != family and not tunnelled:
                yield self.report(
                    sorry.word_pos(1),
                    f"sorry_server is IPv{address.version} but the virtual server is IPv{family}: keepalived skips it",
                    end=server.end,
                )

    def _granularity(self, server: VirtualServer, family: int | None) -> Iterator[Diagnostic]:
        """persistence_granularity: an IPv4 netmask as inet_aton reads it, or an IPv6 prefix
        length; with the family unknown (fwmark), a word with a '.' is taken for IPv4
        (check_parser.c, lvs_persistence_granularity_handler)."""
        line = server.get("persistence_granularity")
        if line is None or not line.args:
            return
        word = line.args[0]
        if family == 4 or (family is None and "." in word):
            try:
                socket.inet_aton(word)
            except OSError:
                yield self.report(line.word_pos(1), f"persistence_granularity '{word}' is not an IPv4 netmask")
                return
            if "." not in word:
                mask = socket.inet_ntoa(socket.inet_aton(word))
                yield self.report(
                    line.word_pos(1),
                    f"persistence_granularity {word} is read as the netmask {mask}, "
                    "not a prefix length: write the mask out (255.255.255.0)",
                    Severity.WARNING,
                )
        elif numbers.unsigned(word, "1", "128") is not None:
            yield self.report(line.word_pos(1), f"persistence_granularity '{word}' is not an IPv6 prefix length 1..128")


def _no_port(word: str) -> bool:
    """A port of zeros, which keepalived (2.0.7 and later) reads as no port (check_data.c)."""
    return word != "" and word.strip("0") == ""


# Four dotted numbers: keepalived resolves anything else (192.168.200 included) as a host name.
_QUAD = re.compile(r"(?:\d+\.){3}\d+")
# What a resolver can look up: labels of letters, digits, '-' and '_' (no leading '-').
_HOST = re.compile(r"(?!-)[A-Za-z0-9_-]+(?:\.(?!-)[A-Za-z0-9_-]+)*\.?")


RULES = (InvalidAddress(),)
