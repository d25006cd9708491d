"""Terraform resources for Tencent Cloud, Volcengine and Huawei Cloud floating IPs
(kagen.generate.terraform writes Alibaba Cloud's and the file around them).

Resource types, arguments and import ids follow each provider's documentation
(../shared/reference/providers.md); an import block is written only where that documentation
gives the id's format (Tencent's instance attachment ``<ha_vip_id>#<type>#<instance_id>``,
Volcengine's associate ``<ha_vip_id>:<instance_id>``, and every floating IP by its own id).
Route entries to a floating IP are written for Alibaba Cloud only: for the others the resource
is not in kagen's sources, and the floating IP's resource says so in a ``//`` comment."""

from __future__ import annotations

from collections.abc import Callable

from kagen.cloud.model import Havip
from kagen.generate.tfmodel import Model, tf_name


def _routes_note(model: Model, havip: Havip, body: dict) -> None:
    if havip.routes:
        body["//"] = (
            f"routes to this {model.inv.terms.vip} ({', '.join(havip.routes)}) are not written by kagen for "
            f"{model.inv.terms.cloud}: add its route table entries yourself"
        )


def _member_id(model: Model, member: str) -> str:
    endpoint = model.inv.endpoints[member]
    word = model.inv.terms.kind(endpoint.kind)
    return model.known(endpoint.id, f"{endpoint.kind}_{tf_name(member)}_id", f"id of {word} {member}")


def tencent(model: Model) -> None:
    """``tencentcloud_ha_vip`` (in the subnet's VPC), one ``tencentcloud_ha_vip_instance_attachment``
    per member (CVM or ENI), ``tencentcloud_ha_vip_eip_attachment`` per EIP."""
    inv = model.inv
    for name, havip in inv.havips.items():
        key = model.key("tencentcloud_ha_vip", name)
        vswitch = inv.vswitches.get(havip.vswitch)
        vpc = inv.vpcs.get(vswitch.vpc) if vswitch else None
        vpc_name = vswitch.vpc if vswitch else "default"
        body: dict[str, object] = {
            "name": havip.cloud_name or name,
            "vpc_id": model.known(vpc.id if vpc else None, f"vpc_{tf_name(vpc_name)}_id", f"id of VPC {vpc_name}"),
            "subnet_id": model.subnet_id(havip.vswitch),
        }
        if havip.address is not None:
            body["vip"] = str(havip.address)
        _routes_note(model, havip, body)
        model.add("tencentcloud_ha_vip", key, body)
        model.adopt(f"tencentcloud_ha_vip.{key}", havip.id)
        for member in havip.members:
            endpoint = inv.endpoints[member]
            kind = "CVM" if endpoint.kind == "instance" else "ENI"
            attachment = f"{key}_{tf_name(member)}"
            model.add(
                "tencentcloud_ha_vip_instance_attachment",
                attachment,
                {
                    "ha_vip_id": f"${{tencentcloud_ha_vip.{key}.id}}",
                    "instance_id": _member_id(model, member),
                    "instance_type": kind,
                },
            )
            model.adopt(
                f"tencentcloud_ha_vip_instance_attachment.{attachment}", havip.id, kind, endpoint.id, separator="#"
            )
        for index, eip in enumerate(havip.eips):
            model.add(
                "tencentcloud_ha_vip_eip_attachment",
                f"{key}_{index}",
                {"havip_id": f"${{tencentcloud_ha_vip.{key}.id}}", "address_ip": eip.address},
            )


def volcengine(model: Model) -> None:
    """``volcengine_ha_vip``, one ``volcengine_ha_vip_associate`` per member (ECS instance or
    network interface), ``volcengine_eip_associate`` with ``instance_type = "HaVip"`` per EIP."""
    inv = model.inv
    for name, havip in inv.havips.items():
        key = model.key("volcengine_ha_vip", name)
        body: dict[str, object] = {"subnet_id": model.subnet_id(havip.vswitch), "ha_vip_name": havip.cloud_name or name}
        if havip.description:
            body["description"] = havip.description
        if havip.address is not None:
            body["ip_address"] = str(havip.address)
        _routes_note(model, havip, body)
        model.add("volcengine_ha_vip", key, body)
        model.adopt(f"volcengine_ha_vip.{key}", havip.id)
        for member in havip.members:
            endpoint = inv.endpoints[member]
            associate = f"{key}_{tf_name(member)}"
            model.add(
                "volcengine_ha_vip_associate",
                associate,
                {
                    "ha_vip_id": f"${{volcengine_ha_vip.{key}.id}}",
                    "instance_id": _member_id(model, member),
                    "instance_type": "EcsInstance" if endpoint.kind == "instance" else "NetworkInterface",
                },
            )
            model.adopt(f"volcengine_ha_vip_associate.{associate}", havip.id, endpoint.id)
        for index, eip in enumerate(havip.eips):
            model.add(
                "volcengine_eip_associate",
                f"{key}_{index}",
                {
                    "allocation_id": model.known(
                        eip.id, f"eip_{key}_{index}_id", f"allocation id of EIP {eip.address}"
                    ),
                    "instance_id": f"${{volcengine_ha_vip.{key}.id}}",
                    "instance_type": "HaVip",
                },
            )


# What huaweicloud_networking_vip_associate does besides the association (providers.md).
SOURCE_CHECK = (
    "huaweicloud_networking_vip_associate also turns off the source/destination check of these ports "
    "(it adds 1.1.1.1/0 to their allowed address pairs), so that they may send and receive for the virtual IP"
)


def huawei(model: Model) -> None:
    """``huaweicloud_networking_vip`` in the subnet's network, one
    ``huaweicloud_networking_vip_associate`` with every member's port, and
    ``huaweicloud_vpc_eip_associate`` per EIP (bound to the virtual IP's port)."""
    inv = model.inv
    for name, havip in inv.havips.items():
        key = model.key("huaweicloud_networking_vip", name)
        body: dict[str, object] = {"network_id": model.subnet_id(havip.vswitch), "name": havip.cloud_name or name}
        if havip.address is not None:
            body["ip_address"] = str(havip.address)
            body["ip_version"] = havip.address.version
        _routes_note(model, havip, body)
        model.add("huaweicloud_networking_vip", key, body)
        model.adopt(f"huaweicloud_networking_vip.{key}", havip.id)
        if havip.members:
            model.add(
                "huaweicloud_networking_vip_associate",
                key,
                {
                    "//": SOURCE_CHECK,
                    "vip_id": f"${{huaweicloud_networking_vip.{key}.id}}",
                    "port_ids": [_port_id(model, member) for member in havip.members],
                },
            )
        for index, eip in enumerate(havip.eips):
            model.add(
                "huaweicloud_vpc_eip_associate",
                f"{key}_{index}",
                {"public_ip": eip.address, "port_id": f"${{huaweicloud_networking_vip.{key}.id}}"},
            )


def _port_id(model: Model, member: str) -> str:
    """A member's port: a port's own id; for an ECS, the id of its port in the subnet (a variable)."""
    endpoint = model.inv.endpoints[member]
    if endpoint.kind == "eni":
        return _member_id(model, member)
    return model.known(None, f"port_{tf_name(member)}_id", f"id of the port of ECS {member} in its subnet")


WRITERS: dict[str, Callable[[Model], None]] = {"tencent": tencent, "volcengine": volcengine, "huawei": huawei}
