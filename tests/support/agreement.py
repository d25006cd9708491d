"""How well ``kagen lint`` agrees with ``keepalived -t``, measured on mutated configurations.

Takes the sample configurations, makes seeded mutations of them (deleted braces, misspelled
keywords, out-of-range values, dangling references, duplicated blocks, bad addresses ...), runs
``keepalived -t`` on each inside the lab namespace and kagen's linter on the same text, and
compares:

- every message keepalived prints about a line gets a kagen finding on that line (messages about
  an instance, without a line, get a finding inside that instance; the rest, in the file);
- files keepalived accepts (exit status 0) get no error from kagen, except from the rules that go
  beyond keepalived (``beyond_keepalived``).

Messages that depend on the machine rather than the configuration (users, script files,
interfaces, include files that are not there) are left out.

Run ``python tests/support/agreement.py [COUNT] [SEED] [--keepalived PATH]`` (as root) to print the
figures for the keepalived on PATH or the one named; kagen's target version is that binary's
release, read from its ``--version``.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for support.* when run as a script

from kagen.diagnostics import Severity
from kagen.keepalived.keywords import Version, format_version, table
from kagen.keepalived.parse import parse_file
from kagen.keepalived.tree import Line, ValueBlock
from kagen.lint import engine, registry
from kagen.lint.context import FileContext
from kagen.lint.settings import Options
from support import lab
from support.helpers import REPO, corpus_files

CONFIG_ID = "kagen-lab"
SEED = 20261125
NOT_CONFIGS = {"doc.keepalived.conf.SYNOPSIS", "tools.json_tracking.template_vrrp_instance.j2"}
MACHINE_DEPENDENT = re.compile(
    r"Script user '.*' does not exist|resolved by path search|Unable to set default user|"
    r"Non-existent interface specified|doesn't exist|cannot be accessed|since not found/accessible|"
    r"Config files missing|Unable to find configuration file|not found/accessible|Error setting global script uid|"
    r"Unable to set uid|getpwnam|Unknown user|Invalid user/group|No such file or directory|"
    # a script path keepalived finds insecure on this machine (2.4 walks the path as written, and
    # /bin is a link where /usr is merged: lib/notify.c, check_security)
    r"due to insecure"
)
_LOCATED = re.compile(r"^\((?:(?P<file>[^()]*?): )?Line (?P<line>\d+)\) (?P<text>.*)$")
_INSTANCE = [
    re.compile(r"^\((?P<name>[^()\s]+)\)"),
    re.compile(r"VRRP instance\[(?P<name>[^\]]+)\]"),
    re.compile(r"[Ss]ync group (?P<name>\S+)"),
]


@dataclass
class Message:
    line: int | None
    instance: str | None
    text: str


@dataclass
class Outcome:
    name: str
    status: int
    messages: list[Message]
    findings: list
    matched: list[bool] = field(default_factory=list)
    false_errors: list = field(default_factory=list)


def keepalived_messages(verdict: lab.Verdict) -> list[Message]:
    seen = set()
    messages = []
    for raw in verdict.messages:
        text = raw.strip()
        if not text or MACHINE_DEPENDENT.search(text) or text in seen:
            continue
        seen.add(text)
        located = _LOCATED.match(text)
        if located:
            messages.append(Message(int(located.group("line")), None, located.group("text")))
            continue
        name = next((m.group("name") for pattern in _INSTANCE if (m := pattern.search(text))), None)
        messages.append(Message(None, name, text))
    return messages


# -- mutations ---------------------------------------------------------------------------------

BAD_VALUES = {
    "priority": ["0", "256", "-5", "abc", "1e2"],
    "virtual_router_id": ["0", "256", "x1"],
    "advert_int": ["0", "0.5", "300"],
    "state": ["master", "SLAVE", "Backup"],
    "lb_algo": ["roundrobin", "RR"],
    "lvs_sched": ["wrrr"],
    "lb_kind": ["FNAT", "dr"],
    "lvs_method": ["NATT"],
    "protocol": ["ICMP"],
    "auth_type": ["MD5", "pass"],
    "persistence_timeout": ["0", "-1"],
    "delay_loop": ["0", "-3"],
    "weight": ["-1", "abc"],
    "connect_timeout": ["-1", "x"],
    "interval": ["0", "abc"],
    "version": ["4", "1"],
    "unicast_ttl": ["300"],
    "garp_master_delay": ["-1"],
    "smtp_connect_timeout": ["abc"],
    "vrrp_garp_interval": ["0"],
}


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _statement_lines(lines: list[str]) -> list[int]:
    return [
        i
        for i, line in enumerate(lines)
        if re.match(r"^\s*[A-Za-z_]\w*(\s|$)", line) and "{" not in line and "}" not in line
    ]


def drop_brace(text: str, rng: random.Random) -> str:
    spots = [m.start() for m in re.finditer(r"[{}]", text)]
    if not spots:
        return text
    spot = rng.choice(spots)
    return text[:spot] + text[spot + 1 :]


def misspell(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    candidates = _statement_lines(lines)
    if not candidates:
        return text
    index = rng.choice(candidates)
    match = re.match(r"^(\s*)([A-Za-z_]\w*)(.*)$", lines[index])
    word = match.group(2)
    kind = rng.randrange(4)
    if kind == 0 and len(word) > 3:
        position = rng.randrange(len(word) - 1)
        word = word[:position] + word[position + 1] + word[position] + word[position + 2 :]
    elif kind == 1 and len(word) > 3:
        position = rng.randrange(len(word))
        word = word[:position] + word[position + 1 :]
    elif kind == 2:
        word = word.capitalize() if word[0].islower() else word.lower()
    else:
        word = word + rng.choice("sxe_")
    lines[index] = match.group(1) + word + match.group(3)
    return "\n".join(lines)


def bad_value(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    candidates = [
        (i, m)
        for i, line in enumerate(lines)
        if (m := re.match(r"^(\s*)(\w+)(\s+)(\S+)(.*)$", line)) and m.group(2) in BAD_VALUES and "{" not in line
    ]
    if not candidates:
        return misspell(text, rng)
    index, match = rng.choice(candidates)
    value = rng.choice(BAD_VALUES[match.group(2)])
    lines[index] = f"{match.group(1)}{match.group(2)}{match.group(3)}{value}{match.group(5)}"
    return "\n".join(lines)


def dangle(text: str, rng: random.Random) -> str:
    """Rename an entry of a track_script / sync group / track_file block."""
    blocks = list(re.finditer(r"(track_script|group|track_file|track_process)\s*\{([^{}]*)\}", text))
    if not blocks:
        return bad_value(text, rng)
    block = rng.choice(blocks)
    entries = [m for m in re.finditer(r"^(\s*)(\S+)", block.group(2), re.M)]
    if not entries:
        return text
    entry = rng.choice(entries)
    start = block.start(2) + entry.start(2)
    return text[:start] + "missing_" + text[start:]


def remove_line(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    candidates = _statement_lines(lines)
    if not candidates:
        return text
    del lines[rng.choice(candidates)]
    return "\n".join(lines)


def duplicate_instance(text: str, rng: random.Random) -> str:
    blocks = list(re.finditer(r"^vrrp_instance\s+(\S+)\s*\{.*?^\}", text, re.M | re.S))
    if not blocks:
        return remove_line(text, rng)
    block = rng.choice(blocks)
    copy = block.group(0)
    if rng.random() < 0.5:
        copy = copy.replace(block.group(1), block.group(1) + "_copy", 1)
    return text + "\n" + copy + "\n"


def bad_address(text: str, rng: random.Random) -> str:
    spots = list(re.finditer(r"\b(\d{1,3}\.\d{1,3}\.\d{1,3})\.(\d{1,3})\b", text))
    if not spots:
        return bad_value(text, rng)
    spot = rng.choice(spots)
    replacement = rng.choice([f"{spot.group(1)}.300", spot.group(1), f"{spot.group(0)}/33", "fd00::1"])
    return text[: spot.start()] + replacement + text[spot.end() :]


def insert_statement(text: str, rng: random.Random) -> str:
    """A statement put somewhere it may not belong, or that keepalived treats specially."""
    insertions = [
        "priority 100",
        "router_id misplaced",
        "nopreempt",
        "auth_pass 123456789ab",
        "notify_master /bin/true one two",
        "nb_get_retry 3",
        "lvs_sync_daemon_interface eth0",
        "advert_int 0.5",
        "foo_bar 1",
        "frobnicate {\n  x 1\n}",
        "delay_loop 6",
        "unicast_ttl 30",
        "mcast_src_ip 10.1.2.3",
        "vrrp_strict",
        "virtual_router_id 51",
        "state MASTER",
        "priority 1#2",
        "script_user nobody",
    ]
    lines = _lines(text)
    openers = [i for i, line in enumerate(lines) if line.rstrip().endswith("{")]
    if not openers:
        return text
    where = rng.choice(openers)
    lines.insert(where + 1, rng.choice(insertions))
    return "\n".join(lines)


MUTATIONS = (drop_brace, misspell, bad_value, dangle, remove_line, duplicate_instance, bad_address, insert_statement)


def samples() -> list[Path]:
    own = sorted((REPO / "tests" / "configs").glob("*.conf")) + sorted((REPO / "examples").rglob("*.conf"))
    return [path for path in corpus_files() if path.name not in NOT_CONFIGS] + own


def mutants(count: int, seed: int = SEED) -> list[tuple[str, str]]:
    """(name, text): the unmodified samples first, then ``count`` seeded mutations of them."""
    rng = random.Random(seed)
    bases = [(path.name, path.read_text(errors="replace")) for path in samples()]
    out = list(bases)
    for number in range(count):
        name, text = rng.choice(bases)
        for _ in range(1 + (rng.random() < 0.3)):
            mutation = rng.choice(MUTATIONS)
            text = mutation(text, rng)
        out.append((f"{number:04d}-{name}", text))
    return out


# -- comparison --------------------------------------------------------------------------------


def _spans(ctx: FileContext) -> dict[str, tuple[int, int]]:
    """First and last line of each named top-level block in the main file."""
    spans = {}
    for node in ctx.config.items:
        if hasattr(node, "children") and node.args and node.pos.file == ctx.path:
            end = node.close.line if node.close is not None else 10**9
            spans.setdefault(node.args[0], (min(node.line, end), max(node.line, end)))
    return spans


def _uses(ctx: FileContext) -> dict[int, set[int]]:
    """Lines written in a multi-line $DEFINITION: the lines where it was used. keepalived reports
    a problem there at the use; kagen at the text, which is where it is fixed. Both count."""
    uses: dict[int, set[int]] = {}
    for visit in ctx.visits:
        node = visit.node
        lines = node.entries if isinstance(node, ValueBlock) else [node if isinstance(node, Line) else node.header]
        for line in lines:
            if line.via is not None and line.pos.file == ctx.path and line.via.file == ctx.path:
                uses.setdefault(line.line, set()).add(line.via.line)
    return uses


def compare(lab_: lab.Lab, name: str, text: str, workdir: Path, target: Version) -> Outcome:
    """``keepalived -t`` of the lab's binary against kagen lint with ``target`` (that binary's
    release) on one text."""
    path = workdir / f"{name}.conf"
    path.write_text(text)
    verdict = lab_.config_test(path, CONFIG_ID)
    options = Options(config_id=CONFIG_ID, target_version=target)
    ctx = FileContext(str(path), parse_file(str(path), CONFIG_ID), options, table())
    result = engine.run([ctx], options)
    findings = [f for f in result.findings if f.pos.file == str(path)]
    outcome = Outcome(name, verdict.status, keepalived_messages(verdict), findings)
    lines = {f.pos.line for f in findings}
    spans = _spans(ctx)
    uses = _uses(ctx)
    for message in outcome.messages:
        if message.line is not None:
            outcome.matched.append(
                any(f.covers(str(path), message.line) or message.line in uses.get(f.pos.line, ()) for f in findings)
            )
        elif message.instance in spans:
            first, last = spans[message.instance]
            outcome.matched.append(any(first <= line <= last for line in lines))
        else:
            outcome.matched.append(bool(findings))
    if verdict.status == 0:
        outcome.false_errors = [
            f for f in findings if f.severity is Severity.ERROR and not registry.BY_CODE[f.code].beyond_keepalived
        ]
    return outcome


def measure(count: int, seed: int = SEED, keepalived: str = "keepalived") -> list[Outcome]:
    """The outcomes for ``count`` mutants with ``keepalived`` as the referee and its own release
    as kagen's target version."""
    problem = lab.missing_prerequisites(("ip", keepalived, "gcc"))
    if problem:
        raise SystemExit(problem)
    with tempfile.TemporaryDirectory() as tmp, lab.Lab(Path(tmp), keepalived) as the_lab:
        return [compare(the_lab, name, text, Path(tmp), the_lab.version) for name, text in mutants(count, seed)]


