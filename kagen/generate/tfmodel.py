"""The Terraform file being built (kagen.generate.terraform, kagen.generate.tfclouds): its
resources, the variables for ids the inventory does not know, and ``import`` blocks for what
exists; the provider block from the provider's data (kagen/cloud/data/*.toml)."""

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
