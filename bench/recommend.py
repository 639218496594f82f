"""Latency of ``recommend_partners`` alone, per relation, with a per-query breakdown.

``python bench/recommend.py --store embedded:///tmp/bench-rec/falkordb [--runs 60]
[--seed 7] [--relations SUPPLIES,SUPPLIED_BY,COOPERATES_WITH] [--breakdown] [--after-write N]
[--writes K [--write-gap S]]``

Uses a store that already holds generated data (``bench/queries.py --keep DIR``
leaves one in ``DIR/falkordb``; a Neo4j URL works too, credentials from
``RONGLIAN_NEO4J_*``, or ``--neo4j-dir DIR/neo4j`` to start the kept test server).
For each relation: the first request on a freshly opened store (cold: graph-wide
aggregates not yet cached), then ``--warm`` requests on other enterprises (the
per-product and per-industry caches fill lazily), then ``--runs`` requests on
sampled enterprises, printing p50/p95 in ms. ``--breakdown`` adds the time spent in each
named query (calls and total ms over the timed runs). ``--after-write N`` then writes one
new cooperation tie (a new graph generation), times the first ``N`` requests after it as the
service answers them (the tie graph and, where the code does so, the walk and affinity rebuilt
in background threads; the models' rate limit off, so their rebuild starts at the first
request and competes with the timed ones: the worst case), waits for those threads, times one
more request, and deletes the tie again (the store is left as it was; use a copy of a shared
store all the same); it prints the first request, p50/p99/max of the next ``N - 1``, when the
new generation's aggregates and tie graph were filed (they serve from then on) and when the
last build thread ended (the walk and affinity too). ``--sync-models`` builds the walk and
affinity in the request instead (the behaviour before they were rebuilt in the background).
``--writes K [--write-gap S]`` then times requests back to back while ``K`` ties are written
``S`` seconds apart (an ingest job's batches; the service's rate limits) and as long again.
``--gc-hold both`` runs each relation's cold request and ``--after-write`` requests twice,
first with the recommender's builds leaving Python's full garbage collections alone
(``queries.HOLD_FULL_GC`` off: the baseline) and then holding them off
(``queries.full_gc_held``), and
prints for each the full collections that ran (count, total and longest ms) and the longest
stretch a thread that wakes every millisecond went without running (the interpreter lock
held elsewhere), with the ratios of the second run to the first; ``on`` / ``off`` run one.
Not a test; run it under ``flock /tmp/ronglian-bench.lock``.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import random
import statistics
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import queries
from graph.store import Row, Store, open_store
from graph.writes import merge_rels, rel_row
from queries import QUERIES, recommend, tiegraph
from queries.recommend import clear_cache, recommend_partners

try:  # absent before the walk and affinity were rebuilt in the background (a "before" run)
    from queries import modelcache
except ImportError:  # pragma: no cover
    modelcache = None  # type: ignore[assignment]
#: the aggregates' key in the model cache (None before they were kept there: "before" runs)
AGGREGATES: str | None = getattr(recommend, "AGGREGATES", None)

# the first request builds the tie graph itself (in the service a thread does), so "cold"
# below includes it
tiegraph.BACKGROUND = False

RELATIONS = ("SUPPLIES", "SUPPLIED_BY", "COOPERATES_WITH")
#: Provenance of the tie ``--after-write`` adds (and deletes again by its run id).
WRITE_PROV = {"source": "bench/recommend.py", "method": "manual", "confidence": 1.0,
              "run_id": "bench-recommend-after-write"}
#: Threads the recommender builds its caches in (joined before the "settled" request).
BUILD_THREADS = ("tiegraph-build", "recommend-models")


class Timing:
    """Wraps ``store.read`` to add up the time of each named query."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.by_name: dict[str, list[float]] = defaultdict(list)
        self.on = False
        names = {}
        for name in QUERIES.names():
            first = QUERIES.get(name, store.dialect).splitlines()[0]
            names[first] = name
        self.names = names
        self._read = store.read

        def read(query: str, params: Mapping[str, Any] | None = None, *,
                 timeout: float | None = None) -> list[Row]:
            t0 = time.perf_counter()
            try:
                return self._read(query, params, timeout=timeout)
            finally:
                if self.on:
                    key = self.names.get(query.splitlines()[0], query.splitlines()[0][:40])
                    self.by_name[key].append((time.perf_counter() - t0) * 1000)

        store.read = read  # type: ignore[method-assign]


