"""``kagen import terraform``: the output of ``terraform show -json`` to an inventory.

Reads the resources of the root module and of every child module
(``values.root_module.resources[]``, ``child_modules[]``) of the alicloud provider: HAVIPs under
the current name ``alicloud_vpc_ha_vip`` and the deprecated ``alicloud_havip``, their
``alicloud_havip_attachment`` (``ha_vip_id``, or ``havip_id`` before provider 1.259.0), vSwitches,
ECS instances, ENIs and their attachments, EIPs with ``alicloud_eip_association`` of
``instance_type = "HaVip"``, and route entries whose next hop is an HAVIP. Attribute names follow
the provider's documentation.
"""

from __future__ import annotations

from collections.abc import Iterator

from kagen.cloud.facts import DEFAULT_PROVIDER
from kagen.diagnostics import InputError
from kagen.importers import tfclouds
from kagen.importers.found import Found, FoundHavip
from kagen.inventory import datafile

HAVIP_TYPES = ("alicloud_vpc_ha_vip", "alicloud_havip")
ENI_TYPES = ("alicloud_network_interface", "alicloud_ecs_network_interface")
ENI_ATTACHMENT_TYPES = ("alicloud_network_interface_attachment", "alicloud_ecs_network_interface_attachment")
EIP_TYPES = ("alicloud_eip", "alicloud_eip_address")
PREFIXES = {"alibaba": "alicloud_", "tencent": "tencentcloud_", "volcengine": "volcengine_", "huawei": "huaweicloud_"}
VIP_TYPES = {"alibaba": HAVIP_TYPES, **tfclouds.VIP_TYPES}


def _resources(module: object) -> Iterator[dict]:
    if not isinstance(module, dict):
        return
    for resource in module.get("resources") or []:
        if isinstance(resource, dict) and resource.get("mode", "managed") == "managed":
            yield resource
    for child in module.get("child_modules") or []:
        yield from _resources(child)


_first = tfclouds.first


def resources(path: str) -> dict[str, list[dict]]:
    """The managed resources of a ``terraform show -json`` output by type, each one's values with
    its ``_address``."""
    try:
        state = datafile.read(path).data
    except datafile.DataError as exc:
        raise InputError(str(exc)) from None
    if not isinstance(state, dict) or "format_version" not in state:
        raise InputError(f"{path}: not the output of terraform show -json (no format_version)")
    by_type: dict[str, list[dict]] = {}
    for resource in _resources((state.get("values") or {}).get("root_module")):
        values = resource.get("values")
        if isinstance(values, dict) and isinstance(resource.get("type"), str):
            by_type.setdefault(resource["type"], []).append({**values, "_address": resource.get("address", "")})
    return by_type


def detect(path: str, by_type: dict[str, list[dict]]) -> str:
    """The provider whose floating-IP resources the state holds (its resource types' prefix)."""
    found = sorted({provider for kind in by_type for provider, prefix in PREFIXES.items() if kind.startswith(prefix)})
    with_vips = [provider for provider in found if any(kind in by_type for kind in VIP_TYPES[provider])]
    if len(with_vips) == 1 or (len(found) == 1 and not with_vips):
        return (with_vips or found)[0]
    if not by_type:
        return DEFAULT_PROVIDER
    if with_vips:
        raise InputError(f"{path}: holds the floating IPs of {' and '.join(with_vips)}; say which with --provider")
    expected = ", ".join(f"{prefix}*" for prefix in PREFIXES.values())
    raise InputError(f"{path}: no resources of a provider kagen knows (expected {expected})")


def read(path: str, provider: str | None = None) -> Found:
    by_type = resources(path)
    provider = provider or detect(path, by_type)
    if provider != DEFAULT_PROVIDER:
        return tfclouds.READERS[provider](path, by_type)
    return _alibaba(path, by_type)


def _alibaba(path: str, by_type: dict[str, list[dict]]) -> Found:
    def of(*types: str) -> list[dict]:
        return [values for kind in types for values in by_type.get(kind, [])]

    found = Found(source=f"terraform state {path}")
    for values in of("alicloud_vswitch"):
        if values.get("id"):
            zone = _first(values, "zone_id", "availability_zone")
            found.vswitches[values["id"]] = {
                "vpc": values.get("vpc_id"),
                "cidr": values.get("cidr_block"),
                "zone": zone,
            }
            if zone and found.region is None:
                found.region = zone.rsplit("-", 1)[0]
    for values in of("alicloud_instance"):
        if values.get("id"):
            found.instances[values["id"]] = {
                "ip": _first(values, "private_ip"),
                "vswitch": values.get("vswitch_id"),
                "name": _first(values, "instance_name"),
            }
    for values in of(*ENI_TYPES):
        if values.get("id"):
            found.enis[values["id"]] = {
                "ip": _first(values, "primary_ip_address", "private_ip", "private_ip_address"),
                "vswitch": values.get("vswitch_id"),
                "instance": None,
                "name": _first(values, "network_interface_name", "name"),
            }
    for values in of(*ENI_ATTACHMENT_TYPES):
        eni = found.enis.get(values.get("network_interface_id") or "")
        if eni is not None:
            eni["instance"] = values.get("instance_id")
    for kind in HAVIP_TYPES:
        for values in by_type.get(kind, []):
            if not values.get("id") or not values.get("vswitch_id"):
                found.notes.append(f"{values['_address']} skipped: no id or vswitch_id in the state")
                continue
            found.havips[values["id"]] = FoundHavip(
                address=values.get("ip_address") or None,
                vswitch=values["vswitch_id"],
                vpc=values.get("vpc_id"),
                master=values.get("master_instance_id") or None,
                name=_first(values, "ha_vip_name", "havip_name"),
                description=_first(values, "description"),
            )
            if kind == "alicloud_havip":
                found.notes.append(
                    f"{values['_address']}: alicloud_havip is deprecated; alicloud_vpc_ha_vip replaces it"
                )
    for values in of("alicloud_havip_attachment"):
        havip = found.havips.get(_first(values, "ha_vip_id", "havip_id") or "")
        member = values.get("instance_id")
        if havip is None or not member:
            found.notes.append(f"{values['_address']} skipped: its HAVIP is not in the state")
            continue
        if member not in havip.members:
            havip.members.append(member)
        # Each attachment says what it attaches: one HAVIP may hold an ECS instance and an ENI (KA407).
        kind = _first(values, "instance_type") or (
            "NetworkInterface" if member in found.enis or member.startswith("eni-") else "EcsInstance"
        )
        havip.member_types[member] = "eni" if kind == "NetworkInterface" else "instance"
    eip_addresses = {values.get("id"): _first(values, "ip_address") for values in of(*EIP_TYPES)}
    for values in of("alicloud_eip_association"):
        havip = found.havips.get(values.get("instance_id") or "")
        if havip is not None and (values.get("instance_type") or "HaVip") == "HaVip":
            address = eip_addresses.get(values.get("allocation_id"))
            if address:
                havip.eips.append(address)
            else:
                found.notes.append(f"{values['_address']}: the EIP {values.get('allocation_id')} is not in the state")
    for values in of("alicloud_route_entry"):
        havip = found.havips.get(values.get("nexthop_id") or "")
        if havip is not None and values.get("nexthop_type") == "HaVip":
            destination = _first(values, "destination_cidrblock", "destination_cidr_block")
            if destination:
                havip.routes.append(destination)
    return found
