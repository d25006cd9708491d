"""Time ``kagen parse`` against ``keepalived -t`` on the same files, in the same run.

Generates the reference large configuration (bench/genconf.py: 2,000 unicast vrrp_instances,
5,000 virtual_servers with 2 real_servers each, ~2.2 MB) and 4 times that, runs keepalived -t on
each inside a network namespace that has the interfaces they name (created here, removed after),
and kagen's CLI on each; prints median wall times, the kagen/keepalived ratios, growth from 1x
to 4x, kagen's peak RSS, and the wall time of the CLI on a one-pair configuration.

Run as root (for the namespace) from an environment where kagen is installed:
    python bench/parse_bench.py [--runs 5]
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
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import genconf  # noqa: E402  (the generator next to this script)

PAIR = HERE.parent / "examples" / "web-pair" / "web-a.conf"


def kagen_command() -> list[str]:
    """The installed console script next to this interpreter, else ``python -m kagen``."""
    script = Path(sys.executable).with_name("kagen")
    return [str(script)] if script.exists() else [sys.executable, "-m", "kagen"]


def measure(command: list[str], runs: int) -> tuple[float, float, int]:
    """Median and minimum wall seconds, and the largest peak RSS (KiB) over ``runs`` runs."""
    walls = []
    peak = 0
    for _ in range(runs):
        start = time.perf_counter()
        with open(os.devnull, "wb") as sink:
            process = subprocess.Popen(command, stdout=sink, stderr=sink)
            _, status, usage = os.wait4(process.pid, 0)
        walls.append(time.perf_counter() - start)
        peak = max(peak, usage.ru_maxrss)
        exit_code = os.waitstatus_to_exitcode(status)
        if exit_code not in (0, 1):
            raise SystemExit(f"{' '.join(command)} exited with {exit_code}")
    return statistics.median(walls), min(walls), peak


def keepalived_binary() -> str:
    keepalived = shutil.which("keepalived")
    if keepalived is None:
        raise SystemExit("keepalived is not installed (apt-get install keepalived)")
    return keepalived


def reference_file(folder: Path, instances: int, scale: int) -> Path:
    """The reference configuration (bench/genconf.py) at ``scale`` times its size."""
    path = folder / f"bench-{scale}x.conf"
    with open(path, "w", encoding="ascii") as handle:
        genconf.generate(instances * scale, handle)
    return path


class Namespace:
    """A network namespace with eth0 (a veth pair), or nothing if this user cannot make one."""

    def __init__(self) -> None:
        self.name = f"kagen-bench-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.ok = False

    def __enter__(self) -> Namespace:
        if os.geteuid() == 0 and shutil.which("ip"):
            made = subprocess.run(["ip", "netns", "add", self.name], capture_output=True)
            if made.returncode == 0:
                self.ok = True
                for args in (
                    ["link", "add", "eth0", "type", "veth", "peer", "name", "veth-peer"],
                    ["link", "set", "eth0", "up"],
                    ["link", "set", "lo", "up"],
                ):
                    subprocess.run(["ip", "-n", self.name, *args], check=True, capture_output=True)
        if not self.ok:
            print("note: no network namespace (not root?): keepalived -t runs without its interfaces")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.ok:
            subprocess.run(["ip", "netns", "del", self.name], capture_output=True)

    def wrap(self, command: list[str]) -> list[str]:
        return ["ip", "netns", "exec", self.name, *command] if self.ok else command


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="kagen parse vs keepalived -t")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (median reported)")
    parser.add_argument("--instances", type=int, default=2000, help="vrrp_instances in the 1x file")
    args = parser.parse_args(argv)
    keepalived = keepalived_binary()
    kagen = kagen_command()
    results = []
    with tempfile.TemporaryDirectory() as tmp, Namespace() as namespace:
        for scale in (1, 4):
            path = reference_file(Path(tmp), args.instances, scale)
            size = path.stat().st_size
            lines = path.read_bytes().count(b"\n")
            ka = measure(namespace.wrap([keepalived, "-t", "-f", str(path)]), args.runs)
            parse = measure([*kagen, "parse", "-q", "--config-id", "bench", str(path)], args.runs)
            dump = measure([*kagen, "parse", "--json", "--config-id", "bench", str(path)], max(1, args.runs // 2))
            results.append((scale, size, lines, ka, parse, dump))
        pair = measure([*kagen, "parse", "-q", "--config-id", "bench", str(PAIR)], max(args.runs, 11))

    print(
        f"{'file':>6} {'bytes':>10} {'lines':>8} {'keepalived -t':>14} {'kagen parse':>12} {'ratio':>6} "
        f"{'peak RSS':>9} {'parse --json':>13}"
    )
    for scale, size, lines, ka, parse, dump in results:
        print(
            f"{scale:>5}x {size:>10,} {lines:>8,} {ka[0]:>13.3f}s {parse[0]:>11.3f}s {parse[0] / ka[0]:>5.1f}x "
            f"{parse[2] / 1024:>7.0f}MB {dump[0]:>12.3f}s"
        )
    (_, _, _, ka1, parse1, _), (_, _, _, ka4, parse4, _) = results
    print(f"growth 1x -> 4x: keepalived {ka4[0] / ka1[0]:.2f}x, kagen {parse4[0] / parse1[0]:.2f}x")
    print(
        f"one-pair config ({PAIR.name}), CLI wall time with start-up: median {pair[0] * 1000:.0f} ms, "
        f"min {pair[1] * 1000:.0f} ms, peak RSS {pair[2] / 1024:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
