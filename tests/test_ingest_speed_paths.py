"""The fast paths of ingest give exactly the answers of the plain ones.

Background writer vs inline writes (same graph, same counts, errors surface),
memoised cell checks (every bad row still quarantined with its row number), the
content-hash memo (types kept apart), numpy blocking and batched similarity in
entity resolution (same candidates, same scores). No timing assertions: the
speed is measured by ``bench/ingest.py``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import random
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from graph.errors import StoreError
from graph.store import Store
from ingest import job as job_mod
from ingest import resolve as resolve_mod
from ingest.job import Job, content_hash
from ingest.normalize import name_keys
from ingest.resolve import Resolver, similarity, similarity_many
from ingest.tables import ensure_reference, ingest_table
from ingest.uscc import make_uscc

LISTED = Path(__file__).resolve().parents[2] / "shared" / "data" / "listed_companies"


def _graph(store: Store) -> tuple[list[str], list[tuple[str, str, str, str]]]:
    nodes = sorted(r["id"] for r in store.read(
        "MATCH (n) WHERE n.id IS NOT NULL AND NOT n:IngestRun RETURN n.id AS id"))
    rels = sorted((r["a"], r["t"], r["b"], r["k"] or "") for r in store.read(
        "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b, r.key AS k"))
    return nodes, rels


def _write(store: Store, tmp_path: Path, background: bool) -> dict[str, int]:
    job = Job(store, "speed.csv", "test", run_dir=tmp_path, batch_size=7,
              background=background)
    for i in range(60):
        job.node("Enterprise", f"E{i}", {"name": f"企业{i}", "employees": i})
        if i:
            job.rel("SUPPLIES", "Enterprise", f"E{i - 1}", "Enterprise", f"E{i}",
                    {"share": 0.5}, key="p")
    job.node("Enterprise", "E3", {"name": "企业3", "employees": 33})  # a later batch changes it
    return job.finish().counts()


def test_ingest_background_writer_same_graph_as_inline(store: Store, tmp_path: Path) -> None:
    inline = _write(store, tmp_path, background=False)
    graph = _graph(store)
    store.clear()
    threaded = _write(store, tmp_path, background=True)
    assert inline == threaded
    assert inline["created"] == 60 + 59 and inline["updated"] == 1
    assert _graph(store) == graph
    # a rerun creates nothing; only E3, written twice with different values, flips twice
    again = _write(store, tmp_path, background=True)
    assert again["created"] == 0 and again["updated"] == 2
    assert _graph(store) == graph


def test_ingest_background_writer_error_reaches_the_caller(embedded_store: Store,
                                                           tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    job = Job(embedded_store, "boom.csv", "test", run_dir=tmp_path, batch_size=5)

    def boom(*_a: object, **_k: object) -> int:
        raise StoreError("store went away", code="E110")

    monkeypatch.setattr(job, "_merge", boom)
    with pytest.raises(StoreError):
        for i in range(50):
            job.node("Enterprise", f"X{i}", {"name": f"x{i}"})
        job.finish()


def test_ingest_repeated_bad_cells_all_quarantined(store: Store, tmp_path: Path) -> None:
    """Region/industry/date checks are memoised per distinct cell: each bad row still
    gets its own quarantine line, with the same reason as the first one."""
    ensure_reference(store)
    path = tmp_path / "enterprises.csv"
    rows = []
    for i in range(12):
        bad = i % 3 == 1
        rows.append({"企业名称": f"唐山测试{i}有限公司",
                     "统一社会信用代码": make_uscc("130203", 7000 + i),
                     "所在地区": "火星市" if bad else "130203",
                     "所属行业": "9999" if i % 3 == 2 else "3011",
                     "成立日期": "2020-02-30" if i == 0 else "2019-05-01"})
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    r = ingest_table(store, path, run_dir=tmp_path)
    assert r.quarantine_path
    with open(r.quarantine_path, encoding="utf-8-sig") as fh:
        q = list(csv.DictReader(fh))
    by_row = {int(x["row"]): x for x in q}
    assert sorted(by_row) == [2] + [i + 2 for i in range(12) if i % 3]
    assert {by_row[i + 2]["code"] for i in range(12) if i % 3 == 1} == {"E212"}
    assert {by_row[i + 2]["code"] for i in range(12) if i % 3 == 2} == {"E213"}
    assert len({by_row[i + 2]["reason"] for i in range(12) if i % 3 == 1}) == 1
    assert by_row[2]["code"] == "E215"
    assert r.read - r.quarantined == 3  # rows 3, 6, 9 (i = 3, 6, 9) loaded


def test_ingest_content_hash_memo_keeps_types_apart() -> None:
    def plain(d: Mapping[str, object]) -> int:
        blob = json.dumps(d, sort_keys=True, ensure_ascii=False, default=str)
        return int.from_bytes(hashlib.blake2b(blob.encode("utf-8"), digest_size=8).digest(),
                              "big", signed=True)

    job_mod._HASH_MEMO.clear()
    for d in ({"synthetic": True}, {"synthetic": 1}, {"synthetic": 1.0}, {"a": True},
              {"synthetic": True}, {"a": [1, 2]}, {"a": 1, "b": "x", "c": None}):
        assert content_hash(d) == plain(d)
    assert content_hash({"s": True}) != content_hash({"s": 1})


def _names() -> list[str]:
    """Short and full names of the listed companies (JSON Lines)."""
    path = LISTED / "company.json"
    if not path.is_file():
        msg = f"{path} not found (the repository's ../shared/data)"
        if os.environ.get("CI") == "true":
            pytest.fail("shared data must be present in CI: " + msg)
        pytest.skip(msg)
    out: list[str] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                r = json.loads(line)
                out.extend(v for v in (r.get("name"), r.get("fullname")) if v)
    return out


def test_resolve_numpy_blocking_equals_plain_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    names = _names()
    random.Random(7).shuffle(names)
    r = Resolver()
    for i, n in enumerate(names[:3000]):
        r.add(f"E{i}", n)
    queries = [name_keys(n) for n in names[3000:3400] + names[:200]]
    monkeypatch.setattr(resolve_mod, "_NUMPY_FROM", 10**12)
    plain = [r.candidates(k) for k in queries]
    monkeypatch.setattr(resolve_mod, "_NUMPY_FROM", 0)
    assert [r.candidates(k) for k in queries] == plain


def test_resolve_batched_similarity_equals_pairwise() -> None:
    names = _names()
    keys = [name_keys(n) for n in names[:2000]]
    rnd = random.Random(11)
    for _ in range(200):
        q = rnd.choice(keys)
        cands = [*rnd.sample(keys, 30), q]
        assert similarity_many(q, cands) == [similarity(q, c) for c in cands]


@pytest.mark.parametrize("suffix", [pytest.param(".csv", id="csv"),
                                    pytest.param(".jsonl", id="jsonl")])
def test_ingest_column_chunks_equal_pandas_records(tmp_path: Path, suffix: str) -> None:
    """Chunks give the rows pandas' to_dict("records") gives, including JSON Lines whose
    later lines lack or add keys (a missing key: None here, NaN there)."""
    import pandas as pd

    from ingest.tables import read_table

    path = tmp_path / f"t{suffix}"
    recs = [{"企业名称": "甲", "从业人员": 5}, {"企业名称": "乙"},
            {"企业名称": "丙", "从业人员": 7, "简称": "丙丙"}, {"企业名称": "丁", "简称": ""},
            {"企业名称": "戊", "从业人员": 9}]
    if suffix == ".csv":
        pd.DataFrame(recs).to_csv(path, index=False)
        expected = pd.read_csv(path, dtype=str, keep_default_na=False).to_dict("records")
    else:
        path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n",
                        encoding="utf-8")
        expected = pd.read_json(path, lines=True, dtype=False).to_dict("records")
    _headers, chunks = read_table(path, chunk_rows=2)
    got = [row for chunk in chunks for row in chunk.rows]
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert ({k: v for k, v in g.items() if v is not None and v == v}
                == {k: v for k, v in e.items() if v is not None and v == v})


def _small_job(store: Store, tmp_path: Path) -> dict[str, int]:
    job = Job(store, "hex.csv", "test", run_dir=tmp_path, batch_size=4)
    for i in range(9):
        job.node("Enterprise", f"H{i}", {"name": f"企业{i}", "share": i / 10})
        if i:
            job.rel("SUPPLIES", "Enterprise", f"H{i - 1}", "Enterprise", f"H{i}",
                    {"share": 0.5}, key="p")
    return job.finish().counts()


def test_ingest_content_hash_of_older_stores_still_matches(store: Store, tmp_path: Path
                                                           ) -> None:
    """Stores written before kept the hash as hex text: a rerun must see them unchanged."""
    assert _small_job(store, tmp_path)["created"] == 9 + 8
    stored = {r["id"]: r["h"] for r in store.read(
        "MATCH (n:Enterprise) WHERE n.id STARTS WITH 'H' RETURN n.id AS id, "
        "n.content_hash AS h")}
    assert all(isinstance(h, int) for h in stored.values())
    # rewrite every hash as the older 16-digit hex form of the same digest
    for id_, h in stored.items():
        store.write("MATCH (n:Enterprise {id: $id}) SET n.content_hash = $h",
                    {"id": id_, "h": format(h & 0xFFFF_FFFF_FFFF_FFFF, "016x")})
    for r in store.read("MATCH (a)-[r:SUPPLIES]->(b) WHERE a.id STARTS WITH 'H' "
                        "RETURN a.id AS a, b.id AS b, r.content_hash AS h"):
        store.write("MATCH (a {id: $a})-[r:SUPPLIES]->(b {id: $b}) SET r.content_hash = $h",
                    {"a": r["a"], "b": r["b"], "h": format(r["h"] & 0xFFFF_FFFF_FFFF_FFFF,
                                                              "016x")})
    again = _small_job(store, tmp_path)
    assert again["created"] == again["updated"] == 0 and again["unchanged"] == 9 + 8


def test_ingest_hoisted_props_are_those_every_row_shares() -> None:
    rows = [{"props": {"synthetic": True, "h": 1, "share": 0.5, "tags": ["a"]}},
            {"props": {"synthetic": True, "h": 2, "share": 0.5, "tags": ["a"]}},
            {"props": {"synthetic": True, "h": 3, "share": 0.5, "tags": ["a"], "x": 1}}]
    common = job_mod._hoist_common(rows)
    assert common == {"synthetic": True, "share": 0.5}  # lists stay per row
    assert rows[2]["props"] == {"h": 3, "tags": ["a"], "x": 1}
    # the same value of another type (True == 1), or a row without the key: not shared
    mixed: list[dict[str, Any]] = [{"props": {"s": True}}, {"props": {"s": 1}},
                                   {"props": {"s": True}}]
    assert job_mod._hoist_common(mixed) == {}
    absent: list[dict[str, Any]] = [{"props": {"s": "v"}}, {"props": {}}]
    assert job_mod._hoist_common(absent) == {} and absent[0]["props"] == {"s": "v"}
    assert job_mod._hoist_common([{"props": {"s": 1}}]) == {}  # one row: nothing to share


def test_ingest_writer_restores_the_switch_interval(embedded_store: Store,
                                                    tmp_path: Path) -> None:
    import sys

    before = sys.getswitchinterval()
    job = Job(embedded_store, "sw.csv", "test", run_dir=tmp_path, batch_size=3)
    for i in range(10):
        job.node("Enterprise", f"S{i}", {"name": f"企业{i}"})
    assert sys.getswitchinterval() <= job_mod._SWITCH_S  # a writer is running
    job.finish()
    assert sys.getswitchinterval() == before
