"""Time ``kagen generate`` on 1,000 HAVIP pairs: 2,000 keepalived.conf files and the Terraform file,
generated, verified (parsed and linted with the inventory) and written.

Reports the in-process phases (load, plan, render, verify), the wall time of the CLI with Python's
start-up for a first run into an empty directory, an unchanged re-run and ``--check``, its peak
RSS, and next to it ``keepalived -t`` on one generated file (inside a network namespace that has
its interface) times 2,000: what checking the same files with keepalived takes. The output
directory's cost of creating a file is printed too: writing 2,001 files depends on it.

Run as root (for the namespace) from an environment where kagen is installed:
    python bench/generate_bench.py [--pairs 1000] [--runs 5] [--dir DIR]
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from inventory_bench import inventory, to_yaml  # noqa: E402
from parse_bench import Namespace, kagen_command, keepalived_binary, measure  # noqa: E402

from kagen.generate.plan import networks, plan  # noqa: E402
from kagen.generate.render import render  # noqa: E402
from kagen.generate.verify import verify  # noqa: E402
from kagen.inventory import load as inventory_module  # noqa: E402
from kagen.keepalived.keywords import table  # noqa: E402


def phases(path: Path, runs: int) -> dict[str, float]:
    """Median seconds of each in-process phase, with the cyclic collector off as in the CLI."""
    times: dict[str, list[float]] = {"load": [], "plan": [], "render": [], "verify": []}
    gc.disable()
    for _ in range(runs):
        start = time.perf_counter()
        inv = inventory_module.load(str(path))
        loaded = time.perf_counter()
        decided = plan(inv, table().newest)
        planned = time.perf_counter()
        outputs = render(decided)
        rendered = time.perf_counter()
        groups = [[node.path for node in group] for group in networks(decided.nodes)]
        findings = verify(outputs, groups, "out", inv, table().newest)
        verified = time.perf_counter()
        assert findings == [], findings[:3]
        for name, value in zip(
            times, (loaded - start, planned - loaded, rendered - planned, verified - rendered), strict=True
        ):
            times[name].append(value)
    return {name: statistics.median(values) for name, values in times.items()}


def create_cost(folder: Path) -> float:
    """Microseconds to create a directory with one small file in it, here."""
    probe = Path(tempfile.mkdtemp(dir=folder))
    start = time.perf_counter()
    for index in range(200):
        (probe / f"d{index}").mkdir()
        (probe / f"d{index}" / "f").write_text("x" * 800)
    cost = (time.perf_counter() - start) / 200 * 1e6
    shutil.rmtree(probe)
    return cost


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="kagen generate on many pairs")
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=None, help="where to write (default: the system temp directory)")
    args = parser.parse_args(argv)
    data = inventory(args.pairs)
    for name in data["clusters"]:  # a weight that moves the VIP (150 - 60 < 100): kagen refuses one that does not
        data["clusters"][name]["check"] = {"script": "/usr/bin/pgrep -x nginx", "weight": -60}
    kagen = [*kagen_command(), "generate"]
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp, Namespace() as namespace:
        work = Path(tmp)
        source = work / "inventory.yaml"
        source.write_text(to_yaml(data))
        firsts = []
        peak = 0
        for run in range(args.runs):
            target = work / f"first{run}"
            os.sync()  # each run starts with the previous run's files written back
            wall, _, rss = measure([*kagen, str(source), "-o", str(target)], 1)
            firsts.append(wall)
            peak = max(peak, rss)
        again = measure([*kagen, str(source), "-o", str(work / "first0")], args.runs)
        check = measure([*kagen, "--check", str(source), "-o", str(work / "first0")], args.runs)
        files = sum(1 for path in (work / "first0").rglob("*") if path.is_file())
        one = work / "first0" / "node0-0" / "keepalived.conf"
        keepalived = measure(namespace.wrap([keepalived_binary(), "-t", "-f", str(one)]), max(args.runs, 11))
        cost = create_cost(work)
        inner = phases(source, args.runs)  # last: a child's peak RSS counts this process's heap at the fork

    first = statistics.median(firsts)
    print(f"{args.pairs} HAVIP pairs: {files} files ({files - 1} keepalived.conf + havip.tf.json)")
    print("in-process: " + ", ".join(f"{name} {value:.3f} s" for name, value in inner.items()))
    print(f"  (load + plan + render + verify: {sum(inner.values()):.3f} s)")
    print(f"kagen generate, empty directory: median {first:.3f} s, peak RSS {peak / 1024:.0f} MB")
    print(f"kagen generate, nothing changed: median {again[0]:.3f} s")
    print(f"kagen generate --check:          median {check[0]:.3f} s")
    print(
        f"keepalived -t on one generated file: {keepalived[0] * 1000:.0f} ms; x {files - 1} files = "
        f"{keepalived[0] * (files - 1):.1f} s (kagen generate: {first / (keepalived[0] * (files - 1)):.2f}x of that)"
    )
    print(f"creating a directory and a file in the output directory's file system: {cost:.0f} us")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
