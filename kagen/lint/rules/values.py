"""KA2xx: values keepalived rejects or silently changes, checked against the keyword table's
argument specifications and keepalived's own readers."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from decimal import Decimal

from kagen.diagnostics import Diagnostic, Severity
from kagen.keepalived.keywords import ArgSpec, Keyword
from kagen.keepalived.model import NOTIFY_KEYWORDS, VrrpInstance, parse_address
from kagen.keepalived.tree import Block, Line, ValueBlock, split_quoted_escaped
from kagen.keepalived import numbers
from kagen.lint.context import FileContext
from kagen.lint.rule import Rule

BOOLEANS = ("on", "off", "true", "false", "yes", "no")
NUMERIC = ("uint", "int", "dec")


def _choice_problem(spec: ArgSpec, word: str) -> str | None:
    if spec.type == "enum" and word not in spec.choices:
        return f"is not one of {', '.join(spec.choices)}"
    if spec.type == "enumi" and word.upper() not in (c.upper() for c in spec.choices):
        return f"is not one of {', '.join(spec.choices)}"
    if spec.type == "bool" and word not in BOOLEANS:
        return f"is not one of {', '.join(BOOLEANS)}"
    return None


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


class InvalidNumber(Rule):
    """What: A number keepalived cannot read: not decimal digits (0x10, 1e3, '100'), negative where
    only positive values exist, or more than six decimal places.
    Why: keepalived reports "invalid number" and falls back to the default (priority 100,
    advert_int 1 ...), which is rarely what was meant.
    Example:
        priority 0x64
    Fix: Write a plain decimal number in the documented range.
    """

    code, name, severity = "KA201", "invalid-number", Severity.ERROR

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for line, index, spec, word, statement in ctx.arguments_of(*NUMERIC):
            if statement:
                problem = numbers.READERS[spec.type](word, None, None)
                if problem is not None and not problem.startswith("is outside"):
                    yield ctx.report(self, line.word_pos(index), f"{line.keyword} '{word}' {problem}")


class ValueOutOfRange(Rule):
    """What: A number outside the range keepalived accepts for the keyword.
    Why: keepalived reports it and uses its default instead (priority 300 becomes 100; VRID 256
    leaves the instance without one, so it is dropped).
    Example:
        virtual_router_id 256
    Fix: Use a value in the range kagen shows (virtual_router_id 1..255).
    """

    code, name, severity = "KA202", "value-out-of-range", Severity.ERROR

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for line, index, spec, word, statement in ctx.arguments_of(*NUMERIC):
            if statement and (spec.low is not None or spec.high is not None):
                problem = numbers.READERS[spec.type](word, spec.low, spec.high)
                if problem is not None and problem.startswith("is outside"):
                    yield ctx.report(self, line.word_pos(index), f"{line.keyword} {word} {problem}")


class InvalidChoice(Rule):
    """What: A word that must be one of a fixed set and is not: state, auth_type, lb_algo/lvs_sched,
    lb_kind/lvs_method, protocol, version, booleans and the like. Except for protocol, case matters.
    Why: keepalived reports it and falls back (state master becomes BACKUP, an unknown scheduler is
    ignored), so the node does not behave as written.
    Example:
        state master
    Fix: Use one of the values kagen lists (state MASTER).
    """

    code, name, severity = "KA203", "invalid-choice", Severity.ERROR

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for line, index, spec, word, statement in ctx.arguments_of("enum", "enumi", "bool"):
            problem = _choice_problem(spec, word) if statement else None
            if problem is not None:
                yield ctx.report(self, line.word_pos(index), f"{line.keyword} '{word}' {problem}")


VIP_OPTIONS = {
    "dev": 1,
    "scope": 1,
    "broadcast": 1,
    "brd": 1,
    "label": 1,
    "peer": 1,
    "preferred_lft": 1,
    "home": 0,
    "-nodad": 0,
    "mngtmpaddr": 0,
    "noprefixroute": 0,
    "autojoin": 0,
    "no_track": 0,
}
SCOPES = ("site", "link", "host", "nowhere", "global")


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
        takes = VIP_OPTIONS.get(option)
        if (option == "track_group" and static) or (option == "use_vmac" and not static):
            takes = 1 if option == "track_group" else 0
        if takes is None:
            yield index, f"'{option}' is not a virtual_ipaddress option: keepalived ignores it"
        elif takes and index + 1 >= len(words):
            yield index, f"'{option}' needs a value"
        elif option == "scope" and address.version == 6:
            yield index, "keepalived ignores scope for IPv6 addresses"
        elif option == "scope" and not (words[index + 1] in SCOPES or words[index + 1].isdigit()):
            yield index + 1, f"scope '{words[index + 1]}' is not one of {', '.join(SCOPES)} or a number"
        elif option in ("peer", "broadcast", "brd") and words[index + 1] not in ("+", "-"):
            other = parse_address(words[index + 1])
            if other is None or "/" in words[index + 1]:
                yield index + 1, f"{option} '{words[index + 1]}' is not an IP address"
        index += 1 + (takes or 0)


class InvalidAddress(Rule):
    """What: An address keepalived cannot use: not an IP address where one is required, a prefix
    out of range, a virtual IP of the other family than its instance, a multicast group that is
    not one, an unknown option on a virtual IP.
    Why: keepalived skips the address or the option, or substitutes its own prefix, and reports it.
    A skipped virtual IP means the service address is never brought up.
    Example:
        virtual_ipaddress {
            192.168.0.300/24
        }
    Fix: Write a valid address of the instance's family; one address per line.
    """

    code, name, severity = "KA204", "invalid-address", Severity.ERROR

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for line, index, spec, word, _ in ctx.arguments_of("port", "ip", "mcast4", "mcast6"):
            problem = _address_problem(spec, word)
            if problem is not None:
                yield ctx.report(self, line.word_pos(index), f"{line.keyword} '{word}' {problem}")
        yield from self._servers(ctx)
        smtp = ctx.config.global_defs.get("smtp_server")
        if smtp is not None and smtp.args:
            host = smtp.args[0]
            if "/" in host or (_QUAD.fullmatch(host) and parse_address(host) is None):
                yield ctx.report(self, smtp.word_pos(1), f"smtp_server '{host}' is not an IP address or host name")
        for instance in ctx.config.vrrp_instances:
            for keyword in ("unicast_src_ip", "mcast_src_ip"):
                line = instance.get(keyword)
                address = parse_address(line.args[0]) if line is not None and line.args else None
                if address is not None and instance.family is not None and address.version != instance.family:
                    yield ctx.report(
                        self,
                        line.word_pos(1),
                        f"{keyword} {line.args[0]} is IPv{address.version} but {instance.name} is "
                        f"IPv{instance.family}: keepalived ignores it",
                    )
        for visit in ctx.visits_of(lambda keyword: keyword.entry == "vip"):
            node = visit.node
            if not isinstance(node, ValueBlock):
                continue
            static = node.keyword == "static_ipaddress"
            for entry in node.entries:
                for index, problem in _vip_problems(entry, static):
                    yield ctx.report(self, entry.word_pos(index), problem)
        for instance in ctx.config.vrrp_instances:
            for vip in instance.virtual_ipaddresses:
                if vip.address is not None and not vip.valid:
                    yield ctx.report(
                        self,
                        vip.line.pos,
                        f"{vip.line.words[0]} is IPv{vip.address.version} but {instance.name} is "
                        f"IPv{instance.family}: keepalived skips it "
                        "(use virtual_ipaddress_excluded or another instance)",
                    )

    def _servers(self, ctx: FileContext) -> Iterator[Diagnostic]:
        """virtual_server IP PORT headers, and real servers of the other address family."""
        for server in ctx.config.virtual_servers:
            header = server.block.header
            family = None
            if server.address is not None:
                address = parse_address(server.address)
                if address is None:
                    yield ctx.report(
                        self, header.word_pos(1), f"virtual_server address '{server.address}' is not an IP address"
                    )
                    continue
                family = address.version
                if server.port is not None and numbers.unsigned(server.port, "1", "65535") is not None:
                    yield ctx.report(self, header.word_pos(2), f"virtual_server port '{server.port}' is not 1..65535")
            elif server.fwmark is not None and numbers.unsigned(server.fwmark, "1", None) is not None:
                yield ctx.report(
                    self, header.word_pos(2), f"virtual_server fwmark '{server.fwmark}' is not a positive number"
                )
            declared = server.value("ip_family")
            family = {"inet": 4, "inet6": 6}.get(declared or "", family)
            # keepalived's rs_end_handler: an address-less (fwmark or group) server takes the family
            # of its first real server; a tunnelled real server may be of the other family.
            method = None
            for node in server.block.children:
                words = node.words if type(node) is Line else node.header.words
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
                    yield ctx.report(
                        self,
                        node.header.word_pos(1),
                        f"real_server {words[1]} is IPv{address.version} but the virtual server is "
                        f"IPv{family}: keepalived skips it",
                        end=node.close.pos if node.close is not None else None,
                    )
            sorry = server.get("sorry_server")
            address = parse_address(sorry.args[0]) if sorry is not None and sorry.args else None
            tunnelled = server.value("sorry_server_lvs_method") == "TUN"
            if address is not None and family is not None and address.version != family and not tunnelled:
                yield ctx.report(
                    self,
                    sorry.word_pos(1),
                    f"sorry_server is IPv{address.version} but the virtual server is IPv{family}: keepalived skips it",
                    end=server.end,
                )


# Four dotted numbers: keepalived resolves anything else (192.168.200 included) as a host name.
_QUAD = re.compile(r"(?:\d+\.){3}\d+")


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
                        yield ctx.report(
                            self,
                            node.word_pos(1),
                            f"auth_pass is {len(node.args[0])} characters: keepalived uses only '{node.args[0][:8]}'",
                        )


def _version(ctx: FileContext, instance: VrrpInstance) -> str:
    if instance.family == 6 or instance.has("native_ipv6"):
        return "3"
    return instance.value("version") or ctx.config.global_defs.value("vrrp_version") or "2"


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
                yield ctx.report(
                    self,
                    line.word_pos(1),
                    f"advert_int {line.args[0]}: VRRP version 2 needs whole seconds, keepalived rounds it; "
                    "use version 3 for sub-second adverts",
                )
            elif _version(ctx, instance) == "3" and value >= Decimal("40.96"):
                yield ctx.report(
                    self, line.word_pos(1), f"advert_int {line.args[0]}: VRRP version 3 allows less than 40.96 s"
                )


@functools.cache
def _required(keyword: Keyword) -> tuple[str, ...]:
    return tuple(name for name, child in keyword.children.items() if child.required)


class MissingRequired(Rule):
    """What: A block without what keepalived requires of it: a vrrp_instance without
    virtual_router_id or interface, a vrrp_script without script, a vrrp_track_process without
    process, a bfd_instance without neighbor_ip, a url without path.
    Why: keepalived drops the block ("the virtual router id must be set", "Unknown interface!",
    "No script set ... removing"), so the instance or check does not exist.
    Example:
        vrrp_instance VI_1 {
            interface eth0
        }
    Fix: Add the missing keyword.
    """

    code, name, severity = "KA207", "missing-required", Severity.ERROR

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for visit in ctx.visits_of(lambda keyword: keyword.kind == "block" and _required(keyword)):
            keyword = visit.keyword
            node = visit.node
            if not isinstance(node, Block):
                continue
            required = _required(keyword)
            present = {child.keyword for child in node.children}
            for name in required:
                if name not in present:
                    what = " ".join(node.header.words[:2])
                    end = node.close.pos if node.close is not None else None
                    yield ctx.report(self, node.pos, f"{what} has no {name}: keepalived drops it", end=end)
        for server in ctx.config.virtual_servers:
            for real in server.real_servers:
                for checker in real.checkers:
                    if checker.kind in ("HTTP_GET", "SSL_GET") and checker.blocks("url"):
                        urls = [url for url in checker.blocks("url") if any(c.keyword == "path" for c in url.children)]
                        if not urls:
                            yield ctx.report(
                                self,
                                checker.line.pos,
                                f"{checker.kind} has no url with a path: keepalived ignores the checker",
                                end=checker.end,
                            )
        for instance in ctx.config.vrrp_instances:
            if instance.has("interface"):
                continue
            unicast_ok = ctx.target >= (2, 3, 0) and instance.unicast and instance.has("unicast_src_ip")
            if not unicast_ok:
                yield ctx.report(
                    self,
                    instance.line.pos,
                    f"vrrp_instance {instance.name} has no interface: keepalived {ctx.options.target} drops it "
                    "(Unknown interface!)",
                    end=instance.end,
                )


class NoVirtualIp(Rule):
    """What: A vrrp_instance with no virtual IP address.
    Why: keepalived warns "No VIP specified; at least one is sensible": the instance elects a
    MASTER but moves no address, which is rarely the intent.
    Example:
        vrrp_instance VI_1 {
            interface eth0
            virtual_router_id 51
        }
    Fix: Add virtual_ipaddress { ... }, or no_virtual_ipaddress (keepalived 2.2.8 and later) when
    the instance only drives scripts.
    """

    code, name, severity = "KA208", "no-virtual-ip", Severity.WARNING
    reads = ("vrrp_instance",)

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for instance in ctx.config.vrrp_instances:
            if not any(vip.valid for vip in instance.virtual_ipaddresses) and not instance.has("no_virtual_ipaddress"):
                yield ctx.report(
                    self,
                    instance.line.pos,
                    f"vrrp_instance {instance.name} has no virtual IP address",
                    end=instance.end,
                )


SCRIPT_KEYWORDS = (
    *NOTIFY_KEYWORDS,
    "script",
    "misc_path",
    "quorum_up",
    "quorum_down",
    "notify_up",
    "notify_down",
    "startup_script",
    "shutdown_script",
    "notify_fifo_script",
    "vrrp_notify_fifo_script",
    "lvs_notify_fifo_script",
)


class UnquotedScript(Rule):
    """What: A script command with arguments that is not quoted.
    Why: keepalived takes only the first word as the command; the next words are read as the user
    and group to run it as. keepalived logs "Invalid user/group" and drops the script, or runs the
    command as another user. This goes beyond keepalived -t, which accepts it.
    Example:
        notify_master /usr/local/bin/notify.sh MASTER
    Fix: Quote the whole command: notify_master "/usr/local/bin/notify.sh MASTER".
    """

    code, name, severity = "KA209", "unquoted-script", Severity.ERROR
    beyond_keepalived = True

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for line, _ in ctx.statements_of(lambda keyword: keyword.quoted):
            if len(line.words) < 3:
                continue
            words = split_quoted_escaped(line.text)
            if words is None or len(words) < 3 or line.text.split(None, 1)[1].startswith(('"', "'")):
                continue
            yield ctx.report(
                self,
                line.word_pos(2),
                f"{line.keyword} {words[1]}: keepalived reads '{' '.join(words[2:4])}' as the user to run it as, "
                f'not as arguments; quote the command: {line.keyword} "{" ".join(words[1:])}"',
            )


class ScriptSecurity(Rule):
    """What: Scripts (vrrp_script, notify, MISC_CHECK ...) without enable_script_security in
    global_defs.
    Why: keepalived then runs them as root and reports a security violation: keepalived -t fails
    (exit status 6). keepalived only notices when the script exists on the machine it runs on;
    kagen reports it wherever the file is linted.
    Example:
        vrrp_script chk {
            script "/usr/local/bin/check.sh"
        }
    Fix: Add enable_script_security and script_user (for example keepalived_script) to global_defs,
    and make sure the scripts are not writable by that user.
    """

    code, name, severity = "KA210", "script-security", Severity.ERROR
    whole_config = True
    beyond_keepalived = True

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        scripts = [line for line, _ in ctx.statements_of(lambda keyword: keyword.quoted) if len(line.words) > 1]
        order = {source.name: index for index, source in enumerate(ctx.config.files)}
        scripts.sort(key=lambda line: (order.get(line.pos.file, 0), line.pos.line, line.pos.col))
        if not scripts:
            return
        defs = ctx.config.global_defs
        if not defs.has("enable_script_security"):
            yield ctx.report(
                self,
                scripts[0].pos,
                f"{scripts[0].keyword} runs a script but global_defs has no enable_script_security: "
                "keepalived runs it as root and reports a security violation",
            )
        elif not defs.has("script_user"):
            yield ctx.report(
                self,
                scripts[0].pos,
                "enable_script_security without script_user: keepalived needs a 'keepalived_script' user on "
                "the machine, or drops the scripts; set script_user",
                Severity.WARNING,
            )


class NopreemptIgnored(Rule):
    """What: nopreempt or preempt_delay that keepalived clears: with state MASTER, with priority 255,
    or both together.
    Why: keepalived resets them with an error, so the node preempts although the configuration
    says it should not.
    Example:
        state MASTER
        nopreempt
    Fix: With nopreempt, use state BACKUP on every node and a priority below 255.
    """

    code, name, severity = "KA211", "nopreempt-ignored", Severity.ERROR
    reads = ("vrrp_instance",)

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for instance in ctx.config.vrrp_instances:
            master = instance.state == "MASTER"
            for keyword in ("nopreempt", "preempt_delay"):
                line = instance.get(keyword)
                if line is None:
                    continue
                if master:
                    yield ctx.report(self, line.pos, f"{keyword} does not work with state MASTER: keepalived clears it")
                elif keyword == "nopreempt" and instance.priority == "255":
                    yield ctx.report(
                        self, line.pos, "nopreempt is incompatible with priority 255: keepalived clears it"
                    )
                elif keyword == "preempt_delay" and instance.has("nopreempt"):
                    yield ctx.report(
                        self, line.pos, "preempt_delay is incompatible with nopreempt: keepalived resets it"
                    )


class AuthenticationIgnored(Rule):
    """What: An authentication block keepalived ignores: with VRRP version 3 or an IPv6 instance,
    or in strict mode.
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
    reads = ("vrrp_instance",)

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for instance in ctx.config.vrrp_instances:
            for block in instance.blocks("authentication"):
                if _version(ctx, instance) == "3":
                    yield ctx.report(
                        self, block.pos, "VRRP version 3 has no authentication: keepalived ignores this block"
                    )


