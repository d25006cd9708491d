"""``kagen import list-ports --provider huawei``: saved outputs of Huawei Cloud's VPC and ECS APIs.

Huawei Cloud has no HAVIP object: a virtual IP is a port whose ``device_owner`` is
``neutron:VIP_PORT``, and its members are the ports whose addresses the virtual IP's
``allowed_address_pairs`` hold (huaweicloud-sdk-python-v3 ``huaweicloudsdkvpc/v2/model/port.py``,
../shared/reference/providers.md). Reads ``ListPorts`` (``{"ports": [...]}``), and when given
``ListSubnets`` (``{"subnets": [...]}``: a subnet's ``id`` is the ``network_id`` of its ports)
and ECS ``ListServersDetails`` (``{"servers": [...]}``: the server a member port belongs to, by
``device_id``). Every member is a port (an ``enis:`` entry, ``instance:`` its ECS).
"""

from __future__ import annotations

from collections.abc import Iterator

from kagen.importers import responses
from kagen.importers.found import Found, FoundHavip

RESPONSES = {"ListPorts": "ports", "ListSubnets": "subnets", "ListServersDetails": "servers"}
VIP_OWNER = "neutron:VIP_PORT"


def _looks_like(page: dict) -> str:
    other = next((name for name, key in RESPONSES.items() if key in page), None)
    if other is not None:
        return f"it looks like a Huawei Cloud {other} response; give it with the option for that"
    if "error_code" in page or "error_msg" in page:
        return f"it is an error response ({page.get('error_code')}: {page.get('error_msg')})"
    return f"its keys are {responses.keys_of(page)}"


def _pages(paths: list[str], api: str) -> Iterator[tuple[str, dict]]:
    return responses.pages(paths, f"Huawei Cloud {api}", RESPONSES[api], None, _looks_like)


def _addresses(port: dict) -> list[tuple[str | None, str]]:
    """A port's (subnet_id, ip_address) pairs."""
    return [
        (responses.text(f, "subnet_id"), f["ip_address"])
        for f in responses.items(port, "fixed_ips")
        if responses.text(f, "ip_address")
    ]


def read(ports_paths: list[str], subnets: list[str], servers: list[str]) -> Found:
    found = Found(source="Huawei Cloud ListPorts " + " ".join(ports_paths), provider="huawei")
    network_of: dict[str, str] = {}  # a neutron network id or subnet id -> the subnet's id
    for path, page in _pages(subnets, "ListSubnets"):
        for item in responses.items(page, "subnets"):
            ident = responses.need(item, "id", path, "subnet")
            found.vswitches[ident] = {
                "vpc": responses.text(item, "vpc_id"),
                "cidr": responses.text(item, "cidr"),
                "zone": responses.text(item, "availability_zone"),
            }
            for key in ("neutron_network_id", "neutron_subnet_id"):
                if responses.text(item, key):
                    network_of[item[key]] = ident
    ports: dict[str, dict] = {}
    for path, page in _pages(ports_paths, "ListPorts"):
        for item in responses.items(page, "ports"):
            ports[responses.need(item, "id", path, "port")] = item
    by_address: dict[str, str] = {}
    for ident, port in ports.items():
        for _, address in _addresses(port):
            by_address.setdefault(address, ident)
    names: dict[str, str | None] = {}
    for path, page in _pages(servers, "ListServersDetails"):
        for item in responses.items(page, "servers"):
            names[responses.need(item, "id", path, "server")] = responses.text(item, "name")

    def subnet(port: dict) -> str | None:
        network = responses.text(port, "network_id")
        return network_of.get(network or "", network)

    for ident, port in ports.items():
        addresses = _addresses(port)
        if port.get("device_owner") != VIP_OWNER:
            if not str(port.get("device_owner") or "").startswith("compute:"):
                continue  # DHCP, router and other service ports; kept below only if a member
            owner = responses.text(port, "device_id")
            found.enis[ident] = {
                "ip": addresses[0][1] if addresses else None,
                "vswitch": subnet(port),
                "instance": owner if owner in names else None,
                "name": responses.text(port, "name"),
            }
            continue
        members = []
        for pair in responses.items(port, "allowed_address_pairs"):
            paired = responses.text(pair, "ip_address")
            member = by_address.get(paired or "")
            if member is None:
                found.notes.append(
                    f"virtual IP {ident}: no port has {paired} (its allowed address pair) in the data given"
                )
            elif member not in members:
                members.append(member)
        found.havips[ident] = FoundHavip(
            address=addresses[0][1] if addresses else None,
            vswitch=subnet(port) or "",
            members=members,
            member_types={member: "eni" for member in members},
            name=responses.text(port, "name"),
        )
    for ident, havip in list(found.havips.items()):
        if not havip.vswitch:
            found.notes.append(f"virtual IP {ident} skipped: no network_id")
            del found.havips[ident]
    for ident, name in names.items():
        ports_of = [entry for entry in found.enis.values() if entry["instance"] == ident]
        if ports_of:
            found.instances[ident] = {"ip": ports_of[0]["ip"], "vswitch": ports_of[0]["vswitch"], "name": name}
    for havip in found.havips.values():  # a member that is no server's port (another virtual IP, say)
        for member in havip.members:
            if member not in found.enis:
                port = ports[member]
                ip = _addresses(port)[0][1]
                found.enis[member] = {"ip": ip, "vswitch": subnet(port), "instance": None, "name": None}
    return found
