"""What an importer found in the cloud's own records, and the inventory made from it.

Both importers (``kagen.importers.describe``, ``kagen.importers.terraform``) fill a ``Found``; this module
turns it into inventory data with comments on every value the records cannot tell and kagen chose
(roles, priorities, VRIDs, interface names), then checks it by loading it back.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from kagen.cloud.facts import DEFAULT_PROVIDER, Terms, facts
from kagen.diagnostics import InputError
from kagen.inventory.load import InventoryError, load
from kagen.inventory.schema import BACKUP_PRIORITY, BACKUP_STEP, MASTER_PRIORITY, NAME
from kagen.inventory.text import dump

FIRST_VRID = 51


@dataclass
class FoundHavip:
    address: str | None
    vswitch: str
    vpc: str | None = None
    members: list[str] = field(default_factory=list)
    member_types: dict[str, str] = field(default_factory=dict)  # member id -> "instance" or "eni" (ENI, port)
    master: str | None = None
    eips: list[str] = field(default_factory=list)
    routes: list[str] = field(default_factory=list)
    name: str | None = None  # the cloud's Name of the HAVIP
    description: str | None = None


@dataclass
class Found:
    source: str  # what it was read from, for the header
    provider: str = DEFAULT_PROVIDER
    master_field: str = "MasterInstanceId"  # the record that names the current holder, for a comment
    region: str | None = None
    vswitches: dict[str, dict] = field(default_factory=dict)  # id -> {vpc, cidr, zone}
    instances: dict[str, dict] = field(default_factory=dict)  # id -> {ip, vswitch, name}
    enis: dict[str, dict] = field(default_factory=dict)  # id -> {ip, vswitch, instance, name}
    havips: dict[str, FoundHavip] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what was skipped, for the header


def _clean(entry: dict) -> dict:
    return {key: value for key, value in entry.items() if value not in (None, "", [])}


def _keys(found: Found) -> dict[str, str]:
    """The inventory name of each instance and ENI: its name in the cloud (InstanceName,
    NetworkInterfaceName) where that is a valid inventory name no other resource has, else its
    id. ``kagen generate`` names each node's directory after it."""
    records = {**found.instances, **found.enis}
    counts = Counter(entry.get("name") for entry in records.values())
    keys = {}
    for ident, entry in records.items():
        name = entry.get("name")
        usable = isinstance(name, str) and NAME.fullmatch(name) and counts[name] == 1
        keys[ident] = name if isinstance(name, str) and usable and (name == ident or name not in records) else ident
    return keys


def _entry(ident: str, record: dict) -> dict:
    return _clean({"id": ident, **{key: value for key, value in record.items() if key != "name"}})


def _is_eni(found: Found, havip: FoundHavip, member: str) -> bool:
    kind = havip.member_types.get(member)
    return kind == "eni" if kind else member in found.enis


def _vrids(clusters: list[tuple[str, str | None, list[str]]], terms: Terms) -> dict[str, int]:
    """A VRID per cluster: keepalived tells clusters apart by VRID only among the instances that
    share a node's interface, so VRIDs must differ between clusters with a member in common.
    Within a VPC each cluster gets its own VRID while there are enough (kagen lint's KA413 asks
    for that); past 255 clusters in a VPC, a VRID none of the cluster's members uses."""
    order = [*range(FIRST_VRID, 256), *range(1, FIRST_VRID)]
    in_vpc: dict[str | None, set[int]] = defaultdict(set)
    on_member: dict[str, set[int]] = defaultdict(set)
    chosen = {}
    for ident, vpc, members in clusters:
        busy = set().union(*(on_member[member] for member in members))
        free = [vrid for vrid in order if vrid not in busy]
        if not free:
            crowded = max(members, key=lambda member: len(on_member[member]))
            raise InputError(
                f"{terms.vip} {ident}: {crowded} is already a member of 255 clusters; keepalived tells the clusters "
                "of one interface apart by VRID (1-255), so none is left for this one"
            )
        chosen[ident] = next((vrid for vrid in free if vrid not in in_vpc[vpc]), free[0])
        in_vpc[vpc].add(chosen[ident])
        for member in members:
            on_member[member].add(chosen[ident])
    return chosen