class InvalidEntry(Rule):
    """What: An entry of a value block that keepalived cannot read: a unicast_peer option other than
    min_ttl/max_ttl, a track_* entry with a bad weight or option, several addresses on one line.
    Why: keepalived skips the entry or the option ("Unknown configuration entry", "unknown
    unicast_peer option"), so the peer, address or tracking is missing.
    Example:
        virtual_ipaddress {
            192.168.0.100 192.168.0.101
        }
    Fix: One entry per line, with only the options keepalived documents.
    """

    code, name, severity = "KA213", "invalid-entry", Severity.ERROR

    def _group(self, ctx: FileContext, node: ValueBlock) -> Iterator[Diagnostic]:
        """A virtual_server_group keepalived removes (vsg_handler): nothing usable in it, or both
        address families together with a fwmark that has none."""
        usable = [entry.words for entry in node.entries if _vsg_problem(entry.words) is None]
        families = {_vsg_family(words) for words in usable}
        end = node.close.pos if node.close is not None else None
        if not usable:
            yield ctx.report(self, node.pos, "virtual_server_group has no usable entry: keepalived removes it", end=end)
        elif {4, 6, None} <= families:
            yield ctx.report(
                self,
                node.pos,
                "virtual_server_group mixes IPv4 and IPv6 with a fwmark of no family: keepalived removes it; "
                "add inet or inet6 to the fwmark entries",
                end=end,
            )

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for visit in ctx.visits_of(lambda keyword: keyword.kind == "list"):
            node = visit.node
            if not isinstance(node, ValueBlock):
                continue
            entry_kind = visit.keyword.entry
            if node.keyword == "virtual_server_group":
                yield from self._group(ctx, node)
            if node.keyword == "notification_email" and not node.entries:
                end = node.close.pos if node.close is not None else None
                yield ctx.report(self, node.pos, "notification_email block is empty", Severity.WARNING, end=end)
            if entry_kind == "track":
                yield from self._duplicates(ctx, node)
            for entry in node.entries:
                if entry_kind == "vsg":
                    problem = _vsg_problem(entry.words)
                    if problem is not None:
                        yield ctx.report(self, entry.pos, f"virtual_server_group entry '{entry.text}': {problem}")
                words = entry.words
                if entry_kind == "peer":
                    for index in range(1, len(words), 2):
                        if words[index] not in ("min_ttl", "max_ttl"):
                            yield ctx.report(
                                self,
                                entry.word_pos(index),
                                f"'{words[index]}' is not a unicast_peer option (min_ttl, max_ttl)",
                            )
                        elif index + 1 >= len(words):
                            yield ctx.report(self, entry.word_pos(index), f"{words[index]} needs a value")
                        elif numbers.unsigned(words[index + 1], "0", "255") is not None:
                            yield ctx.report(
                                self, entry.word_pos(index + 1), f"{words[index]} {words[index + 1]} is not 0..255"
                            )
                elif entry_kind == "track":
                    yield from self._track(ctx, node.keyword, entry)

    def _duplicates(self, ctx: FileContext, node: ValueBlock) -> Iterator[Diagnostic]:
        seen: set[str] = set()
        for entry in node.entries:
            if entry.words[0] in seen:
                yield ctx.report(
                    self,
                    entry.pos,
                    f"{entry.words[0]} is already in this {node.keyword}: keepalived ignores it",
                    Severity.WARNING,
                )
            seen.add(entry.words[0])

    def _track(self, ctx: FileContext, kind: str, entry: Line) -> Iterator[Diagnostic]:
        words = entry.words
        limit = "254" if kind in ("track_file", "track_process") else "253"
        index = 1
        while index < len(words):
            option = words[index]
            if option == "weight":
                if index + 1 >= len(words):
                    yield ctx.report(self, entry.word_pos(index), "weight needs a value")
                    return
                problem = numbers.signed(words[index + 1], f"-{limit}", limit)
                if problem is not None:
                    yield ctx.report(self, entry.word_pos(index + 1), f"weight {words[index + 1]} {problem}")
                index += 2
            elif option in ("reverse", "noreverse") and index > 1:
                index += 1
            else:
                yield ctx.report(self, entry.word_pos(index), f"'{option}' is not a {kind} option (weight N [reverse])")
                return


