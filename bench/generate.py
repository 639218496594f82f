"""Benchmark of the synthetic data generator (``seeds.generator.generate``).

Runs each size in a fresh child process (so peak RSS is that size's own) and
prints wall time, CPU time, peak RSS and rows, with ratios against the first
(smallest) size measured in the same run: per-enterprise CPU time should stay
flat (streaming, linear) and memory should grow far slower than the output.

    .venv/bin/python -m bench.generate                 # 10k and 100k
    .venv/bin/python -m bench.generate 10000 1000000   # add 1M (~1 min CPU, ~380 MB of CSV)

Output folders are temporary and deleted after each size.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path


def _child(n: int, out: str) -> None:
    import resource
    import time

    from seeds.generator import GenConfig, generate

    t0, c0 = time.perf_counter(), time.process_time()
    stats = generate(GenConfig(n), Path(out))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size_mb = sum(p.stat().st_size for p in Path(out).glob("*.csv")) / 2**20
    print(json.dumps({"n": n, "wall": wall, "cpu": cpu, "rss_mb": rss_mb, "out_mb": size_mb,
                      "rows": sum(stats.rows.values()), "rels": stats.relationships}))


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child"]:
        _child(int(argv[1]), argv[2])
        return
    sizes = [int(a) for a in argv] or [10_000, 100_000]
    results = []
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="ronglian-gen-") as d:
            proc = subprocess.run([sys.executable, "-m", "bench.generate", "--child", str(n), d],
                                  check=True, capture_output=True, text=True)
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    base = results[0]
    print(f"{'enterprises':>12} {'wall s':>8} {'cpu s':>8} {'cpu µs/ent':>10} {'×base':>6} "
          f"{'RSS MB':>8} {'×base':>6} {'CSV MB':>8} {'rels/ent':>8}")
    for r in results:
        per = r["cpu"] / r["n"] * 1e6
        base_per = base["cpu"] / base["n"] * 1e6
        print(f"{r['n']:>12,} {r['wall']:>8.1f} {r['cpu']:>8.1f} {per:>10.1f} "
              f"{per / base_per:>6.2f} {r['rss_mb']:>8.0f} {r['rss_mb'] / base['rss_mb']:>6.2f} "
              f"{r['out_mb']:>8.0f} {r['rels'] / r['n']:>8.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
