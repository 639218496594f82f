"""End-to-end table ingest rate against the raw batched write rate of the same store.

``python bench/ingest.py --enterprises 100000 [--store-dir DIR] [--kinds enterprises,supply]``

1. Generates the data with H3's generator (``seeds.generator.generate``).
2. Baseline: a fresh embedded store gets the same records (each enterprise node
   with its ``LOCATED_IN`` and ``IN_INDUSTRY`` links, each supply relationship)
   straight through ``graph.writes.merge_nodes/merge_rels``, streamed from the CSV
   with the csv module — no parsing, validation, resolution or change detection.
3. Pipeline: another fresh store loads the CSV files with ``ingest_table``
   (pandas chunks, validation, USCC/region/industry checks, size class,
   reference resolution, content hashes, provenance).

Prints rows/s of both, their ratio, and memory: the ingest process's peak RSS
(measured before the baseline runs), the embedded server's RSS after the raw
load and after the pipeline load (with its peak RSS and FalkorDB's own
``GRAPH.MEMORY USAGE``, broken down per label and relationship type), plus
the CPU seconds of this process and of the server for each phase: on a shared
machine the wall-clock ratio moves with the load, the CPU split does not. Not a
test.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graph.store import Store, open_store
from graph.writes import merge_nodes, merge_rels, node_row, rel_row
from ingest.refload import load_reference
from ingest.tables import ingest_table


def _rss_mb(pid: int, field: str = "VmRSS") -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (all its threads)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0


def _graph_usage(store: Store) -> dict[str, Any]:
    """FalkorDB's own ``GRAPH.MEMORY USAGE`` (MB), {} on a server without it."""
    client = getattr(getattr(store, "_db", None), "client", None)
    if client is None:
        return {}
    try:
        return dict(client.execute_command("GRAPH.MEMORY", "USAGE", "ronglian"))
    except Exception:  # an older server without GRAPH.MEMORY: RSS only
        return {}


def _server_mem(store: Store) -> tuple[str, dict[str, Any]]:
    pid = _server_pid(store) or 0
    usage = _graph_usage(store)
    graph = (f", graph {usage['total_graph_sz_mb']} MB (indexes {usage['indices_sz_mb']})"
             if usage else "")
    text = f"server RSS {_rss_mb(pid):.0f} MB, peak {_rss_mb(pid, 'VmHWM'):.0f} MB{graph}"
    return text, {"rss": _rss_mb(pid), "peak": _rss_mb(pid, "VmHWM"), **usage}


def _breakdown(pipe: dict[str, Any], raw: dict[str, Any]) -> list[str]:
    """Attribute MB per label and relationship type, pipeline beside raw, where they differ."""
    lines = []
    for key, what in (("amortized_node_attributes_by_label_sz_mb", "nodes"),
                      ("amortized_edge_attributes_by_type_sz_mb", "rels")):
        p, r = pipe.get(key) or {}, raw.get(key) or {}
        parts = [f"{name} {p.get(name, 0)} vs {r.get(name, 0)}"
                 for name in sorted(set(p) | set(r)) if p.get(name, 0) or r.get(name, 0)]
        if parts:
            lines.append(f"  {what} attributes MB (pipeline vs raw): " + ", ".join(parts))
    for key, what in (("label_matrices_sz_mb", "label matrices"),
                      ("relation_matrices_sz_mb", "relation matrices"),
                      ("amortized_node_block_sz_mb", "node blocks"),
                      ("amortized_edge_block_sz_mb", "edge blocks"),
                      ("indices_sz_mb", "indexes")):
        if key in pipe or key in raw:
            lines.append(f"  {what} MB (pipeline vs raw): {pipe.get(key)} vs {raw.get(key)}")
    return lines


def _server_pid(store: Store) -> int | None:
    pid = getattr(store, "server_pid", None)  # a property of the embedded store
    return int(pid) if isinstance(pid, int) else None


def _fresh(path: Path) -> Store:
    s = open_store(f"embedded://{path}")
    s.apply_schema()
    load_reference(s, run_dir=path.parent / "runs")
    return s


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        yield from csv.DictReader(fh)


