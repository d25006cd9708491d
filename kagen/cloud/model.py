"""The resource model: what a user has in the cloud and which keepalived clusters run on it.

Built from an inventory (``kagen.inventory``) or by the importers, read by the HAVIP rules, the
config-vs-cloud rules and the generator. Names are the inventory's keys; every object keeps the
position it was written at, so a finding points at the inventory line to change.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from kagen.cloud.facts import DEFAULT_PROVIDER, Facts, Limit, Terms, facts
from kagen.diagnostics import Position

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

DEFAULT_VPC = "default"


@dataclass
class Vpc:
    name: str
    pos: Position
    id: str | None = None
    cidr: ipaddress.IPv4Network | None = None


@dataclass
class VSwitch:
    name: str
    pos: Position
    cidr: ipaddress.IPv4Network | None  # None: not known (an import without DescribeVSwitches)
    vpc: str = DEFAULT_VPC
    zone: str | None = None
    id: str | None = None

    def reserved(self, known: Facts) -> set[ipaddress.IPv4Address]:
        """Addresses the cloud never hands out (Alibaba: the first and the last three of the
        CIDR); none where the provider's data does not say."""
        if self.cidr is None or known.reserved_first is None or known.reserved_last is None:
            return set()
        first, last = int(self.cidr.network_address), int(self.cidr.broadcast_address)
        head = range(first, min(first + known.reserved_first, last + 1))
        tail = range(max(last - known.reserved_last + 1, first), last + 1)
        return {ipaddress.IPv4Address(n) for n in (*head, *tail)}


@dataclass
class Endpoint:
    """Something an HAVIP can be associated with: an ECS instance or an ENI. ``interface`` is the
    network device keepalived binds to on the node (None when the inventory does not say)."""

    name: str
    pos: Position
    kind: str  # "instance" or "eni"
    ip: Address | None  # None: not known (an import without the instances' or ENIs' data)
    vswitch: str
    interface: str | None
    id: str | None = None
    instance: str | None = None  # for an ENI: the instance it is attached to

    @property
    def node(self) -> str:
        """The ECS instance the endpoint lives on (an ENI's instance, else itself)."""
        return self.instance or self.name


@dataclass
class Eip:
    address: str
    pos: Position
    id: str | None = None


@dataclass
class Havip:
    name: str
    pos: Position
    vswitch: str
    address: Address | None  # None: "auto", the cloud picks one
    address_pos: Position
    members: list[str] = field(default_factory=list)
    member_pos: list[Position] = field(default_factory=list)
    eips: list[Eip] = field(default_factory=list)
    routes: list[str] = field(default_factory=list)  # destinations of route entries that point here
    id: str | None = None
    cloud_name: str | None = None  # the HAVIP's Name in the cloud (ha_vip_name), when it has one
    description: str | None = None


@dataclass
class ClusterMember:
    name: str  # an endpoint (instance or ENI) name
    pos: Position
    role: str  # "MASTER" or "BACKUP"
    priority: int
    config: str | None = None  # the configuration file this member reads, when the inventory says


@dataclass
class Check:
    script: str
    interval: int = 2
    timeout: int | None = None
    fall: int = 2
    rise: int = 2
    weight: int | None = None


@dataclass
class Auth:
    type: str = "PASS"
    password_env: str | None = None
    password_file: str | None = None


@dataclass
class Cluster:
    name: str
    pos: Position
    havips: list[str]
    vrid: int
    vrid_pos: Position
    members: list[ClusterMember]
    nopreempt: bool = False
    advert_int: float = 1
    check: Check | None = None
    auth: Auth | None = None
    notify: dict[str, str] = field(default_factory=dict)
    sync_group: bool = False
    options: dict[str, object] = field(default_factory=dict)


@dataclass(eq=False)  # identity: rules cache what they derive from one inventory
class Inventory:
    path: str
    pos: Position
    provider: str = DEFAULT_PROVIDER  # whose floating IPs: kagen.cloud.facts.PROVIDERS
    region: str | None = None
    region_pos: Position | None = None
    vpcs: dict[str, Vpc] = field(default_factory=dict)
    vswitches: dict[str, VSwitch] = field(default_factory=dict)
    endpoints: dict[str, Endpoint] = field(default_factory=dict)  # instances and ENIs, by name
    havips: dict[str, Havip] = field(default_factory=dict)
    clusters: dict[str, Cluster] = field(default_factory=dict)
    limits: dict[str, int] = field(default_factory=dict)  # the inventory's overrides
    limits_pos: dict[str, Position] = field(default_factory=dict)
    comments: dict[int, tuple[int, str]] = field(default_factory=dict)  # line -> column, text (inline disables)
    text: str = ""  # the file as read (kagen lint --show-source)

    @property
    def facts(self) -> Facts:
        return facts(self.provider)

    @property
    def terms(self) -> Terms:
        return self.facts.terms

    def limit(self, key: str) -> int | None:
        """The inventory's value of a limit, else the provider's; None when neither knows it."""
        return self.limits.get(key, self.facts.limits[key].value)

    def limit_fact(self, key: str) -> Limit:
        return self.facts.limits[key]

    def vpc_of(self, havip: Havip) -> str:
        vswitch = self.vswitches.get(havip.vswitch)
        return vswitch.vpc if vswitch else DEFAULT_VPC
