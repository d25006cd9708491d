"""The inventory: what a user has in the cloud and the keepalived clusters on it, as a YAML, JSON
or TOML file, checked with voluptuous and turned into the resource model (``kagen.cloud.model``).

An inventory that cannot be used stops the run (exit 2) with every problem found, each as
``FILE:LINE: data.path: message``. What is well-formed but wrong for the cloud (an address outside
its vSwitch, a quota exceeded) is left to the KA4xx rules, which report with rule codes.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable

import voluptuous as vol

from kagen.cloud.facts import limit_keys
from kagen.cloud.model import (
    DEFAULT_VPC,
    Auth,
    Check,
    Cluster,
    ClusterMember,
    Eip,
    Endpoint,
    Havip,
    Inventory,
    Vpc,
    VSwitch,
)
from kagen.diagnostics import InputError, Position
from kagen.inventory import datafile

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")
IFNAME = re.compile(r"^[A-Za-z0-9_.:@-]{1,15}$")  # Linux IFNAMSIZ is 16 with the NUL
RESOURCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# What may not appear in text that ends up in a keepalived.conf: keepalived cuts a line at '#' or
# '!', splits it at '{' and '}', quotes only with '"', and replaces $NAME with a parameter's value;
# control characters end or garble lines.
UNSAFE = re.compile(r'[\x00-\x1f\x7f"{}#!\\$]')
MAX_TEXT = 900  # keepalived reads at most 1023 bytes a line; leave room for the keyword

DEFAULT_INTERFACE = "eth0"
MASTER_PRIORITY, BACKUP_PRIORITY, BACKUP_STEP = 150, 100, 10
ROLES = ("MASTER", "BACKUP")
NOTIFY = ("master", "backup", "fault", "stop", "any")


class InventoryError(InputError):
    """The inventory cannot be used; ``problems`` are ``FILE:LINE: path: message`` lines."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _validator(check: Callable[[object], object], message: str) -> Callable[[object], object]:
    def validate(value: object) -> object:
        try:
            return check(value)
        except (TypeError, ValueError):
            raise vol.Invalid(message.format(value=value)) from None

    return validate


def _ipv4(value: object) -> ipaddress.IPv4Address:
    if not isinstance(value, str):
        raise TypeError
    return ipaddress.IPv4Address(value)


def _havip_address(value: object) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if value == "auto":
        return None
    if not isinstance(value, str):
        raise TypeError
    return ipaddress.ip_address(value)


def _cidr(value: object) -> ipaddress.IPv4Network:
    if not isinstance(value, str) or "/" not in value:
        raise TypeError
    return ipaddress.IPv4Network(value)