def inventory_text(found: Found) -> str:
    data: dict = {}
    comments: dict[tuple, list[str]] = {}
    keys = _keys(found)
    terms = facts(found.provider).terms
    eni = terms.enis.removesuffix("s")  # "ENI", "port"
    if found.provider != DEFAULT_PROVIDER:
        data["provider"] = found.provider
    if found.region:
        data["region"] = found.region
    vswitch_ids = sorted(set(found.vswitches) | {h.vswitch for h in found.havips.values()})
    vswitch_ids += sorted({e["vswitch"] for e in [*found.instances.values(), *found.enis.values()]} - set(vswitch_ids))
    data["vswitches"] = {}
    for vsw in vswitch_ids:
        entry = found.vswitches.get(vsw)
        if entry is None:
            vpc = next((h.vpc for h in found.havips.values() if h.vswitch == vsw and h.vpc), None)
            entry = {"vpc": vpc}
            comments[("vswitches", vsw)] = [
                f"not in the {terms.subnet} data given: cidr unknown (the {terms.vip} checks need it)"
            ]
        data["vswitches"][vsw] = _clean({"id": vsw, **entry})
    members = {m for h in found.havips.values() for m in h.members}
    instances: dict = {}
    enis: dict = {}
    for havip in found.havips.values():
        for member in havip.members:
            is_eni = _is_eni(found, havip, member)
            key = keys.get(member, member)
            target = enis if is_eni else instances
            if key in target:
                continue
            section = "enis" if is_eni else "instances"
            known = (found.enis if is_eni else found.instances).get(member)
            if known is None:
                known = {"vswitch": havip.vswitch}
                comments[(section, key)] = [f"not in the {terms.member.replace(' or ', '/')} data given: ip unknown"]
            target[key] = _entry(member, known)
            if is_eni:
                comments.setdefault((section, key), []).append(
                    f"device: the interface name of this {eni} on its instance (the API does not say)"
                )
    for source, target in ((found.instances, instances), (found.enis, enis)):
        for ident, entry in source.items():
            key = keys[ident]
            if ident not in members and key not in target and entry.get("vswitch") in data["vswitches"]:
                target[key] = _entry(ident, entry)
    for key, entry in enis.items():
        owner = entry.get("instance")
        if owner is not None and keys.get(owner, owner) not in instances:
            del entry["instance"]
            comments.setdefault(("enis", key), []).append(f"attached to instance {owner} (not in the data given)")
        elif owner is not None:
            entry["instance"] = keys.get(owner, owner)
    if instances:
        data["instances"] = dict(sorted(instances.items()))
        first = next(iter(data["instances"]))
        comments.setdefault(("instances", first), []).insert(
            0, "interface: eth0 unless given (the NIC keepalived binds to on the node)"
        )
    if enis:
        data["enis"] = dict(sorted(enis.items()))
    data["havips"] = {}
    data["clusters"] = {}
    havips = sorted(found.havips.items())
    vrids = _vrids(
        [
            (ident, found.vswitches.get(havip.vswitch, {}).get("vpc") or havip.vpc, havip.members)
            for ident, havip in havips
            if havip.members
        ],
        terms,
    )
    for ident, havip in havips:
        entry = {
            "id": ident,
            "name": havip.name,
            "description": havip.description,
            "vswitch": havip.vswitch,
            "address": havip.address or "auto",
            "members": [keys.get(member, member) for member in havip.members],
            "eip": havip.eips[0] if len(havip.eips) == 1 else list(havip.eips),
            "routes": havip.routes,
        }
        data["havips"][ident] = _clean(entry)
        if not havip.members:
            continue
        master = havip.master if havip.master in havip.members else havip.members[0]
        ordered = [keys.get(member, member) for member in [master, *[m for m in havip.members if m != master]]]
        cluster_members = [{"name": ordered[0], "role": "master", "priority": MASTER_PRIORITY}]
        cluster_members += [
            {"name": m, "role": "backup", "priority": max(BACKUP_PRIORITY - BACKUP_STEP * i, 1)}
            for i, m in enumerate(ordered[1:])
        ]
        data["clusters"][ident] = {"havip": ident, "vrid": vrids[ident], "members": cluster_members}
        why = found.master_field if havip.master in havip.members else "the first member (no master recorded)"
        comments[("clusters", ident)] = [
            f"vrid: chosen by kagen ({FIRST_VRID} up: one per cluster in the VPC while 255 last, then one per member):",
            "set the virtual_router_id your keepalived uses. Roles and priorities are kagen's defaults:",
            f"the cloud does not record them; MASTER is {why}.",
            "Add check: {script: ...} for the service's health check.",
        ]
    if not data["clusters"]:
        del data["clusters"]
    header = [
        f"kagen inventory imported from {found.source}",
        "Reviewed by nobody yet: check the commented values before generating from it.",
        *found.notes,
    ]
    return dump(data, comments, header)


def verified(found: Found) -> str:
    """The inventory text, after loading it back the way ``kagen lint --inventory`` will."""
    text = inventory_text(found)
    try:
        load("(imported).yaml", text)
    except InventoryError as exc:
        raise InputError("the records make no usable inventory:\n" + "\n".join(exc.problems)) from None
    return text
