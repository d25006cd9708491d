"""``kagen import terraform`` for Tencent Cloud, Volcengine and Huawei Cloud: their resources in a
``terraform show -json`` output (kagen.importers.terraform reads it and finds the provider) to
what was found. Resource types and attribute names follow each provider's documentation
(../shared/reference/providers.md): tencentcloudstack/tencentcloud, volcengine/volcengine,
huaweicloud/huaweicloud (with its legacy ``_v2`` names)."""

from __future__ import annotations

from collections.abc import Callable

from kagen.importers.found import Found, FoundHavip

VIP_TYPES = {
    "tencent": ("tencentcloud_ha_vip",),
    "volcengine": ("volcengine_ha_vip",),
    "huawei": ("huaweicloud_networking_vip", "huaweicloud_networking_vip_v2"),
}
Resources = dict[str, list[dict]]


def first(values: dict, *keys: str) -> str | None:
    """The first of ``keys`` with a text value (or a list whose first item is text)."""
    for key in keys:
        value = values.get(key)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, list) and value and isinstance(value[0], str):
            return value[0]
    return None


def _blocks(values: dict, key: str) -> list[dict]:
    found = values.get(key)
    return [block for block in found if isinstance(block, dict)] if isinstance(found, list) else []


def _region(found: Found, zone: str | None) -> None:
    if zone and found.region is None:
        found.region = zone.rsplit("-", 1)[0]


def _attach(found: Found, address: str, havip_id: str | None, member: str | None, kind: str) -> None:
    havip = found.havips.get(havip_id or "")
    if havip is None or not member:
        found.notes.append(f"{address} skipped: its HAVIP is not in the state")
        return
    if member not in havip.members:
        havip.members.append(member)
    havip.member_types[member] = kind  # per attachment: one HAVIP may hold both kinds (KA407)


def tencent(path: str, by_type: Resources) -> Found:
    found = Found(source=f"terraform state {path}", provider="tencent", master_field="the holder now")
    for values in by_type.get("tencentcloud_subnet", []):
        if values.get("id"):
            zone = first(values, "availability_zone")
            found.vswitches[values["id"]] = {
                "vpc": values.get("vpc_id"),
                "cidr": values.get("cidr_block"),
                "zone": zone,
            }
            _region(found, zone)
    for values in by_type.get("tencentcloud_instance", []):
        if values.get("id"):
            ip = first(values, "private_ip")
            found.instances[values["id"]] = {
                "ip": ip,
                "vswitch": values.get("subnet_id"),
                "name": first(values, "instance_name"),
            }
    for values in by_type.get("tencentcloud_eni", []):
        if values.get("id"):
            ips = _blocks(values, "ipv4_info") or _blocks(values, "ipv4s")
            primary = next((ip for ip in ips if ip.get("primary")), ips[0] if ips else {})
            found.enis[values["id"]] = {
                "ip": first(primary, "ip"),
                "vswitch": values.get("subnet_id"),
                "instance": None,
                "name": first(values, "name"),
            }
    for values in by_type.get("tencentcloud_eni_attachment", []):
        eni = found.enis.get(values.get("eni_id") or "")
        if eni is not None:
            eni["instance"] = values.get("instance_id")
    for values in by_type.get("tencentcloud_ha_vip", []):
        if not values.get("id") or not values.get("subnet_id"):
            found.notes.append(f"{values['_address']} skipped: no id or subnet_id in the state")
            continue
        found.havips[values["id"]] = FoundHavip(
            address=first(values, "vip"),
            vswitch=values["subnet_id"],
            vpc=values.get("vpc_id"),
            master=first(values, "network_interface_id", "instance_id"),
            eips=[address for address in [first(values, "address_ip")] if address],
            name=first(values, "name"),
        )
    for values in by_type.get("tencentcloud_ha_vip_instance_attachment", []):
        kind = "eni" if values.get("instance_type") == "ENI" else "instance"
        _attach(found, values["_address"], values.get("ha_vip_id"), values.get("instance_id"), kind)
    for values in by_type.get("tencentcloud_ha_vip_eip_attachment", []):
        havip = found.havips.get(values.get("havip_id") or "")
        address = first(values, "address_ip")
        if havip is not None and address and address not in havip.eips:
            havip.eips.append(address)
    return found


