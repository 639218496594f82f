"""Faults: kill -9 in the middle of a large ingest, then rerun → same graph as an
uninterrupted run; and the real listed-companies data through the same jobs."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graph.store import Store, open_store

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
BOOKKEEPING = {"IngestRun", "Candidate", "Meta"}


def graph_checksum(store: Store) -> tuple[dict[str, int], str]:
    nodes = sorted((r["l"], r["id"]) for r in store.read(
        "MATCH (n) RETURN labels(n)[0] AS l, n.id AS id") if r["l"] not in BOOKKEEPING)
    rels = sorted((r["a"], r["t"], r["b"], r["k"] or "") for r in store.read(
        "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b, r.key AS k"))
    blob = json.dumps([nodes, rels], ensure_ascii=False).encode("utf-8")
    return {"nodes": len(nodes), "rels": len(rels)}, hashlib.sha256(blob).hexdigest()


def _cli(store_url: str, files: list[Path], run_dir: Path) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-c", "from api.cli import main; main()", "ingest", "tables",
           *map(str, files),
           "--store", store_url, "--run-dir", str(run_dir)]
    env = {**os.environ, "RONGLIAN_BATCH_SIZE": "500"}
    return subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.slow
def test_ingest_kill9_then_rerun_equals_uninterrupted(tmp_path: Path) -> None:
    from seeds.generator import GenConfig, generate

    gen = tmp_path / "gen"
    generate(GenConfig(6000, seed=7), gen)
    files = [gen / f"{k}.csv" for k in ("enterprises", "enterprise_products", "supply",
                                        "relations")]
    # reference run, uninterrupted
    ref = _cli(f"embedded://{tmp_path / 'ref'}", files, tmp_path / "runs")
    assert ref.wait(timeout=600) == 0, ref.stderr.read() if ref.stderr else ""
    # the same, killed half-way: once the third file (supply) has started writing, judged
    # by the graph itself rather than by a share of the reference run's time (which the
    # machine's load made too early or too late)
    url = f"embedded://{tmp_path / 'crash'}"
    p = _cli(url, files, tmp_path / "runs")
    record = tmp_path / "crash" / "ronglian.rdb.settings"
    deadline = time.monotonic() + 600
    while not record.exists():  # attach only to the server the ingest started
        assert p.poll() is None and time.monotonic() < deadline, "ingest ended before start"
        time.sleep(0.2)
    with open_store(url) as watch:
        while not watch.read("MATCH ()-[r:SUPPLIES]->() RETURN count(r) AS n")[0]["n"]:
            assert p.poll() is None, "the ingest finished before it could be killed"
            assert time.monotonic() < deadline, "no supply written in time"
            time.sleep(0.2)
        os.killpg(p.pid, signal.SIGKILL)
        p.wait(timeout=30)
    with open_store(url) as s:
        partial, _ = graph_checksum(s)
    again = _cli(url, files, tmp_path / "runs")
    assert again.wait(timeout=600) == 0, again.stderr.read() if again.stderr else ""
    with open_store(f"embedded://{tmp_path / 'ref'}") as s:
        want = graph_checksum(s)
    with open_store(url) as s:
        got = graph_checksum(s)
    assert partial["rels"] < want[0]["rels"]  # the kill really interrupted the load
    assert got == want


def _jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


@pytest.mark.slow
def test_ingest_listed_companies_real_chain(store: Store, tmp_path: Path) -> None:
    """Companies as an enterprises table; industries, membership and upstream edges as
    name triples with ``seeds/mappings/listed_companies.json``."""
    import csv

    from ingest.tables import ingest_table
    from ingest.triples import ingest_triples

    base = DATA / "listed_companies"
    ent = tmp_path / "enterprises.csv"
    with ent.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "name", "short_name"])  # 'time' is the listing date, not founding
        for c in _jsonl(base / "company.json"):
            w.writerow([f"A{str(c['code']).split('.')[0]}", c["fullname"], c["name"]])
    r = ingest_table(store, ent, run_dir=tmp_path)
    assert r.quarantined == 0
    tsv = tmp_path / "listed.tsv"
    with tsv.open("w", encoding="utf-8") as fh:
        for x in _jsonl(base / "industry_industry.json"):
            fh.write(f"{x['from_industry']}\t上级行业\t{x['to_industry']}\n")
        for x in _jsonl(base / "company_industry.json"):
            fh.write(f"{x['company_name']}\t所属行业\t{x['industry_name']}\n")
        for x in _jsonl(base / "industry_up.json"):
            for up, w8 in x["ups"].items():  # type: ignore[union-attr]
                fh.write(f"{up}\t上游\t{x['industry']}\t{w8}\n")
    t = ingest_triples(store, tsv, ROOT / "seeds" / "mappings" / "listed_companies.json",
                       run_dir=tmp_path)
    assert t.quarantined == 0
    linked = store.read("MATCH (e:Enterprise)-[:IN_INDUSTRY]->(:Industry) "
                        "WHERE e.id STARTS WITH 'A' RETURN count(DISTINCT e) AS n")[0]["n"]
    # 3,930 of the 4,430 short names in company_industry are exact short names in
    # company.json; the resolver links more than that, and (checked by stock code) right.
    assert linked > 3900
    want = {(f"A{str(x['company_code']).split('.')[0]}", x["industry_name"])
            for x in _jsonl(base / "company_industry.json")}
    got = {(r["e"], r["i"]) for r in store.read(
        "MATCH (e:Enterprise)-[:IN_INDUSTRY]->(i:Industry) WHERE e.id STARTS WITH 'A' "
        "RETURN e.id AS e, i.name AS i")}
    assert len(got & want) / len(got) > 0.97
    up = store.read("MATCH (:Industry)-[r:UPSTREAM_OF]->(:Industry) RETURN count(r) AS n")
    assert up[0]["n"] > 5000
