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
3. For each endpoint, two workloads:

   - **hot**: 300 random enterprises (ids, or search terms made from them), requested
     over and over; the API's answer cache serves repeats. A warm-up runs this load
     until a 2-second round is answered wholly from the cache (at most ``--hot-warmup`` seconds; it
     prints how long that took), so the measurement is the steady state;
   - **cold**: every request names a different enterprise (never one of the hot 300,
     never twice in a run), so no cache can answer it: the cost of the query itself.

   After the first requests of an endpoint the bench waits ``--settle`` seconds (the
   recommender builds its tie graph in a background thread after its first request; a
   service that has run for a while has it). Each runs first on one connection (latency
   without queueing), then on ``--concurrency`` keep-alive connections for ``--seconds``
   after a warm-up; requests count by completion time. Prints req/s, p50, p99, errors, the
   share of answers the cache served (its ``X-Cache`` header) and req/s as a share of the
   bare endpoint's, which is measured right before each engine so both see the same machine.
   With several connections it also prints how they fell to the server's worker processes
   (read from the socket table with psutil) and each worker's share of the answers: the
   kernel hands a new connection to whichever worker accepts first, and a keep-alive
   connection stays with it until the server closes it (``RONGLIAN_KEEPALIVE_REQUESTS``;
   the client honours ``Connection: close`` and reconnects).

The client shares the machine's CPUs. By default it is a small keep-alive HTTP/1.1
client on uvicorn's own C parser (httptools) and uvloop, so it takes little CPU from
the servers; ``--client httpx`` uses httpx's AsyncClient instead (the client of the
first measurements: it needs about a millisecond of CPU per request, which capped the
bare endpoint itself at a few hundred requests/s on 2 cores).

Not a test: nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import itertools
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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httptools  # noqa: E402
import httpx  # noqa: E402
import psutil  # noqa: E402
from fastapi import FastAPI  # noqa: E402

try:
    import uvloop
except ImportError:  # pragma: no cover - uvloop is not built for every platform
    uvloop = None  # type: ignore[assignment]


def bare_app() -> FastAPI:
    """The baseline: FastAPI answering a constant (``uvicorn bench.api:bare_app --factory``)."""
    app = FastAPI()

    @app.get("/const")
    def const() -> dict[str, bool]:  # a def route, like most of ours: runs in the thread pool
        return {"ok": True}

    @app.get("/const-async")
    async def const_async() -> dict[str, bool]:  # like the cached read routes
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
    chains = seeds / "chains"
    if chains.is_symlink() and chains.resolve() != (ROOT / "seeds" / "chains").resolve():
        chains.unlink()  # a work dir reused from another checkout: point at this one's chains
    if not chains.exists():
        chains.symlink_to(ROOT / "seeds" / "chains")
    return seeds


def load(url: str, seeds: Path, marker: Path, env: dict[str, str]) -> None:
    from graph.migrations import migrate
    from graph.settings import Settings
    from graph.store import open_store
    from ingest.demo import load_demo

    settings = Settings(store=url, neo4j_password=env.get("RONGLIAN_NEO4J_PASSWORD", ""),
                        query_timeout_s=600)
    if marker.is_file():
        # A kept store may predate the current schema (a new index): bring it up to date.
        with open_store(url, settings) as s:
            r = migrate(s)
        print(f"reusing loaded store {url} (schema {r.from_version} -> {r.to_version})",
              flush=True)
        return
    t0 = time.perf_counter()
    with open_store(url, settings) as s:
        summary = load_demo(s, seeds_dir=seeds, run_dir=marker.parent / "runs",
                            progress=lambda m: print("  load:", m, flush=True))
    marker.write_text(str(summary), encoding="utf-8")
    print(f"loaded into {url} in {time.perf_counter() - t0:.0f}s: {summary}", flush=True)