def raw_rate(gen: Path, store: Store, kinds: list[str]) -> tuple[int, float]:
    """Same records, streamed from the CSV with the csv module straight into the writers."""
    ents = gen / "enterprises.csv"
    t0 = time.perf_counter()
    n = merge_nodes(store, "Enterprise", (node_row(r["id"], {
        k: v for k, v in r.items() if k != "id" and v}) for r in _rows(ents)))
    n += merge_rels(store, "LOCATED_IN", "Enterprise", "Region", (
        rel_row(r["id"], r["region_code"]) for r in _rows(ents) if r["region_code"]))
    n += merge_rels(store, "IN_INDUSTRY", "Enterprise", "Industry", (
        rel_row(r["id"], r["industry_code"]) for r in _rows(ents) if r["industry_code"]))
    if "supply" in kinds:
        n += merge_rels(store, "SUPPLIES", "Enterprise", "Enterprise", (
            rel_row(r["supplier"], r["buyer"], {"since": r["since"], "share": r["share"]},
                    key=r["product"]) for r in _rows(gen / "supply.csv")))
    return n, time.perf_counter() - t0


def pipeline_rate(gen: Path, store: Store, kinds: list[str], run_dir: Path
                  ) -> tuple[int, int, float]:
    rows = records = 0
    t0 = time.perf_counter()
    for k in kinds:
        r = ingest_table(store, gen / f"{k}.csv", kind=k, run_dir=run_dir)
        rows += r.read
        records += r.created + r.updated + r.unchanged
        if r.quarantined:
            print(f"  {k}: {r.quarantined} quarantined ({r.quarantine_path})")
    return rows, records, time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--enterprises", type=int, default=100_000)
    ap.add_argument("--kinds", default="enterprises,supply")
    ap.add_argument("--store-dir", type=Path, default=None)
    args = ap.parse_args()
    kinds = args.kinds.split(",")
    base = args.store_dir or Path(tempfile.mkdtemp(prefix="ronglian-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    from seeds.generator import GenConfig, generate

    t0 = time.perf_counter()
    stats = generate(GenConfig(args.enterprises), base / "gen")
    print(f"generated {args.enterprises:,} enterprises in {time.perf_counter() - t0:.1f}s: "
          f"{stats.rows}")

    # The pipeline first, so this process's peak memory is the pipeline's own.
    pipe_store = _fresh(base / "pipe")
    spid = _server_pid(pipe_store) or 0
    c0, s0 = time.process_time(), _cpu_s(spid)
    rows, records, t_pipe = pipeline_rate(base / "gen", pipe_store, kinds, base / "runs")
    pipe_cpu = (time.process_time() - c0, _cpu_s(spid) - s0)
    pipe_server, pipe_mem = _server_mem(pipe_store)
    pipe_store.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"pipeline: {rows:,} rows → {records:,} records in {t_pipe:.1f}s = "
          f"{records / t_pipe:,.0f} records/s ({rows / t_pipe:,.0f} rows/s); "
          f"CPU {pipe_cpu[0]:.1f}s here + {pipe_cpu[1]:.1f}s server; "
          f"peak memory {peak:.0f} MB here; {pipe_server}", flush=True)

    raw_store = _fresh(base / "raw")
    spid = _server_pid(raw_store) or 0
    c0, s0 = time.process_time(), _cpu_s(spid)
    n_raw, t_raw = raw_rate(base / "gen", raw_store, kinds)
    raw_cpu = (time.process_time() - c0, _cpu_s(spid) - s0)
    raw_server, raw_mem = _server_mem(raw_store)
    raw_store.close()
    print(f"raw batched writes: {n_raw:,} records in {t_raw:.1f}s = {n_raw / t_raw:,.0f}/s; "
          f"CPU {raw_cpu[0]:.1f}s here + {raw_cpu[1]:.1f}s server; {raw_server}")
    print(f"ratio pipeline/raw (records/s): {(records / t_pipe) / (n_raw / t_raw):.2f}; "
          f"records per CPU second (both processes), pipeline/raw: "
          f"{(records / sum(pipe_cpu)) / (n_raw / sum(raw_cpu)):.2f}")
    print(f"memory: ingest process (Python) peak RSS {peak:.0f} MB; FalkorDB server RSS "
          f"after the raw load {raw_mem['rss']:.0f} MB (graph {raw_mem.get('total_graph_sz_mb')}"
          f" MB), after the pipeline load {pipe_mem['rss']:.0f} MB (graph "
          f"{pipe_mem.get('total_graph_sz_mb')} MB, peak RSS {pipe_mem['peak']:.0f} MB)")
    for line in _breakdown(pipe_mem, raw_mem):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