class GcWatch:
    """Full collections (count, ms) and the longest stretch a 1 ms ticker thread waited,
    while the block runs."""

    def __init__(self) -> None:
        self.full: list[float] = []
        self.longest = 0.0
        self._t0 = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._t0 = time.perf_counter()
        else:
            self.full.append((time.perf_counter() - self._t0) * 1000)

    @contextlib.contextmanager
    def watch(self) -> Iterator[None]:
        stop = threading.Event()

        def tick() -> None:
            last = time.perf_counter()
            while not stop.is_set():
                time.sleep(0.001)
                now = time.perf_counter()
                self.longest = max(self.longest, (now - last) * 1000)
                last = now

        ticker = threading.Thread(target=tick, daemon=True)
        gc.callbacks.append(self._callback)
        ticker.start()
        try:
            yield
        finally:
            stop.set()
            ticker.join()
            gc.callbacks.remove(self._callback)

    def line(self) -> str:
        return (f"full collections {len(self.full):3} ({sum(self.full):7.0f} ms, longest "
                f"{max(self.full, default=0.0):5.0f} ms), longest pause {self.longest:5.0f} ms")


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p * (len(xs) - 1)))]


def _untied_pair(store: Store, ids: list[str]) -> tuple[str, str]:
    """Two enterprises of ``ids`` with no cooperation tie between them."""
    for a, b in zip(ids[::2], ids[1::2], strict=False):
        if not store.read("MATCH (:Enterprise {id: $a})-[r:COOPERATES_WITH]-(:Enterprise {id: $b}) "
                          "RETURN count(r) AS n", {"a": a, "b": b})[0]["n"]:
            return a, b
    raise SystemExit("no untied pair of enterprises among the picks")


def after_write(store: Store, rel: str, picks: list[str], n: int, background: bool) -> None:
    """Time the first ``n`` requests after a write, as the service answers them."""
    tiegraph.BACKGROUND = True  # as in the service: requests never wait for the tie graph
    limits = (modelcache.REBUILD_GAP_S, modelcache.REBUILD_FACTOR) if modelcache else None
    if modelcache is not None:
        modelcache.BACKGROUND = background
        modelcache.REBUILD_GAP_S = 0.0  # the cold build just ended: rebuild all the same
        modelcache.REBUILD_FACTOR = 0.0
    a, b = _untied_pair(store, picks[n:])
    merge_rels(store, "COOPERATES_WITH", "Enterprise", "Enterprise",
               [rel_row(a, b, dict(WRITE_PROV))])
    t_write = time.perf_counter()
    ended: list[float] = []  # when the last build thread was seen running (the watcher)
    swapped: list[float] = []  # when the new aggregates (and their tie graph) were filed
    stop = threading.Event()
    cache = modelcache.cache_for(store) if modelcache is not None else None
    first = getattr(cache, "latest", lambda _k: None)(AGGREGATES) if AGGREGATES else None

    def watch() -> None:  # a 20 ms poll: the builds may end while requests still run
        while not stop.is_set():
            if any(t.name in BUILD_THREADS for t in threading.enumerate()):
                ended[:] = [time.perf_counter()]
            if first is not None and not swapped and cache is not None and \
                    cache.latest(AGGREGATES) is not first:
                swapped.append(time.perf_counter())
            stop.wait(0.02)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        ms = []
        for e in picks[:n]:
            t0 = time.perf_counter()
            recommend_partners(store, e, rel)
            ms.append((time.perf_counter() - t0) * 1000)
        for t in threading.enumerate():
            if t.name in BUILD_THREADS:
                t.join()
        stop.set()
        watcher.join()
        joined = (ended[0] if ended else time.perf_counter()) - t_write
        served = f"{swapped[0] - t_write:5.1f} s" if swapped else "    -"
        t0 = time.perf_counter()
        recommend_partners(store, picks[0], rel)
        settled = (time.perf_counter() - t0) * 1000
        rest = ms[1:] or ms
        mode = ("background" if background else "synchronous") if modelcache else "before"
        print(f"  {rel:16} after a write ({mode} models): first {ms[0]:7.1f} ms   next "
              f"{len(rest)} p50 {statistics.median(rest):7.1f} ms p99 {pct(rest, 0.99):7.1f} ms "
              f"max {max(rest):7.1f} ms   new aggregates serve {served}, builds done "
              f"{joined:5.1f} s after the write, then {settled:7.1f} ms", flush=True)
    finally:
        store.write("MATCH (:Enterprise {id: $a})-[r:COOPERATES_WITH {run_id: $run}]->"
                    "(:Enterprise {id: $b}) DELETE r", {"a": a, "b": b,
                                                        "run": WRITE_PROV["run_id"]})
        tiegraph.BACKGROUND = False
        if modelcache is not None and limits is not None:  # the service's, for --writes
            modelcache.BACKGROUND = True
            modelcache.REBUILD_GAP_S, modelcache.REBUILD_FACTOR = limits