def volcengine(path: str, by_type: Resources) -> Found:
    found = Found(source=f"terraform state {path}", provider="volcengine")
    for values in by_type.get("volcengine_subnet", []):
        if values.get("id"):
            zone = first(values, "zone_id")
            found.vswitches[values["id"]] = {
                "vpc": values.get("vpc_id"),
                "cidr": values.get("cidr_block"),
                "zone": zone,
            }
            _region(found, zone)
    for values in by_type.get("volcengine_ecs_instance", []):
        if values.get("id"):
            found.instances[values["id"]] = {
                "ip": first(values, "primary_ip_address"),
                "vswitch": values.get("subnet_id"),
                "name": first(values, "instance_name"),
            }
    for values in by_type.get("volcengine_network_interface", []):
        if values.get("id"):
            found.enis[values["id"]] = {
                "ip": first(values, "primary_ip_address"),
                "vswitch": values.get("subnet_id"),
                "instance": None,
                "name": first(values, "network_interface_name"),
            }
    for values in by_type.get("volcengine_network_interface_attach", []):
        eni = found.enis.get(values.get("network_interface_id") or "")
        if eni is not None:
            eni["instance"] = values.get("instance_id")
    for values in by_type.get("volcengine_ha_vip", []):
        if not values.get("id") or not values.get("subnet_id"):
            found.notes.append(f"{values['_address']} skipped: no id or subnet_id in the state")
            continue
        found.havips[values["id"]] = FoundHavip(
            address=first(values, "ip_address"),
            vswitch=values["subnet_id"],
            vpc=values.get("vpc_id"),
            master=first(values, "master_instance_id"),
            name=first(values, "ha_vip_name"),
            description=first(values, "description"),
        )
    for values in by_type.get("volcengine_ha_vip_associate", []):
        kind = "eni" if values.get("instance_type") == "NetworkInterface" else "instance"
        _attach(found, values["_address"], values.get("ha_vip_id"), values.get("instance_id"), kind)
    addresses = {values.get("id"): first(values, "eip_address") for values in by_type.get("volcengine_eip_address", [])}
    for values in by_type.get("volcengine_eip_associate", []):
        havip = found.havips.get(values.get("instance_id") or "")
        if havip is not None and values.get("instance_type") == "HaVip":
            address = addresses.get(values.get("allocation_id"))
            if address:
                havip.eips.append(address)
            else:
                found.notes.append(f"{values['_address']}: the EIP {values.get('allocation_id')} is not in the state")
    return found


def huawei(path: str, by_type: Resources) -> Found:
    """Virtual IPs and their member ports: a compute instance's ``network`` blocks say each of
    its ports' id (``port``), address (``fixed_ip_v4``) and subnet (``uuid``, the network id)."""
    found = Found(source=f"terraform state {path}", provider="huawei")
    for values in by_type.get("huaweicloud_vpc_subnet", []):
        if values.get("id"):
            zone = first(values, "availability_zone")
            found.vswitches[values["id"]] = {"vpc": values.get("vpc_id"), "cidr": values.get("cidr"), "zone": zone}
            _region(found, zone)
    ports: dict[str, dict] = {}
    for values in by_type.get("huaweicloud_compute_instance", []):
        networks = [n for n in _blocks(values, "network") if first(n, "uuid")]
        if not values.get("id") or not networks:
            continue
        found.instances[values["id"]] = {
            "ip": first(networks[0], "fixed_ip_v4"),
            "vswitch": first(networks[0], "uuid"),
            "name": first(values, "name"),
        }
        for network in networks:
            port = first(network, "port")
            if port:
                ports[port] = {
                    "ip": first(network, "fixed_ip_v4"),
                    "vswitch": first(network, "uuid"),
                    "instance": values["id"],
                    "name": None,
                }
    vips = [values for kind in VIP_TYPES["huawei"] for values in by_type.get(kind, [])]
    for values in vips:
        vip_network = first(values, "network_id", "subnet_id")
        if not values.get("id") or not vip_network:
            found.notes.append(f"{values['_address']} skipped: no id or network_id in the state")
            continue
        found.havips[values["id"]] = FoundHavip(
            address=first(values, "ip_address"), vswitch=vip_network, name=first(values, "name")
        )
        ports.setdefault(
            values["id"], {"ip": first(values, "ip_address"), "vswitch": vip_network, "instance": None, "name": None}
        )
    for kind in ("huaweicloud_networking_vip_associate", "huaweicloud_networking_vip_associate_v2"):
        for values in by_type.get(kind, []):
            port_ids = values.get("port_ids")
            for port in port_ids if isinstance(port_ids, list) else []:
                if isinstance(port, str) and port in ports:
                    found.enis.setdefault(port, ports[port])
                    _attach(found, values["_address"], values.get("vip_id"), port, "eni")
                else:
                    found.notes.append(
                        f"{values['_address']}: port {port} is not in the state (no instance's network block)"
                    )
    for values in by_type.get("huaweicloud_vpc_eip_associate", []):
        havip = found.havips.get(values.get("port_id") or "")
        address = first(values, "public_ip")
        if havip is not None and address:
            havip.eips.append(address)
    return found


READERS: dict[str, Callable[[str, Resources], Found]] = {"tencent": tencent, "volcengine": volcengine, "huawei": huawei}
