"""Time ``kagen lint .`` on a repository of 2,000 small configurations (1,000 unicast pairs, as
bench/genconf.py's ``small`` writes them): without the cache, then with it cold (nothing cached:
the run that fills it), warm (nothing changed) and after one file changed, each as a ratio of the
uncached run measured in the same run, medians of several runs. Every cached run's output is
checked against the uncached run's. kagen writes the cache in a child process after its output
(the command does not wait for it), so the script waits ``--settle`` seconds between runs, as
there are between two commits.

Run from an environment where kagen is installed:
    python bench/cache_bench.py [--runs 5] [--files 2000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import genconf  # noqa: E402  (the generator next to this script)
from parse_bench import kagen_command  # noqa: E402


def run(command: list[str], cwd: Path) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (KiB) and the output of one run."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = process.stdout.read() if process.stdout is not None else b""
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed:\n{out.decode(errors='replace')}")
    return wall, usage.ru_maxrss, out.decode(errors="replace")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="kagen lint with and without its cache")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (median reported)")
    parser.add_argument("--files", type=int, default=2000, help="configurations in the repository")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds between runs (the cache is written behind)")
    args = parser.parse_args(argv)
    lint = [*kagen_command(), "lint", "--config-id", "bench", "."]
    figures: dict[str, list[float]] = {"no cache": [], "cold": [], "warm": [], "one changed": []}
    peaks: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "fleet"
        repo.mkdir()
        for index in range(args.files):
            (repo / f"lb-{index // 2}-{index % 2}.conf").write_text(genconf.small(index // 2, index % 2))
        changed = repo / "lb-0-0.conf"
        original = changed.read_text()
        for turn in range(args.runs):
            shutil.rmtree(repo / ".kagen_cache", ignore_errors=True)
            changed.write_text(original)
            wall, peak, expected = run([*lint[:-1], "--no-cache", "."], repo)
            figures["no cache"].append(wall)
            peaks["no cache"] = max(peaks.get("no cache", 0), peak)
            for name in ("cold", "warm"):
                wall, peak, out = run(lint, repo)
                assert out == expected, f"{name} run printed something else"
                figures[name].append(wall)
                peaks[name] = max(peaks.get(name, 0), peak)
                time.sleep(args.settle)  # the cache is written behind the command: let it finish
            changed.write_text(original.replace("priority 150", f"priority {140 + turn}"))
            wall, peak, out = run(lint, repo)
            assert out == run([*lint[:-1], "--no-cache", "."], repo)[2], "one changed: another output"
            figures["one changed"].append(wall)
            peaks["one changed"] = max(peaks.get("one changed", 0), peak)
    base = statistics.median(figures["no cache"])
    print(f"kagen lint . on {args.files} files, {args.runs} runs each, medians (ratio: of the uncached run)")
    print(f"{'run':>12} {'median':>9} {'min':>9} {'ratio':>7} {'peak RSS':>9}")
    for name, walls in figures.items():
        median = statistics.median(walls)
        print(f"{name:>12} {median:>8.3f}s {min(walls):>8.3f}s {median / base:>6.2f}x {peaks[name] / 1024:>7.0f}MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
