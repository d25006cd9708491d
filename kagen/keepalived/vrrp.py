"""What a vrrp_instance does, as keepalived works it out after reading the configuration: the state
it starts in, its base priority, what each tracked object adds to it or whether its failure puts
the instance in FAULT, nopreempt and preempt_delay as they survive keepalived's own corrections,
and its advert timing. The pair rules (KA5xx) and ``kagen explain`` compute with this model, not
with the text as written.

Sources (keepalived 2.4.3, same in 2.2.7 unless said): vrrp_complete_instance in vrrp/vrrp.c
(default priority 100, or 255 for ``state MASTER`` without one; strict mode forcing the state to
match ownership; nopreempt cleared at priority 255 and with state MASTER; preempt_delay cleared by
state MASTER, strict mode and nopreempt; advert_int rounded to seconds in VRRPv2 and to 10 ms in
VRRPv3; weighted trackers dropped for an address owner and, without sync_group_tracking_weight,
in a sync group; the instance's own interface tracked with weight 0 and ignored in
track_interface), vrrp_set_effective_priority in vrrp/vrrp_track.c (base plus the trackers'
contributions, clamped to 1..254, 255 for an owner whatever happens) and trackers/track_file.c
(a file's value times its weight, weight 1 by default).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import NamedTuple

from kagen.keepalived import numbers
from kagen.keepalived.model import Config, SyncGroup, VrrpInstance
from kagen.keepalived.section import Section
from kagen.keepalived.tree import Block, Line
from kagen.keepalived.words import booleans, grouped, values

OWNER, DEFAULT_PRIORITY = 255, 100


class Correction(NamedTuple):
    """Something keepalived changes from the text: where, what kind (``state``, ``own-interface``,
    ``owner``: an address owner's weighted tracker, ``group``: a sync group member's, ``undefined``:
    a track entry naming nothing), and what it does."""

    line: Line
    kind: str
    message: str


@dataclass(frozen=True)
class Tracker:
    """One tracked object of an instance. ``line`` is the entry that tracks it (None for the
    instance's own interface, which keepalived always tracks)."""

    kind: str  # script, interface, file, process, bfd
    name: str
    weight: int  # 0: its failure puts the instance in FAULT
    reverse: bool
    line: Line | None
    weight_at: Line | None = None  # the statement that set the weight: the entry's, or the definition's

    def contribution(self, ok: bool) -> int | None:
        """What it adds to the priority while it is ``ok`` or failed; None: the instance is in
        FAULT. A file is modelled as holding 0 when ok and 1 when failed."""
        sign = -1 if self.reverse else 1
        if self.kind == "file":
            if self.weight == 0:
                return None if (not ok) != self.reverse else 0
            status = 0 if ok else max(-254, min(253, self.weight * sign))
            return None if status <= -254 else status
        if self.weight == 0:
            return None if (not ok) != self.reverse else 0
        if self.weight > 0:
            return sign * self.weight if ok else 0
        return 0 if ok else sign * self.weight

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"


@dataclass
class Behaviour:
    """One instance as keepalived will run it. ``corrections`` are what keepalived changed from
    the text, each with the statement and what keepalived does (the rules report them)."""

    instance: VrrpInstance
    base: int
    state: str  # the state it wants at start: MASTER or BACKUP
    nopreempt: bool
    preempt_delay: float
    version: int
    advert_int: float
    strict: bool
    sync_group: str | None
    trackers: list[Tracker] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)

    @property
    def owner(self) -> bool:
        return self.base == OWNER

    def priority(self, failed: frozenset[Tracker] = frozenset()) -> int | None:
        """The effective priority with the trackers in ``failed`` failed and the others ok; None
        when that puts the instance in FAULT."""
        total = self.base
        for tracker in self.trackers:
            added = tracker.contribution(tracker not in failed)
            if added is None:
                return None
            total += added
        return OWNER if self.owner else max(1, min(254, total))

    def skew(self, priority: int) -> float:
        """RFC 3768/5798 skew time as keepalived computes it: based on 1 s in VRRPv2, on the
        advert interval in VRRPv3."""
        return (256 - priority) / 256 * (self.advert_int if self.version == 3 else 1)

    def master_down(self, priority: int) -> float:
        """How long a BACKUP waits without adverts before it takes over."""
        return 3 * self.advert_int + self.skew(priority)

    def garp(self, config: Config) -> dict[str, int]:
        """The gratuitous ARPs of a new MASTER (vrrp_state_become_master): ``repeat`` at once and
        again after ``delay`` seconds, then ``refresh_repeat`` every ``refresh`` seconds (0: none).
        Defaults 5, 5, 0, 1, or global_defs' vrrp_garp_master_* values."""
        found = {}
        for key, default in (("delay", 5), ("repeat", 5), ("refresh", 0), ("refresh_repeat", 1)):
            word = self.instance.value(f"garp_master_{key}") or config.global_defs.value(f"vrrp_garp_master_{key}")
            value = numbers.whole(word, signed=False) if word is not None else None
            found[key] = value if value is not None else default
        return found


