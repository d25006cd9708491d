"""``kagen import describe-havips --provider volcengine``: saved outputs of Volcengine's (and
BytePlus's) APIs.

Reads ``DescribeHaVips`` (vpc 2020-04-01: ``Result.HaVips[]``), and when given
``DescribeSubnets`` (``Result.Subnets[]``) and ECS ``DescribeInstances``
(``Result.Instances[]``, each with its ``NetworkInterfaces[]``: the primary one is the instance's
address, the others are its ENIs); shapes in ../shared/reference/providers.md
(volcengine/volcengine-python-sdk ``volcenginesdkvpc/models``). A page is the API's JSON
(``{"ResponseMetadata": ..., "Result": {...}}``) or the SDK's (the inside of ``Result``).
"""

from __future__ import annotations

from collections.abc import Iterator

from kagen.importers import responses
from kagen.importers.found import Found, FoundHavip

RESPONSES = {"DescribeHaVips": "HaVips", "DescribeSubnets": "Subnets", "DescribeInstances": "Instances"}
_KINDS = {"EcsInstance": "instance", "NetworkInterface": "eni"}  # AssociatedInstanceType


def _looks_like(page: dict) -> str:
    other = next((name for name, key in RESPONSES.items() if key in page), None)
    if other is not None:
        return f"it looks like a Volcengine {other} response; give it with the option for that"
    error = responses.mapping(page, "ResponseMetadata").get("Error")
    if isinstance(error, dict):
        return f"it is an error response ({error.get('Code')}: {error.get('Message')})"
    return f"its keys are {responses.keys_of(page)}"


def _pages(paths: list[str], api: str) -> Iterator[tuple[str, dict]]:
    return responses.pages(paths, f"Volcengine {api}", RESPONSES[api], "Result", _looks_like)


def read(havips: list[str], subnets: list[str], instances: list[str]) -> Found:
    found = Found(source="Volcengine DescribeHaVips " + " ".join(havips), provider="volcengine")
    for path, page in _pages(havips, "DescribeHaVips"):
        for item in responses.items(page, "HaVips"):
            ident = responses.need(item, "HaVipId", path, "HaVip")
            members = list(dict.fromkeys(responses.strings(item, "AssociatedInstanceIds")))
            kind = _KINDS.get(str(item.get("AssociatedInstanceType")), "instance")  # one for all the HAVIP's members
            found.havips[ident] = FoundHavip(
                address=responses.text(item, "IpAddress"),
                vswitch=responses.need(item, "SubnetId", path, "HaVip"),
                vpc=responses.text(item, "VpcId"),
                members=members,
                member_types={member: kind for member in members},
                master=responses.text(item, "MasterInstanceId"),
                eips=responses.strings(item, "AssociatedEipAddress"),
                name=responses.text(item, "HaVipName"),
                description=responses.text(item, "Description"),
            )
    for path, page in _pages(subnets, "DescribeSubnets"):
        for item in responses.items(page, "Subnets"):
            found.vswitches[responses.need(item, "SubnetId", path, "Subnet")] = {
                "vpc": responses.text(item, "VpcId"),
                "cidr": responses.text(item, "CidrBlock"),
                "zone": responses.text(item, "ZoneId"),
            }
    for path, page in _pages(instances, "DescribeInstances"):
        for item in responses.items(page, "Instances"):
            ident = responses.need(item, "InstanceId", path, "Instance")
            interfaces = responses.items(item, "NetworkInterfaces")
            primary = next((n for n in interfaces if n.get("Type") == "primary"), interfaces[0] if interfaces else {})
            found.instances[ident] = {
                "ip": responses.text(primary, "PrimaryIpAddress"),
                "vswitch": responses.text(primary, "SubnetId"),
                "name": responses.text(item, "InstanceName"),
            }
            for interface in interfaces:
                eni = responses.text(interface, "NetworkInterfaceId")
                if interface is not primary and eni:
                    found.enis[eni] = {
                        "ip": responses.text(interface, "PrimaryIpAddress"),
                        "vswitch": responses.text(interface, "SubnetId"),
                        "instance": ident,
                        "name": None,
                    }
            zone = responses.text(item, "ZoneId")
            if zone and found.region is None:
                found.region = zone.rsplit("-", 1)[0]
    for ident in [i for i, entry in found.instances.items() if not entry["vswitch"]]:
        found.notes.append(f"ECS instance {ident} skipped: no primary network interface with a SubnetId")
        del found.instances[ident]
    return found
