"""What an importer found in the cloud's own records, and the inventory made from it.

Both importers (``kagen.importers.describe``, ``kagen.importers.terraform``) fill a ``Found``; this module
turns it into inventory data with comments on every value the records cannot tell and kagen chose
(roles, priorities, VRIDs, interface names), then checks it by loading it back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kagen.diagnostics import InputError
from kagen.inventory.load import InventoryError, load
from kagen.inventory.schema import BACKUP_PRIORITY, BACKUP_STEP, MASTER_PRIORITY
from kagen.inventory.text import dump

FIRST_VRID = 51


@dataclass
class FoundHavip:
    address: str | None
    vswitch: str
    vpc: str | None = None
    members: list[str] = field(default_factory=list)
    member_type: str | None = None  # EcsInstance or NetworkInterface
    master: str | None = None
    eips: list[str] = field(default_factory=list)
    routes: list[str] = field(default_factory=list)
    name: str | None = None


@dataclass
class Found:
    source: str  # what it was read from, for the header
    region: str | None = None
    vswitches: dict[str, dict] = field(default_factory=dict)  # id -> {vpc, cidr, zone}
    instances: dict[str, dict] = field(default_factory=dict)  # id -> {ip, vswitch}
    enis: dict[str, dict] = field(default_factory=dict)  # id -> {ip, vswitch, instance}
    havips: dict[str, FoundHavip] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what was skipped, for the header


def _clean(entry: dict) -> dict:
    return {key: value for key, value in entry.items() if value not in (None, "", [])}


def inventory_text(found: Found) -> str:
    data: dict = {}
    comments: dict[tuple, list[str]] = {}
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
            comments[("vswitches", vsw)] = ["not in the vSwitch data given: cidr unknown (the HAVIP checks need it)"]
        data["vswitches"][vsw] = _clean({"id": vsw, **entry})
    members = {m for h in found.havips.values() for m in h.members}
    instances: dict = {}
    enis: dict = {}
    for havip in found.havips.values():
        for member in havip.members:
            is_eni = havip.member_type == "NetworkInterface" or member in found.enis
            known = (found.enis if is_eni else found.instances).get(member)
            target = enis if is_eni else instances
            if member in target:
                continue
            section = "enis" if is_eni else "instances"
            if known is None:
                known = {"vswitch": havip.vswitch}
                comments[(section, member)] = ["not in the instance/ENI data given: ip unknown"]
            target[member] = _clean({"id": member, **known})
            if is_eni:
                comments.setdefault((section, member), []).append(
                    "device: the interface name of this ENI on its instance (the API does not say)"
                )
    for source, target in ((found.instances, instances), (found.enis, enis)):
        for ident, entry in source.items():
            if ident not in members and ident not in target and entry.get("vswitch") in data["vswitches"]:
                target[ident] = _clean({"id": ident, **entry})
    for ident, entry in enis.items():
        owner = entry.get("instance")
        if owner is not None and owner not in instances:
            del entry["instance"]
            comments.setdefault(("enis", ident), []).append(f"attached to instance {owner} (not in the data given)")
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
    vrids: dict[str | None, int] = {}
    for ident, havip in sorted(found.havips.items()):
        entry = {
            "id": ident,
            "vswitch": havip.vswitch,
            "address": havip.address or "auto",
            "members": list(havip.members),
            "eip": havip.eips[0] if len(havip.eips) == 1 else list(havip.eips),
            "routes": havip.routes,
            "description": havip.name,
        }
        data["havips"][ident] = _clean(entry)
        if not havip.members:
            continue
        vpc = found.vswitches.get(havip.vswitch, {}).get("vpc") or havip.vpc
        vrid = vrids.get(vpc, FIRST_VRID)
        vrids[vpc] = vrid + 1
        master = havip.master if havip.master in havip.members else havip.members[0]
        ordered = [master, *[m for m in havip.members if m != master]]
        cluster_members = [{"name": master, "role": "master", "priority": MASTER_PRIORITY}]
        cluster_members += [
            {"name": m, "role": "backup", "priority": max(BACKUP_PRIORITY - BACKUP_STEP * i, 1)}
            for i, m in enumerate(ordered[1:])
        ]
        data["clusters"][ident] = {"havip": ident, "vrid": vrid, "members": cluster_members}
        why = "MasterInstanceId" if havip.master in havip.members else "the first member (no master recorded)"
        comments[("clusters", ident)] = [
            f"vrid: chosen by kagen ({FIRST_VRID} up, one per cluster in the VPC): set the virtual_router_id your",
            "keepalived uses. Roles and priorities are kagen's defaults: the cloud does not record them;",
            f"MASTER is {why}. Add check: {{script: ...}} for the service's health check.",
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
