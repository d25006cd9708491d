"""Time loading and checking a large inventory: 1,000 HAVIP pairs (2,000 instances, 1,000
clusters over 4 VPCs, quotas raised in ``limits:``), as YAML, JSON and TOML.

Reports, per format: the in-process time to load the inventory (read, schema, resource model)
and to run every inventory rule on it, the wall time of ``kagen lint --inventory FILE`` with
Python's start-up, and its peak RSS. The goal is under 1 s for load + check.

    python bench/inventory_bench.py [--pairs 1000] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from parse_bench import kagen_command, measure  # noqa: E402

from kagen.inventory.load import load  # noqa: E402
from kagen.lint import engine  # noqa: E402
from kagen.lint.settings import Options  # noqa: E402

VPCS = 4


def inventory(pairs: int) -> dict:
    per_vpc = -(-pairs // VPCS)
    data: dict = {
        "region": "cn-hangzhou",
        "limits": {"havips_per_account": pairs, "havips_per_vpc": per_vpc},
        "vpcs": {f"vpc{v}": {"cidr": f"10.{v}.0.0/16"} for v in range(VPCS)},
        "vswitches": {
            f"vsw{v}": {"vpc": f"vpc{v}", "cidr": f"10.{v}.0.0/20", "zone": "cn-hangzhou-h"} for v in range(VPCS)
        },
        "instances": {},
        "havips": {},
        "clusters": {},
    }
    for n in range(pairs):
        v, k = divmod(n, per_vpc)
        members = []
        for side in (0, 1):
            name = f"node{n}-{side}"
            host = 16 + 2 * k + side
            data["instances"][name] = {"ip": f"10.{v}.{host // 250}.{host % 250 + 1}", "vswitch": f"vsw{v}"}
            members.append(name)
        data["havips"][f"svc{n}"] = {
            "vswitch": f"vsw{v}",
            "address": f"10.{v}.{8 + k // 250}.{k % 250 + 1}",
            "members": members,
        }
        data["clusters"][f"svc{n}"] = {"havip": f"svc{n}", "vrid": k % 255 + 1}
    return data


def to_yaml(data: dict) -> str:
    import yaml

    return yaml.safe_dump(data, sort_keys=False, default_flow_style=None)


def to_toml(data: dict) -> str:
    lines = [f'region = "{data["region"]}"']
    for section in ("limits",):
        lines.append(f"[{section}]")
        lines += [f"{k} = {json.dumps(v)}" for k, v in data[section].items()]
    for section in ("vpcs", "vswitches", "instances", "havips", "clusters"):
        for name, entry in data[section].items():
            lines.append(f"[{section}.{name}]")
            lines += [f"{k} = {json.dumps(v)}" for k, v in entry.items()]
    return "\n".join(lines) + "\n"


def in_process(path: Path, runs: int) -> tuple[float, float, int]:
    loads, checks, found = [], [], 0
    for _ in range(runs):
        start = time.perf_counter()
        inv = load(str(path))
        middle = time.perf_counter()
        result = engine.run([], Options(), inv)
        loads.append(middle - start)
        checks.append(time.perf_counter() - middle)
        found = len(result.findings)
    return statistics.median(loads), statistics.median(checks), found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="load and check a large inventory")
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    data = inventory(args.pairs)
    writers = {"yaml": to_yaml, "json": lambda d: json.dumps(d, indent=1), "toml": to_toml}
    print(f"{args.pairs} HAVIP pairs ({2 * args.pairs} instances, {args.pairs} clusters)")
    print(f"{'format':>6} {'bytes':>10} {'load':>7} {'check':>7} {'total':>7} {'CLI wall':>9} {'peak RSS':>9} findings")
    with tempfile.TemporaryDirectory() as tmp:
        for name, write in writers.items():
            path = Path(tmp) / f"inventory.{name}"
            path.write_text(write(data))
            loaded, checked, found = in_process(path, args.runs)
            wall, _, rss = measure([*kagen_command(), "lint", "--inventory", str(path)], args.runs)
            print(
                f"{name:>6} {path.stat().st_size:>10,} {loaded:>6.3f}s {checked:>6.3f}s {loaded + checked:>6.3f}s "
                f"{wall:>8.3f}s {rss / 1024:>7.0f}MB {found}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
