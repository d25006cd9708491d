"""Time ``kagen fix`` migrating multicast pairs to unicast: N HAVIP pairs (default 1,000: the
inventory of bench/inventory_bench.py, 2,000 keepalived.conf files), each member's file without
its unicast lines, fixed from the inventory.

Reports the wall time and peak RSS of ``kagen fix --inventory`` on a fresh copy of the multicast
files, of a second run (nothing left to fix) and of ``--diff``, checks that the result lints
clean, and prints ``keepalived -t`` on one multicast file (inside a network namespace that has its
interface) times the number of files: what merely checking the same files with keepalived takes.

Run as root (for the namespace) from an environment where kagen is installed:
    python bench/fix_bench.py [--pairs 1000] [--runs 5]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from inventory_bench import inventory, to_yaml  # noqa: E402
from parse_bench import Namespace, kagen_command, keepalived_binary, measure  # noqa: E402

UNICAST = re.compile(r"\n[ \t]*(unicast_src_ip .*|unicast_peer \{[^}]*\}|unicast_fault_no_peer)")


def multicast_pairs(work: Path, pairs: int) -> tuple[Path, Path]:
    """Generated pairs with their unicast lines taken out, and an inventory that places each
    member's file (config:)."""
    data = inventory(pairs)
    source = work / "inventory.yaml"
    source.write_text(to_yaml(data))
    originals = work / "multicast"
    subprocess.run([*kagen_command(), "generate", str(source), "-o", str(originals)], check=True, capture_output=True)
    (originals / "havip.tf.json").unlink()
    for path in originals.glob("*/keepalived.conf"):
        path.write_text(UNICAST.sub("", path.read_text()))
    for name, cluster in data["clusters"].items():
        cluster["members"] = [
            {"name": member, "config": f"fixing/{member}/keepalived.conf"} for member in data["havips"][name]["members"]
        ]
    source.write_text(to_yaml(data))
    return source, originals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="kagen fix on many multicast pairs")
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    kagen = kagen_command()
    with tempfile.TemporaryDirectory() as tmp, Namespace() as namespace:
        work = Path(tmp)
        source, originals = multicast_pairs(work, args.pairs)
        target = work / "fixing"
        command = [*kagen, "fix", "--inventory", str(source), str(target)]
        firsts, peak = [], 0
        for _ in range(args.runs):
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(originals, target)
            wall, _, rss = measure(command, 1)
            firsts.append(wall)
            peak = max(peak, rss)
        clean = subprocess.run([*kagen, "lint", "--inventory", str(source), str(target)], capture_output=True)
        if clean.returncode != 0:
            raise SystemExit(f"the fixed files do not lint clean:\n{clean.stdout.decode()[-2000:]}")
        again = measure(command, args.runs)
        shutil.rmtree(target)
        shutil.copytree(originals, target)
        diff = measure([*kagen, "fix", "--diff", "--inventory", str(source), str(target)], args.runs)
        files = sum(1 for _ in originals.glob("*/keepalived.conf"))
        one = originals / "node0-0" / "keepalived.conf"
        keepalived = measure(namespace.wrap([keepalived_binary(), "-t", "-f", str(one)]), max(args.runs, 11))

    first = statistics.median(firsts)
    reference = keepalived[0] * files
    print(f"{args.pairs} multicast HAVIP pairs: {files} keepalived.conf files, each fixed (KA101 + KA108)")
    print(f"kagen fix --inventory:        median {first:.3f} s, peak RSS {peak / 1024:.0f} MB")
    print(f"kagen fix, nothing to fix:    median {again[0]:.3f} s")
    print(f"kagen fix --diff:             median {diff[0]:.3f} s")
    print(
        f"keepalived -t on one multicast file: {keepalived[0] * 1000:.0f} ms; x {files} files = {reference:.1f} s "
        f"(kagen fix: {first / reference:.2f}x of that)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
