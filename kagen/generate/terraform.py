"""The Terraform resource model ``kagen generate`` writes beside the configurations
(``havip.tf.json``): the alicloud resources the inventory's HAVIPs need, and ``import`` blocks for
the ones that already exist (resource ids from the provider's documentation: an HAVIP by its id,
an attachment as ``<ha_vip_id>:<instance_id>``, an EIP association as
``<allocation_id>:<instance_id>``), so that ``terraform plan`` adopts them instead of creating
them again."""

from __future__ import annotations

import re

from kagen.cloud.model import Inventory

PROVIDER = {"alicloud": {"source": "aliyun/alicloud", "version": ">= 1.259.0"}}  # ha_vip_id on attachments


def _tf_name(name: str) -> str:
    """A Terraform identifier for an inventory name (letters, digits, '_' and '-'; no leading digit)."""
    text = re.sub(r"[^A-Za-z0-9_-]", "_", name)
    return text if re.match(r"[A-Za-z_]", text) else f"_{text}"


def terraform_model(inv: Inventory) -> dict:
    """The alicloud resources of every HAVIP in the inventory as Terraform JSON: the HAVIP, one
    attachment per member (ECS instance or ENI), one EIP association per EIP, one route entry per
    route. An id the inventory does not know becomes a variable to fill in."""
    variables: dict[str, dict] = {}

    def known(value: str | None, variable: str, what: str) -> str:
        if value:
            return value
        variables[variable] = {"type": "string", "description": what}
        return f"${{var.{variable}}}"

    resources: dict[str, dict] = {}
    imports = []

    def adopt(address: str, *ids: str | None) -> None:
        """An import block for a resource that exists: every id it is made of is known."""
        if all(ids):
            imports.append({"to": address, "id": ":".join(ident for ident in ids if ident)})

    for name, havip in inv.havips.items():
        key = _tf_name(name)
        while key in resources.get("alicloud_vpc_ha_vip", {}):  # names that differ only in '.' and '_'
            key += "_"
        vswitch = inv.vswitches.get(havip.vswitch)
        body: dict[str, object] = {
            "vswitch_id": known(
                vswitch.id if vswitch else None,
                f"vswitch_{_tf_name(havip.vswitch)}_id",
                f"id of vSwitch {havip.vswitch}",
            ),
            "ha_vip_name": havip.cloud_name or name,
        }
        if havip.description:
            body["description"] = havip.description
        if havip.address is not None:
            body["ip_address"] = str(havip.address)
        resources.setdefault("alicloud_vpc_ha_vip", {})[key] = body
        adopt(f"alicloud_vpc_ha_vip.{key}", havip.id)
        for member in havip.members:
            endpoint = inv.endpoints[member]
            kind = "instance" if endpoint.kind == "instance" else "eni"
            attachment = f"{key}_{_tf_name(member)}"
            resources.setdefault("alicloud_havip_attachment", {})[attachment] = {
                "ha_vip_id": f"${{alicloud_vpc_ha_vip.{key}.id}}",
                "instance_id": known(endpoint.id, f"{kind}_{_tf_name(member)}_id", f"id of {endpoint.kind} {member}"),
                "instance_type": "EcsInstance" if endpoint.kind == "instance" else "NetworkInterface",
            }
            adopt(f"alicloud_havip_attachment.{attachment}", havip.id, endpoint.id)
        for index, eip in enumerate(havip.eips):
            resources.setdefault("alicloud_eip_association", {})[f"{key}_{index}"] = {
                "allocation_id": known(eip.id, f"eip_{key}_{index}_id", f"allocation id of EIP {eip.address}"),
                "instance_id": f"${{alicloud_vpc_ha_vip.{key}.id}}",
                "instance_type": "HaVip",
            }
            adopt(f"alicloud_eip_association.{key}_{index}", eip.id, havip.id)
        for index, route in enumerate(havip.routes):
            resources.setdefault("alicloud_route_entry", {})[f"{key}_{index}"] = {
                "route_table_id": known(
                    None, "route_table_id", "id of the route table that sends traffic to the HAVIPs"
                ),
                "destination_cidrblock": route,
                "nexthop_type": "HaVip",
                "nexthop_id": f"${{alicloud_vpc_ha_vip.{key}.id}}",
            }
    model: dict[str, object] = {"terraform": {"required_providers": PROVIDER}}
    if inv.region:
        model["provider"] = {"alicloud": {"region": inv.region}}
    if variables:
        model["variable"] = dict(sorted(variables.items()))
    if imports:
        model["import"] = imports
    model["resource"] = resources
    return model
