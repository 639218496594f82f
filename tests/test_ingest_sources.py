"""Chains, triples, review queue and the demo through the ingest jobs, on both engines."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from graph.errors import IngestError
from graph.store import Store
from ingest import review
from ingest.chains import ingest_chain
from ingest.demo import SEEDS
from ingest.tables import ensure_reference, ingest_table
from ingest.triples import ingest_triples

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
MAPS = SEEDS / "mappings"


def test_ingest_our_chain_format(store: Store, tmp_path: Path) -> None:
    r = ingest_chain(store, SEEDS / "chains" / "ts-steel.json", run_dir=tmp_path)
    assert r.chain_ids == ["ts-steel"]
    chain = store.read("MATCH (c:Chain {id: 'ts-steel'}) RETURN c AS c")[0]["c"]
    assert chain["home_region"] == "1302"
    segs = store.read("MATCH (s:Segment)-[:PART_OF]->(:Chain {id: 'ts-steel'}) "
                      "RETURN s.name AS n ORDER BY s.order")
    assert [s["n"] for s in segs] == ["上游", "中游", "下游"]
    assert ingest_chain(store, SEEDS / "chains" / "ts-steel.json", run_dir=tmp_path).created == 0


def test_ingest_tpex_chain_local_and_outside(store: Store, tmp_path: Path) -> None:
    ensure_reference(store)
    f = DATA / "chains" / "tivac" / "A100_太陽能.json"
    r = ingest_chain(store, f, region="130203", run_dir=tmp_path)
    assert r.chain_ids == ["tpex-A100"]
    name = store.read("MATCH (c:Chain {id: 'tpex-A100'}) RETURN c.name AS n")[0]["n"]
    assert name == "太阳能产业产业链"  # Traditional → Simplified
    local = store.read("MATCH (e:Enterprise)-[:LOCATED_IN]->(:Region {code: '130203'}) "
                       "RETURN count(e) AS n")[0]["n"]
    outside = store.read("MATCH (e:Enterprise) WHERE e.outside_region = true "
                         "RETURN count(e) AS n")[0]["n"]
    assert local > 20 and outside > 0
    assert store.read("MATCH (:Enterprise)-[r:PRODUCES]->(:Product) RETURN count(r) AS n"
                      )[0]["n"] > local


def _quarantined(path: str | None) -> list[tuple[str, str, str]]:
    assert path is not None
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [(r["row"], r["column"], r["code"]) for r in csv.DictReader(fh)]


def test_ingest_chain_quarantines_bad_items_with_their_json_path(store: Store,
                                                                 tmp_path: Path) -> None:
    """The audit's chain_ok.json: an unknown industry code was stored, an unknown
    upstream dropped as "skipped 1" and a second product of the same id overwrote the
    first, all without a reason; each is now a quarantined item and the rest loads."""
    f = tmp_path / "chain_ok.json"
    f.write_text(json.dumps({"id": "au-1", "name": "审计链", "segments": [
        {"name": "上游", "order": 0, "products": [
            {"id": "au-1.a", "name": "原料A", "industry_code": "3130"},
            {"id": "au-5.a", "name": "甲"}, {"id": "au-5.a", "name": "乙"}]},
        {"name": "中游", "order": 1, "products": [
            {"id": "au-1.b", "name": "部件B", "industry_code": "9999",
             "upstream": ["au-1.a", "nope.x"]}]}]}, ensure_ascii=False), encoding="utf-8")
    r = ingest_chain(store, f, run_dir=tmp_path)
    assert _quarantined(r.quarantine_path) == [
        ("3", "segments[0].products[2].id", "E221"),
        ("4", "segments[1].products[0].industry_code", "E213"),
        ("4", "segments[1].products[0].upstream[1]", "E218")]
    assert r.quarantined == 3 and r.skipped == 0
    rows = store.read("MATCH (p:Product) RETURN p.id AS id, p.name AS name, "
                      "p.industry_code AS code ORDER BY id")
    assert rows == [{"id": "au-1.a", "name": "原料A", "code": "3130"},
                    {"id": "au-1.b", "name": "部件B", "code": None},
                    {"id": "au-5.a", "name": "甲", "code": None}]
    assert store.read("MATCH (a:Product)-[:UPSTREAM_OF]->(b:Product) "
                      "RETURN a.id AS a, b.id AS b") == [{"a": "au-1.a", "b": "au-1.b"}]
    # an upstream another file loaded before is in the store: linked, not quarantined
    g = tmp_path / "next.json"
    g.write_text(json.dumps({"id": "au-2", "name": "下游链", "segments": [
        {"name": "下游", "products": [{"id": "au-2.c", "name": "整机C",
                                       "upstream": ["au-1.b"]}]}]}), encoding="utf-8")
    r2 = ingest_chain(store, g, run_dir=tmp_path)
    assert r2.quarantined == 0 and r2.skipped == 0
    assert store.read("MATCH (:Product {id: 'au-1.b'})-[u:UPSTREAM_OF]->"
                      "(:Product {id: 'au-2.c'}) RETURN count(u) AS n")[0]["n"] == 1


def test_ingest_chain_home_region_is_checked_like_region(store: Store, tmp_path: Path) -> None:
    """A home_region of the file was stored as written ("火星") while --region 火星区 was
    refused with E212; a name is stored as its code, as --region's is."""
    chain = {"id": "au-6", "name": "火星链", "home_region": "火星",
             "segments": [{"name": "上游", "products": [{"id": "au-6.a", "name": "甲"}]}]}
    f = tmp_path / "mars.json"
    f.write_text(json.dumps(chain, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(IngestError) as e:
        ingest_chain(store, f, run_dir=tmp_path)
    assert e.value.code == "E212" and "home_region '火星'" in str(e.value)
    assert store.read("MATCH (n) WHERE n:Chain OR n:Product RETURN count(n) AS n")[0]["n"] == 0
    f.write_text(json.dumps({**chain, "home_region": "唐山市"}, ensure_ascii=False),
                 encoding="utf-8")
    ingest_chain(store, f, run_dir=tmp_path)
    assert store.read("MATCH (c:Chain {id: 'au-6'}) RETURN c.home_region AS r") == [
        {"r": "1302"}]


@pytest.mark.parametrize(("segments", "where"), [
    (["上游"], "segments[0]: 应为 JSON 对象"),
    ([{"name": "上游", "order": "一"}], "segments[0].order: 应为整数"),
    ([{"name": "上游", "products": {"id": "a"}}], "segments[0].products: 应为列表"),
    ([{"name": "上游", "products": [{"id": "a", "name": "甲", "upstream": [1]}]}],
     "segments[0].products[0].upstream:"),
    ([{"name": "上游", "products": [{"id": "a", "name": "甲", "companies": ["某公司"]}]}],
     "segments[0].products[0].companies[0]: 应为 JSON 对象"),
])
def test_ingest_chain_of_the_wrong_shape_is_one_error_naming_the_place(
        store: Store, tmp_path: Path, segments: list[object], where: str) -> None:
    """A value of the wrong type (a segment that is a string…) ended in a traceback; it is an
    E205 naming its JSON path, before anything is written."""
    f = tmp_path / "shape.json"
    f.write_text(json.dumps({"id": "au-7", "name": "形状链", "segments": segments},
                            ensure_ascii=False), encoding="utf-8")
    with pytest.raises(IngestError) as e:
        ingest_chain(store, f, run_dir=tmp_path)
    assert e.value.code == "E205" and where in str(e.value)
    assert store.read("MATCH (n) WHERE n:Chain OR n:Product RETURN count(n) AS n")[0]["n"] == 0


def test_ingest_chain_upstream_may_be_one_id(store: Store, tmp_path: Path) -> None:
    chain = {"id": "au-8", "name": "一链", "segments": [
        {"name": "上游", "products": [{"id": "au-8.a", "name": "甲"}]},
        {"name": "中游", "products": [{"id": "au-8.b", "name": "乙", "upstream": "au-8.a"}]}]}
    f = tmp_path / "one.json"
    f.write_text(json.dumps(chain, ensure_ascii=False), encoding="utf-8")
    assert ingest_chain(store, f, run_dir=tmp_path).quarantined == 0
    assert store.read("MATCH (a:Product)-[:UPSTREAM_OF]->(b:Product) RETURN a.id AS a, "
                      "b.id AS b") == [{"a": "au-8.a", "b": "au-8.b"}]


def test_ingest_ickg_sample(store: Store, tmp_path: Path) -> None:
    r = ingest_triples(store, DATA / "links" / "ickg25" / "valid.txt", MAPS / "ickg25.json",
                       run_dir=tmp_path, limit=400)
    # one of them ties an entity to itself (46560 母公司/控股 46560): quarantined, E223
    assert r.read == 400 and r.quarantined == 1 and r.quarantine_path
    assert ",E223," in Path(r.quarantine_path).read_text(encoding="utf-8-sig")
    types = {x["t"] for x in store.read("MATCH ()-[r]->() RETURN DISTINCT type(r) AS t")}
    assert {"HOLDS_PATENT", "IN_INDUSTRY"} <= types
    r2 = ingest_triples(store, DATA / "links" / "ickg25" / "valid.txt", MAPS / "ickg25.json",
                        run_dir=tmp_path, limit=400)
    assert r2.created == 0 and r2.updated == 0


def test_ingest_triples_quarantine_names_the_column_and_the_problem(store: Store,
                                                                    tmp_path: Path) -> None:
    """The audit's rows: an unknown time id was stored as observed_on '99999', a
    one-field line 'abc' was called an id missing from the id maps, and the column of
    an unknown id held the id itself instead of the column's name."""
    (tmp_path / "entity2id.txt").write_text("唐山甲钢铁有限公司\t0\n唐山乙机械有限公司\t1\n",
                                            encoding="utf-8")
    (tmp_path / "relation2id.txt").write_text("合作\t0\n", encoding="utf-8")
    (tmp_path / "time2id.txt").write_text("0,2025-01-01\n", encoding="utf-8")
    f = tmp_path / "t.txt"
    f.write_text("0\t0\t1\t0\n0\t0\t1\t99999\nabc\n0\t0\t7\n", encoding="utf-8")
    r = ingest_triples(store, f, MAPS / "ickg25.json", run_dir=tmp_path)
    assert r.quarantine_path is not None
    with open(r.quarantine_path, encoding="utf-8-sig", newline="") as fh:
        rows = [(q["row"], q["column"], q["code"], q["reason"]) for q in csv.DictReader(fh)]
    assert rows == [
        ("2", "time", "E218", "time: id '99999' 不在 id 映射中 (id not in the id maps)"),
        ("3", "relation", "E210", "该行有 1 个字段，应为 3 或 4 个 (the line has 1 field, "
                                  "3 or 4 expected)"),
        ("4", "tail", "E218", "tail: id '7' 不在 id 映射中 (id not in the id maps)")]
    assert store.read("MATCH ()-[c:COOPERATES_WITH]->() RETURN c.observed_on AS t") == [
        {"t": "2025-01-01"}]


def test_ingest_ickg_mapping_covers_all_relations() -> None:
    m = json.loads((MAPS / "ickg25.json").read_text(encoding="utf-8"))
    names = [ln.split("\t")[0] for ln in (DATA / "links" / "ickg25" / "relation2id.txt")
             .read_text(encoding="utf-8").splitlines() if ln.strip()]
    assert len(names) == 13 and set(names) == set(m["relations"])


@pytest.mark.slow
def test_ingest_ickg_full_train(store: Store, tmp_path: Path) -> None:
    r = ingest_triples(store, DATA / "links" / "ickg25" / "train.txt", MAPS / "ickg25.json",
                       run_dir=tmp_path)
    # the only rows refused are ties of an entity with itself (E223): 25 lines name one id at
    # both ends, a few more two ids of one name (or names the resolver takes for one firm)
    assert r.read > 50_000 and r.quarantined >= 25 and r.quarantine_path
    with open(r.quarantine_path, encoding="utf-8-sig") as fh:
        codes = [row["code"] for row in csv.DictReader(fh)]
    assert len(codes) == r.quarantined and set(codes) == {"E223"}


def test_ingest_openspg(store: Store, tmp_path: Path) -> None:
    base = DATA / "supplychain" / "openspg"
    for f in ("Industry.csv", "Product.csv", "Company.csv", "CompanyUpdate.csv"):
        ingest_triples(store, base / f, MAPS / "openspg.json", run_dir=tmp_path)
    n = store.read("MATCH (e:Enterprise)-[:PRODUCES]->(p:Product) RETURN count(*) AS n")[0]["n"]
    up = store.read("MATCH (:Product)-[r:UPSTREAM_OF]->(:Product) RETURN count(r) AS n")[0]["n"]
    assert n > 100 and up > 500
    again = ingest_triples(store, base / "Product.csv", MAPS / "openspg.json", run_dir=tmp_path)
    assert again.created == 0 and again.updated == 0


def test_ingest_review_merge_and_relation(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "firms.csv"
    f.write_text("id,企业名称\nA,唐山冀东水泥股份有限公司\nB,天津冀东水泥有限公司\n",
                 encoding="utf-8")
    ingest_table(store, f, run_dir=tmp_path)
    s = tmp_path / "supply.csv"
    s.write_text("供应商,采购方,产品\n冀东水泥,A,熟料\n", encoding="utf-8")
    r = ingest_table(store, s, run_dir=tmp_path)
    assert r.candidates == 1
    pending = review.list_candidates(store)
    assert len(pending) == 1 and pending[0]["payload"]["rel"] == "SUPPLIES"
    out = review.confirm(store, pending[0]["id"], choice="B")
    assert out["start"] == "B"
    assert store.read("MATCH (a:Enterprise)-[:SUPPLIES]->(b:Enterprise) RETURN a.id AS a, "
                      "b.id AS b") == [{"a": "B", "b": "A"}]
    assert review.list_candidates(store) == []
    # a merge candidate: an unnamed-id row that is ambiguous
    g = tmp_path / "more.csv"
    g.write_text("企业名称\n冀东水泥\n", encoding="utf-8")
    ingest_table(store, g, run_dir=tmp_path)
    cand = review.list_candidates(store)[0]
    new_id = cand["payload"]["merge"][0]
    review.confirm(store, cand["id"], choice="A")
    ids = {x["id"] for x in store.read("MATCH (e:Enterprise) RETURN e.id AS id")}
    assert new_id not in ids and {"A", "B"} <= ids
    a = store.read("MATCH (e:Enterprise {id: 'A'}) RETURN e.aliases AS al")[0]["al"]
    assert "冀东水泥" in a


def test_ingest_review_reject_and_split(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "firms.csv"
    f.write_text("id,企业名称\nA,唐山冀东水泥股份有限公司\nB,天津冀东水泥有限公司\n",
                 encoding="utf-8")
    ingest_table(store, f, run_dir=tmp_path)
    g = tmp_path / "more.csv"
    g.write_text("企业名称\n冀东水泥\n", encoding="utf-8")
    ingest_table(store, g, run_dir=tmp_path)
    cand = review.list_candidates(store)[0]
    assert review.split(store, cand["id"])["status"] == "rejected"
    assert review.list_candidates(store, "rejected")[0]["id"] == cand["id"]
    from graph.errors import InvalidInput

    with pytest.raises(InvalidInput):
        review.reject(store, cand["id"])


def test_ingest_demo_loads_idempotently(store: Store, tmp_path: Path) -> None:
    from ingest.demo import load_demo

    first = load_demo(store, run_dir=tmp_path)
    assert len(first.chains) >= 6 and first.total("quarantined") == 0
    assert store.read("MATCH (e:Enterprise) RETURN count(e) AS n")[0]["n"] >= 2000
    second = load_demo(store, run_dir=tmp_path)
    assert second.total("created") == 0 and second.total("updated") == 0


def test_resolve_from_store_sees_names_aliases_and_uscc(store: Store, tmp_path: Path) -> None:
    from ingest.resolve import Resolver

    ingest_table(store, SEEDS / "examples" / "enterprises.csv", run_dir=tmp_path)
    r = Resolver.from_store(store)
    assert len(r) == 3
    steel = r.resolve(name="唐山示例钢铁")
    assert steel.kind == "same"
    assert r.resolve(name="示例机械").kind == "same"  # short name from the table
    assert r.resolve(uscc="911302070000000193").id == steel.id
    assert r.resolve(name="天津某某物流有限公司").kind == "new"


def test_ingest_table_region_and_trade_word_is_not_merged(store: Store, tmp_path: Path) -> None:
    """Tables share the resolver: 河北钢铁集团 is not 河北芦台德安钢铁有限公司, neither as a
    supplier cell nor as an enterprise row; a city's short name still resolves."""
    f = tmp_path / "firms.csv"
    f.write_text("id,企业名称,简称\nE0000684,河北芦台德安钢铁有限公司,德安钢铁\n"
                 "E-SY,邵阳维克液压股份有限公司,\n", encoding="utf-8")
    ingest_table(store, f, run_dir=tmp_path)
    s = tmp_path / "supply.csv"
    s.write_text("供应商,采购方,产品\n河北钢铁集团,邵阳液压,热轧板卷\n", encoding="utf-8")
    r = ingest_table(store, s, run_dir=tmp_path)
    assert r.candidates == 1 and r.merged == 1  # 邵阳液压 is E-SY
    (cand,) = review.list_candidates(store)
    assert cand["payload"]["start"] is None and cand["payload"]["end"] == "E-SY"
    assert "E0000684" in cand["payload"]["start_options"]  # the reviewer may still pick it
    assert store.read("MATCH ()-[r:SUPPLIES]->() RETURN count(r) AS n")[0]["n"] == 0
    g = tmp_path / "more.csv"
    g.write_text("企业名称\n河北钢铁集团有限公司\n", encoding="utf-8")
    ingest_table(store, g, run_dir=tmp_path)
    row = store.read("MATCH (e:Enterprise {id: 'E0000684'}) "
                     "RETURN e.name AS name, e.aliases AS aliases")[0]
    assert row == {"name": "河北芦台德安钢铁有限公司", "aliases": None}
    assert store.read("MATCH (e:Enterprise {name: '河北钢铁集团有限公司'}) "
                      "RETURN count(e) AS n")[0]["n"] == 1
