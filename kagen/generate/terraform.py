"""The Terraform resource model ``kagen generate`` writes beside the configurations
(``havip.tf.json``): the resources the inventory's floating IPs need, in the provider's own
resource types, and ``import`` blocks for the ones that already exist, so that ``terraform plan``
adopts them instead of creating them again.

Alibaba Cloud's import ids come from the alicloud provider's documentation (an HAVIP by its id,
an attachment as ``<ha_vip_id>:<instance_id>``, an EIP association as
``<allocation_id>:<instance_id>``); the other providers' are in kagen.generate.tfclouds. The
Terraform provider's name, source and version are data (kagen/cloud/data/*.toml)."""

from __future__ import annotations

from kagen.cloud.model import Inventory
from kagen.generate import tfclouds
from kagen.generate.tfmodel import Model, tf_name


def alibaba(model: Model) -> None:
    """The HAVIP, one attachment per member (ECS instance or ENI), one EIP association per EIP,
    one route entry per route."""
    inv = model.inv
    for name, havip in inv.havips.items():
        key = model.key("alicloud_vpc_ha_vip", name)
        body: dict[str, object] = {
            "vswitch_id": model.subnet_id(havip.vswitch),
            "ha_vip_name": havip.cloud_name or name,
        }
        if havip.description:
            body["description"] = havip.description
        if havip.address is not None:
            body["ip_address"] = str(havip.address)
        model.add("alicloud_vpc_ha_vip", key, body)
        model.adopt(f"alicloud_vpc_ha_vip.{key}", havip.id)
        for member in havip.members:
            endpoint = inv.endpoints[member]
            kind = "instance" if endpoint.kind == "instance" else "eni"
            attachment = f"{key}_{tf_name(member)}"
            model.add(
                "alicloud_havip_attachment",
                attachment,
                {
                    "ha_vip_id": f"${{alicloud_vpc_ha_vip.{key}.id}}",
                    "instance_id": model.known(
                        endpoint.id, f"{kind}_{tf_name(member)}_id", f"id of {endpoint.kind} {member}"
                    ),
                    "instance_type": "EcsInstance" if endpoint.kind == "instance" else "NetworkInterface",
                },
            )
            model.adopt(f"alicloud_havip_attachment.{attachment}", havip.id, endpoint.id)
        for index, eip in enumerate(havip.eips):
            model.add(
                "alicloud_eip_association",
                f"{key}_{index}",
                {
                    "allocation_id": model.known(
                        eip.id, f"eip_{key}_{index}_id", f"allocation id of EIP {eip.address}"
                    ),
                    "instance_id": f"${{alicloud_vpc_ha_vip.{key}.id}}",
                    "instance_type": "HaVip",
                },
            )
            model.adopt(f"alicloud_eip_association.{key}_{index}", eip.id, havip.id)
        for index, route in enumerate(havip.routes):
            model.add(
                "alicloud_route_entry",
                f"{key}_{index}",
                {
                    "route_table_id": model.known(
                        None, "route_table_id", "id of the route table that sends traffic to the HAVIPs"
                    ),
                    "destination_cidrblock": route,
                    "nexthop_type": "HaVip",
                    "nexthop_id": f"${{alicloud_vpc_ha_vip.{key}.id}}",
                },
            )


def terraform_model(inv: Inventory) -> dict:
    """The provider's resources of every floating IP in the inventory as Terraform JSON. An id the
    inventory does not know becomes a variable to fill in."""
    model = Model(inv)
    {"alibaba": alibaba, **tfclouds.WRITERS}[inv.provider](model)
    return model.output()