def _vsg_family(words: list[str]) -> int | None:
    """4 or 6 for a usable entry; None for a fwmark without inet/inet6."""
    if words[0] == "fwmark":
        return {"inet": 4, "inet6": 6}.get(words[2]) if len(words) > 2 else None
    address = parse_address(words[0].partition("-")[0].partition("/")[0])
    return address.version if address is not None else None


def _vsg_problem(words: list[str]) -> str | None:
    """keepalived's virtual_server_group entry: ADDR[-LAST|/LEN] [PORT] or fwmark N [inet|inet6]."""
    if words[0] == "fwmark":
        if len(words) < 2 or numbers.unsigned(words[1], "0", str(2**32 - 1)) is not None:
            return "fwmark needs a number 0..4294967295"
        if len(words) > 2 and words[2] not in ("inet", "inet6"):
            return f"'{words[2]}' is not inet or inet6"
        return None
    text = words[0]
    base, _, last = text.partition("-")
    base, _, prefix = base.partition("/")
    address = parse_address(base)
    if address is None:
        return "not an IP address"
    if (
        last
        and parse_address(last) is None
        and not last.isdigit()
        and not all(c in "0123456789abcdefABCDEF" for c in last)
    ):
        return f"range end '{last}' is not valid"
    if prefix and numbers.unsigned(prefix, "0", str(address.max_prefixlen)) is not None:
        return f"prefix /{prefix} is not 0..{address.max_prefixlen}"
    if len(words) > 1 and numbers.unsigned(words[1], "0", "65535") is not None:
        return f"port '{words[1]}' is not a port number"
    if len(words) > 2:
        return f"'{' '.join(words[2:])}' is not part of an entry"
    return None


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
                yield ctx.report(
                    self,
                    group.line.pos,
                    f"vrrp_sync_group {group.name} has {len(members)} instance(s): it synchronises nothing",
                    end=group.end,
                )