def during_writes(store: Store, rel: str, picks: list[str], writes: int, gap: float) -> None:
    """Time requests, one after another, while ``writes`` new cooperation ties are written
    ``gap`` seconds apart (an ingest job committing batches), then for as long again; the
    ties are deleted at the end. Prints p50/p99/max and the requests over 100 ms."""
    tiegraph.BACKGROUND = True  # as in the service
    if modelcache is not None:  # the service's rate limit (a write every few seconds)
        modelcache.BACKGROUND = True
    pairs: list[tuple[str, str]] = []
    for a, b in zip(picks[::2], picks[1::2], strict=False):
        if len(pairs) == writes:
            break
        if not store.read("MATCH (:Enterprise {id: $a})-[r:COOPERATES_WITH]-(:Enterprise "
                          "{id: $b}) RETURN count(r) AS n", {"a": a, "b": b})[0]["n"]:
            pairs.append((a, b))
    ms: list[float] = []
    t_start = time.perf_counter()
    end = t_start + 2 * writes * gap
    done = 0
    try:
        i = 0
        while time.perf_counter() < end:
            if done < len(pairs) and time.perf_counter() >= t_start + done * gap:
                merge_rels(store, "COOPERATES_WITH", "Enterprise", "Enterprise",
                           [rel_row(*pairs[done], dict(WRITE_PROV))])
                done += 1
            t0 = time.perf_counter()
            recommend_partners(store, picks[i % len(picks)], rel)
            ms.append((time.perf_counter() - t0) * 1000)
            i += 1
        print(f"  {rel:16} during {done} writes {gap:.0f} s apart ({2 * done * gap:.0f} s): "
              f"{len(ms)} requests, p50 {statistics.median(ms):7.1f} ms p99 "
              f"{pct(ms, 0.99):7.1f} ms max {max(ms):7.1f} ms, "
              f"{sum(x > 100 for x in ms)} over 100 ms", flush=True)
    finally:
        for t in threading.enumerate():
            if t.name in BUILD_THREADS:
                t.join()
        store.write("MATCH ()-[r:COOPERATES_WITH {run_id: $run}]->() DELETE r",
                    {"run": WRITE_PROV["run_id"]})
        tiegraph.BACKGROUND = False


