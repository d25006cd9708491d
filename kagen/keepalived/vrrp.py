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

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import NamedTuple

from kagen.keepalived import numbers
from kagen.keepalived.model import Config, SyncGroup, VrrpInstance
from kagen.keepalived.section import Section
from kagen.keepalived.tree import Line

OWNER, DEFAULT_PRIORITY = 255, 100
KINDS = {  # track block in an instance -> the top-level block that defines what it names
    "track_script": ("script", ("vrrp_script",)),
    "track_interface": ("interface", ()),
    "track_file": ("file", ("track_file", "vrrp_track_file")),
    "track_process": ("process", ("vrrp_track_process",)),
    "track_bfd": ("bfd", ("bfd_instance",)),
}
DEFAULT_WEIGHT = {"script": 0, "interface": 0, "file": 1, "process": 0, "bfd": 0}
OVERRIDE = {"script": 253, "interface": 253, "file": 254, "process": 254, "bfd": 253}  # |weight| an entry may set


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


def _flag(section: Section, on: str, off: str) -> bool:
    """The later of two statements that set and clear one flag (``nopreempt`` / ``preempt``)."""
    lines = [node for node in section.block.children if node.keyword in (on, off) and isinstance(node, Line)]
    return bool(lines) and lines[-1].keyword == on


def _decimal(word: str | None) -> Decimal | None:
    if word is None or numbers.decimal(word, None, None) is not None:
        return None
    try:
        return Decimal(word.strip() or "0")
    except InvalidOperation:
        return None


def _weight(words: list[str], default: int, limit: int) -> tuple[int, bool]:
    """``weight N [reverse|noreverse]`` after a name (an entry) or alone (a block's statement)."""
    if len(words) < 2 or words[0] != "weight":
        return default, False
    value = numbers.whole(words[1])
    if value is None or abs(value) > limit + 1:
        return default, False
    value = max(-limit, min(limit, value))  # keepalived sets +-254 to +-253 where 253 is the limit
    return value, len(words) > 2 and words[2] == "reverse"


def _definitions(config: Config, blocks: tuple[str, ...]) -> dict[str, Section]:
    return {
        section.name: section for keyword in blocks for block in config.top(keyword) if (section := Section(block)).name
    }


def _trackers(config: Config, owner: Section, corrections: list[Correction]) -> list[Tracker]:
    """The objects ``owner`` (an instance or a sync group) tracks, with their weights."""
    found = []
    for block, (kind, blocks) in KINDS.items():
        defined = _definitions(config, blocks)
        for entry in owner.entries(block):
            name = entry.words[0]
            section = defined.get(name)
            weight, reverse, weight_at = DEFAULT_WEIGHT[kind], False, None
            if section is not None and (line := section.get("weight")) is not None:
                weight, reverse = _weight(line.words, weight, 254)
                weight_at = line
            if len(entry.words) > 1:
                weight, reverse = _weight(entry.words[1:], weight, OVERRIDE[kind])
                weight_at = entry
            if kind != "interface" and section is None:
                message = f"keepalived ignores {block} {name}: no {'/'.join(blocks)} {name} is defined"
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


def behaviour(config: Config, instance: VrrpInstance) -> Behaviour:
    """The instance as keepalived will run it (see the module's sources)."""
    corrections: list[Correction] = []
    strict = instance.has("strict_mode") or config.global_defs.has("vrrp_strict")
    states = _states(instance)
    base = _base(instance)
    state = "MASTER" if (any(line.args[:1] == ["MASTER"] for line in states) if states else base == OWNER) else "BACKUP"
    if strict and (state == "MASTER") != (base == OWNER):
        state = "MASTER" if base == OWNER else "BACKUP"
        message = f"strict mode: keepalived starts it as {state}, as its priority {base} says"
        corrections.append(Correction(states[-1] if states else instance.line, "state", message))
    nopreempt = _flag(instance, "nopreempt", "preempt")
    if nopreempt and (base == OWNER or state == "MASTER"):
        nopreempt = False
    delay = _decimal(instance.value("preempt_delay"))
    preempt_delay = (
        float(delay)
        if delay is not None and 0 <= delay <= 1000 and not (state == "MASTER" or strict or nopreempt)
        else 0.0
    )
    version = (
        3
        if (instance.value("version") or config.global_defs.value("vrrp_version")) == "3" or instance.family == 6
        else 2
    )
    interval = _decimal(instance.value("advert_int"))
    interval = interval if interval is not None and Decimal("0.01") <= interval <= 255 else Decimal(1)
    if version == 2:
        advert = float(min(255, max(1, int(interval.quantize(Decimal(1), ROUND_HALF_UP)))))
    else:
        advert = float(min(Decimal("40.95"), max(Decimal("0.01"), interval.quantize(Decimal("0.01"), ROUND_HALF_UP))))
    group = next((g for g in config.sync_groups if instance.name in _names(g)), None)
    trackers = _trackers(config, instance, corrections)
    own = instance.interface
    kept = []
    for tracker in trackers:
        if tracker.kind == "interface" and tracker.name == own and tracker.line is not None:
            message = f"keepalived ignores track_interface {own}: it is the instance's own interface"
            corrections.append(Correction(tracker.line, "own-interface", message))
        elif tracker.weight and (base == OWNER or (group is not None and not group.has("sync_group_tracking_weight"))):
            kept.extend(_dropped(tracker, base == OWNER, corrections))
        else:
            kept.append(tracker)
    if group is not None:
        owners = any(_base(other) == OWNER for other in config.vrrp_instances if other.name in _names(group))
        kept.extend(_group_trackers(config, group, owners))
    if own is not None and not instance.has("dont_track_primary"):
        kept.append(Tracker("interface", own, 0, False, None))
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
