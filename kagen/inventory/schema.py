"""The inventory's format as voluptuous schemas: what each section and field may hold, and
kagen's defaults for what an inventory leaves out. The messages it gives are the ones users see,
with the file, line and data path added by the loader (kagen.inventory.load)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable

import voluptuous as vol

from kagen.cloud.facts import limit_keys

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}")
IFNAME = re.compile(r"[A-Za-z0-9_.:@-]{1,15}")  # Linux IFNAMSIZ is 16 with the NUL
RESOURCE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# What may not appear in text that ends up in a keepalived.conf: keepalived cuts a line at '#' or
# '!', splits it at '{' and '}', quotes only with '"', and replaces $NAME with a parameter's value;
# control characters end or garble lines.
UNSAFE = re.compile(r'[\x00-\x1f\x7f"{}#!\\$]')
MAX_TEXT = 900  # keepalived reads at most 1023 bytes a line; leave room for the keyword

DEFAULT_INTERFACE = "eth0"
MASTER_PRIORITY, BACKUP_PRIORITY, BACKUP_STEP = 150, 100, 10
ROLES = ("MASTER", "BACKUP")
NOTIFY = ("master", "backup", "fault", "stop", "any")


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
        if not isinstance(value, str) or not regex.fullmatch(value):  # the whole value: '$' matches before a newline
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
        _pattern(re.compile(r"[a-z][a-z0-9_]*"), "a keepalived keyword"): vol.Any(
            None, _text, _integer(-(2**31), 2**32), [vol.Any(_text, _integer(-(2**31), 2**32))]
        )
    },
}
SCHEMA = vol.Schema(
    {
        vol.Optional("region"): _pattern(re.compile(r"[a-z]{2}-[a-z0-9-]+"), "a region id like cn-hangzhou"),
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
                    vol.Optional("name"): vol.All(str, vol.Length(min=1, max=128)),  # the cloud's limits
                    vol.Optional("description"): vol.All(str, vol.Length(min=1, max=256)),
                }
            },
        ),
        vol.Optional("clusters"): vol.Any(None, {str: CLUSTER}),
    }
)


def keys_at(path: tuple) -> list[str]:
    """The keys the schema allows in the mapping at ``path`` (a voluptuous error's path), for a
    "did you mean" on an unknown key."""
    node: object = SCHEMA
    for step in path:
        node = _inside(node, list if isinstance(step, int) else dict)
        if isinstance(node, dict):
            named = {getattr(key, "schema", key): value for key, value in node.items()}
            node = named.get(step, named.get(str))
        elif isinstance(node, list) and node:
            node = node[0]
    node = _inside(node, dict)
    return (
        [key.schema for key in node if isinstance(getattr(key, "schema", None), str)] if isinstance(node, dict) else []
    )


def _inside(node: object, kind: type) -> object:
    """The first ``kind`` (dict or list) inside ``vol.Schema``/``vol.Any``/``vol.All`` wrappers."""
    pending = [node]
    while pending:
        node = pending.pop(0)
        if isinstance(node, kind):
            return node
        if isinstance(node, vol.Schema):
            pending.append(node.schema)
        pending.extend(getattr(node, "validators", ()))
    return None