def one_relation(store: Store, rel: str, picks: list[str], timing: Timing,
                 args: argparse.Namespace) -> float:
    """The cold request, the timed runs and the after-write phases of one relation; returns
    the cold request's ms."""
    clear_cache()
    t0 = time.perf_counter()
    recommend_partners(store, picks[-1], rel)
    cold = (time.perf_counter() - t0) * 1000
    for e in picks[args.runs:-1]:
        recommend_partners(store, e, rel)
    timing.by_name.clear()
    timing.on = True
    ms = []
    for e in picks[:args.runs]:
        t0 = time.perf_counter()
        recommend_partners(store, e, rel)
        ms.append((time.perf_counter() - t0) * 1000)
    timing.on = False
    print(f"  {rel:16} cold {cold:7.1f} ms   p50 {statistics.median(ms):7.1f} ms   "
          f"p95 {pct(ms, 0.95):7.1f} ms   max {max(ms):7.1f} ms", flush=True)
    if args.breakdown:
        for name, xs in sorted(timing.by_name.items(), key=lambda kv: -sum(kv[1])):
            print(f"      {name:24} calls {len(xs):4}  total {sum(xs):8.1f} ms  "
                  f"p95 {pct(xs, 0.95):6.1f} ms")
    if args.after_write:
        after_write(store, rel, picks[:-1], args.after_write, not args.sync_models)
    if args.writes:
        during_writes(store, rel, picks[:-1], args.writes, args.write_gap)
    return cold


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", default=None, help="Store URL (embedded:///dir or bolt://…).")
    ap.add_argument("--neo4j-dir", type=Path, default=None,
                    help="Start the kept Neo4j test server in this folder.")
    ap.add_argument("--runs", type=int, default=60)
    ap.add_argument("--warm", type=int, default=40)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--relations", default=",".join(RELATIONS))
    ap.add_argument("--breakdown", action="store_true")
    ap.add_argument("--after-write", type=int, default=0, metavar="N",
                    help="Then time the first N requests after a write (see above).")
    ap.add_argument("--writes", type=int, default=0, metavar="K",
                    help="Then time requests while K ties are written --write-gap apart.")
    ap.add_argument("--write-gap", type=float, default=3.0, metavar="S")
    ap.add_argument("--sync-models", action="store_true",
                    help="With --after-write: build the walk and affinity in the request "
                         "(modelcache.BACKGROUND = False, the behaviour before it existed).")
    ap.add_argument("--gc-hold", choices=("on", "off", "both"), default="on",
                    help="Builds hold off full garbage collections (on), do not (off), or "
                         "run each relation both ways, off first (see above).")
    args = ap.parse_args()
    server = None
    if args.neo4j_dir:
        from graph.neo4j_store import Neo4jStore
        from tests.neo4j_server import ensure_jars, start

        ensure_jars()
        server = start(args.neo4j_dir, heap="1g", pagecache="512m")
        store: Store = Neo4jStore(server.uri, user=server.user, password=server.password)
    else:
        store = open_store(args.store)
    try:
        if store.dialect == "falkordb":  # a restarted server rebuilds its indexes first
            while any(r["status"] != "OPERATIONAL" for r in store.read(
                    "CALL db.indexes() YIELD status RETURN status")):
                time.sleep(1)
        ids = [r["id"] for r in store.read(
            "MATCH (e:Enterprise) RETURN e.id AS id ORDER BY id")]
        rng = random.Random(args.seed)
        picks = rng.sample(ids, min(len(ids), args.runs + args.warm + 1))
        timing = Timing(store)
        print(f"{store.dialect}: {len(ids):,} enterprises", flush=True)
        modes = {"both": (False, True), "on": (True,), "off": (False,)}[args.gc_hold]
        for rel in args.relations.split(","):
            seen: dict[bool, tuple[float, GcWatch]] = {}
            for hold in modes:
                queries.HOLD_FULL_GC = hold
                if len(modes) > 1:
                    print(f"  {rel}: builds {'hold off' if hold else 'leave alone'} full "
                          "garbage collections", flush=True)
                gcw = GcWatch()
                with gcw.watch():
                    cold = one_relation(store, rel, picks, timing, args)
                print(f"  {rel:16} {gcw.line()}", flush=True)
                seen[hold] = (cold, gcw)
            if len(seen) == 2:
                (c0, g0), (c1, g1) = seen[False], seen[True]
                print(f"  {rel:16} held / not: cold {c1 / c0:.2f}x, full collections "
                      f"{len(g1.full)} / {len(g0.full)} ({sum(g1.full):.0f} / "
                      f"{sum(g0.full):.0f} ms), longest pause "
                      f"{g1.longest / max(g0.longest, 1e-9):.2f}x", flush=True)
    finally:
        store.close()
        if server:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