def _rows(seeds: Path) -> list[dict[str, str]]:
    with (seeds / "demo" / "enterprises.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _terms(rows: list[dict[str, str]]) -> list[str]:
    """Search terms made from enterprises: short names, USCCs and name fragments in turn."""
    terms = []
    for i, r in enumerate(rows):
        kind = i % 3
        if kind == 0 and r.get("short_name"):
            terms.append(r["short_name"])
        elif kind == 1 and r.get("uscc"):
            terms.append(r["uscc"])
        else:
            terms.append(r["name"][2:6] or r["name"])
    return terms


def samples(seeds: Path, k: int = 300) -> tuple[list[str], list[str]]:
    """The hot workload: random enterprise ids and search terms made from them."""
    rows = _rows(seeds)
    pick = random.Random(7).sample(rows, min(k, len(rows)))
    return [r["id"] for r in pick], _terms(pick)


def cold_samples(seeds: Path, hot_ids: list[str],
                 hot_terms: list[str]) -> tuple[list[str], list[str]]:
    """The cold workload: every other enterprise in random order, and the distinct search
    terms made from them (none of them in the hot workload)."""
    skip = set(hot_ids)
    rows = [r for r in _rows(seeds) if r["id"] not in skip]
    random.Random(11).shuffle(rows)
    seen = set(hot_terms)
    terms = []
    for t in _terms(rows):
        if t not in seen:
            seen.add(t)
            terms.append(t)
    return [r["id"] for r in rows], terms


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
    hits: int = 0  # answers marked X-Cache: hit

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def hit_share(self) -> float:
        return self.hits / self.requests if self.requests else 0.0


class _Conn(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection; responses parsed by httptools (uvicorn's C
    parser). ``get`` answers (status, X-Cache header value)."""

    def __init__(self, host: str) -> None:
        self.host = host.encode()
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.waiter: asyncio.Future[tuple[int, bytes | None]] | None = None
        self.cache: bytes | None = None
        self.close_after = False  # the answer said Connection: close
        self.served = 0  # answers received on this connection

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's is no subclass

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as e:
            self._fail(e)

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(exc or ConnectionError("connection closed"))

    def _fail(self, exc: BaseException) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(exc)
        self.waiter = None

    def on_header(self, name: bytes, value: bytes) -> None:
        if name.lower() == b"x-cache":
            self.cache = value
        elif name.lower() == b"connection" and value.lower() == b"close":
            self.close_after = True

    def on_message_complete(self) -> None:
        self.served += 1
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result((self.parser.get_status_code(), self.cache))
        self.waiter = None
        if self.close_after and self.transport is not None:  # the next get reconnects
            self.transport.close()

    async def get(self, path: str) -> tuple[int, bytes | None]:
        assert self.transport is not None
        self.cache = None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: " + self.host
                             + b"\r\n\r\n")
        return await asyncio.wait_for(self.waiter, 60)


async def _connect(url: str) -> _Conn:
    hostport = url.split("://", 1)[1]
    host, port = hostport.rsplit(":", 1)
    _, conn = await asyncio.get_running_loop().create_connection(
        lambda: _Conn(hostport), host, int(port))
    return conn


class _Client:
    """``concurrency`` connections, each serving one worker coroutine."""

    def __init__(self, url: str, kind: str) -> None:
        self.url, self.kind = url, kind
        self.httpx: httpx.AsyncClient | None = None
        #: the fast client's connections, one box per session (a box's connection is
        #: replaced when the server closed it; the replaced ones are kept in ``closed``)
        self.boxes: list[list[_Conn]] = []
        self.closed: list[_Conn] = []

    async def __aenter__(self) -> _Client:
        if self.kind == "httpx":
            limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
            self.httpx = httpx.AsyncClient(base_url=self.url, limits=limits, timeout=60)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.httpx is not None:
            await self.httpx.aclose()

    async def session(self) -> Any:
        """A per-worker ``get(path) -> (status, x-cache)``."""
        if self.httpx is not None:
            client = self.httpx

            async def get_httpx(path: str) -> tuple[int, bytes | None]:
                r = await client.get(path)
                cache = r.headers.get("x-cache")
                return r.status_code, cache.encode() if cache else None

            return get_httpx
        box: list[_Conn] = [await _connect(self.url)]
        self.boxes.append(box)

        async def get_fast(path: str) -> tuple[int, bytes | None]:
            conn = box[0]
            if conn.transport is None or conn.transport.is_closing():
                self.closed.append(conn)
                conn = box[0] = await _connect(self.url)
            try:
                return await conn.get(path)
            except BaseException:
                if conn.transport is not None:
                    conn.transport.close()
                raise

        return get_fast


def worker_of(conns: list[_Conn], port: int) -> list[int | None]:
    """For each open client connection, the pid of the server process that accepted it
    (psutil's socket table, as ``tests/test_api_server.py`` reads it: the client's local
    port is the server socket's peer port). ``None`` where it cannot be told."""
    by_peer = {c.raddr.port: c.pid for c in psutil.net_connections(kind="tcp")
               if c.laddr and c.laddr.port == port and c.raddr and c.pid is not None
               and c.status == psutil.CONN_ESTABLISHED}
    peers = []
    for c in conns:
        name = c.transport.get_extra_info("sockname") if c.transport is not None else None
        peers.append(by_peer.get(int(name[1])) if name else None)
    return peers


def _run(coro: Any) -> Any:
    if uvloop is not None:
        return asyncio.run(coro, loop_factory=uvloop.new_event_loop)
    return asyncio.run(coro)


Pick = Callable[[int], str]


def hot(paths: list[str]) -> Pick:
    """The paths in turn, over and over (one turn shared by all connections, kept across
    calls): the original, repeating workload."""
    turn = itertools.count()
    return lambda _: paths[next(turn) % len(paths)]


def cold(paths: list[str]) -> Pick:
    """Each request takes the next path never asked before in this run."""
    it = iter(paths)

    def pick(_: int) -> str:
        try:
            return next(it)
        except StopIteration:
            raise SystemExit("cold workload ran out of distinct requests; use fewer "
                             "--seconds or more --enterprises") from None

    return pick


async def _hammer(url: str, pick: Pick, concurrency: int, seconds: float, warmup: float,
                  client_kind: str
                  ) -> tuple[list[float], int, int, dict[int | str | None, list[int]]]:
    """Latencies of the timed window, errors, cache hits, and per server process (pid;
    ``None``: unknown, e.g. with httpx; ``"closed"``: connections the server closed during
    the run) [connections, answers received on them, warm-up included]."""
    latencies: list[float] = []
    errors = hits = 0
    async with _Client(url, client_kind) as client:
        sessions = [await client.session() for _ in range(concurrency)]
        t_start = time.monotonic()
        measure_from = t_start + warmup
        stop_at = measure_from + seconds

        async def worker(i: int) -> None:
            nonlocal errors, hits
            get = sessions[i]
            k = i
            while time.monotonic() < stop_at:
                path = pick(k)
                k += concurrency
                t0 = time.perf_counter()
                try:
                    status, cache = await get(path)
                    ok = status == 200
                except (TimeoutError, OSError, httpx.HTTPError, httptools.HttpParserError):
                    ok, cache = False, None
                dt = time.perf_counter() - t0
                # Counted by completion time, so slow requests in the window still count.
                if measure_from <= time.monotonic() <= stop_at:
                    if ok:
                        latencies.append(dt)
                        hits += cache == b"hit"
                    else:
                        errors += 1

        await asyncio.gather(*(worker(i) for i in range(concurrency)))
        share: dict[int | str | None, list[int]] = {}
        if client.boxes:  # the fast client: answers per connection, warm-up included
            conns = [b[0] for b in client.boxes]
            for pid, conn in zip(worker_of(conns, int(url.rsplit(":", 1)[1])), conns,
                                 strict=True):
                row = share.setdefault(pid, [0, 0])
                row[0] += 1
                row[1] += conn.served
            if client.closed:  # closed by the server (Connection: close) during the run
                share["closed"] = [len(client.closed), sum(c.served for c in client.closed)]
        else:
            share[None] = [concurrency, len(latencies)]
    return latencies, errors, hits, share


def measure(name: str, url: str, pick: Pick, concurrency: int, seconds: float,
            warmup: float = 2.0, client: str = "fast") -> Result:
    lat, errors, hits, share = _run(_hammer(url, pick, concurrency, seconds, warmup, client))
    lat.sort()
    p50 = statistics.median(lat) * 1000 if lat else float("nan")
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000 if lat else float("nan")
    r = Result(name, len(lat), errors, seconds, p50, p99, hits)
    print(f"  {name:<34} {r.rps:8.1f} req/s  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  "
          f"errors {errors}  cache hits {r.hit_share:5.1%}", flush=True)
    if concurrency > 1 and None not in share:  # how the connections fell to the workers
        total = sum(n for _, n in share.values()) or 1
        print("    by server process (answers, warm-up included): " + "; ".join(
            (f"pid {pid}: {c} open connections" if pid != "closed" else
             f"{c} connections closed by the server during the run") + f", {n / total:.0%}"
            for pid, (c, n) in sorted(share.items(), key=lambda kv: -kv[1][1])), flush=True)
    return r


def warm(name: str, url: str, paths: list[str], n: int) -> None:
    """Send ``n`` requests at once and wait: every worker builds its caches (the search
    index, popular-partner lists) before the timed runs; prints how long that took."""

    async def go() -> float:
        t0 = time.perf_counter()
        async with httpx.AsyncClient(base_url=url, timeout=300) as c:
            await asyncio.gather(*(c.get(paths[i % len(paths)]) for i in range(n)))
        return time.perf_counter() - t0

    print(f"  {name:<34} first requests (cold caches) took {asyncio.run(go()):.1f} s",
          flush=True)


def warm_until_cached(name: str, url: str, pick: Pick, concurrency: int, limit: float,
                      client: str, share: float = 1.0) -> None:
    """Run the hot load in 2-second rounds until one round finds ``share`` of its answers
    in the cache (each worker has computed the hot set once) or ``limit`` seconds passed;
    print how long that took. The measurement after it is the steady state."""
    t0 = time.monotonic()
    seen = 0.0
    while time.monotonic() - t0 < limit:
        lat, _, hits, _ = _run(_hammer(url, pick, concurrency, 2.0, 0.0, client))
        seen = hits / len(lat) if lat else 0.0
        if seen >= share:
            break
    print(f"  {name + ' hot warm-up':<34} {time.monotonic() - t0:6.1f} s until "
          f"{seen:.0%} cache hits (stops at {share:.0%} or {limit:.0f} s)", flush=True)


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
    ap.add_argument("--hot-warmup", type=float, default=120.0,
                    help="most seconds of hot load before the hot measurement; it stops "
                    "earlier once a 2-second round is answered wholly from the cache")
    ap.add_argument("--settle", type=float, default=45.0,
                    help="seconds to wait after each endpoint's first requests, so the "
                    "workers' background builds finish before the timed runs")
    ap.add_argument("--client", choices=("fast", "httpx"), default="fast",
                    help="load client: httptools+uvloop keep-alive (default) or httpx")
    ap.add_argument("--endpoints", default="search,profile,recommendations")
    ap.add_argument("--work-dir", type=Path, default=None,
                    help="keep generated data and loaded stores here (reused next time)")
    args = ap.parse_args()
    load_start = os.getloadavg()
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="ronglian-apibench-"))
    work.mkdir(parents=True, exist_ok=True)
    seeds = generate(work, args.enterprises)
    ids, terms = samples(seeds)
    cold_ids, cold_terms = cold_samples(seeds, ids, terms)
    wanted = [e.strip() for e in args.endpoints.split(",") if e.strip()]
    hot_paths = {k: v for k, v in endpoints(ids, terms).items() if k in wanted}
    cold_paths = {k: v for k, v in endpoints(cold_ids, cold_terms).items() if k in wanted}
    base_env = {**os.environ, "RONGLIAN_ANONYMOUS_READ": "true",
                "RONGLIAN_RATE_LIMIT_PER_MINUTE": "0", "RONGLIAN_LOG_LEVEL": "WARNING",
                "RONGLIAN_KEYS_PATH": str(work / "keys.sqlite3"),
                "RONGLIAN_JOB_DIR": str(work / "jobs")}
    results: dict[str, list[Result]] = {}
    c, secs = args.concurrency, args.seconds

    def bare_baseline() -> list[Result]:
        """The ceiling, measured right before each engine so both see the same machine:
        a ``def`` route (run in the thread pool, like most of ours) and an ``async def``
        one (like the cached read routes, whose hits never leave the event loop)."""
        port = _free_port()
        bare = start([sys.executable, "-m", "uvicorn", "bench.api:bare_app", "--factory",
                      "--host", "127.0.0.1", "--port", str(port), "--workers",
                      str(args.workers), "--no-access-log", "--log-level", "warning"],
                     base_env, port, work / "bare.log", "/const")
        try:
            print(f"bare FastAPI constant endpoint, {args.workers} workers:", flush=True)
            return [measure("bare /const (def)", bare.url, hot(["/const"]), c, secs,
                            client=args.client),
                    measure("bare /const-async (async def)", bare.url,
                            hot(["/const-async"]), c, secs, client=args.client)]
        finally:
            stop(bare)

    baselines: dict[str, list[Result]] = {}

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
            print(f"{engine}, {args.enterprises:,} enterprises, {args.workers} workers, "
                  f"{args.client} client:", flush=True)
            try:
                results[engine] = rs = []
                for name, paths in hot_paths.items():
                    warm(f"{engine} {name}", srv.url, paths, 4 * args.workers)
                    if args.settle > 0:
                        # a worker builds some caches in a background thread after its first
                        # requests (the recommender's tie graph); a running service has
                        # finished them long before: measure that state
                        time.sleep(args.settle)
                    warm_until_cached(f"{engine} {name}", srv.url, hot(paths), c,
                                      args.hot_warmup, args.client)
                    # One connection first: the latency without queueing.
                    rs.append(measure(f"{engine} {name} hot x1", srv.url, hot(paths), 1,
                                      min(secs, 5.0), warmup=1.0, client=args.client))
                    rs.append(measure(f"{engine} {name} hot", srv.url, hot(paths), c, secs,
                                      client=args.client))
                    fresh = cold(cold_paths[name])
                    rs.append(measure(f"{engine} {name} cold x1", srv.url, fresh, 1,
                                      min(secs, 5.0), warmup=1.0, client=args.client))
                    rs.append(measure(f"{engine} {name} cold", srv.url, fresh, c, secs,
                                      client=args.client))
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
          f"{args.concurrency} connections, {args.seconds:.0f}s each, {args.client} client on "
          "the same machine; share = req/s over the faster bare endpoint's)")
    # Other work on the machine moves every figure (the ceiling too): say how busy it was.
    print("  load average at the start {:.2f} {:.2f} {:.2f}, at the end {:.2f} {:.2f} {:.2f}"
          .format(*load_start, *os.getloadavg()))
    for engine, rs in results.items():
        bases = baselines[engine]
        ceiling = max(b.rps for b in bases)
        for b in bases:
            print(f"  {engine + ': ' + b.name:<44} {b.rps:8.1f} req/s  p50 {b.p50_ms:7.1f} ms  "
                  f"p99 {b.p99_ms:7.1f} ms  (ceiling)  errors {b.errors}")
        for r in rs:
            share = r.rps / ceiling if ceiling else float("nan")
            print(f"  {r.name:<44} {r.rps:8.1f} req/s  p50 {r.p50_ms:7.1f} ms  "
                  f"p99 {r.p99_ms:7.1f} ms  {share:6.1%} of bare  errors {r.errors}  "
                  f"cache hits {r.hit_share:5.1%}")
    if args.work_dir is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
