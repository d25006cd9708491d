"""HAVIP limits and regions, read from ``kagen/cloud/data/havip.toml`` where each value has its source
and date. An inventory's ``limits:`` section overrides a value, so a raised quota is a line of
data for the user, not a kagen release."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class Limit:
    key: str
    value: int
    adjustable: bool  # a quota: going over it is a warning naming the ``limits:`` key
    what: str
    source: str
    date: str
    later: str = ""


@dataclass(frozen=True)
class Region:
    id: str
    name: str
    status: str  # "available" or "decommissioned"
    note: str = ""


@dataclass(frozen=True)
class Facts:
    limits: dict[str, Limit]
    regions: dict[str, Region]
    reserved_first: int  # addresses at the start of a vSwitch CIDR that are never handed out
    reserved_last: int  # and at its end


@functools.cache
def facts() -> Facts:
    with resources.files("kagen.cloud").joinpath("data", "havip.toml").open("rb") as handle:
        data = tomllib.load(handle)
    limits = {key: Limit(key=key, **entry) for key, entry in data["limits"].items()}
    regions = {key: Region(id=key, **entry) for key, entry in data["regions"].items()}
    return Facts(limits, regions, data["reserved"]["first"], data["reserved"]["last"])


def limit_keys() -> tuple[str, ...]:
    return tuple(facts().limits)
