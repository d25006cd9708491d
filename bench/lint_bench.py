"""Time ``kagen lint`` against ``keepalived -t`` on the same files, in the same run.

Measures, with the reference configuration of bench/genconf.py (~2.2 MB) and 4 times that:
wall time of ``kagen lint`` and of ``keepalived -t`` (inside a network namespace that has the
interfaces, created here and removed after), their ratio, kagen's peak RSS and the growth from
1x to 4x; then a one-file run as pre-commit makes it (start-up included, next to the bare
interpreter's start-up on this machine), and one run over 2,000 small generated files.

Run as root (for the namespace) from an environment where kagen is installed:
    python bench/lint_bench.py [--runs 5]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import genconf  # noqa: E402  (the generator next to this script)
from parse_bench import PAIR, Namespace, kagen_command, keepalived_binary, measure, reference_file  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="kagen lint vs keepalived -t")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (median reported)")
    parser.add_argument("--instances", type=int, default=2000, help="vrrp_instances in the 1x file")
    parser.add_argument("--small-files", type=int, default=2000, help="files in the many-files run")
    args = parser.parse_args(argv)
    keepalived = keepalived_binary()
    # Every run does the whole work: bench/cache_bench.py measures the cache.
    kagen = [*kagen_command(), "lint", "--no-cache", "--config-id", "bench"]
    results = []
    with tempfile.TemporaryDirectory() as tmp, Namespace() as namespace:
        for scale in (1, 4):
            path = reference_file(Path(tmp), args.instances, scale)
            ka = measure(namespace.wrap([keepalived, "-t", "-f", str(path)]), args.runs)
            lint = measure([*kagen, str(path)], args.runs)
            results.append((scale, path.stat().st_size, ka, lint))
        small = Path(tmp) / "fleet"
        small.mkdir()
        for index in range(args.small_files):
            (small / f"lb-{index // 2}-{index % 2}.conf").write_text(genconf.small(index // 2, index % 2))
        one_small = small / "lb-0-0.conf"
        ka_small = measure(namespace.wrap([keepalived, "-t", "-f", str(one_small)]), max(args.runs, 11))
        many = measure([*kagen, str(small)], args.runs)
        pair = measure([*kagen, str(PAIR)], max(args.runs, 11))
        bare = measure([sys.executable, "-c", "pass"], max(args.runs, 11))

    print(f"{'file':>6} {'bytes':>10} {'keepalived -t':>14} {'kagen lint':>11} {'ratio':>6} {'peak RSS':>9}")
    for scale, size, ka, lint in results:
        ratio = lint[0] / ka[0]
        print(f"{scale:>5}x {size:>10,} {ka[0]:>13.3f}s {lint[0]:>10.3f}s {ratio:>5.1f}x {lint[2] / 1024:>7.0f}MB")
    (_, _, ka1, lint1), (_, _, ka4, lint4) = results
    print(f"growth 1x -> 4x: keepalived {ka4[0] / ka1[0]:.2f}x, kagen lint {lint4[0] / lint1[0]:.2f}x")
    print(
        f"pre-commit run on one file ({PAIR.name}): median {pair[0] * 1000:.0f} ms, min {pair[1] * 1000:.0f} ms "
        f"(bare {Path(sys.executable).name} start-up: median {bare[0] * 1000:.0f} ms; "
        f"keepalived -t on a small file: {ka_small[0] * 1000:.0f} ms)"
    )
    print(
        f"{args.small_files} small files in one run: median {many[0]:.2f} s, min {many[1]:.2f} s, "
        f"peak RSS {many[2] / 1024:.0f} MB (keepalived -t, one file at a time: {args.small_files} x "
        f"{ka_small[0] * 1000:.0f} ms = {args.small_files * ka_small[0]:.0f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
