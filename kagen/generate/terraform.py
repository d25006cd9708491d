"""The Terraform resource model ``kagen generate`` writes beside the configurations
(``havip.tf.json``): the resources the inventory's floating IPs need, in the provider's own
resource types, and ``import`` blocks for the ones that already exist, so that ``terraform plan``
adopts them instead of creating them again.

Alibaba Cloud's import ids come from the alicloud provider's documentation (an HAVIP by its id,
an attachment as ``<ha_vip_id>:<instance_id>``, an EIP association as
``<allocation_id>:<instance_id>``); the other providers' are in kagen.generate.tfclouds. The
Terraform provider's name, source and version are data (kagen/cloud/data/*.toml)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kagen.cloud.model import Inventory


def tf_name(name: str) -> str:
    """A Terraform identifier for an inventory name (letters, digits, '_' and '-'; no leading digit)."""
    text = re.sub(r"[^A-Za-z0-9_-]", "_", name)
    return text if re.match(r"[A-Za-z_]", text) else f"_{text}"


@dataclass
class Model:
    """Resources, the variables for ids the inventory does not know, and import blocks."""

    inv: Inventory
    variables: dict[str, dict] = field(default_factory=dict)
    resources: dict[str, dict] = field(default_factory=dict)
    imports: list[dict] = field(default_factory=list)

    def known(self, value: str | None, variable: str, what: str) -> str:
        """``value``, or a reference to a variable to fill in when the inventory lacks it."""
        if value:
            return value
        self.variables[variable] = {"type": "string", "description": what}
        return f"${{var.{variable}}}"

    def adopt(self, address: str, *ids: str | None, separator: str = ":") -> None:
        """An import block for a resource that exists: every id it is made of is known."""
        if all(ids):
            self.imports.append({"to": address, "id": separator.join(ident for ident in ids if ident)})

    def key(self, kind: str, name: str) -> str:
        """The resource name of ``name`` among ``kind``'s: names that differ only in '.' and '_' apart."""
        key = tf_name(name)
        while key in self.resources.get(kind, {}):
            key += "_"
        return key

    def add(self, kind: str, key: str, body: dict) -> None:
        self.resources.setdefault(kind, {})[key] = body

    def subnet_id(self, vswitch_name: str) -> str:
        vswitch = self.inv.vswitches.get(vswitch_name)
        word = self.inv.terms.subnet
        return self.known(
            vswitch.id if vswitch else None, f"vswitch_{tf_name(vswitch_name)}_id", f"id of {word} {vswitch_name}"
        )

    def output(self) -> dict:
        settings = self.inv.facts.terraform
        provider = {key: settings[key] for key in ("source", "version") if key in settings}
        model: dict[str, object] = {"terraform": {"required_providers": {settings["name"]: provider}}}
        if self.inv.region:
            model["provider"] = {settings["name"]: {"region": self.inv.region}}
        if self.variables:
            model["variable"] = dict(sorted(self.variables.items()))
        if self.imports:
            model["import"] = self.imports
        model["resource"] = self.resources
        return model


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
    from kagen.generate import tfclouds

    model = Model(inv)
    {"alibaba": alibaba, **tfclouds.WRITERS}[inv.provider](model)
    return model.output()