def _route(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError
    return str(ipaddress.ip_network(value))


def _pattern(regex: re.Pattern, what: str) -> Callable[[object], object]:
    def validate(value: object) -> object:
        if not isinstance(value, str) or not regex.match(value):
            raise vol.Invalid(f"{value!r} is not {what}")
        return value

    return validate


def _text(value: object) -> str:
    """Free text that goes into a configuration (a script command, a notify hook)."""
    if not isinstance(value, str) or not value.strip():
        raise vol.Invalid("expected a non-empty string")
    bad = UNSAFE.search(value)
    if bad:
        raise vol.Invalid(f"{bad.group()!r} is not allowed here: it would end or change the keepalived line")
    if len(value) > MAX_TEXT:
        raise vol.Invalid(f"longer than {MAX_TEXT} characters (keepalived reads 1023 bytes a line)")
    return value


def _integer(low: int, high: int) -> Callable[[object], int]:
    def validate(value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise vol.Invalid(f"expected a whole number, got {value!r}")
        if not low <= value <= high:
            raise vol.Invalid(f"{value} is not between {low} and {high}")
        return value

    return validate


def _number(low: float, high: float) -> Callable[[object], float]:
    def validate(value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise vol.Invalid(f"expected a number, got {value!r}")
        if not low <= value <= high:
            raise vol.Invalid(f"{value} is not between {low} and {high}")
        return value

    return validate


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise vol.Invalid(f"expected true or false, got {value!r}")
    return value


def _role(value: object) -> str:
    if not isinstance(value, str) or value.upper() not in ROLES:
        raise vol.Invalid(f"role must be master or backup, not {value!r}")
    return value.upper()


def _one_or_many(schema: object) -> vol.Any:
    return vol.Any([schema], vol.All(schema, lambda value: [value]))


NAME_V = _pattern(NAME, "a name (letters, digits, '.', '_', '-'; at most 63)")
IFNAME_V = _pattern(IFNAME, "a network interface name (at most 15 characters)")
ID_V = _pattern(RESOURCE_ID, "a cloud resource id")
IPV4 = _validator(_ipv4, "{value!r} is not an IPv4 address")
CIDR = _validator(_cidr, "{value!r} is not an IPv4 network like 192.168.0.0/24")

EIP = vol.Any(
    vol.All(IPV4, lambda address: {"address": address}),
    {vol.Required("address"): IPV4, vol.Optional("id"): ID_V},
    msg="expected an IPv4 address or {address, id}",
)
MEMBER = vol.Any(
    vol.All(NAME_V, lambda name: {"name": name}),
    {
        vol.Required("name"): NAME_V,
        vol.Optional("role"): _role,
        vol.Optional("priority"): _integer(1, 255),
        vol.Optional("config"): vol.All(str, vol.Length(min=1)),
    },
    msg="expected a member name or {name, role, priority, config}",
)
CLUSTER = {
    vol.Exclusive("havip", "havip"): NAME_V,
    vol.Exclusive("havips", "havip"): vol.All([NAME_V], vol.Length(min=1)),
    vol.Required("vrid"): _integer(1, 255),
    vol.Optional("members"): vol.All([MEMBER], vol.Length(min=1)),
    vol.Optional("nopreempt", default=False): _flag,
    vol.Optional("advert_int", default=1): _number(0.01, 255),
    vol.Optional("check"): {
        vol.Required("script"): _text,
        vol.Optional("interval", default=2): _integer(1, 3600),
        vol.Optional("timeout"): _integer(1, 3600),
        vol.Optional("fall", default=2): _integer(1, 255),
        vol.Optional("rise", default=2): _integer(1, 255),
        vol.Optional("weight"): _integer(-254, 254),
    },
    vol.Optional("auth"): vol.All(
        {
            vol.Optional("type", default="PASS"): vol.In(("PASS", "AH"), msg="auth type must be PASS or AH"),
            vol.Exclusive("password_env", "password"): _pattern(ENV_NAME, "an environment variable name"),
            vol.Exclusive("password_file", "password"): vol.All(str, vol.Length(min=1)),
        },
    ),
    vol.Optional("notify"): {vol.Optional(event): _text for event in NOTIFY},
    vol.Optional("sync_group", default=False): _flag,
    vol.Optional("options"): {
        _pattern(re.compile(r"^[a-z][a-z0-9_]*$"), "a keepalived keyword"): vol.Any(
            None, _text, _integer(-(2**31), 2**32), [vol.Any(_text, _integer(-(2**31), 2**32))]
        )
    },
}
SCHEMA = vol.Schema(
    {
        vol.Optional("region"): _pattern(re.compile(r"^[a-z]{2}-[a-z0-9-]+$"), "a region id like cn-hangzhou"),
        vol.Optional("limits"): {vol.Optional(key): _integer(0, 1_000_000) for key in limit_keys()},
        vol.Optional("vpcs"): vol.Any(
            None, {str: vol.Any(None, {vol.Optional("id"): ID_V, vol.Optional("cidr"): CIDR})}
        ),
        vol.Optional("vswitches"): vol.Any(
            None,
            {
                str: {
                    vol.Optional("cidr"): CIDR,
                    vol.Optional("vpc"): NAME_V,
                    vol.Optional("zone"): ID_V,
                    vol.Optional("id"): ID_V,
                }
            },
        ),
        vol.Optional("instances"): vol.Any(
            None,
            {
                str: {
                    vol.Optional("ip"): IPV4,
                    vol.Required("vswitch"): NAME_V,
                    vol.Optional("interface", default=DEFAULT_INTERFACE): IFNAME_V,
                    vol.Optional("id"): ID_V,
                }
            },
        ),
        vol.Optional("enis"): vol.Any(
            None,
            {
                str: {
                    vol.Optional("ip"): IPV4,
                    vol.Required("vswitch"): NAME_V,
                    vol.Optional("instance"): NAME_V,
                    vol.Optional("device"): IFNAME_V,
                    vol.Optional("id"): ID_V,
                }
            },
        ),
        vol.Optional("havips"): vol.Any(
            None,
            {
                str: {
                    vol.Required("vswitch"): NAME_V,
                    vol.Optional("address", default="auto"): _validator(
                        _havip_address, "{value!r} is not an IP address or auto"
                    ),
                    vol.Optional("members", default=list): [NAME_V],
                    vol.Optional("eip"): _one_or_many(EIP),
                    vol.Optional("routes", default=list): [_validator(_route, "{value!r} is not a network")],
                    vol.Optional("id"): ID_V,
                    vol.Optional("description"): str,
                }
            },
        ),
        vol.Optional("clusters"): vol.Any(None, {str: CLUSTER}),
    }
)


def _message(error: vol.Invalid) -> str:
    if error.error_message == "extra keys not allowed" and error.path:
        key = error.path[-1]
        if len(error.path) == 2 and error.path[0] == "limits":
            return f"unknown limit '{key}' (known: {', '.join(limit_keys())})"
        return f"unknown key '{key}'"
    if error.error_message == "required key not provided" and error.path:
        return "required, but missing"
    return error.error_message


class _Builder:
    """Validated data to the resource model, collecting every reference problem."""

    def __init__(self, doc: datafile.Document) -> None:
        self.doc = doc
        self.problems: list[tuple[int, str]] = []

    def pos(self, *where: str | int) -> Position:
        line, col = self.doc.place(where) or (1, 1)
        return Position(self.doc.path, line, col)

    def problem(self, where: tuple, message: str) -> None:
        line = self.doc.line(where) or 0
        self.problems.append((line, f"{datafile.format_path(where)}: {message}"))

    def names(self, section: str, data: dict) -> dict:
        for name in data:
            if not NAME.match(name):
                self.problem((section, name), f"{name!r} is not a name (letters, digits, '.', '_', '-'; at most 63)")
        return data

    def build(self, data: dict) -> Inventory:
        inv = Inventory(self.doc.path, self.pos())
        if "region" in data:
            inv.region, inv.region_pos = data["region"], self.pos("region")
        for key, value in (data.get("limits") or {}).items():
            inv.limits[key], inv.limits_pos[key] = value, self.pos("limits", key)
        for name, entry in self.names("vpcs", data.get("vpcs") or {}).items():
            entry = entry or {}
            inv.vpcs[name] = Vpc(name, self.pos("vpcs", name), entry.get("id"), entry.get("cidr"))
        self.vswitches(inv, data.get("vswitches") or {})
        self.endpoints(inv, data)
        self.havips(inv, data.get("havips") or {})
        self.clusters(inv, data.get("clusters") or {})
        return inv

    def vswitches(self, inv: Inventory, data: dict) -> None:
        for name, entry in self.names("vswitches", data).items():
            vpc = entry.get("vpc", DEFAULT_VPC)
            if inv.vpcs and vpc not in inv.vpcs:
                self.problem(("vswitches", name, "vpc" if "vpc" in entry else ()), f"unknown VPC '{vpc}'")
            parent = inv.vpcs.get(vpc)
            cidr = entry.get("cidr")
            if parent is not None and parent.cidr is not None and cidr is not None and not cidr.subnet_of(parent.cidr):
                self.problem(("vswitches", name, "cidr"), f"{entry['cidr']} is not inside VPC {vpc} ({parent.cidr})")
            inv.vswitches[name] = VSwitch(
                name, self.pos("vswitches", name), cidr, vpc, entry.get("zone"), entry.get("id")
            )

    def endpoints(self, inv: Inventory, data: dict) -> None:
        instances = self.names("instances", data.get("instances") or {})
        for name, entry in instances.items():
            inv.endpoints[name] = self.endpoint(inv, "instances", name, entry, "instance", entry["interface"])
        for name, entry in self.names("enis", data.get("enis") or {}).items():
            if name in inv.endpoints:
                self.problem(("enis", name), f"'{name}' is also the name of an instance; names must be unique")
                continue
            owner = entry.get("instance")
            if owner is not None and owner not in instances:
                self.problem(("enis", name, "instance"), f"unknown instance '{owner}'")
            endpoint = self.endpoint(inv, "enis", name, entry, "eni", entry.get("device"))
            endpoint.instance = owner
            inv.endpoints[name] = endpoint

    def endpoint(self, inv: Inventory, section: str, name: str, entry: dict, kind: str, ifname: str | None):
        vswitch = inv.vswitches.get(entry["vswitch"])
        if vswitch is None:
            self.problem((section, name, "vswitch"), f"unknown vSwitch '{entry['vswitch']}'")
        elif entry.get("ip") is not None and vswitch.cidr is not None and entry["ip"] not in vswitch.cidr:
            self.problem((section, name, "ip"), f"{entry['ip']} is not in vSwitch {vswitch.name} ({vswitch.cidr})")
        return Endpoint(name, self.pos(section, name), kind, entry.get("ip"), entry["vswitch"], ifname, entry.get("id"))

    def havips(self, inv: Inventory, data: dict) -> None:
        for name, entry in self.names("havips", data).items():
            if entry["vswitch"] not in inv.vswitches:
                self.problem(("havips", name, "vswitch"), f"unknown vSwitch '{entry['vswitch']}'")
            seen: set[str] = set()
            for index, member in enumerate(entry["members"]):
                if member not in inv.endpoints:
                    self.problem(("havips", name, "members", index), f"unknown instance or ENI '{member}'")
                elif member in seen:
                    self.problem(("havips", name, "members", index), f"'{member}' is listed twice")
                seen.add(member)
            eips = entry.get("eip", [])
            inv.havips[name] = Havip(
                name=name,
                pos=self.pos("havips", name),
                vswitch=entry["vswitch"],
                address=entry["address"],
                address_pos=self.pos("havips", name, "address"),
                members=list(entry["members"]),
                member_pos=[self.pos("havips", name, "members", i) for i in range(len(entry["members"]))],
                eips=[
                    Eip(str(e["address"]), self.pos("havips", name, "eip", i), e.get("id")) for i, e in enumerate(eips)
                ],
                routes=list(entry["routes"]),
                id=entry.get("id"),
            )

    def clusters(self, inv: Inventory, data: dict) -> None:
        for name, entry in self.names("clusters", data).items():
            havips = entry.get("havips") or ([entry["havip"]] if "havip" in entry else [])
            if not havips:
                self.problem(("clusters", name), "'havip' (or 'havips') is required")
                continue
            key = "havips" if "havips" in entry else "havip"
            for index, havip in enumerate(havips):
                if havip not in inv.havips:
                    self.problem(
                        ("clusters", name, key, index) if key == "havips" else ("clusters", name, key),
                        f"unknown HAVIP '{havip}'",
                    )
            known = [h for h in havips if h in inv.havips]
            members = self.members(inv, name, entry, known)
            check = entry.get("check")
            auth = entry.get("auth")
            inv.clusters[name] = Cluster(
                name=name,
                pos=self.pos("clusters", name),
                havips=havips,
                vrid=entry["vrid"],
                vrid_pos=self.pos("clusters", name, "vrid"),
                members=members,
                nopreempt=entry["nopreempt"],
                advert_int=entry["advert_int"],
                check=Check(**check) if check else None,
                auth=Auth(**auth) if auth else None,
                notify=dict(entry.get("notify") or {}),
                sync_group=entry["sync_group"],
                options=dict(entry.get("options") or {}),
            )

    def members(self, inv: Inventory, cluster: str, entry: dict, havips: list[str]) -> list[ClusterMember]:
        """The cluster's members: as listed, else the first HAVIP's members; roles and priorities
        default to the first member as MASTER (150) and the others BACKUP (100, 90, ...)."""
        given = entry.get("members") or [{"name": name} for name in (inv.havips[havips[0]].members if havips else [])]
        where = ("clusters", cluster, "members") if entry.get("members") else ("clusters", cluster)
        members = []
        backups = 0
        for index, item in enumerate(given):
            name = item["name"]
            place = (*where, index) if entry.get("members") else where
            for havip in havips:
                if name not in inv.havips[havip].members:
                    self.problem(place, f"'{name}' is not a member of HAVIP '{havip}'")
            role = item.get("role") or ("BACKUP" if entry["nopreempt"] or index else "MASTER")
            if role == "MASTER":
                priority = item.get("priority", MASTER_PRIORITY)
            else:
                priority = item.get("priority", max(BACKUP_PRIORITY - BACKUP_STEP * backups, 1))
                backups += 1
            members.append(ClusterMember(name, self.pos(*place), role, priority, item.get("config")))
        names = [m.name for m in members]
        for index, name in enumerate(names):
            if name in names[:index]:
                self.problem((*where, index), f"'{name}' is listed twice")
        return members


def comments(text: str) -> dict[int, str]:
    """``# ...`` comments by line, for inline ``# kagen: disable=...`` in YAML and TOML files."""
    found = {}
    for number, line in enumerate(text.splitlines(), 1):
        if "kagen:" in line and "#" in line:
            found[number] = line[line.index("#") :]
    return found


def load(path: str, text: str | None = None) -> Inventory:
    """Read, check and build the inventory at ``path`` (or ``text``, named ``path``); raise
    InventoryError listing every problem."""
    try:
        doc = datafile.read(path, text)
    except datafile.DataError as exc:
        raise InventoryError([str(exc)]) from None
    if doc.data is None:
        doc.data = {}
    if not isinstance(doc.data, dict):
        raise InventoryError([f"{path}:{doc.line(()) or 1}: the inventory must be a mapping (region, havips, ...)"])
    try:
        data = SCHEMA(doc.data)
    except vol.MultipleInvalid as exc:
        problems = sorted(
            {
                (doc.line(tuple(e.path)) or 0, f"{datafile.format_path(e.path) or 'top level'}: {_message(e)}")
                for e in exc.errors
            }
        )
        raise InventoryError([_located(path, line, text) for line, text in problems]) from None
    builder = _Builder(doc)
    inventory = builder.build(data)
    if builder.problems:
        raise InventoryError([_located(path, line, text) for line, text in sorted(builder.problems)])
    inventory.comments = comments(doc.text)
    return inventory


def _located(path: str, line: int, text: str) -> str:
    return f"{path}:{line}: {text}" if line else f"{path}: {text}"