class StateCleared(Rule):
    """What: state MASTER that keepalived changes to BACKUP: with AH authentication and a priority
    below 255.
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
    reads = ("vrrp_instance",)

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for instance in ctx.config.vrrp_instances:
            state = instance.get("state")
            if state is None or instance.state != "MASTER" or instance.priority == "255":
                continue
            for block in instance.blocks("authentication"):
                types = [
                    n.args[0] for n in block.children if isinstance(n, Line) and n.keyword == "auth_type" and n.args
                ]
                if types and types[-1] == "AH" and _version(ctx, instance) == "2":
                    yield ctx.report(
                        self,
                        state.pos,
                        "state MASTER is incompatible with AH authentication: keepalived starts as BACKUP",
                    )


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
                yield ctx.report(self, line.pos, f"protocol is ignored for virtual_server fwmark {server.fwmark}")


# Words of keepalived's route syntax (a subset of "ip route") and how many values each takes;
# None: the rest of the entry belongs to it.
ROUTE_TYPES = (
    "unicast",
    "local",
    "broadcast",
    "anycast",
    "multicast",
    "blackhole",
    "unreachable",
    "prohibit",
    "throw",
    "nat",
    "xresolve",
)
ROUTE_WORDS = {
    "src": 1,
    "as": 1,
    "via": 1,
    "gw": 1,
    "from": 1,
    "tos": 1,
    "dsfield": 1,
    "table": 1,
    "protocol": 1,
    "scope": 1,
    "metric": 1,
    "priority": 1,
    "preference": 1,
    "dev": 1,
    "oif": 1,
    "onlink": 0,
    "encap": None,
    "expires": 1,
    "mtu": 1,
    "hoplimit": 1,
    "advmss": 1,
    "rtt": 1,
    "rttvar": 1,
    "reordering": 1,
    "window": 1,
    "cwnd": 1,
    "ssthresh": 1,
    "realms": 1,
    "rto_min": 1,
    "initcwnd": 1,
    "initrwnd": 1,
    "features": 1,
    "quickack": 1,
    "congctl": 1,
    "pref": 1,
    "ttl-propagate": 1,
    "fastopen_no_cookie": 1,
    "add": 0,
    "prepend": 0,
    "append": 0,
    "or": 1,
    "nexthop": None,
    "no_track": 0,
    "track_group": 1,
    "vrf": 1,
    "inet": 0,
    "inet6": 0,
    "lock": 0,
}
ROUTE_DEPRECATED = {"gw": "via", "or": "nexthop", "default6": "inet6 default"}
RULE_WORDS = {
    "from": 1,
    "to": 1,
    "table": 1,
    "lookup": 1,
    "preference": 1,
    "order": 1,
    "priority": 1,
    "tos": 1,
    "dsfield": 1,
    "fwmark": 1,
    "realms": 1,
    "suppress_prefixlength": 1,
    "sup_pl": 1,
    "suppress_ifgroup": 1,
    "sup_group": 1,
    "dev": 1,
    "iif": 1,
    "oif": 1,
    "tunnel-id": 1,
    "uidrange": 1,
    "l3mdev": 0,
    "protocol": 1,
    "ipproto": 1,
    "sport": 1,
    "dport": 1,
    "no_track": 0,
    "track_group": 1,
    "type": 1,
    "goto": 1,
    "nop": 0,
    "inet": 0,
    "inet6": 0,
    "blackhole": 0,
    "prohibit": 0,
    "unreachable": 0,
}
ADDRESS_WORDS = ("src", "via", "gw", "from", "to", "or")
RULE_ACTIONS = {"table", "lookup", "goto", "nop", "blackhole", "prohibit", "unreachable", "l3mdev", "type"}


def _prefix_ok(word: str) -> bool:
    text, _, prefix = word.partition("/")
    address = parse_address(text) if "-" not in text else None
    return address is not None and (not prefix or numbers.unsigned(prefix, "0", str(address.max_prefixlen)) is None)


class RouteEntry(Rule):
    """What: A virtual_routes/static_routes or virtual_rules/static_rules entry keepalived cannot
    read as written: an unknown word, a missing destination or value, an invalid address, a
    deprecated word (gw, or, default6), a route without dev (not tracked) or a rule without
    preference.
    Why: keepalived skips the route or rule, or the option ("unknown route keyword", "Invalid rule
    to address"), or installs it differently from what was written.
    Example:
        virtual_routes {
            192.168.112.0/24 gw 192.168.100.1
        }
    Fix: Use ip-route syntax with the current words (via instead of gw, nexthop instead of or), a
    dev for routes keepalived should track, and a preference for rules.
    """

    code, name, severity = "KA217", "route-entry", Severity.ERROR

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for visit in ctx.visits_of(lambda keyword: keyword.entry in ("route", "rule")):
            node = visit.node
            if not isinstance(node, ValueBlock):
                continue
            for entry in node.entries:
                if visit.keyword.entry == "route":
                    yield from self._route(ctx, entry)
                else:
                    yield from self._rule(ctx, entry)

    def _words(self, ctx: FileContext, entry: Line, table: dict, start: int, what: str) -> Iterator[Diagnostic]:
        words = entry.words
        index = start
        while index < len(words):
            word = words[index]
            if word in ROUTE_DEPRECATED and table is ROUTE_WORDS:
                use = ROUTE_DEPRECATED[word]
                yield ctx.report(
                    self, entry.word_pos(index), f"'{word}' is deprecated in routes; use '{use}'", Severity.WARNING
                )
            takes = table.get(word, -1)
            if takes == -1:
                yield ctx.report(
                    self, entry.word_pos(index), f"'{word}' is not a {what} keyword: keepalived rejects the {what}"
                )
                return
            if takes is None:
                return
            if word in ("via", "gw") and index + 1 < len(words) and words[index + 1] in ("inet", "inet6"):
                index += 1  # via inet6 ADDR: the family is given before the address
            if index + takes >= len(words) and takes:
                yield ctx.report(self, entry.word_pos(index), f"'{word}' needs a value")
                return
            if word in ADDRESS_WORDS and not _prefix_ok(words[index + 1]):
                yield ctx.report(self, entry.word_pos(index + 1), f"{word} '{words[index + 1]}' is not an IP address")
            index += 1 + takes

    def _route(self, ctx: FileContext, entry: Line) -> Iterator[Diagnostic]:
        words = entry.words
        index = 1 if words[0] in ROUTE_TYPES else 0
        while index < len(words) and words[index] in ("inet", "inet6", "src", "to"):
            index += 2 if words[index] == "src" else 1
        if index >= len(words):
            yield ctx.report(self, entry.pos, "route has no destination: keepalived skips it")
            return
        destination = words[index]
        if destination in ROUTE_DEPRECATED:
            use = ROUTE_DEPRECATED[destination]
            yield ctx.report(
                self, entry.word_pos(index), f"'{destination}' is deprecated; use '{use}'", Severity.WARNING
            )
        elif destination not in ("default", "any", "all") and not _prefix_ok(destination):
            yield ctx.report(self, entry.word_pos(index), f"route destination '{destination}' is not an address/prefix")
            return
        found = list(self._words(ctx, entry, ROUTE_WORDS, index + 1, "route"))
        if not found:
            mixed = _route_family_mix(words)
            if mixed is not None:
                found.append(
                    ctx.report(
                        self,
                        entry.word_pos(mixed),
                        f"'{words[mixed]}' is of the other address family than the route: keepalived skips the route",
                    )
                )
        yield from found
        if not any(f.severity is Severity.ERROR for f in found) and not {"dev", "oif", "no_track"} & set(words):
            yield ctx.report(
                self,
                entry.pos,
                "route without dev: keepalived cannot track it (add dev IF or no_track)",
                Severity.WARNING,
            )

    def _rule(self, ctx: FileContext, entry: Line) -> Iterator[Diagnostic]:
        found = list(self._words(ctx, entry, RULE_WORDS, 0, "rule"))
        if not found and not RULE_ACTIONS & set(entry.words):
            found.append(
                ctx.report(self, entry.pos, "rule has no action (table, goto, nop ...): keepalived ignores it")
            )
        yield from found
        if not found and not {"preference", "order", "priority"} & set(entry.words):
            yield ctx.report(
                self, entry.pos, "rule without preference: keepalived picks one (16384 downwards)", Severity.WARNING
            )


def _route_family_mix(words: list[str]) -> int | None:
    """The index of the first word whose address family differs from the route's, as
    keepalived's parse_route_opts sees it: the first of inet/inet6, src, via, from or the
    destination fixes the family."""
    family = None
    index = 1 if words[0] in ROUTE_TYPES else 0
    while index < len(words):
        word = words[index]
        found, at = None, index
        if word in ("inet", "inet6"):
            found = 4 if word == "inet" else 6
        elif word in ("src", "from") and index + 1 < len(words):
            index += 1
            found, at = _family(words[index]), index
        elif word in ("via", "gw") and index + 1 < len(words):
            index += 1
            if words[index] in ("inet", "inet6") and index + 1 < len(words):
                qualifier = 4 if words[index] == "inet" else 6
                if family is not None and qualifier != family:
                    return index
                family = qualifier
                index += 1
            found, at = _family(words[index]), index
        elif word in ROUTE_WORDS:
            index += ROUTE_WORDS[word] or 0
            if ROUTE_WORDS[word] is None:
                return None
        elif word == "to" or word in ROUTE_TYPES:
            pass
        elif word not in ("default", "any", "all"):
            found = _family(word)
        if found is not None:
            if family is not None and found != family:
                return at
            family = found
        index += 1
    return None


def _family(text: str) -> int | None:
    address = parse_address(text.partition("/")[0])
    return address.version if address is not None else None


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
                yield ctx.report(self, server.line.pos, "no lvs_sched/lb_algo: keepalived uses wlc")
            if server.method is None:
                yield ctx.report(self, server.line.pos, "no lvs_method/lb_kind: keepalived uses NAT")
            if server.protocol is None and server.fwmark is None:
                yield ctx.report(self, server.line.pos, "no protocol: keepalived uses UDP")


RULES = (
    InvalidNumber(),
    ValueOutOfRange(),
    InvalidChoice(),
    InvalidAddress(),
    AuthPassTruncated(),
    AdvertIntChanged(),
    MissingRequired(),
    NoVirtualIp(),
    UnquotedScript(),
    ScriptSecurity(),
    NopreemptIgnored(),
    AuthenticationIgnored(),
    InvalidEntry(),
    SyncGroupSize(),
    StateCleared(),
    FwmarkProtocol(),
    RouteEntry(),
    VirtualServerDefaults(),
)