def flag_line(section: Section, on: str, off: str) -> Line | None:
    """The statement that sets a flag, when the later of the two that set and clear it
    (``nopreempt`` / ``preempt``) is the one that sets it."""
    lines = [node for node in section.block.children if node.keyword in (on, off) and isinstance(node, Line)]
    return lines[-1] if lines and lines[-1].keyword == on else None


def _decimal(word: str | None) -> Decimal | None:
    if word is None or numbers.decimal(word, None, None) is not None:
        return None
    try:
        return Decimal(word.strip() or "0")
    except InvalidOperation:
        return None


def _weight(words: list[str], default: int, limit: int, reverse: bool = False) -> tuple[int, bool]:
    """``weight N [reverse|noreverse]`` after a name (an entry) or alone (a block's statement).
    An entry starts from its definition's weight and reverse (vrrp_track.c alloc_track_script)."""
    if len(words) < 2 or words[0] != "weight":
        return default, reverse
    value = numbers.whole(words[1])
    if value is None or abs(value) > limit + 1:
        return default, reverse
    value = max(-limit, min(limit, value))  # keepalived sets +-254 to +-253 where 253 is the limit
    option = words[2] if len(words) > 2 else None
    return value, True if option == "reverse" else False if option == "noreverse" else reverse


# What a definition needs to exist at all (vrrp_script without script, track_file without file:
# keepalived removes them after reading).
NEEDS = {"vrrp_script": "script", "track_file": "file", "vrrp_track_file": "file"}


def _definitions(config: Config, blocks: tuple[str, ...], before: Block) -> dict[str, Section]:
    """The definitions keepalived has when it reads ``before``: those above it (it looks names
    up as it parses), the first of a name, with what they need. The definitions of each kind
    are listed once per configuration, and the names known at each point of that list once (a
    large configuration has thousands of instances to ask)."""
    listed = config.memo.get(("definitions", blocks))
    if listed is None:
        listed = []
        for index, node in enumerate(config.items):
            if isinstance(node, Block) and node.keyword in blocks and (section := Section(node)).name:
                needs = NEEDS.get(node.keyword)
                if needs is None or section.has(needs):
                    listed.append((index, section))
        config.memo[("definitions", blocks)] = listed
    places = config.memo.get("places")
    if places is None:  # where each top-level block stands, by the position of its header
        places = config.memo["places"] = {node.pos: i for i, node in enumerate(config.items) if isinstance(node, Block)}
    place = places.get(before.pos, len(config.items))
    if place < len(config.items) and config.items[place] is not before:
        place = len(config.items)  # not a top-level block: everything is above it
    above = bisect.bisect_left(listed, place, key=lambda item: item[0])
    found = config.memo.get(("defined", blocks, above))
    if found is None:
        found = {}
        for _, section in listed[:above]:
            found.setdefault(section.name, section)
        config.memo[("defined", blocks, above)] = found
    return found


