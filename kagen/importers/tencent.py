"""``kagen import describe-havips --provider tencent``: saved outputs of Tencent Cloud's APIs.

Reads ``DescribeHaVips`` (vpc 2017-03-12: ``Response.HaVipSet[]``), and when given
``DescribeSubnets`` (``SubnetSet[]``), CVM ``DescribeInstances`` (``InstanceSet[]``) and
``DescribeNetworkInterfaces`` (``NetworkInterfaceSet[]``); shapes in
../shared/reference/providers.md (TencentCloud/tencentcloud-sdk-python ``vpc/v20170312/models.py``).
A page is the API's JSON (``{"Response": {...}}``) or the SDK's (the inside of ``Response``).
An HAVIP's members are its ``HaVipAssociationSet`` (the CVMs or ENIs it may drift to); the
holder now (``NetworkInterfaceId``, ``InstanceId``) is the MASTER.
"""

from __future__ import annotations

from collections.abc import Iterator

from kagen.importers import responses
from kagen.importers.found import Found, FoundHavip

RESPONSES = {
    "DescribeHaVips": "HaVipSet",
    "DescribeSubnets": "SubnetSet",
    "DescribeInstances": "InstanceSet",
    "DescribeNetworkInterfaces": "NetworkInterfaceSet",
}
_KINDS = {"CVM": "instance", "ENI": "eni"}  # HaVipAssociation.InstanceType


def _looks_like(page: dict) -> str:
    other = next((name for name, key in RESPONSES.items() if key in page), None)
    if other is not None:
        return f"it looks like a Tencent Cloud {other} response; give it with the option for that"
    error = page.get("Error")
    if isinstance(error, dict):
        return f"it is an error response ({error.get('Code')}: {error.get('Message')})"
    return f"its keys are {responses.keys_of(page)}"


def _pages(paths: list[str], api: str) -> Iterator[tuple[str, dict]]:
    return responses.pages(paths, f"Tencent Cloud {api}", RESPONSES[api], "Response", _looks_like)


def read(havips: list[str], subnets: list[str], instances: list[str], enis: list[str]) -> Found:
    found = Found(
        source="Tencent Cloud DescribeHaVips " + " ".join(havips), provider="tencent", master_field="the holder now"
    )
    for path, page in _pages(havips, "DescribeHaVips"):
        for item in responses.items(page, "HaVipSet"):
            ident = responses.need(item, "HaVipId", path, "HaVip")
            associations = responses.items(item, "HaVipAssociationSet")
            members = list(dict.fromkeys(a["InstanceId"] for a in associations if responses.text(a, "InstanceId")))
            kinds = {
                a["InstanceId"]: _KINDS.get(str(a.get("InstanceType")), "instance")
                for a in associations
                if a.get("InstanceId")
            }
            holder = (
                responses.text(item, "NetworkInterfaceId")
                if responses.text(item, "NetworkInterfaceId") in members
                else None
            )
            found.havips[ident] = FoundHavip(
                address=responses.text(item, "Vip"),
                vswitch=responses.need(item, "SubnetId", path, "HaVip"),
                vpc=responses.text(item, "VpcId"),
                members=members,
                member_types=kinds,
                master=holder or responses.text(item, "InstanceId"),
                eips=responses.strings(item, "AddressIp"),
                name=responses.text(item, "HaVipName"),
            )
    for path, page in _pages(subnets, "DescribeSubnets"):
        for item in responses.items(page, "SubnetSet"):
            found.vswitches[responses.need(item, "SubnetId", path, "Subnet")] = {
                "vpc": responses.text(item, "VpcId"),
                "cidr": responses.text(item, "CidrBlock"),
                "zone": responses.text(item, "Zone"),
            }
    for path, page in _pages(instances, "DescribeInstances"):
        for item in responses.items(page, "InstanceSet"):
            ident = responses.need(item, "InstanceId", path, "Instance")
            ips = responses.strings(item, "PrivateIpAddresses")
            network = responses.mapping(item, "VirtualPrivateCloud")
            found.instances[ident] = {
                "ip": ips[0] if ips else None,
                "vswitch": responses.text(network, "SubnetId"),
                "name": responses.text(item, "InstanceName"),
            }
            zone = responses.text(responses.mapping(item, "Placement"), "Zone")
            if zone and found.region is None:
                found.region = zone.rsplit("-", 1)[0]
    for path, page in _pages(enis, "DescribeNetworkInterfaces"):
        for item in responses.items(page, "NetworkInterfaceSet"):
            ident = responses.need(item, "NetworkInterfaceId", path, "NetworkInterface")
            addresses = responses.items(item, "PrivateIpAddressSet")
            primary = next((a for a in addresses if a.get("Primary")), addresses[0] if addresses else {})
            attachment = responses.mapping(item, "Attachment")
            found.enis[ident] = {
                "ip": responses.text(primary, "PrivateIpAddress"),
                "vswitch": responses.text(item, "SubnetId"),
                "instance": responses.text(attachment, "InstanceId"),
                "name": responses.text(item, "NetworkInterfaceName"),
            }
    for ident in [i for i, entry in found.instances.items() if not entry["vswitch"]]:
        found.notes.append(f"CVM {ident} skipped: no VirtualPrivateCloud.SubnetId")
        del found.instances[ident]
    return found
