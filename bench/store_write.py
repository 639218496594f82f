"""Benchmark: batched UNWIND MERGE against a one-row-per-transaction MERGE loop.

Run: ``.venv/bin/python bench/store_write.py [--nodes 100000] [--per-row 2000]
[--neo4j bolt://127.0.0.1:7687]`` (without ``--neo4j`` a throwaway Neo4j test server
is started from tests/neo4j_server.py when Java is present).

For each engine: 100,000 nodes and 100,000 relationships MERGEd in 5,000-row
batches, against MERGE of one row per transaction on the same engine in the same
run (the per-row loop is timed on a smaller count and reported as rows/s). Prints
rows/s for both and the ratio. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.neo4j_server

from graph.store import Store, open_store
from graph.writes import merge_nodes, merge_rels, node_row, rel_row


def _nodes(n: int, prefix: str) -> list[dict[str, object]]:
    return [node_row(f"{prefix}{i}", {"name": f"企业{i}", "employees": i % 900})
            for i in range(n)]


def _rels(n: int, prefix: str) -> list[dict[str, object]]:
    return [rel_row(f"{prefix}{i}", f"{prefix}{(i * 7919 + 1) % n}", {"share": 0.1})
            for i in range(n)]


def bench(store: Store, nodes: int, per_row: int) -> dict[str, float]:
    store.clear()
    store.apply_schema()
    out: dict[str, float] = {}
    t = time.perf_counter()
    merge_nodes(store, "Enterprise", _nodes(nodes, "b"), batch_size=5000)
    out["batched nodes/s"] = nodes / (time.perf_counter() - t)
    t = time.perf_counter()
    merge_rels(store, "SUPPLIES", "Enterprise", "Enterprise", _rels(nodes, "b"), batch_size=5000)
    out["batched rels/s"] = nodes / (time.perf_counter() - t)
    t = time.perf_counter()
    for row in _nodes(per_row, "r"):
        merge_nodes(store, "Enterprise", [row], batch_size=1)
    out["per-row nodes/s"] = per_row / (time.perf_counter() - t)
    t = time.perf_counter()
    for row in _rels(per_row, "r"):
        merge_rels(store, "SUPPLIES", "Enterprise", "Enterprise", [row], batch_size=1)
    out["per-row rels/s"] = per_row / (time.perf_counter() - t)
    out["ratio nodes"] = out["batched nodes/s"] / out["per-row nodes/s"]
    out["ratio rels"] = out["batched rels/s"] / out["per-row rels/s"]
    store.clear()
    return out


def _show(engine: str, r: dict[str, float]) -> None:
    for k, v in r.items():
        print(f"{engine:10} {k:18} {v:12,.1f}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=100_000)
    ap.add_argument("--per-row", type=int, default=2_000)
    ap.add_argument("--neo4j", help="bolt URL of an existing Neo4j (user neo4j, "
                                    "password from RONGLIAN_NEO4J_PASSWORD)")
    ap.add_argument("--skip-neo4j", action="store_true")
    args = ap.parse_args()
    results: dict[str, dict[str, float]] = {}
    print(f"{'engine':10} {'metric':18} {'value':>12}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        with open_store(f"embedded://{tmp}/store") as s:
            results["falkordb"] = bench(s, args.nodes, args.per_row)
            _show("falkordb", results["falkordb"])
        if not args.skip_neo4j:
            server = None
            if args.neo4j:
                url = args.neo4j
                s2 = open_store(url)
            else:
                from graph.neo4j_store import Neo4jStore
                from tests.neo4j_server import ensure_jars, start

                ensure_jars()
                server = start(Path(tmp) / "neo4j")
                s2 = Neo4jStore(server.uri, user=server.user, password=server.password)
            try:
                results["neo4j"] = bench(s2, args.nodes, args.per_row)
                _show("neo4j", results["neo4j"])
            finally:
                s2.close()
                if server:
                    server.stop()


if __name__ == "__main__":
    main()
