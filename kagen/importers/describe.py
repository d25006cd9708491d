"""``kagen import describe-havips``: saved outputs of Alibaba Cloud's Describe* APIs to an inventory.

Reads ``DescribeHaVips`` (VPC API 2016-04-28) and, when given, ``DescribeVSwitches``,
``DescribeInstances`` and ``DescribeNetworkInterfaces`` (shapes in ../shared/reference/havip.md).
Each file holds one response or a JSON list of responses (one per page); several files may be
given for one kind. Lists the API wraps (``HaVips.HaVip[]``) may be missing or empty; the
misspelt ``associatedEipAddresse`` key is the API's own.
"""

from __future__ import annotations

from collections.abc import Iterator

from kagen.diagnostics import InputError
from kagen.importers.found import Found, FoundHavip
from kagen.inventory import datafile


def _pages(paths: list[str]) -> Iterator[tuple[str, dict]]:
    for path in paths:
        try:
            data = datafile.read(path).data
        except datafile.DataError as exc:
            raise InputError(str(exc)) from None
        pages = data if isinstance(data, list) else [data]
        for page in pages:
            if not isinstance(page, dict):
                raise InputError(f"{path}: expected an API response object (or a list of them)")
            yield path, page


def _dig(data: object, keys: tuple[str, ...]) -> list:
    """``data[k1][k2]...`` as a list: missing or null is empty, a single value is a list of one."""
    for key in keys:
        if not isinstance(data, dict):
            return []
        data = data.get(key)
    if data is None:
        return []
    return data if isinstance(data, list) else [data]


def _list(data: object, *keys: str) -> list[dict]:
    return [item for item in _dig(data, keys) if isinstance(item, dict)]


def _strings(data: object, *keys: str) -> list[str]:
    return [str(item) for item in _dig(data, keys) if isinstance(item, str | int) and str(item)]


def _need(item: dict, key: str, path: str, what: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value:
        raise InputError(f"{path}: a {what} without {key}")
    return value


def read(havips: list[str], vswitches: list[str], instances: list[str], enis: list[str]) -> Found:
    found = Found(source="DescribeHaVips " + " ".join(havips))
    for path, page in _pages(havips):
        for item in _list(page, "HaVips", "HaVip"):
            ident = _need(item, "HaVipId", path, "HaVip")
            found.region = found.region or item.get("RegionId")
            found.havips[ident] = FoundHavip(
                address=item.get("IpAddress") or None,
                vswitch=_need(item, "VSwitchId", path, "HaVip"),
                vpc=item.get("VpcId"),
                members=list(dict.fromkeys(_strings(item, "AssociatedInstances", "associatedInstance"))),
                member_type=item.get("AssociatedInstanceType"),
                master=item.get("MasterInstanceId") or None,
                eips=_strings(item, "AssociatedEipAddresses", "associatedEipAddresse"),
                name=item.get("Name") or None,
            )
    for path, page in _pages(vswitches):
        for item in _list(page, "VSwitches", "VSwitch"):
            found.vswitches[_need(item, "VSwitchId", path, "VSwitch")] = {
                "vpc": item.get("VpcId"),
                "cidr": item.get("CidrBlock"),
                "zone": item.get("ZoneId"),
            }
    for path, page in _pages(instances):
        for item in _list(page, "Instances", "Instance"):
            ident = _need(item, "InstanceId", path, "Instance")
            vpc = item.get("VpcAttributes") or {}
            ips = _strings(vpc, "PrivateIpAddress", "IpAddress")
            found.instances[ident] = {"ip": ips[0] if ips else None, "vswitch": vpc.get("VSwitchId")}
            found.region = found.region or item.get("RegionId")
    for path, page in _pages(enis):
        for item in _list(page, "NetworkInterfaceSets", "NetworkInterfaceSet"):
            ident = _need(item, "NetworkInterfaceId", path, "NetworkInterfaceSet")
            found.enis[ident] = {
                "ip": item.get("PrivateIpAddress"),
                "vswitch": item.get("VSwitchId"),
                "instance": item.get("InstanceId") or None,
            }
    for ident in [i for i, entry in found.instances.items() if not entry["vswitch"]]:
        found.notes.append(f"instance {ident} skipped: no VSwitchId (not a VPC instance)")
        del found.instances[ident]
    return found
