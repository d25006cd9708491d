"""``kagen import describe-havips`` and ``list-ports``: which provider's saved API responses a
file holds, told from the document's shape when the user does not say, and the reader for it.

Shapes (../shared/reference/providers.md): Alibaba Cloud ``{"HaVips": {"HaVip": [...]}}``,
Tencent Cloud ``{"Response": {"HaVipSet": [...]}}``, Volcengine ``{"Result": {"HaVips": [...]}}``
(the SDKs save the inside of ``Response`` and ``Result``), Huawei Cloud ``{"ports": [...]}``.
"""

from __future__ import annotations

from kagen.diagnostics import InputError
from kagen.importers import describe, huawei, responses, tencent, volcengine
from kagen.importers.found import Found

EXPECTED = (
    "expected a DescribeHaVips response of Alibaba Cloud (HaVips.HaVip), Tencent Cloud (Response.HaVipSet) "
    "or Volcengine (Result.HaVips)"
)


def provider_of(path: str) -> str:
    """The provider whose DescribeHaVips response ``path`` holds (its first page's shape); a
    response of another known API is left to that provider's reader, which says what it is."""
    pages = responses.documents(path)
    page = pages[0] if pages else {}
    if not isinstance(page, dict):
        return "alibaba"  # its reader refuses it, saying what it expected
    if "Response" in page or any(key in page for key in tencent.RESPONSES.values()):
        return "tencent"
    if "Result" in page or "ResponseMetadata" in page or isinstance(page.get("HaVips"), list):
        return "volcengine"
    if "ports" in page:
        raise InputError(f"{path}: a Huawei Cloud ListPorts response: read it with kagen import list-ports")
    if any(key in page for key in describe.RESPONSES.values()) or ("Code" in page and "Message" in page):
        return "alibaba"
    raise InputError(f"{path}: {EXPECTED}; its keys are {responses.keys_of(page)}")


def read_havips(
    havips: list[str], provider: str | None, subnets: list[str], instances: list[str], enis: list[str]
) -> Found:
    provider = provider or provider_of(havips[0])
    if provider == "tencent":
        return tencent.read(havips, subnets, instances, enis)
    if provider == "volcengine":
        if enis:
            raise InputError("--enis: Volcengine's network interfaces come with DescribeInstances (--instances)")
        return volcengine.read(havips, subnets, instances)
    return describe.read(havips, subnets, instances, enis)


def read_ports(ports: list[str], subnets: list[str], instances: list[str]) -> Found:
    return huawei.read(ports, subnets, instances)
