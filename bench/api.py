"""HTTP API throughput and latency: search, profile and partner recommendations at scale,
against a bare FastAPI endpoint returning a constant (the framework's ceiling on this
machine), measured in the same run with the same client.

    .venv/bin/python bench/api.py                          # 100k enterprises, both engines
    .venv/bin/python bench/api.py --enterprises 20000 --engines embedded --seconds 5
    .venv/bin/python bench/api.py --work-dir /tmp/apibench # keep (and reuse) loaded stores

1. Generates N enterprises with H3's generator (``seeds.generator.generate``) and loads
   them, with the chain taxonomies, through the ordinary ingest path
   (``ingest.demo.load_demo`` pointed at the generated tables). A ``--work-dir`` keeps
   the loaded stores so a second run skips this.
2. Serves each engine with ``ronglian serve --workers W`` (embedded FalkorDB; Neo4j 5.26
   started from the test harness's Maven Central jars), and the bare app with
   ``uvicorn --workers W``.
3. For each endpoint: first one connection (latency without queueing), then
   ``--concurrency`` keep-alive connections from one asyncio client for ``--seconds``
   after a warm-up; requests count by completion time. Prints req/s, p50, p99, errors,
   and req/s as a share of the bare endpoint's, which is measured right before each
   engine so both see the same machine. The client shares the machine's CPUs.

Not a test: nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from fastapi import FastAPI  # noqa: E402


def bare_app() -> FastAPI:
    """The baseline: FastAPI answering a constant (``uvicorn bench.api:bare_app --factory``)."""
    app = FastAPI()

    @app.get("/const")
    def const() -> dict[str, bool]:  # a def route, like ours: runs in the thread pool
        return {"ok": True}

    return app


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- data -------------------------------------------------------------------------------


def generate(work: Path, n: int) -> Path:
    seeds = work / f"seeds-{n}"
    if not (seeds / "demo" / "enterprises.csv").is_file():
        from seeds.generator import GenConfig
        from seeds.generator import generate as gen

        shutil.rmtree(seeds, ignore_errors=True)
        (seeds / "demo").mkdir(parents=True)
        t0 = time.perf_counter()
        gen(GenConfig(n), seeds / "demo")
        print(f"generated {n:,} enterprises in {time.perf_counter() - t0:.0f}s", flush=True)
    if not (seeds / "chains").exists():
        (seeds / "chains").symlink_to(ROOT / "seeds" / "chains")
    return seeds


def load(url: str, seeds: Path, marker: Path, env: dict[str, str]) -> None:
    if marker.is_file():
        print(f"reusing loaded store {url}", flush=True)
        return
    from graph.settings import Settings
    from graph.store import open_store
    from ingest.demo import load_demo

    settings = Settings(store=url, neo4j_password=env.get("RONGLIAN_NEO4J_PASSWORD", ""),
                        query_timeout_s=600)
    t0 = time.perf_counter()
    with open_store(url, settings) as s:
        summary = load_demo(s, seeds_dir=seeds, run_dir=marker.parent / "runs",
                            progress=lambda m: print("  load:", m, flush=True))
    marker.write_text(str(summary), encoding="utf-8")
    print(f"loaded into {url} in {time.perf_counter() - t0:.0f}s: {summary}", flush=True)


def samples(seeds: Path, k: int = 300) -> tuple[list[str], list[str]]:
    """Random enterprise ids and search terms (short names, name fragments, USCCs)."""
    with (seeds / "demo" / "enterprises.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    rnd = random.Random(7)
    pick = rnd.sample(rows, min(k, len(rows)))
    ids = [r["id"] for r in pick]
    terms = []
    for i, r in enumerate(pick):
        kind = i % 3
        if kind == 0 and r.get("short_name"):
            terms.append(r["short_name"])
        elif kind == 1 and r.get("uscc"):
            terms.append(r["uscc"])
        else:
            terms.append(r["name"][2:6] or r["name"])
    return ids, terms


# --- servers ------------------------------------------------------------------------------


@dataclass
class Running:
    proc: subprocess.Popen[bytes]
    url: str
    log: Path


def start(cmd: list[str], env: dict[str, str], port: int, log: Path, ready: str) -> Running:
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("wb"),
                            stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(url + ready, timeout=2).status_code == 200:
                return Running(proc, url, log)
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    stop(Running(proc, url, log))
    raise SystemExit(f"server not ready: {log.read_text()[-2000:]}")


def stop(r: Running) -> None:
    if r.proc.poll() is None:
        os.killpg(r.proc.pid, signal.SIGTERM)
        try:
            r.proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(r.proc.pid, signal.SIGKILL)
            r.proc.wait(10)


# --- load -----------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


async def _hammer(url: str, paths: list[str], concurrency: int, seconds: float,
                  warmup: float) -> tuple[list[float], int, float]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    latencies: list[float] = []
    errors = 0
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:
        t_start = time.monotonic()
        measure_from = t_start + warmup
        stop_at = measure_from + seconds

        async def worker(i: int) -> None:
            nonlocal errors
            k = i
            while time.monotonic() < stop_at:
                path = paths[k % len(paths)]
                k += concurrency
                t0 = time.perf_counter()
                try:
                    r = await client.get(path)
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                dt = time.perf_counter() - t0
                # Counted by completion time, so slow requests in the window still count.
                if measure_from <= time.monotonic() <= stop_at:
                    if ok:
                        latencies.append(dt)
                    else:
                        errors += 1

        await asyncio.gather(*(worker(i) for i in range(concurrency)))
    return latencies, errors, seconds


def measure(name: str, url: str, paths: list[str], concurrency: int, seconds: float,
            warmup: float = 2.0) -> Result:
    lat, errors, secs = asyncio.run(_hammer(url, paths, concurrency, seconds, warmup))
    lat.sort()
    p50 = statistics.median(lat) * 1000 if lat else float("nan")
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000 if lat else float("nan")
    r = Result(name, len(lat), errors, secs, p50, p99)
    print(f"  {name:<28} {r.rps:8.1f} req/s  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  "
          f"errors {errors}", flush=True)
    return r


def warm(name: str, url: str, paths: list[str], n: int) -> None:
    """Send ``n`` requests at once and wait: every worker builds its caches (the search
    index, popular-partner lists) before the timed runs; prints how long that took."""

    async def go() -> float:
        t0 = time.perf_counter()
        async with httpx.AsyncClient(base_url=url, timeout=300) as c:
            await asyncio.gather(*(c.get(paths[i % len(paths)]) for i in range(n)))
        return time.perf_counter() - t0

    print(f"  {name:<28} first requests (cold caches) took {asyncio.run(go()):.1f} s",
          flush=True)


def endpoints(ids: list[str], terms: list[str]) -> dict[str, list[str]]:
    return {
        "search": [f"/api/v1/enterprises?q={quote(t)}&limit=20" for t in terms],
        "profile": [f"/api/v1/enterprises/{quote(i)}" for i in ids],
        "recommendations": [f"/api/v1/recommendations/partners?enterprise={quote(i)}&top=10"
                            for i in ids],
    }


# --- main -----------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--enterprises", type=int, default=100_000)
    ap.add_argument("--engines", default="embedded,neo4j")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--work-dir", type=Path, default=None,
                    help="keep generated data and loaded stores here (reused next time)")
    args = ap.parse_args()
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="ronglian-apibench-"))
    work.mkdir(parents=True, exist_ok=True)
    seeds = generate(work, args.enterprises)
    ids, terms = samples(seeds)
    base_env = {**os.environ, "RONGLIAN_ANONYMOUS_READ": "true",
                "RONGLIAN_RATE_LIMIT_PER_MINUTE": "0", "RONGLIAN_LOG_LEVEL": "WARNING",
                "RONGLIAN_KEYS_PATH": str(work / "keys.sqlite3"),
                "RONGLIAN_JOB_DIR": str(work / "jobs")}
    results: dict[str, list[Result]] = {}

    def bare_baseline() -> Result:
        """The ceiling, measured right before each engine so both see the same machine."""
        port = _free_port()
        bare = start([sys.executable, "-m", "uvicorn", "bench.api:bare_app", "--factory",
                      "--host", "127.0.0.1", "--port", str(port), "--workers",
                      str(args.workers), "--no-access-log", "--log-level", "warning"],
                     base_env, port, work / "bare.log", "/const")
        try:
            print(f"bare FastAPI constant endpoint, {args.workers} workers:", flush=True)
            return measure("bare /const", bare.url, ["/const"], args.concurrency,
                           args.seconds)
        finally:
            stop(bare)

    baselines: dict[str, Result] = {}

    neo = None
    try:
        for engine in [e.strip() for e in args.engines.split(",") if e.strip()]:
            env = dict(base_env)
            if engine == "embedded":
                url = f"embedded://{work / f'embedded-{args.enterprises}'}"
            elif engine == "neo4j":
                from tests import neo4j_server

                neo = neo4j_server.start(work / f"neo4j-{args.enterprises}", heap="1g",
                                         pagecache="512m")
                url = neo.uri
                env.update(RONGLIAN_NEO4J_USER=neo.user, RONGLIAN_NEO4J_PASSWORD=neo.password)
            else:
                raise SystemExit(f"unknown engine {engine!r}")
            env["RONGLIAN_STORE"] = url
            load(url, seeds, work / f"{engine}-{args.enterprises}.loaded", env)
            baselines[engine] = bare_baseline()
            port = _free_port()
            srv = start([sys.executable, "-c", "from api.cli import main; main()", "serve",
                         "--store", url, "--port", str(port), "--workers", str(args.workers)],
                        env, port, work / f"{engine}.log", "/api/v1/ready")
            print(f"{engine}, {args.enterprises:,} enterprises, {args.workers} workers:",
                  flush=True)
            try:
                results[engine] = []
                for name, paths in endpoints(ids, terms).items():
                    warm(f"{engine} {name}", srv.url, paths, 4 * args.workers)
                    # One connection first: the latency without queueing.
                    results[engine].append(measure(f"{engine} {name} x1", srv.url, paths, 1,
                                                   min(args.seconds, 5.0), warmup=1.0))
                    results[engine].append(measure(f"{engine} {name}", srv.url, paths,
                                                   args.concurrency, args.seconds))
            finally:
                stop(srv)
            if neo is not None:
                neo.stop()
                neo = None
    finally:
        if neo is not None:
            neo.stop()

    print()
    print(f"summary ({args.enterprises:,} enterprises, {args.workers} workers, "
          f"{args.concurrency} connections, {args.seconds:.0f}s each; client on the same "
          "machine)")
    for engine, rs in results.items():
        baseline = baselines[engine]
        print(f"  {engine + ': bare /const':<28} {baseline.rps:8.1f} req/s  "
              f"p50 {baseline.p50_ms:7.1f} ms  p99 {baseline.p99_ms:7.1f} ms  (ceiling)")
        for r in rs:
            share = r.rps / baseline.rps if baseline.rps else float("nan")
            print(f"  {r.name:<28} {r.rps:8.1f} req/s  p50 {r.p50_ms:7.1f} ms  "
                  f"p99 {r.p99_ms:7.1f} ms  {share:6.1%} of bare  errors {r.errors}")
    if args.work_dir is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
