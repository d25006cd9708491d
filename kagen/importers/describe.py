"""``kagen import describe-havips``: saved outputs of Alibaba Cloud's Describe* APIs to an inventory.

Reads ``DescribeHaVips`` (VPC API 2016-04-28) and, when given, ``DescribeVSwitches``,
``DescribeInstances`` and ``DescribeNetworkInterfaces`` (shapes in ../shared/reference/havip.md).
Each file holds one response or a JSON list of responses (one per page); several files may be
given for one kind. Lists the API wraps (``HaVips.HaVip[]``) may be missing or empty; the
misspelt ``associatedEipAddresse`` key is the API's own.
"""

from __future__ import annotations

from collections.abc import Iterator

from kagen.importers import responses
from kagen.importers.found import Found, FoundHavip

# What each response holds its items under: the key that tells one response from another.
RESPONSES = {
    "DescribeHaVips": "HaVips",
    "DescribeVSwitches": "VSwitches",
    "DescribeInstances": "Instances",
    "DescribeNetworkInterfaces": "NetworkInterfaceSets",
}


_KINDS = {"EcsInstance": "instance", "NetworkInterface": "eni"}  # AssociatedInstanceType


def _pages(paths: list[str], api: str) -> Iterator[tuple[str, dict]]:
    """The response pages of ``api`` in ``paths``; anything else (another API's response, an
    error response, unrelated JSON) is refused, saying what it looks like."""
    return responses.pages(paths, api, RESPONSES[api], None, _looks_like)


def _looks_like(page: dict) -> str:
    other = next((name for name, key in RESPONSES.items() if key in page), None)
    if other is not None:
        return f"it looks like a {other} response; give it with the option for that"
    if "Code" in page and "Message" in page:
        return f"it is an error response ({page['Code']}: {page['Message']})"
    return f"its keys are {responses.keys_of(page)}"


_dig, _list, _strings, _text, _need = responses.dig, responses.items, responses.strings, responses.text, responses.need


def read(havips: list[str], vswitches: list[str], instances: list[str], enis: list[str]) -> Found:
    found = Found(source="DescribeHaVips " + " ".join(havips))
    for path, page in _pages(havips, "DescribeHaVips"):
        for item in _list(page, "HaVips", "HaVip"):
            ident = _need(item, "HaVipId", path, "HaVip")
            found.region = found.region or item.get("RegionId")
            members = list(dict.fromkeys(_strings(item, "AssociatedInstances", "associatedInstance")))
            kind = item.get("AssociatedInstanceType")  # one for all the HAVIP's members
            found.havips[ident] = FoundHavip(
                address=item.get("IpAddress") or None,
                vswitch=_need(item, "VSwitchId", path, "HaVip"),
                vpc=item.get("VpcId"),
                members=members,
                member_types={member: _KINDS.get(kind, "instance") for member in members}
                if isinstance(kind, str) and kind
                else {},
                master=item.get("MasterInstanceId") or None,
                eips=_strings(item, "AssociatedEipAddresses", "associatedEipAddresse"),
                name=_text(item, "Name"),
                description=_text(item, "Description"),
            )
    for path, page in _pages(vswitches, "DescribeVSwitches"):
        for item in _list(page, "VSwitches", "VSwitch"):
            found.vswitches[_need(item, "VSwitchId", path, "VSwitch")] = {
                "vpc": item.get("VpcId"),
                "cidr": item.get("CidrBlock"),
                "zone": item.get("ZoneId"),
            }
    for path, page in _pages(instances, "DescribeInstances"):
        for item in _list(page, "Instances", "Instance"):
            ident = _need(item, "InstanceId", path, "Instance")
            vpc = item.get("VpcAttributes") or {}
            ips = _strings(vpc, "PrivateIpAddress", "IpAddress")
            found.instances[ident] = {
                "ip": ips[0] if ips else None,
                "vswitch": vpc.get("VSwitchId"),
                "name": _text(item, "InstanceName"),
            }
            found.region = found.region or item.get("RegionId")
    for path, page in _pages(enis, "DescribeNetworkInterfaces"):
        for item in _list(page, "NetworkInterfaceSets", "NetworkInterfaceSet"):
            ident = _need(item, "NetworkInterfaceId", path, "NetworkInterfaceSet")
            found.enis[ident] = {
                "ip": item.get("PrivateIpAddress"),
                "vswitch": item.get("VSwitchId"),
                "instance": item.get("InstanceId") or None,
                "name": _text(item, "NetworkInterfaceName"),
            }
    for ident in [i for i, entry in found.instances.items() if not entry["vswitch"]]:
        found.notes.append(f"instance {ident} skipped: no VSwitchId (not a VPC instance)")
        del found.instances[ident]
    return found
