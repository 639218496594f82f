"""``ingest text`` on both engines: documents, mentions, facts, candidates, reruns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.store import Store
from graph.writes import merge_nodes, node_row
from ingest.text.ingest import ingest_text
from ingest.text.pipeline import TextExtractor, load_nlp

KNOWN = "唐山瑞丰钢铁集团有限公司"


@pytest.fixture(scope="module")
def extractor() -> TextExtractor:
    return TextExtractor(load_nlp())


def _write(tmp_path: Path) -> Path:
    f = tmp_path / "news.jsonl"
    rows = [
        {"id": "d1", "text": f"{KNOWN}向河北冀东矿业有限公司采购铁精粉30万吨。"},
        {"id": "d2", "text": "唐山金马集团有限公司计划收购唐山海天玻璃有限公司。"},
        {"id": "d3", "text": ""},
    ]
    f.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
                 encoding="utf-8")
    return f


def test_text_ingest_writes_documents_facts_and_candidates(
        store: Store, tmp_path: Path, extractor: TextExtractor) -> None:
    merge_nodes(store, "Enterprise", [node_row("E-KNOWN", {"name": KNOWN,
                                                           "aliases": ["瑞丰钢铁"]})])
    src = _write(tmp_path)
    s = ingest_text(store, src, extractor=extractor, run_dir=tmp_path / "runs")
    assert s.result.read == 2 and s.input.empty == 1
    docs = store.read("MATCH (d:Document) RETURN d.doc_key AS k ORDER BY k")
    assert [d["k"] for d in docs] == ["d1", "d2"]
    sup = store.read("MATCH (a:Enterprise)-[r:SUPPLIES]->(b:Enterprise) "
                     "RETURN a.name AS a, b.id AS b, r.method AS m, r.confidence AS c, "
                     "r.sentence AS s, r.run_id AS run")
    assert len(sup) == 1
    assert sup[0]["a"] == "河北冀东矿业有限公司" and sup[0]["b"] == "E-KNOWN"
    assert sup[0]["m"] == "text" and sup[0]["c"] >= 0.7 and "铁精粉" in sup[0]["s"]
    assert sup[0]["run"] == s.result.run_id
    mentions = store.read("MATCH (e:Enterprise {id: 'E-KNOWN'})-[m:MENTIONED_IN]->(d:Document) "
                          "RETURN m.start AS start, m.end AS end")
    assert mentions == [{"start": 0, "end": len(KNOWN)}]
    cands = store.read("MATCH (c:Candidate) RETURN c.kind AS kind, c.status AS status, "
                       "c.payload_json AS p, c.confidence AS conf")
    assert len(cands) == 1 and cands[0]["kind"] == "relation"
    assert cands[0]["status"] == "pending" and cands[0]["conf"] < 0.7
    payload = json.loads(cands[0]["p"])
    assert payload["rel"] == "CONTROLS" and {"rel", "start", "end", "props"} <= set(payload)
    # the hedged relation is not a fact
    assert store.read("MATCH ()-[r:CONTROLS]->() RETURN count(r) AS n")[0]["n"] == 0

    # a rerun of the same file makes no duplicates
    ingest_text(store, src, extractor=extractor, run_dir=tmp_path / "runs")
    assert store.read("MATCH ()-[r:SUPPLIES]->() RETURN count(r) AS n")[0]["n"] == 1
    assert store.read("MATCH (d:Document) RETURN count(d) AS n")[0]["n"] == 2
    assert store.read("MATCH (c:Candidate) RETURN count(c) AS n")[0]["n"] == 1


def test_text_ingest_candidate_confirmed_by_review(
        store: Store, tmp_path: Path, extractor: TextExtractor) -> None:
    from ingest.review import confirm, list_candidates

    src = _write(tmp_path)
    ingest_text(store, src, extractor=extractor, run_dir=tmp_path / "runs")
    (cand,) = list_candidates(store)
    assert cand["payload"]["start"] and cand["payload"]["end"]  # both firms proposed as nodes
    confirm(store, cand["id"])
    rows = store.read("MATCH (a:Enterprise)-[r:CONTROLS]->(b:Enterprise) "
                      "RETURN a.name AS a, b.name AS b, r.method AS m")
    assert rows == [{"a": "唐山金马集团有限公司", "b": "唐山海天玻璃有限公司", "m": "manual"}]


def test_text_ingest_region_and_trade_word_goes_to_review(
        store: Store, tmp_path: Path, extractor: TextExtractor) -> None:
    """The audit: 河北钢铁集团's supply fact was written as a tie of 河北芦台德安钢铁有限公司
    (E0000684), a firm that shares only 河北 and 钢铁 with it."""
    merge_nodes(store, "Enterprise", [
        node_row("E0000684", {"name": "河北芦台德安钢铁有限公司", "short_name": "德安钢铁"}),
        node_row("E-SANYOU", {"name": "唐山三友化工股份有限公司", "short_name": "三友化工"})])
    src = tmp_path / "t2.txt"
    src.write_text("河北钢铁集团向首钢集团供应热轧板卷。\n"
                   "唐山三友集团向唐山丰南恒通钢铁有限公司采购钢坯。\n", encoding="utf-8")
    ingest_text(store, src, extractor=extractor, run_dir=tmp_path / "runs")
    assert store.read("MATCH (:Enterprise {id: 'E0000684'})-[r]-() "
                      "RETURN count(r) AS n")[0]["n"] == 0
    (cand,) = store.read("MATCH (c:Candidate) RETURN c.payload_json AS p")
    payload = json.loads(cand["p"])
    assert payload["rel"] == "SUPPLIES" and payload["start"] is None
    assert payload["start_text"] == "河北钢铁集团"
    # a true short name still makes a fact: the buyer is 三友化工 itself
    sup = store.read("MATCH (a:Enterprise)-[r:SUPPLIES]->(b:Enterprise) "
                     "RETURN a.name AS a, b.id AS b")
    assert sup == [{"a": "唐山丰南恒通钢铁有限公司", "b": "E-SANYOU"}]


def test_text_ingest_same_text_again_or_renamed_adds_nothing(
        store: Store, tmp_path: Path, extractor: TextExtractor) -> None:
    """Audit H4: a document's id held the file's path and line, so an upload (a new job
    folder each time) or the same text under another file name added Documents and
    another copy of each review candidate; provenance held the server's path."""
    merge_nodes(store, "Enterprise", [node_row("E-KNOWN", {"name": KNOWN,
                                                           "aliases": ["瑞丰钢铁"]})])
    text = (f"{KNOWN}向河北冀东矿业有限公司采购铁精粉30万吨。\n"
            "唐山金马集团有限公司计划收购唐山海天玻璃有限公司。\n")
    first = tmp_path / "job-1" / "upload" / "news.txt"
    first.parent.mkdir(parents=True)
    first.write_text(text, encoding="utf-8")
    ingest_text(store, first, extractor=extractor, run_dir=tmp_path / "runs")

    def counts() -> tuple[int, int, int]:
        return (store.read("MATCH (d:Document) RETURN count(d) AS n")[0]["n"],
                store.read("MATCH (c:Candidate) RETURN count(c) AS n")[0]["n"],
                store.read("MATCH ()-[r:MENTIONED_IN]->() RETURN count(r) AS n")[0]["n"])

    before = counts()
    assert before[0] == 2 and before[1] == 1
    again = tmp_path / "job-2" / "upload" / "news.txt"
    again.parent.mkdir(parents=True)
    again.write_text(text, encoding="utf-8")
    renamed = tmp_path / "其他名字.txt"
    renamed.write_text(text.replace("。\n", "。  \n"), encoding="utf-8")
    for f in (again, renamed):
        r = ingest_text(store, f, extractor=extractor, run_dir=tmp_path / "runs")
        assert r.result.created == 0, f
    assert counts() == before
    sources = {s for row in store.read("MATCH (n) WHERE n.source IS NOT NULL "
                                       "RETURN DISTINCT n.source AS s") for s in [row["s"]]}
    assert not any("/" in s for s in sources), sources
    doc = store.read("MATCH (d:Document) RETURN d.sources AS s LIMIT 1")[0]["s"]
    assert doc == ["news.txt", "其他名字.txt"]
