"""``kagen explain``'s output: a table per cluster a person reads at a glance, or one JSON document
(stable keys, ``"format": 1``, documented in the README)."""

from __future__ import annotations

import json
import os

from kagen import __version__
from kagen.explain.scenarios import Explained, Scenario
from kagen.lint.clusters import vips
from kagen.lint.failover import Node

FORMAT = 1


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} s"


def _title(explained: Explained) -> str:
    instance = explained.cluster[0].behaviour.instance
    addresses = sorted({str(address) for node in explained.cluster for address, _ in vips(node.behaviour.instance)})
    return (
        f"{instance.name} (VRID {instance.virtual_router_id}, VIP {', '.join(addresses) or 'none'}): "
        f"{len(explained.cluster)} members"
    )


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return [
        "  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    ]


def _labels(cluster: list[Node]) -> list[str]:
    """The members as the table names them: their paths from the directory they share."""
    files = [node.file for node in cluster]
    if len(files) < 2 or any(file == "-" for file in files):
        return files
    common = os.path.commonpath([os.path.dirname(file) or "." for file in files])
    return [os.path.relpath(file, common) if common else file for file in files]


def _event(scenario: Scenario, labels: dict[str, str]) -> str:
    fails = scenario.fails
    if fails is None:
        return "start"
    member = labels[fails["file"]]
    if fails["what"] == "stop":
        return f"{member} stops (priority-0 advert)"
    if fails["what"] == "crash":
        return f"{member} crashes (no advert)"
    verb = "goes down" if fails["what"] == "interface" else "fails"
    return f"{member}: {fails['what']} {fails['name']} {verb}"


def _priority(scenario: Scenario, index: int) -> str | int | None:
    """A member's effective priority after the event: a number, "FAULT", or "stopped"."""
    if index not in scenario.priorities:
        return "stopped"
    priority = scenario.priorities[index]
    return "FAULT" if priority is None else priority


def _back(scenario: Scenario) -> str:
    if not scenario.vip_moves:
        return "-"
    return f"yes, after {_seconds(scenario.back_after)}" if scenario.moves_back else "no"


def text(explained: list[Explained], alone: list[str]) -> str:
    lines: list[str] = []
    for item in explained:
        cluster = item.cluster
        short = _labels(cluster)
        labels = {node.file: label for node, label in zip(cluster, short, strict=True)}
        lines.append(f"Cluster {_title(item)}")
        if short != [node.file for node in cluster]:
            lines.append(f"  in {os.path.commonpath([os.path.dirname(node.file) for node in cluster])}/")
        members = [["member", "state", "priority", "effective", "nopreempt", "advert"]]
        for node, label in zip(cluster, short, strict=True):
            behaviour = node.behaviour
            effective = behaviour.priority()
            members.append(
                [
                    label,
                    behaviour.state,
                    str(behaviour.base),
                    "FAULT" if effective is None else str(effective),
                    "yes" if behaviour.nopreempt else "-",
                    f"{behaviour.advert_int:g} s v{behaviour.version}",
                ]
            )
        lines.extend(_table(members))
        lines.append("")
        events = [["event", "priorities", "MASTER after", "VIP moves", "in", "back when it recovers"]]
        for scenario in item.scenarios:
            master = "none" if scenario.master is None else short[scenario.master] + " (tie)" * scenario.tie
            seen = f" (+ up to {_seconds(scenario.detect)} to see it)" if scenario.detect and scenario.vip_moves else ""
            moves = "yes" if scenario.vip_moves else "-"
            when = _seconds(scenario.takeover) + seen if scenario.vip_moves or scenario.fails is None else "-"
            after = " / ".join(str(_priority(scenario, index)) for index in range(len(cluster)))
            events.append([_event(scenario, labels), after, master, moves, when, _back(scenario)])
        lines.extend(_table(events))
        if item.master is not None:
            garp = cluster[item.master].behaviour.garp(cluster[item.master].config)
            refresh = f", then {garp['refresh_repeat']} every {garp['refresh']} s" if garp["refresh"] else ""
            lines.append(
                f"  A new MASTER sends {garp['repeat']} gratuitous ARPs at once and {garp['repeat']} more after "
                f"{garp['delay']} s{refresh}."
            )
        lines.append("")
    if any(scenario.tie for item in explained for scenario in item.scenarios):
        lines.append(
            "(tie): members of the same priority whose unicast_src_ip the files do not give; keepalived picks the "
            "higher address of the interface."
        )
    for file in alone:
        lines.append(f"{file}: no other member found (give the pair's other files, --cluster or --inventory)")
    if not explained and not alone:
        lines.append("No cluster found.")
    return "\n".join(lines).rstrip("\n") + "\n"


def _vrid(node: Node) -> int | str | None:
    vrid = node.behaviour.instance.virtual_router_id
    return int(vrid) if vrid is not None and vrid.isdigit() else vrid


def _member(node: Node) -> dict:
    behaviour = node.behaviour
    return {
        "file": node.file,
        "instance": node.name,
        "state": behaviour.state,
        "priority": behaviour.base,
        "effective_priority": behaviour.priority(),
        "nopreempt": behaviour.nopreempt,
        "preempt_delay": behaviour.preempt_delay,
        "version": behaviour.version,
        "advert_int": behaviour.advert_int,
        "master_down": round(behaviour.master_down(behaviour.priority() or 1), 3),
        "garp": behaviour.garp(node.config),
    }


def document(explained: list[Explained], alone: list[str], errors: list[str]) -> str:
    clusters = []
    for item in explained:
        cluster = item.cluster
        clusters.append(
            {
                "vrid": _vrid(cluster[0]),
                "members": [_member(node) for node in cluster],
                "scenarios": [
                    {
                        "event": scenario.event,
                        "fails": scenario.fails,
                        "master": None if scenario.master is None else cluster[scenario.master].file,
                        "priorities": {node.file: _priority(scenario, index) for index, node in enumerate(cluster)},
                        "tie": scenario.tie,
                        "vip_moves": scenario.vip_moves,
                        "takeover_seconds": scenario.takeover,
                        "detect_seconds": scenario.detect,
                        "moves_back": scenario.moves_back,
                        "back_after_seconds": scenario.back_after,
                    }
                    for scenario in item.scenarios
                ],
            }
        )
    body = {"kagen": __version__, "format": FORMAT, "clusters": clusters, "alone": alone, "errors": errors}
    return json.dumps(body, indent=1) + "\n"
