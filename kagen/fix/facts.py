"""What a fix needs that the files do not say: each instance's own address and its peers, from
the inventory, else from the other files of the run that serve the same cluster."""

from __future__ import annotations

from kagen.cloud.model import Inventory
from kagen.keepalived.model import VrrpInstance
from kagen.lint.context import FileContext
from kagen.lint.edits import Facts
from kagen.lint.placement import placement


def facts(ctxs: list[FileContext], inventory: Inventory | None) -> Facts:
    """Each instance's own address and peers: from the inventory, else from the other files of
    the run that serve the same cluster (same VRID and virtual addresses), each member's address
    being its unicast_src_ip or mcast_src_ip (worked out when a fix asks)."""
    return Facts(lambda found: _fill(found, ctxs, inventory))


def _fill(found: Facts, ctxs: list[FileContext], inventory: Inventory | None) -> None:
    if inventory is not None:
        found.missing = "the inventory does not place this file's instance (give the member's config: path)"
        for placed in placement(inventory, ctxs).placed:
            others = [
                str(inventory.endpoints[m.name].ip)
                for m in placed.cluster.members
                if m.name in inventory.endpoints and m.name != placed.endpoint.name
            ]
            if placed.endpoint.ip is not None:
                found.addresses[(placed.ctx.path, placed.instance.name or "")] = (str(placed.endpoint.ip), others)
        return
    groups: dict[tuple, list[tuple[FileContext, VrrpInstance]]] = {}
    for ctx in ctxs:
        for instance in ctx.config.vrrp_instances:
            vips = tuple(sorted(str(vip.address) for vip in instance.virtual_ipaddresses if vip.valid))
            groups.setdefault((instance.virtual_router_id, vips), []).append((ctx, instance))
    for members in groups.values():
        addresses = [instance.source_address for _, instance in members]
        if len(members) < 2 or None in addresses:
            continue
        for ctx, instance in members:
            own = str(instance.source_address)
            found.addresses[(ctx.path, instance.name or "")] = (own, [str(a) for a in addresses if str(a) != own])
