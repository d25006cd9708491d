"""The inventory: what a user has in the cloud and the keepalived clusters on it, as a YAML, JSON
or TOML file, checked with voluptuous (kagen.inventory.schema) and turned into the resource model
(``kagen.cloud.model``).

An inventory that cannot be used stops the run (exit 2) with every problem found, each as
``FILE:LINE: data.path: message``. What is well-formed but wrong for the cloud (an address outside
its vSwitch, a quota exceeded) is left to the KA4xx rules, which report with rule codes.
"""

from __future__ import annotations

from typing import cast

import voluptuous as vol

from kagen.cloud.facts import facts, limit_keys
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
from kagen.diagnostics import InputError, Position, did_you_mean
from kagen.inventory import datafile
from kagen.inventory.schema import BACKUP_PRIORITY, BACKUP_STEP, MASTER_PRIORITY, NAME, SCHEMA, keys_at


class InventoryError(InputError):
    """The inventory cannot be used; ``problems`` are ``FILE:LINE: path: message`` lines."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _message(error: vol.Invalid) -> str:
    if error.error_message == "extra keys not allowed" and error.path:
        key = error.path[-1]
        if len(error.path) == 2 and error.path[0] == "limits":
            return f"unknown limit '{key}' (known: {', '.join(limit_keys())})"
        return f"unknown key '{key}'" + did_you_mean(str(key), keys_at(tuple(error.path[:-1])))
    if error.error_message == "required key not provided" and error.path:
        return "required, but missing"
    return error.error_message


class _Builder:
    """Validated data to the resource model, collecting every reference problem."""

    def __init__(self, doc: datafile.Document) -> None:
        self.doc = doc
        self.problems: list[tuple[int, str]] = []
        self.terms = facts().terms  # the provider's words, once the data says which provider

    def pos(self, *where: str | int) -> Position:
        line, col = self.doc.place(where) or (1, 1)
        return Position(self.doc.path, line, col)

    def problem(self, where: tuple, message: str) -> None:
        line = self.doc.line(where) or 0
        self.problems.append((line, f"{datafile.format_path(where)}: {message}"))

    def names(self, section: str, data: dict) -> dict:
        for name in data:
            if not NAME.fullmatch(name):
                self.problem((section, name), f"{name!r} is not a name (letters, digits, '.', '_', '-'; at most 63)")
        return data

    def build(self, data: dict) -> Inventory:
        inv = Inventory(self.doc.path, self.pos(), data["provider"])
        self.terms = inv.terms
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
                self.problem(
                    ("vswitches", name, "vpc" if "vpc" in entry else ()),
                    f"unknown VPC '{vpc}'" + did_you_mean(vpc, inv.vpcs),
                )
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
                self.problem(("enis", name, "instance"), f"unknown instance '{owner}'" + did_you_mean(owner, instances))
            endpoint = self.endpoint(inv, "enis", name, entry, "eni", entry.get("device"))
            endpoint.instance = owner
            inv.endpoints[name] = endpoint

    def endpoint(self, inv: Inventory, section: str, name: str, entry: dict, kind: str, ifname: str | None) -> Endpoint:
        vswitch = inv.vswitches.get(entry["vswitch"])
        if vswitch is None:
            self.problem(
                (section, name, "vswitch"),
                f"unknown {self.terms.subnet} '{entry['vswitch']}'" + did_you_mean(entry["vswitch"], inv.vswitches),
            )
        elif entry.get("ip") is not None and vswitch.cidr is not None and entry["ip"] not in vswitch.cidr:
            self.problem(
                (section, name, "ip"), f"{entry['ip']} is not in {self.terms.subnet} {vswitch.name} ({vswitch.cidr})"
            )
        return Endpoint(name, self.pos(section, name), kind, entry.get("ip"), entry["vswitch"], ifname, entry.get("id"))

    def havips(self, inv: Inventory, data: dict) -> None:
        for name, entry in self.names("havips", data).items():
            if entry["vswitch"] not in inv.vswitches:
                self.problem(
                    ("havips", name, "vswitch"),
                    f"unknown {self.terms.subnet} '{entry['vswitch']}'" + did_you_mean(entry["vswitch"], inv.vswitches),
                )
            seen: set[str] = set()
            for index, member in enumerate(entry["members"]):
                if member not in inv.endpoints:
                    self.problem(
                        ("havips", name, "members", index),
                        f"unknown {self.terms.member} '{member}'" + did_you_mean(member, inv.endpoints),
                    )
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
                cloud_name=entry.get("name"),
                description=entry.get("description"),
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
                        f"unknown {self.terms.vip} '{havip}'" + did_you_mean(havip, inv.havips),
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
                    hint = did_you_mean(name, inv.havips[havip].members)
                    self.problem(place, f"'{name}' is not a member of {self.terms.vip} '{havip}'{hint}")
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


def comments(text: str) -> dict[int, tuple[int, str]]:
    """``# ...`` comments by line, with their column, for inline ``# kagen: disable=...`` in YAML
    and TOML files."""
    found = {}
    for number, line in enumerate(text.splitlines(), 1):
        if "kagen:" in line and "#" in line:
            found[number] = (line.index("#") + 1, line[line.index("#") :])
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
                (doc.line(_path(e)) or 0, f"{datafile.format_path(_path(e)) or 'top level'}: {_message(e)}")
                for e in exc.errors
            }
        )
        raise InventoryError([_located(path, line, text) for line, text in problems]) from None
    builder = _Builder(doc)
    inventory = builder.build(data)
    if builder.problems:
        raise InventoryError([_located(path, line, text) for line, text in sorted(builder.problems)])
    inventory.comments = comments(doc.text)
    inventory.text = doc.text
    return inventory


def _path(error: vol.Invalid) -> datafile.Path:
    """Where in the data voluptuous found ``error`` (its keys and list indices)."""
    return cast(datafile.Path, tuple(error.path))  # the data's own keys, as the loader gave them


def _located(path: str, line: int, text: str) -> str:
    return f"{path}:{line}: {text}" if line else f"{path}: {text}"