def _trackers(config: Config, owner: Section, corrections: list[Correction]) -> list[Tracker]:
    """The objects ``owner`` (an instance or a sync group) tracks, with their weights; a name
    tracked twice counts once ("duplicate track_script ... - ignoring")."""
    found = []
    definitions = grouped("tracked-block")
    for block, kind in values("tracker-kind").items():
        entries = owner.entries(block)
        if not entries:
            continue
        blocks = definitions.get(block, ())
        defined = _definitions(config, blocks, owner.block)
        seen: set[str] = set()
        for entry in entries:
            name = entry.words[0]
            if name in seen:
                continue
            seen.add(name)
            section = defined.get(name)
            weight, reverse, weight_at = int(values("tracker-default-weight")[kind]), False, None
            if section is not None and (line := section.get("weight")) is not None:
                weight, reverse = _weight(line.words, weight, 254)
                weight_at = line
            if len(entry.words) > 1:
                limit = int(values("tracker-entry-limit")[kind])
                weight, reverse = _weight(entry.words[1:], weight, limit, reverse)
                weight_at = entry
            if kind != "interface" and section is None:
                message = f"keepalived ignores {block} {name}: no usable {'/'.join(blocks)} {name} above it"
                corrections.append(Correction(entry, "undefined", message))
                continue
            found.append(Tracker(kind, name, weight, reverse, entry, weight_at))
    return found


def _states(instance: VrrpInstance) -> list[Line]:
    return [node for node in instance.block.children if node.keyword == "state" and isinstance(node, Line)]


def _base(instance: VrrpInstance) -> int:
    """The priority as given (1..255; out of range: 100), or 255 for state MASTER without one
    (keepalived takes a MASTER that says no priority for the address owner) and else 100. A
    later ``state BACKUP`` does not undo an earlier MASTER ("state previously set as MASTER")."""
    given = numbers.whole(instance.priority.strip(), signed=False) if instance.priority is not None else None
    if given is not None:
        return given if 1 <= given <= OWNER else DEFAULT_PRIORITY
    if instance.priority is not None:
        return DEFAULT_PRIORITY
    return OWNER if any(line.args[:1] == ["MASTER"] for line in _states(instance)) else DEFAULT_PRIORITY


def strict_mode(config: Config, instance: VrrpInstance) -> bool:
    """The instance's strict_mode (a bare one, or true/false), else global_defs' vrrp_strict
    (vrrp.c vrrp_complete_instance takes the global value only where the instance says nothing)."""
    line = instance.get("strict_mode")
    if line is None:
        return config.global_defs.has("vrrp_strict")
    return not line.args or booleans().get(line.args[0].lower()) is not False


def vrrp_version(config: Config, instance: VrrpInstance) -> int:
    """2 or 3. An IPv6 instance is version 3, unless it said ``version 2`` before any of its
    addresses made it IPv6 (vrrp_parser.c vrrp_version_handler checks the family as it stands)
    and is not in strict mode."""
    written = instance.get("version")
    word = written.args[0] if written is not None and written.args else config.global_defs.value("vrrp_version")
    if instance.family != 6:
        return 3 if word == "3" else 2
    if word != "2" or written is None or strict_mode(config, instance):
        return 3
    for node in instance.block.children:
        if node is written:
            return 2
        if node.keyword in ("native_ipv6", "unicast_src_ip", "mcast_src_ip", "unicast_peer", "virtual_ipaddress"):
            return 3
    return 3


def behaviour(config: Config, instance: VrrpInstance) -> Behaviour:
    """The instance as keepalived will run it (see the module's sources); worked out once."""
    known = config.memo.get(("behaviour", instance.line.pos))
    if known is not None and known[0] is instance:
        return known[1]
    found = _behaviour(config, instance)
    config.memo[("behaviour", instance.line.pos)] = (instance, found)
    return found


