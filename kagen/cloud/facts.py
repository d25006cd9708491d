"""Each provider's floating-IP facts, read from ``kagen/cloud/data/*.toml`` where each value has
its source and date: limits, what a floating IP may be associated with, regions, the words the
provider's own pages use (vSwitch or subnet, ENI or port, HAVIP or virtual IP) and its Terraform
provider. An inventory's ``limits:`` section overrides a limit, so a raised quota is a line of
data for the user, not a kagen release; a limit no source gives is ``None`` (unknown) and is only
checked once the inventory sets it."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources

DEFAULT_PROVIDER = "alibaba"
# The data file of each provider; Alibaba's keeps the name it had when it was the only one.
FILES = {
    "alibaba": "havip.toml",
    "tencent": "tencent.toml",
    "volcengine": "volcengine.toml",
    "huawei": "huawei.toml",
}
PROVIDERS = tuple(FILES)
UNKNOWN = "unknown"  # the value of a limit or feature no source gives


@dataclass(frozen=True)
class Limit:
    key: str
    value: int | None  # None: unknown (no source found); checked only when the inventory sets it
    adjustable: bool  # a quota: going over it is a warning naming the ``limits:`` key
    what: str
    source: str
    date: str
    later: str = ""


@dataclass(frozen=True)
class Feature:
    """A yes/no fact the rules check (one type of member per floating IP, IPv6 addresses)."""

    key: str
    value: bool | None  # None: unknown; the rule that needs it says nothing
    what: str
    source: str
    date: str


@dataclass(frozen=True)
class Region:
    id: str
    name: str
    status: str  # "available" or "decommissioned"
    note: str = ""


@dataclass(frozen=True)
class Terms:
    """The provider's words for what messages name, as its console and documents write them."""

    cloud: str  # "Alibaba Cloud"
    vip: str  # the floating address: "HAVIP", "virtual IP"
    vips: str
    a_vip: str  # with its article: "an HAVIP", "a virtual IP"
    subnet: str  # "vSwitch", "subnet"
    instance: str  # a member that is a whole instance, before its name: "instance", "CVM"
    eni: str  # a member that is a network interface, before its name: "eni", "port"
    instances: str  # the plural, in prose: "ECS instances", "CVMs"
    enis: str
    member: str  # "instance or ENI"

    def kind(self, kind: str) -> str:
        """The word for an endpoint of ``kind`` ("instance" or "eni")."""
        return self.instance if kind == "instance" else self.eni


@dataclass(frozen=True)
class Facts:
    provider: str
    terms: Terms
    limits: dict[str, Limit]
    features: dict[str, Feature]
    regions: dict[str, Region]  # empty: no region list was found, the region is not checked
    reserved_first: int | None  # addresses at the start of a subnet's CIDR never handed out (None: unknown)
    reserved_last: int | None  # and at its end
    terraform: dict  # the Terraform provider: local name, source, version, resource types


def _unknown(value: object) -> object:
    return None if value == UNKNOWN else value


@functools.cache
def facts(provider: str = DEFAULT_PROVIDER) -> Facts:
    with resources.files("kagen.cloud").joinpath("data", FILES[provider]).open("rb") as handle:
        data = tomllib.load(handle)
    limits = {
        key: Limit(key=key, **{**entry, "value": _unknown(entry["value"])}) for key, entry in data["limits"].items()
    }
    features = {
        key: Feature(key=key, **{**entry, "value": _unknown(entry["value"])}) for key, entry in data["features"].items()
    }
    regions = {key: Region(id=key, **entry) for key, entry in data.get("regions", {}).items()}
    reserved = data["reserved"]
    return Facts(
        provider=provider,
        terms=Terms(**data["terms"]),
        limits=limits,
        features=features,
        regions=regions,
        reserved_first=_unknown(reserved["first"]),  # type: ignore[arg-type]
        reserved_last=_unknown(reserved["last"]),  # type: ignore[arg-type]
        terraform=data["terraform"],
    )


def limit_keys() -> tuple[str, ...]:
    """The limits an inventory may set: every provider's data file has the same keys."""
    return tuple(facts().limits)
