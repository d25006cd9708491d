"""The inventory's format as voluptuous schemas: what each section and field may hold, and
kagen's defaults for what an inventory leaves out. The messages it gives are the ones users see,
with the file, line and data path added by the loader (kagen.inventory.load).

Every key has a ``description``, and every validator is in ``TRANSLATIONS`` with the JSON Schema
it stands for: kagen.inventory.jsonschema builds the inventory's JSON Schema from these
definitions alone, and refuses a validator it finds no translation for."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import voluptuous as vol

from kagen.cloud.facts import DEFAULT_PROVIDER, PROVIDERS, facts

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
NOTIFY = {  # the events, and when keepalived runs their command
    "master": "on becoming MASTER",
    "backup": "on becoming BACKUP",
    "fault": "on entering FAULT",
    "stop": "when keepalived stops the instance",
    "any": "on every state change",
}

# What each validator is in JSON Schema. A "pattern" here must match the whole value, in Python's
# and ECMA's regexes alike (kagen.inventory.jsonschema anchors it).
TRANSLATIONS: dict[object, dict[str, Any]] = {}
_V = TypeVar("_V")
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"  # as ipaddress reads it: ASCII, no leading 0
_IPV4 = rf"{_OCTET}(?:\.{_OCTET}){{3}}"
# Permissive: an IPv6 address's groups, a network's host bits and netmask are left to the loader.
_IPV6 = r"[0-9A-Fa-f:]*:[0-9A-Fa-f:]*(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3})?(?:%[^%/]+)?"
_PREFIX = rf"/(?:0*(?:3[0-2]|[12]?[0-9])|{_IPV4})"  # a length (leading zeros allowed) or a mask
# str.strip()'s whitespace is \s to Python; ECMA's \s adds U+FEFF and lacks U+0085 (and U+001C-1F,
# which UNSAFE refuses anyway): a character that is not blank to both.
_NOT_BLANK = r"[^\s\x85]|\ufeff"
_SAFE = "[^" + UNSAFE.pattern.removeprefix("[")  # any character UNSAFE does not match


@dataclass(frozen=True)
class UpperCase:
    """A pattern kagen.inventory.jsonschema writes out: the strings whose str.upper() is one of ``words``."""

    words: tuple[str, ...]


def _translates(fragment: dict[str, Any]) -> Callable[[_V], _V]:
    def register(validator: _V) -> _V:
        TRANSLATIONS[validator] = fragment
        return validator

    return register


def _validator(check: Callable[[object], object], message: str) -> Callable[[object], object]:
    def validate(value: object) -> object:
        try:
            return check(value)
        except (TypeError, ValueError):
            raise vol.Invalid(message.format(value=value)) from None

    TRANSLATIONS[validate] = TRANSLATIONS[check]
    return validate


@_translates({"type": "string", "format": "ipv4", "pattern": _IPV4})
def _ipv4(value: object) -> ipaddress.IPv4Address:
    if not isinstance(value, str):
        raise TypeError
    return ipaddress.IPv4Address(value)


@_translates({"type": "string", "anyOf": [{"const": "auto"}, {"format": "ipv4", "pattern": _IPV4}, {"pattern": _IPV6}]})
def _havip_address(value: object) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if value == "auto":
        return None
    if not isinstance(value, str):
        raise TypeError
    return ipaddress.ip_address(value)


@_translates({"type": "string", "pattern": _IPV4 + _PREFIX})
def _cidr(value: object) -> ipaddress.IPv4Network:
    if not isinstance(value, str) or "/" not in value:
        raise TypeError
    return ipaddress.IPv4Network(value)


@_translates({"type": "string", "pattern": rf"{_IPV4}(?:{_PREFIX})?|{_IPV6}(?:/[0-9]+)?"})
def _route(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError
    return str(ipaddress.ip_network(value))


def _pattern(regex: re.Pattern, what: str) -> Callable[[object], object]:
    def validate(value: object) -> object:
        if not isinstance(value, str) or not regex.fullmatch(value):  # the whole value: '$' matches before a newline
            raise vol.Invalid(f"{value!r} is not {what}")
        return value

    if regex.flags & ~re.UNICODE:
        raise ValueError(f"JSON Schema has no flags for {regex!r}")
    TRANSLATIONS[validate] = {"type": "string", "pattern": regex.pattern}
    return validate


@_translates({"type": "string", "maxLength": MAX_TEXT, "pattern": rf"(?=[\s\S]*(?:{_NOT_BLANK})){_SAFE}*"})
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

    # Permissive: JSON Schema's integers include 1.0, which voluptuous refuses.
    TRANSLATIONS[validate] = {"type": "integer", "minimum": low, "maximum": high}
    return validate


def _number(low: float, high: float) -> Callable[[object], float]:
    def validate(value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise vol.Invalid(f"expected a number, got {value!r}")
        if not low <= value <= high:
            raise vol.Invalid(f"{value} is not between {low} and {high}")
        return value

    TRANSLATIONS[validate] = {"type": "number", "minimum": low, "maximum": high}
    return validate


@_translates({"type": "boolean"})
def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise vol.Invalid(f"expected true or false, got {value!r}")
    return value


@_translates({"type": "string", "pattern": UpperCase(ROLES), "examples": [role.lower() for role in ROLES]})
def _role(value: object) -> str:
    if not isinstance(value, str) or value.upper() not in ROLES:
        raise vol.Invalid(f"role must be master or backup, not {value!r}")
    return value.upper()


def _into(convert: _V) -> _V:
    """A conversion after validation: it refuses nothing, so adds nothing to the JSON Schema."""
    return _translates({})(convert)


def _loader_checks(fragment: dict[str, Any]) -> Callable[[object], object]:
    """What the loader checks beyond voluptuous (kagen.inventory.load), said to the JSON Schema
    only: to voluptuous, a validator that lets everything pass."""
    return _translates(fragment)(lambda value: value)


class Named(vol.Optional):
    """The key of a section's entries: any string to voluptuous, a name (NAME) to the loader,
    which reports the others (kagen.inventory.load)."""

    def __init__(self, description: str) -> None:
        super().__init__(str, description=description)


def _one_or_many(schema: object) -> vol.Any:
    return vol.Any([schema], vol.All(schema, _into(lambda value: [value])))


NAME_V = _pattern(NAME, "a name (letters, digits, '.', '_', '-'; at most 63)")
IFNAME_V = _pattern(IFNAME, "a network interface name (at most 15 characters)")
ID_V = _pattern(RESOURCE_ID, "a cloud resource id")
IPV4 = _validator(_ipv4, "{value!r} is not an IPv4 address")
CIDR = _validator(_cidr, "{value!r} is not an IPv4 network like 192.168.0.0/24")

EIP = vol.Any(
    vol.All(IPV4, _into(lambda address: {"address": address})),
    {
        vol.Required("address", description="The EIP's public IPv4 address."): IPV4,
        vol.Optional("id", description="The EIP's allocation id (eip-...)."): ID_V,
    },
    msg="expected an IPv4 address or {address, id}",
)
MEMBER = vol.Any(
    vol.All(NAME_V, _into(lambda name: {"name": name})),
    {
        vol.Required("name", description="The instance or ENI (its name under instances or enis)."): NAME_V,
        vol.Optional("role", description="master or backup (any case)."): _role,
        vol.Optional("priority", description="The VRRP priority, 1-255."): _integer(1, 255),
        vol.Optional("config", description="Its keepalived.conf (relative path)."): vol.All(str, vol.Length(min=1)),
    },
    msg="expected a member name or {name, role, priority, config}",
)
CLUSTER = {
    vol.Exclusive("havip", "havip", description="The HAVIP it moves (under havips); havips for several."): NAME_V,
    vol.Exclusive("havips", "havip", description="The HAVIPs it moves together."): vol.All([NAME_V], vol.Length(min=1)),
    vol.Required("vrid", description="The VRRP virtual router id, 1-255."): _integer(1, 255),
    vol.Optional("members", description="Its members in order (default: the HAVIP's); the first is MASTER."): vol.All(
        [MEMBER], vol.Length(min=1)
    ),
    vol.Optional("nopreempt", default=False, description="All start BACKUP: a recovered node does not preempt."): _flag,
    vol.Optional("advert_int", default=1, description="Seconds between VRRP advertisements."): _number(0.01, 255),
    vol.Optional("check", description="A health check (vrrp_script) every member tracks."): {
        vol.Required("script", description="The command; exit status 0 means healthy."): _text,
        vol.Optional("interval", default=2, description="Seconds between two runs."): _integer(1, 3600),
        vol.Optional("timeout", description="Seconds after which a run counts as failed."): _integer(1, 3600),
        vol.Optional("fall", default=2, description="Failed runs before the check is down."): _integer(1, 255),
        vol.Optional("rise", default=2, description="Successful runs before it is up again."): _integer(1, 255),
        vol.Optional("weight", description="Priority change while failing (<0) or passing (>0); none: fault."): (
            _integer(-254, 254)
        ),
    },
    vol.Optional("auth", description="VRRP authentication; the password itself never goes into the inventory."): (
        vol.All(
            {
                vol.Optional("type", default="PASS", description="PASS (a password) or AH (IPsec AH)."): vol.In(
                    ("PASS", "AH"), msg="auth type must be PASS or AH"
                ),
                vol.Exclusive("password_env", "password", description="The variable that holds the password."): (
                    _pattern(ENV_NAME, "an environment variable name")
                ),
                vol.Exclusive("password_file", "password", description="The file that holds the password."): (
                    vol.All(str, vol.Length(min=1))
                ),
            },
        )
    ),
    vol.Optional("notify", description="Commands keepalived runs when the cluster's state changes."): {
        vol.Optional(event, description=f"The command run {when}."): _text for event, when in NOTIFY.items()
    },
    vol.Optional(
        "sync_group", default=False, description="Fail over with the node's other sync_group clusters."
    ): _flag,
    vol.Optional("options", description="More keepalived keywords for the vrrp_instance: {keyword: value}."): {
        vol.Optional(
            _pattern(re.compile(r"[a-z][a-z0-9_]*"), "a keepalived keyword"),
            description="A vrrp_instance keyword; its value: text, a whole number, a list of them, or nothing.",
        ): vol.Any(None, _text, _integer(-(2**31), 2**32), [vol.Any(_text, _integer(-(2**31), 2**32))])
    },
}
# The loader requires one of them (kagen.inventory.load); voluptuous keeps them apart.
_CLUSTER = vol.All(CLUSTER, _loader_checks({"anyOf": [{"required": ["havip"]}, {"required": ["havips"]}]}))
_ID = "The {}'s id in the cloud ({}-...)."
_VSWITCH = "The name of its vSwitch (under vswitches)."
SCHEMA = vol.Schema(
    {
        vol.Optional(
            "provider",
            default=DEFAULT_PROVIDER,
            description="Whose floating private IPs: alibaba (HAVIP), tencent (HAVIP), volcengine (HAVIP, also "
            "BytePlus) or huawei (virtual IP). It decides the limits checked, the words of the messages and the "
            "Terraform written.",
        ): vol.In(PROVIDERS, msg=f"provider must be one of {', '.join(PROVIDERS)}"),
        vol.Optional("region", description="The region of the VPC, e.g. cn-hangzhou."): _pattern(
            re.compile(r"[a-z]{2}-[a-z0-9-]+"), "a region id like cn-hangzhou"
        ),
        vol.Optional(
            "limits", description="Raised quotas, changed or unknown limits (kagen/cloud/data/PROVIDER.toml)."
        ): {
            vol.Optional(key, description=f"The limit on {limit.what} (Alibaba Cloud: {limit.value})."): _integer(
                0, 1_000_000
            )
            for key, limit in facts().limits.items()
        },
        vol.Optional("vpcs", description="VPCs; with them, every vSwitch's vpc must name one."): vol.Any(
            None,
            {
                Named("A VPC, by your name for it."): vol.Any(
                    None,
                    {
                        vol.Optional("id", description=_ID.format("VPC", "vpc")): ID_V,
                        vol.Optional("cidr", description="The VPC's IPv4 network, e.g. 10.0.0.0/16."): CIDR,
                    },
                )
            },
        ),
        vol.Optional("vswitches", description="vSwitches: the subnets HAVIPs and nodes are in."): vol.Any(
            None,
            {
                Named("A vSwitch, by your name for it."): {
                    vol.Optional("cidr", description="Its IPv4 network, e.g. 192.168.0.0/24."): CIDR,
                    vol.Optional("vpc", description="The name of its VPC (under vpcs; default: default)."): NAME_V,
                    vol.Optional("zone", description="Its zone, e.g. cn-hangzhou-h."): ID_V,
                    vol.Optional("id", description=_ID.format("vSwitch", "vsw")): ID_V,
                }
            },
        ),
        vol.Optional("instances", description="ECS instances: the nodes keepalived runs on."): vol.Any(
            None,
            {
                Named("An ECS instance, by your name for it."): {
                    vol.Optional("ip", description="Its private IPv4 address, in its vSwitch."): IPV4,
                    vol.Required("vswitch", description=_VSWITCH): NAME_V,
                    vol.Optional("interface", default=DEFAULT_INTERFACE, description="The NIC VRRP runs on."): IFNAME_V,
                    vol.Optional("id", description=_ID.format("instance", "i")): ID_V,
                }
            },
        ),
        vol.Optional("enis", description="Elastic network interfaces (ENIs)."): vol.Any(
            None,
            {
                Named("An ENI, by your name for it."): {
                    vol.Optional("ip", description="Its private IPv4 address, in its vSwitch."): IPV4,
                    vol.Required("vswitch", description=_VSWITCH): NAME_V,
                    vol.Optional("instance", description="The instance it is attached to (under instances)."): NAME_V,
                    vol.Optional("device", description="Its network interface on that instance, e.g. eth1."): IFNAME_V,
                    vol.Optional("id", description=_ID.format("ENI", "eni")): ID_V,
                }
            },
        ),
        vol.Optional("havips", description="High-availability virtual IPs (HAVIPs)."): vol.Any(
            None,
            {
                Named("An HAVIP, by your name for it."): {
                    vol.Required("vswitch", description=_VSWITCH): NAME_V,
                    vol.Optional("address", default="auto", description="Its IP address, or auto (the cloud picks)."): (
                        _validator(_havip_address, "{value!r} is not an IP address or auto")
                    ),
                    vol.Optional("members", default=list, description="The instances or ENIs it serves."): [NAME_V],
                    vol.Optional("eip", description="Its EIP: an address, {address, id}, or a list of them."): (
                        _one_or_many(EIP)
                    ),
                    vol.Optional("routes", default=list, description="Destinations routed to it."): [
                        _validator(_route, "{value!r} is not a network")
                    ],
                    vol.Optional("id", description=_ID.format("HAVIP", "havip")): ID_V,
                    # the cloud's limits
                    vol.Optional("name", description="Its name in the cloud."): vol.All(str, vol.Length(1, 128)),
                    vol.Optional("description", description="Its cloud description."): vol.All(str, vol.Length(1, 256)),
                }
            },
        ),
        vol.Optional("clusters", description="keepalived clusters: one VRRP instance on each member."): vol.Any(
            None, {Named("A cluster, by your name for it (its vrrp_instance's name)."): _CLUSTER}
        ),
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