def report(outcomes: list[Outcome]) -> str:
    messages = sum(len(o.messages) for o in outcomes)
    matched = sum(sum(o.matched) for o in outcomes)
    accepted = [o for o in outcomes if o.status == 0]
    false = [o for o in accepted if o.false_errors]
    refused = [o for o in outcomes if o.status != 0]
    silent = [o for o in refused if not any(f.severity is Severity.ERROR for f in o.findings)]
    misses = Counter(
        re.sub(r"'[^']*'|\[[^\]]*\]|\d+(\.\d+)*", "_", m.text)
        for o in outcomes
        for m, ok in zip(o.messages, o.matched, strict=True)
        if not ok
    )
    lines = [
        f"files: {len(outcomes)} ({len(accepted)} accepted by keepalived -t, {len(refused)} refused)",
        f"keepalived messages matched by a kagen finding at the same place: {matched}/{messages} "
        f"({100 * matched / max(messages, 1):.1f}%)",
        f"accepted files with a kagen error from a keepalived rule: {len(false)}",
        f"refused files where kagen reports no error: {len(silent)}",
    ]
    for text, count in misses.most_common(25):
        lines.append(f"  unmatched x{count}: {text}")
    for outcome in false[:10]:
        lines.append(f"  false error in {outcome.name}: {outcome.false_errors[0].to_text()}")
    for outcome in silent[:10]:
        lines.append(
            f"  no error in refused {outcome.name} (exit {outcome.status}): {[m.text for m in outcome.messages][:3]}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="kagen lint against keepalived -t on seeded mutants")
    parser.add_argument("count", nargs="?", type=int, default=1000, help="mutants (default 1000)")
    parser.add_argument("seed", nargs="?", type=int, default=SEED, help=f"mutation seed (default {SEED})")
    parser.add_argument("--keepalived", default="keepalived", help="the keepalived binary (default: on PATH)")
    args = parser.parse_args(argv)
    outcomes = measure(args.count, args.seed, args.keepalived)
    print(f"keepalived {format_version(lab.version_of(args.keepalived))} ({args.keepalived}), seed {args.seed}")
    print(report(outcomes))


if __name__ == "__main__":
    main()