def _behaviour(config: Config, instance: VrrpInstance) -> Behaviour:
    corrections: list[Correction] = []
    strict = strict_mode(config, instance)
    states = _states(instance)
    base = _base(instance)
    state = "MASTER" if (any(line.args[:1] == ["MASTER"] for line in states) if states else base == OWNER) else "BACKUP"
    if strict and (state == "MASTER") != (base == OWNER):
        state = "MASTER" if base == OWNER else "BACKUP"
        message = f"strict mode: keepalived starts it as {state}, as its priority {base} says"
        corrections.append(Correction(states[-1] if states else instance.line, "state", message))
    nopreempt = flag_line(instance, "nopreempt", "preempt") is not None
    if nopreempt and (base == OWNER or state == "MASTER"):
        nopreempt = False
    delay = _decimal(instance.value("preempt_delay"))
    preempt_delay = (
        float(delay)
        if delay is not None and 0 <= delay <= 1000 and not (state == "MASTER" or strict or nopreempt)
        else 0.0
    )
    version = vrrp_version(config, instance)
    interval = _decimal(instance.value("advert_int"))
    interval = interval if interval is not None and Decimal("0.01") <= interval <= 255 else Decimal(1)
    if version == 2:
        advert = float(min(255, max(1, int(interval.quantize(Decimal(1), ROUND_HALF_UP)))))
    else:
        advert = float(min(Decimal("40.95"), max(Decimal("0.01"), interval.quantize(Decimal("0.01"), ROUND_HALF_UP))))
    group = next((g for g in config.sync_groups if instance.name in _names(g)), None)
    kept = _kept(config, instance, group, corrections)
    if group is not None:
        members = [other for other in config.vrrp_instances if other.name in _names(group)]
        owners = any(_base(other) == OWNER for other in members)
        kept.extend(_group_trackers(config, group, owners))
        # A member in FAULT puts the whole group in FAULT (vrrp_sync.c, "Syncing instances to
        # FAULT state"): the other members' FAULT trackers are this one's too.
        for other in members:
            if other is not instance:
                kept.extend(t for t in _kept(config, other, group, []) if t.weight == 0 and t not in kept)
    return Behaviour(
        instance,
        base,
        state,
        nopreempt,
        preempt_delay,
        version,
        advert,
        strict,
        group.name if group else None,
        kept,
        corrections,
    )


def _kept(
    config: Config, instance: VrrpInstance, group: SyncGroup | None, corrections: list[Correction]
) -> list[Tracker]:
    """The instance's own trackers as keepalived keeps them, its interface included."""
    base = _base(instance)
    own = instance.interface
    kept = []
    for tracker in _trackers(config, instance, corrections):
        if tracker.kind == "interface" and tracker.name == own and tracker.line is not None:
            message = f"keepalived ignores track_interface {own}: it is the instance's own interface"
            corrections.append(Correction(tracker.line, "own-interface", message))
        elif tracker.weight and (base == OWNER or (group is not None and not group.has("sync_group_tracking_weight"))):
            kept.extend(_dropped(tracker, base == OWNER, corrections))
        else:
            kept.append(tracker)
    if own is not None and not instance.has("dont_track_primary"):
        kept.append(Tracker("interface", own, 0, False, None))
    return kept


def _dropped(tracker: Tracker, owner: bool, corrections: list[Correction]) -> list[Tracker]:
    """A weighted tracker of an address owner, or of a sync group member without
    sync_group_tracking_weight: what keepalived keeps of it."""
    line = tracker.line
    assert line is not None
    why = (
        "the instance is the address owner (priority 255)"
        if owner
        else "it is in a sync group without sync_group_tracking_weight"
    )
    kind = "owner" if owner else "group"
    if tracker.kind == "interface" and not owner:
        message = f"keepalived drops the weight of {tracker}: {why}; its going down puts the instance in FAULT"
        corrections.append(Correction(line, kind, message))
        return [Tracker(tracker.kind, tracker.name, 0, tracker.reverse, line)]
    if tracker.kind == "process":
        return [tracker]  # kept, and without effect on a fixed priority
    if tracker.kind == "file" and tracker.weight == 1:
        corrections.append(Correction(line, kind, f"keepalived uses {tracker} with weight 0: {why}"))
        return [Tracker(tracker.kind, tracker.name, 0, tracker.reverse, line)]
    corrections.append(Correction(line, kind, f"keepalived ignores {tracker}, which has a weight: {why}"))
    return []


def _names(group: SyncGroup) -> set[str]:
    return {line.words[0] for line in group.members if line.words}


def _group_trackers(config: Config, group: SyncGroup, owners: bool) -> list[Tracker]:
    """The sync group's own trackers, which apply to each member with their weights (weight 0
    when a member is an address owner)."""
    found = _trackers(config, group, [])
    return [Tracker(t.kind, t.name, 0, t.reverse, t.line) for t in found] if owners else found
