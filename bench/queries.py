"""Latency of the query services on generated data, per engine, with index-use checks.

``python bench/queries.py --enterprises 100000 [--data DIR] [--keep DIR] [--runs 40]
[--skip-neo4j] [--only falkordb|neo4j] [--neo4j bolt://host:7687] [--services paths,search]``

1. Generates the data with H3's generator (``seeds.generator.generate``) into
   ``--data`` (reused when it already holds ``enterprises.csv``).
2. Loads it into a fresh store per engine through the ordinary ingest jobs
   (reference tables, ``seeds/chains/*.json``, then each CSV with ``ingest_table``);
   with ``--keep DIR`` the stores live in DIR and a store that already holds
   enterprises is reused without loading.
3. For each service — chain detail (and its structure alone, ``limit=0``), gaps,
   recommendations (both ways), paths (6 hops), search, profile — warms up, then times
   ``--runs`` calls on sampled inputs and prints p50/p95 in ms against the issue's aims
   (embedded: gaps ≤ 200, recommend ≤ 100, paths ≤ 100, search ≤ 50) and Neo4j/FalkorDB
   ratios measured in this run.
   Path pairs are random firms (mostly 5–6 hops apart or unreachable within 6: the
   hard cases) and, as a separate line, near pairs (2–3 steps of a random walk over
   the generated ties); how many pairs of each length were found is printed. The
   search index's cold build (once per process) is timed and printed on its own.
4. Asks each engine for the plan of the id-keyed queries and reports whether an
   index is used (FalkorDB ``Node By Index Scan`` / ``NodeByIdSeek``; Neo4j
   ``NodeIndexSeek`` / ``NodeUniqueIndexSeek`` / ``NodeByElementIdSeek``). Not a test.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graph.store import Store, open_store
from ingest.chains import ingest_chain
from ingest.refload import load_reference
from ingest.tables import ingest_table
from queries import QUERIES
from queries.chains import chain_detail, list_chains
from queries.gaps import chain_gaps
from queries.paths import PATH_RELATIONS, paths
from queries.profile import enterprise_profile
from queries.recommend import recommend_partners
from queries.search import get_index, search

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("enterprises", "enterprise_products", "capabilities", "needs", "resources", "supply",
         "relations")
AIMS_MS = {"gaps": 200, "recommend SUPPLIES": 100, "recommend SUPPLIED_BY": 100,
           "paths 6 hops": 100, "search": 50}
INDEX_MARKERS = ("Node By Index Scan", "NodeIndexSeek", "NodeUniqueIndexSeek",
                 "Node By Label and ID Scan", "NodeIndexScan", "NodeByIdSeek",
                 "NodeByElementIdSeek")


def load(store: Store, data: Path, run_dir: Path) -> float:
    t0 = time.perf_counter()
    store.apply_schema()
    load_reference(store, run_dir=run_dir)
    files = sorted((ROOT / "seeds" / "chains").glob("*.json"))
    for f in files + files:  # second pass: upstream links across chains
        ingest_chain(store, f, run_dir=run_dir, source=f"seeds/chains/{f.name}", method="seed")
    for kind in KINDS:
        f = data / f"{kind}.csv"
        if f.is_file():
            r = ingest_table(store, f, kind=kind, run_dir=run_dir)
            print(f"  {kind}: {r}", flush=True)
    return time.perf_counter() - t0


def _loaded(store: Store) -> bool:
    n = int(store.read(QUERIES.get("search_count", store.dialect))[0]["n"])
    if n:
        print(f"  reusing the store's {n:,} enterprises", flush=True)
        if store.dialect == "falkordb":  # a restarted server rebuilds its indexes first
            while any(r["status"] != "OPERATIONAL" for r in store.read(
                    "CALL db.indexes() YIELD status RETURN status")):
                time.sleep(1)
    return n > 0


def near_pairs(data: Path, rng: random.Random, n: int) -> list[tuple[str, str]]:
    """Pairs 2–3 steps apart on a random walk over the generated path ties (supply and
    relations files), so near pairs are timed too; the walk never returns to a firm."""
    import csv

    adj: dict[str, list[str]] = {}
    for name, a, b, kind in (("supply.csv", "supplier", "buyer", None),
                             ("relations.csv", "from", "to", "type")):
        f = data / name
        if not f.is_file():
            continue
        with f.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if kind and row.get(kind) not in PATH_RELATIONS:
                    continue
                x, y = row.get(a), row.get(b)
                if x and y and x != y:
                    adj.setdefault(x, []).append(y)
                    adj.setdefault(y, []).append(x)
    starts = sorted(adj)
    out: list[tuple[str, str]] = []
    while starts and len(out) < n:
        walk = [rng.choice(starts)]
        for _ in range(rng.choice((2, 3))):
            nxt = [v for v in adj.get(walk[-1], []) if v not in walk]
            if not nxt:
                break
            walk.append(rng.choice(nxt))
        if len(walk) >= 3:
            out.append((walk[0], walk[-1]))
    return out


def sample_inputs(store: Store, rng: random.Random, n: int) -> dict[str, list[Any]]:
    t0 = time.perf_counter()
    idx = get_index(store)
    print(f"  search index (cold, once per process): {time.perf_counter() - t0:.2f} s for "
          f"{len(idx.entries):,} enterprises", flush=True)
    rows = [e.row for e in idx.entries]
    picks = rng.sample(rows, min(n, len(rows)))
    words = []
    for r in picks:
        name = str(r["name"] or "")
        if len(name) >= 4:
            start = rng.randrange(0, max(1, len(name) - 3))
            words.append(name[start:start + rng.choice((2, 3, 4))])
    chains = [c["id"] for c in list_chains(store)]
    pairs = [(picks[i]["id"], picks[-1 - i]["id"]) for i in range(len(picks) // 2)]
    return {"ids": [r["id"] for r in picks], "words": words, "chains": chains, "pairs": pairs}


def timed(fn: Callable[[Any], Any], inputs: list[Any], runs: int, warm: int = 3) -> list[float]:
    for x in inputs[:warm]:
        fn(x)
    out = []
    for i in range(runs):
        x = inputs[i % len(inputs)]
        t0 = time.perf_counter()
        fn(x)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p * (len(xs) - 1)))]


def path_lengths(store: Store, pairs: list[tuple[str, str]]) -> str:
    """How many pairs have a shortest path of each length (``-`` none within 6 hops)."""
    lengths: dict[str, int] = {}
    for a, b in pairs:
        found = paths(store, a, b, max_hops=6, k=1)["paths"]
        key = str(found[0]["length"]) if found else "-"
        lengths[key] = lengths.get(key, 0) + 1
    return ", ".join(f"{k}: {v}" for k, v in sorted(lengths.items()))


def bench_engine(store: Store, runs: int, seed: int, data: Path | None = None,
                 only: set[str] | None = None) -> dict[str, tuple[float, float]]:
    rng = random.Random(seed)
    inp = sample_inputs(store, rng, max(runs, 20))
    near = near_pairs(data, random.Random(seed), max(runs, 20)) if data else []
    home = "1302"
    services: dict[str, tuple[Callable[[Any], Any], list[Any]]] = {
        "chain detail": (lambda c: chain_detail(store, c), inp["chains"]),
        "chain structure": (lambda c: chain_detail(store, c, limit=0), inp["chains"]),
        "gaps": (lambda c: chain_gaps(store, c, home), inp["chains"]),
        "recommend SUPPLIES": (lambda e: recommend_partners(store, e, "SUPPLIES"), inp["ids"]),
        "recommend SUPPLIED_BY": (lambda e: recommend_partners(store, e, "SUPPLIED_BY"),
                                  inp["ids"]),
        "paths 6 hops": (lambda p: paths(store, p[0], p[1], max_hops=6, k=3), inp["pairs"]),
        "paths near pairs": (lambda p: paths(store, p[0], p[1], max_hops=6, k=3), near),
        "search": (lambda w: search(store, w, limit=20), inp["words"]),
        "profile": (lambda e: enterprise_profile(store, e), inp["ids"]),
    }
    out = {}
    for name, (fn, xs) in services.items():
        if not xs or (only and not any(name.startswith(o) for o in only)):
            continue
        ms = timed(fn, xs, runs)
        out[name] = (statistics.median(ms), pct(ms, 0.95))
        print(f"  {name:24} p50 {out[name][0]:8.1f} ms   p95 {out[name][1]:8.1f} ms", flush=True)
    print(f"  path lengths, random pairs: {path_lengths(store, inp['pairs'])}", flush=True)
    if near:
        print(f"  path lengths, near pairs:   {path_lengths(store, near)}", flush=True)
    plans(store, inp["ids"][0], inp["chains"][0])
    return out


def plans(store: Store, eid: str, chain: str) -> None:
    explain = getattr(store, "explain", None)
    if explain is None:
        print("  (this store cannot explain plans)")
        return
    nodes = [r["node"] for r in store.read(QUERIES.get("paths_start", store.dialect),
                                           {"ids": [eid]})]
    me = store.read(QUERIES.get("rec_enterprise", store.dialect).replace("{rel}", "`SUPPLIES`"),
                    {"id": eid})
    products = list(me[0]["products"]) if me else []
    checks = {"enterprise_lookup": {"key": eid, "upper": eid},
              "rec_shared_partners": {"id": eid, "limit": 10},
              "rec_suppliers": {"id": eid, "need": None}, "rec_buyers": {"id": eid},
              "rec_enterprise": {"id": eid}, "rec_makers": {"ids": products},
              "profile_facts": {"id": eid}, "gap_nodes": {"chain_id": chain, "prefix": "1302"},
              "gap_needs": {"chain_id": chain},
              "chain_node_counts": {"chain_id": chain, "prefix": "1302"},
              "region_holding": {"codes": ["130203", "1302", "13"]},
              "paths_start": {"ids": [eid]}, "paths_expand": {"nodes": nodes},
              "paths_nodes": {"nodes": nodes}, "path_hops": {"pairs": [[eid, eid]]}}
    for name, params in checks.items():
        text = (QUERIES.get(name, store.dialect).replace("{rels}", "`SUPPLIES`")
                .replace("{rel}", "`SUPPLIES`").replace("{max_hops}", "6"))
        plan = str(explain(text, params))
        used = any(m in plan for m in INDEX_MARKERS)
        print(f"  plan {name:22} index used: {'yes' if used else 'NO'}", flush=True)
        if not used:
            print("    " + plan.replace("\n", "\n    ")[:800])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--enterprises", type=int, default=100_000)
    ap.add_argument("--data", type=Path, default=None, help="Generated data folder (reused).")
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--skip-neo4j", action="store_true")
    ap.add_argument("--only", choices=("falkordb", "neo4j"), default=None)
    ap.add_argument("--keep", type=Path, default=None, help="Keep (and reuse) the stores here.")
    ap.add_argument("--services", default=None,
                    help="Comma-separated service names (or prefixes: paths,search) to time; "
                    "default all.")
    ap.add_argument("--neo4j", default=None, help="bolt:// URL of a Neo4j to use (credentials "
                    "from RONGLIAN_NEO4J_*); default: start the test server.")
    args = ap.parse_args()
    only = {x.strip() for x in args.services.split(",")} if args.services else None
    with tempfile.TemporaryDirectory(prefix="ronglian-bench-") as tmp:
        base = args.keep or Path(tmp)
        data = args.data or base / "gen"
        if not (data / "enterprises.csv").is_file():
            from seeds.generator import GenConfig, generate

            t0 = time.perf_counter()
            generate(GenConfig(args.enterprises), data)
            print(f"generated {args.enterprises:,} enterprises in "
                  f"{time.perf_counter() - t0:.1f}s into {data}", flush=True)
        results: dict[str, dict[str, tuple[float, float]]] = {}
        if args.only != "neo4j":
            print("falkordb (embedded)", flush=True)
            with open_store(f"embedded://{base / 'falkordb'}") as s:
                if not _loaded(s):
                    print(f"  loaded in {load(s, data, base / 'runs-f'):.1f}s", flush=True)
                results["falkordb"] = bench_engine(s, args.runs, args.seed, data, only)
        if not args.skip_neo4j and args.only != "falkordb":
            server = None
            if args.neo4j:
                s2 = open_store(args.neo4j)
            else:
                from graph.neo4j_store import Neo4jStore
                from tests.neo4j_server import ensure_jars, start

                ensure_jars()
                server = start(base / "neo4j", heap="1g", pagecache="512m")
                s2 = Neo4jStore(server.uri, user=server.user, password=server.password)
            try:
                print("neo4j", flush=True)
                if not _loaded(s2):
                    print(f"  loaded in {load(s2, data, base / 'runs-n'):.1f}s", flush=True)
                results["neo4j"] = bench_engine(s2, args.runs, args.seed, data, only)
            finally:
                s2.close()
                if server:
                    server.stop()
        if "falkordb" not in results:
            return 0
        print(f"\nsummary at {args.enterprises:,} enterprises (p95 ms; aim is for the embedded "
              "engine)")
        for name, (_p50, p95) in results["falkordb"].items():
            aim = AIMS_MS.get(name)
            line = f"  {name:24} falkordb {p95:8.1f}"
            if aim:
                line += f" (aim ≤ {aim}: {'met' if p95 <= aim else 'MISSED'}, " \
                        f"{p95 / aim:.2f}× the aim)"
            if name in results.get("neo4j", {}):
                n95 = results["neo4j"][name][1]
                line += f"   neo4j {n95:8.1f} ({n95 / p95:.2f}× falkordb)"
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
