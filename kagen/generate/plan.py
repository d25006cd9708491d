"""What ``kagen generate`` writes, decided from the inventory: one configuration per node (an ECS
instance, with every VRRP instance of every cluster it is a member of) and the Terraform
resources the configurations rely on.

Every decision is made here, in Python, so the templates only loop and print: unicast source and
peers, the HAVIP as virtual address on the NIC in its vSwitch, roles and priorities, the health
check, the settings cloud HAVIPs need (gratuitous ARP refresh, an advert from the higher-priority
node at once, fault instead of a multicast fallback), what the target keepalived supports.
What the inventory lacks for that (an address left to the cloud, an ENI without its device name,
a password that cannot be read) is a problem with the inventory position to fix.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from kagen.cloud.model import Check, Cluster, ClusterMember, Endpoint, Inventory
from kagen.diagnostics import Position
from kagen.generate.secrets import SecretError, Secrets, read_password
from kagen.generate.terraform import terraform_model
from kagen.keepalived.keywords import Version, format_version, table
from kagen.keepalived.tree import quoting_problem
from kagen.partition import Partition

# Cloud HAVIP guides: a quick second burst and a periodic re-announcement keep the vSwitch's
# ARP table on the MASTER (reference/havip.md, "The keepalived side of an HAVIP pair").
GARP_MASTER_DELAY = 1
GARP_MASTER_REFRESH = 5
SCRIPT_USER = "root"  # always exists; enable_script_security then refuses scripts others can write
TERRAFORM_FILE = "havip.tf.json"
SHOWN_NAME = 100  # characters of the inventory's file name in the header comments
CONFIG_FILE = "keepalived.conf"
# Instance keywords kagen derives from the inventory; ``options:`` may not set them, nor
# anything that brings back multicast or strict mode.
MANAGED = frozenset(
    "state priority interface virtual_router_id advert_int version nopreempt preempt unicast_src_ip "
    "unicast_peer unicast_fault_no_peer virtual_ipaddress authentication track_script notify "
    "notify_master notify_backup notify_fault notify_stop garp_master_delay garp_master_refresh "
    "higher_prio_send_advert strict_mode mcast_src_ip mcast_dst_ip".split()
)
NOTIFY_KEYWORDS = {
    "master": "notify_master",
    "backup": "notify_backup",
    "fault": "notify_fault",
    "stop": "notify_stop",
    "any": "notify",
}


@dataclass
class Script:
    name: str
    check: Check


@dataclass
class Instance:
    """One ``vrrp_instance`` of one node, every value already as it is written."""

    name: str  # the cluster's
    state: str
    interface: str
    vrid: int
    priority: int
    advert_int: str
    version: int | None  # 3 for sub-second adverts; None: keepalived's default (2)
    nopreempt: bool
    source: str
    peers: list[str]
    vips: list[str]
    auth_type: str | None
    auth_pass: str | None
    scripts: list[str]
    notify: list[tuple[str, str]]
    fault_no_peer: bool
    higher_prio_send_advert: bool
    garp_master_delay: int = GARP_MASTER_DELAY
    garp_master_refresh: int = GARP_MASTER_REFRESH
    options: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Node:
    name: str
    path: str  # relative to the output directory
    instances: list[Instance] = field(default_factory=list)
    scripts: list[Script] = field(default_factory=list)
    sync_group: list[str] = field(default_factory=list)
    sync_weights: bool = False  # the sync group keeps its members' check weights

    @property
    def clusters(self) -> list[str]:
        return [instance.name for instance in self.instances]

    @property
    def script_security(self) -> bool:
        return bool(self.scripts) or any(instance.notify for instance in self.instances)

    @property
    def secret(self) -> bool:
        return any(instance.auth_pass for instance in self.instances)


def networks(nodes: list[Node]) -> list[list[Node]]:
    """The nodes in groups that share clusters (directly or through another node): the members
    that exchange VRRP adverts, which the pair rules compare."""
    partition = Partition()
    for index, node in enumerate(nodes):
        for cluster in node.clusters:
            partition.join(index, ("cluster", cluster))
    return [[nodes[index] for index in group] for group in partition.groups(range(len(nodes)))]


@dataclass
class Plan:
    source: str  # the inventory's file name, for the header comments
    target: Version
    nodes: list[Node]
    terraform: dict
    secrets: Secrets
    problems: list[str]

    @property
    def target_text(self) -> str:
        return format_version(self.target)


def _has(keyword_path: str, target: Version) -> bool:
    keyword = table().by_path.get(keyword_path)
    return keyword is not None and keyword.accepted_in(target)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


class _Planner:
    def __init__(self, inventory: Inventory, target: Version, environ: dict[str, str] | None) -> None:
        self.inv = inventory
        self.target = target
        self.environ = environ
        self.secrets = Secrets()
        self.problems: list[tuple[int, str]] = []

    def problem(self, pos: Position, where: str, message: str) -> None:
        self.problems.append((pos.line, f"{pos.file}:{pos.line}: {where}: {self.secrets.mask(message)}"))

    def check_weight(self, cluster: Cluster) -> None:
        """A check weight that cannot move the virtual IP: with nopreempt (a BACKUP with nopreempt
        leaves a live MASTER alone, whatever its priority), or smaller than the gap between the
        MASTER's priority and the next one (a BACKUP takes over only with a higher priority)."""
        weight = cluster.check.weight if cluster.check is not None else None
        if not weight or len(cluster.members) < 2:
            return
        where = f"clusters.{cluster.name}.check.weight"
        if cluster.nopreempt:
            self.problem(
                cluster.pos,
                where,
                "with nopreempt a weighted check never moves the virtual IP (a BACKUP with nopreempt leaves a "
                "live MASTER alone): leave weight out, so that a failed check puts the node in FAULT",
            )
            return
        first, second = sorted((member.priority for member in cluster.members), reverse=True)[:2]
        if second + abs(weight) <= first:
            self.problem(
                cluster.pos,
                where,
                f"weight {weight} cannot move the virtual IP: the MASTER's {first} with a failed check is "
                f"{first - abs(weight)}, not below the next member's {second}; use weight "
                f"{-(first - second + 1)} or lower (or leave it out: a failed check then puts the node in FAULT)",
            )

    def plan(self) -> Plan:
        nodes: dict[str, Node] = {}
        for cluster in self.inv.clusters.values():
            self.check_weight(cluster)
            for member in cluster.members:
                endpoint = self.inv.endpoints[member.name]
                node = nodes.setdefault(endpoint.node, Node(endpoint.node, f"{endpoint.node}/{CONFIG_FILE}"))
                instance = self.instance(cluster, member, endpoint)
                if instance is None:
                    continue
                if cluster.name in node.clusters:
                    self.problem(member.pos, f"clusters.{cluster.name}", f"two members on instance {endpoint.node}")
                    continue
                node.instances.append(instance)
                if cluster.check is not None:
                    node.scripts.append(Script(f"chk_{cluster.name}", cluster.check))
        for node in nodes.values():
            synced = [self.inv.clusters[name] for name in node.clusters if self.inv.clusters[name].sync_group]
            node.sync_group = [cluster.name for cluster in synced]
            weighted = any(cluster.check is not None and cluster.check.weight for cluster in synced)
            # keepalived drops a weighted tracked script of a sync group member (the check would
            # silently do nothing) unless the group says it keeps the weights.
            if weighted and len(synced) > 1:
                if _has("vrrp_sync_group/sync_group_tracking_weight", self.target):
                    node.sync_weights = True
                else:
                    self.problem(
                        synced[0].pos,
                        f"clusters.{synced[0].name}",
                        f"keepalived {format_version(self.target)} ignores check weights in a sync group; "
                        "remove the weight (a failing check then faults the group) or sync_group",
                    )
            if len(synced) == 1:
                self.problem(
                    synced[0].pos,
                    f"clusters.{synced[0].name}.sync_group",
                    f"a sync group needs at least two clusters on the same nodes; {node.name} has only this one",
                )
        ordered = [nodes[name] for name in sorted(nodes)]
        return Plan(
            source=shown_name(self.inv.path),
            target=self.target,
            nodes=ordered,
            terraform=terraform_model(self.inv),
            secrets=self.secrets,
            problems=[text for _, text in sorted(set(self.problems))],
        )

    def instance(self, cluster: Cluster, member: ClusterMember, endpoint: Endpoint) -> Instance | None:
        where = f"clusters.{cluster.name}"
        ok = True
        if endpoint.ip is None:
            self.problem(endpoint.pos, f"{endpoint.kind}s.{endpoint.name}.ip", "needed to generate (unicast_src_ip)")
            ok = False
        if endpoint.interface is None:
            self.problem(
                endpoint.pos,
                f"enis.{endpoint.name}.device",
                "needed to generate: the network device of this ENI on its instance (e.g. eth1)",
            )
            ok = False
        commands = [("check.script", cluster.check.script)] if cluster.check is not None else []
        for field_name, command in [*commands, *((f"notify.{event}", text) for event, text in cluster.notify.items())]:
            problem = quoting_problem(command)
            if problem is not None:  # keepalived: "missing terminating" quote, and the script is dropped
                self.problem(cluster.pos, f"{where}.{field_name}", f"keepalived cannot split this command: {problem}")
                ok = False
        vips = []
        for name in cluster.havips:
            havip = self.inv.havips[name]
            if havip.address is None:
                self.problem(
                    havip.address_pos,
                    f"havips.{name}.address",
                    "needed to generate: keepalived must name the address (create the HAVIP and kagen import it, "
                    "or write the address here)",
                )
                ok = False
                continue
            if havip.address.version != 4:
                self.problem(havip.address_pos, f"havips.{name}.address", "kagen generates IPv4 HAVIP pairs only")
                ok = False
                continue
            vswitch = self.inv.vswitches.get(havip.vswitch)
            prefix = vswitch.cidr.prefixlen if vswitch is not None and vswitch.cidr is not None else 32
            vips.append(f"{havip.address}/{prefix} dev {endpoint.interface}")
        peers = [
            str(self.inv.endpoints[other.name].ip)
            for other in cluster.members
            if other.name != member.name and self.inv.endpoints[other.name].ip is not None
        ]
        sub_second = not float(cluster.advert_int).is_integer()
        auth_type = auth_pass = None
        if cluster.auth is not None:
            if sub_second:
                self.problem(
                    cluster.pos,
                    f"{where}.auth",
                    "VRRP authentication needs VRRP version 2, and an advert_int under a second needs version 3",
                )
                ok = False
            try:
                auth_pass = self.secrets.add(read_password(cluster.auth, os.path.dirname(self.inv.path), self.environ))
                auth_type = cluster.auth.type
            except SecretError as exc:
                self.problem(cluster.pos, f"{where}.auth", str(exc))
                ok = False
        options = self.options(cluster)
        if not ok or options is None:
            return None
        return Instance(
            name=cluster.name,
            state=member.role,
            interface=endpoint.interface or "",
            vrid=cluster.vrid,
            priority=member.priority,
            advert_int=_number(cluster.advert_int),
            version=3 if sub_second else None,
            nopreempt=cluster.nopreempt,
            source=str(endpoint.ip),
            peers=peers,
            vips=vips,
            auth_type=auth_type,
            auth_pass=auth_pass,
            scripts=[f"chk_{cluster.name}"] if cluster.check is not None else [],
            notify=[(NOTIFY_KEYWORDS[event], command) for event, command in cluster.notify.items()],
            fault_no_peer=_has("vrrp_instance/unicast_fault_no_peer", self.target),
            higher_prio_send_advert=_has("vrrp_instance/higher_prio_send_advert", self.target),
            options=options,
        )

    def options(self, cluster: Cluster) -> list[tuple[str, str]] | None:
        """``options:`` as (keyword, arguments): instance statements the target knows, none that
        kagen sets itself."""
        out = []
        for keyword, value in cluster.options.items():
            where = f"clusters.{cluster.name}.options.{keyword}"
            known = table().by_path.get(f"vrrp_instance/{keyword}")
            if keyword in MANAGED:
                self.problem(cluster.pos, where, "kagen sets this from the inventory; it cannot be an option")
            elif known is None or known.kind != "stmt" or known.multicast:
                self.problem(cluster.pos, where, f"'{keyword}' is not a vrrp_instance setting kagen can write")
            elif not known.accepted_in(self.target):
                self.problem(cluster.pos, where, f"keepalived {format_version(self.target)} does not know '{keyword}'")
            else:
                words = value if isinstance(value, list) else [] if value is None else [value]
                out.append((keyword, " ".join(str(word) for word in words)))
                continue
            return None
        return out


def shown_name(path: str) -> str:
    """The inventory's file name as the generated files' header comment shows it: characters that
    are not printable escaped (a newline in a file name would end the comment and start a
    statement keepalived reads), at most 100 of them (keepalived reads 1023 bytes a line)."""
    name = "".join(char if char.isprintable() else ascii(char)[1:-1] for char in os.path.basename(path))
    return name if len(name) <= SHOWN_NAME else name[: SHOWN_NAME - 3] + "..."


def plan(inventory: Inventory, target: Version, environ: dict[str, str] | None = None) -> Plan:
    """Decide every file of a run; ``Plan.problems`` says what the inventory lacks for it."""
    return _Planner(inventory, target, environ).plan()
