"""Table ingest on both engines: kinds, validation and quarantine, idempotency, prune."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from graph.errors import IngestError
from graph.store import Store
from ingest import values
from ingest.columns import detect_kind
from ingest.demo import SEEDS
from ingest.job import content_hash
from ingest.tables import ensure_reference, ingest_table
from ingest.uscc import make_uscc

EXAMPLES = SEEDS / "examples"
ORDER = ("enterprises", "products", "enterprise_products", "capabilities", "needs",
         "resources", "supply", "relations", "segments")


def _count(store: Store, label: str) -> int:
    return int(store.read(f"MATCH (n:{label}) RETURN count(n) AS n")[0]["n"])


@pytest.mark.parametrize(("raw", "out"), [
    pytest.param("45亿元", 450000.0, id="yi"), pytest.param("6800万元", 6800.0, id="wan"),
    pytest.param("3,000,000元", 300.0, id="yuan"), pytest.param("5200", 5200.0, id="plain"),
])
def test_ingest_money_units(raw: str, out: float) -> None:
    assert values.money(raw, field="revenue") == out


def test_ingest_dates_and_shares() -> None:
    assert values.iso_date("2012年3月1日", field="d") == "2012-03-01"
    assert values.iso_date("2019", field="d") == "2019"
    assert values.share("30%", field="s") == 0.3
    with pytest.raises(values.CellError) as e:
        values.iso_date("2021-02-30", field="d")
    assert e.value.code == "E215"


def test_ingest_detects_kind_from_chinese_headers() -> None:
    assert detect_kind(["企业名称", "统一社会信用代码", "所属行业", "从业人员"]) == "enterprises"
    assert detect_kind(["供应商", "采购方", "产品"]) == "supply"
    assert detect_kind(["企业名称", "能力名称", "领域"]) == "capabilities"
    with pytest.raises(IngestError) as e:
        detect_kind(["foo", "bar"])
    assert e.value.code == "E202"


def test_ingest_examples_load_and_rerun_changes_nothing(store: Store, tmp_path: Path) -> None:
    ensure_reference(store)
    first = [ingest_table(store, EXAMPLES / f"{k}.csv", run_dir=tmp_path) for k in ORDER]
    assert all(r.quarantined == 0 for r in first), [r.quarantine_path for r in first]
    assert _count(store, "Enterprise") == 3
    ent = store.read("MATCH (e:Enterprise {name: '唐山示例钢铁有限公司'}) RETURN e AS e")[0]["e"]
    assert ent["revenue"] == 450000.0 and ent["region_code"] == "130207"
    assert ent["size_class"] == "大型" and "链主企业" in ent["tiers"]
    assert ent["run_id"].startswith("run-") and ent["method"] == "table"
    sup = store.read("MATCH (:Enterprise)-[r:SUPPLIES]->(:Enterprise) RETURN r AS r")
    assert len(sup) == 1 and sup[0]["r"]["share"] == 0.3
    runs = store.read("MATCH (r:IngestRun) RETURN count(r) AS n")[0]["n"]
    assert runs == len(ORDER) + 1  # + the reference run
    again = [ingest_table(store, EXAMPLES / f"{k}.csv", run_dir=tmp_path) for k in ORDER]
    assert sum(r.created + r.updated for r in again) == 0
    # every record is unchanged, less the stub product a reference created the first time
    assert sum(r.unchanged for r in again) >= sum(r.created for r in first) - 1


def _write(path: Path, rows: list[dict[str, object]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def _firms(n: int) -> list[dict[str, object]]:
    return [{"id": f"T{i:04d}", "企业名称": f"唐山测试{i}号机械有限公司",
             "统一社会信用代码": make_uscc("130203", 1000 + i), "所属行业": "3411",
             "从业人员": 10 + i, "营业收入": "500万元"} for i in range(n)]


def test_ingest_changed_record_updates_and_keeps_previous(store: Store, tmp_path: Path) -> None:
    rows = _firms(5)
    f = _write(tmp_path / "firms.csv", rows)
    r1 = ingest_table(store, f, run_dir=tmp_path)
    rows[2]["从业人员"] = 999
    _write(f, rows)
    r2 = ingest_table(store, f, run_dir=tmp_path)
    assert r2.updated == 1 and r2.created == 0 and r2.unchanged == r1.created - 1
    e = store.read("MATCH (e:Enterprise {id: 'T0002'}) RETURN e AS e")[0]["e"]
    assert e["employees"] == 999 and e["run_id"] == r2.run_id
    assert '"employees": 12' in e["history_json"]
    other = store.read("MATCH (e:Enterprise {id: 'T0001'}) RETURN e AS e")[0]["e"]
    assert other["run_id"] == r1.run_id  # untouched records keep their run and time


def test_ingest_prune_only_when_asked(store: Store, tmp_path: Path) -> None:
    rows = _firms(4)
    f = _write(tmp_path / "firms.csv", rows)
    ingest_table(store, f, run_dir=tmp_path)
    _write(f, rows[:3])
    assert ingest_table(store, f, run_dir=tmp_path).pruned == 0
    assert _count(store, "Enterprise") == 4
    r = ingest_table(store, f, run_dir=tmp_path, prune=True)
    assert r.pruned == 1 and _count(store, "Enterprise") == 3


def test_ingest_malformed_rows_quarantined_others_loaded(store: Store, tmp_path: Path) -> None:
    rows = _firms(100)
    bad = {3: ("统一社会信用代码", "911302030000000000", "E211"),
           17: ("所属行业", "9999", "E213"), 40: ("从业人员", "很多", "E214"),
           61: ("企业名称", "", "E210"), 88: ("营业收入", "-5万元", "E214")}
    for i, (col, val, _) in bad.items():
        rows[i][col] = val
    f = _write(tmp_path / "firms.csv", rows)
    r = ingest_table(store, f, run_dir=tmp_path)
    assert r.quarantined == 5 and r.read == 100
    assert _count(store, "Enterprise") == 95
    with open(r.quarantine_path or "", encoding="utf-8-sig") as fh:
        q = list(csv.DictReader(fh))
    assert sorted(int(x["row"]) for x in q) == sorted(i + 2 for i in bad)
    assert {x["code"] for x in q} == {c for _, _, c in bad.values()}
    assert all(x["reason"] and x["source"] == "firms.csv" for x in q)


def test_ingest_gbk_file_is_read(store: Store, tmp_path: Path) -> None:
    f = _write(tmp_path / "gbk.csv", _firms(3), encoding="gbk")
    r = ingest_table(store, f, run_dir=tmp_path)
    assert r.created > 0 and r.quarantined == 0
    names = {x["n"] for x in store.read("MATCH (e:Enterprise) RETURN e.name AS n")}
    assert "唐山测试1号机械有限公司" in names


def test_ingest_xlsx_and_jsonl(store: Store, tmp_path: Path) -> None:
    import pandas as pd

    pd.DataFrame(_firms(3)).to_excel(tmp_path / "a.xlsx", index=False)
    pd.DataFrame(_firms(6)[3:]).to_json(tmp_path / "b.jsonl", orient="records", lines=True,
                                        force_ascii=False)
    assert ingest_table(store, tmp_path / "a.xlsx", run_dir=tmp_path).quarantined == 0
    assert ingest_table(store, tmp_path / "b.jsonl", run_dir=tmp_path).quarantined == 0
    assert _count(store, "Enterprise") == 6


@pytest.mark.parametrize("content", [
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00binary", id="binary"),
    pytest.param("企业名称\n".encode("utf-16"), id="utf16"),
    pytest.param(b"", id="empty"),
])
def test_ingest_unreadable_file_is_one_clear_error(store: Store, tmp_path: Path,
                                                    content: bytes) -> None:
    f = tmp_path / "bad.csv"
    f.write_bytes(content)
    with pytest.raises(IngestError) as e:
        ingest_table(store, f, run_dir=tmp_path)
    assert e.value.code in {"E201", "E202"}


def test_ingest_name_references_resolve_to_existing(store: Store, tmp_path: Path) -> None:
    _write(tmp_path / "firms.csv", _firms(3))
    ingest_table(store, tmp_path / "firms.csv", run_dir=tmp_path)
    sup = _write(tmp_path / "supply.csv", [{"供应商": "唐山测试1号机械", "采购方": "T0002",
                                            "产品": "齿轮"}])
    r = ingest_table(store, sup, run_dir=tmp_path)
    assert r.merged == 1
    got = store.read("MATCH (a:Enterprise)-[:SUPPLIES]->(b:Enterprise) RETURN a.id AS a, "
                     "b.id AS b")
    assert got == [{"a": "T0001", "b": "T0002"}]
    assert r.decisions_path and Path(r.decisions_path).read_text(encoding="utf-8")


def test_ingest_content_hash_ignores_provenance() -> None:
    assert content_hash({"a": 1, "run_id": "x"}) == content_hash({"a": 1, "run_id": "y"})


def test_ingest_unknown_ids_are_quarantined_not_named(store: Store, tmp_path: Path) -> None:
    _write(tmp_path / "firms.csv", _firms(2))
    ingest_table(store, tmp_path / "firms.csv", run_dir=tmp_path)
    f = _write(tmp_path / "supply.csv", [
        {"supplier": "T0000", "buyer": "T0001", "product": "齿轮"},
        {"supplier": "T9999", "buyer": "T0001", "product": "齿轮"}])
    r = ingest_table(store, f, run_dir=tmp_path)
    assert r.quarantined == 1
    names = {x["n"] for x in store.read("MATCH (e:Enterprise) RETURN e.name AS n")}
    assert "T9999" not in names
    p = _write(tmp_path / "products.csv", [
        {"enterprise": "T0000", "product": "ts-none.product"}])
    assert ingest_table(store, p, kind="enterprise_products", run_dir=tmp_path).quarantined == 1


def test_ingest_row_merged_by_name_adds_an_alias(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text("id,企业名称,别名\nA,唐山三友化工股份有限公司,三友化工\n", encoding="utf-8")
    ingest_table(store, f, run_dir=tmp_path)
    g = tmp_path / "b.csv"
    g.write_text("企业名称,从业人员\n唐山三友化工有限公司,5000\n", encoding="utf-8")
    r = ingest_table(store, g, run_dir=tmp_path)
    assert r.merged == 1
    e = store.read("MATCH (e:Enterprise) RETURN e AS e")
    assert len(e) == 1 and e[0]["e"]["employees"] == 5000
    assert e[0]["e"]["name"] == "唐山三友化工股份有限公司"
    assert set(e[0]["e"]["aliases"]) == {"三友化工", "唐山三友化工有限公司"}


def test_ingest_undecodable_bytes_midway_quarantine_the_row(embedded_store: Store,
                                                            tmp_path: Path) -> None:
    # reading a file does not depend on the engine: the embedded one is enough
    store = embedded_store
    store.clear()
    f = tmp_path / "half.csv"
    with f.open("wb") as fh:
        fh.write("id,企业名称,简介\n".encode())
        for i in range(2500):  # > 1 MB of good UTF-8, so the encoding check passes
            fh.write(f"H{i},唐山半截{i}号有限公司,{'说明' * 150}\n".encode())
        fh.write(b"H9999,\xff\xfe\xfd broken,x\n")
        fh.write("H10000,唐山最后一家有限公司,好\n".encode())
    r = ingest_table(store, f, run_dir=tmp_path)
    assert r.quarantined == 1 and _count(store, "Enterprise") == 2501
    with open(r.quarantine_path or "", encoding="utf-8-sig") as fh:
        q = list(csv.DictReader(fh))
    assert q[0]["code"] == "E222" and q[0]["row"] == "2502"


def test_ingest_same_named_products_resolve_stably_after_clear(store: Store,
                                                                tmp_path: Path) -> None:
    # regression: a product name shared by two products resolved by the engine's internal
    # order, which changes once deleted ids are reused, so a rerun re-linked the firm
    for _ in range(2):
        store.clear()
        ensure_reference(store)
        for k in ORDER:
            ingest_table(store, EXAMPLES / f"{k}.csv", run_dir=tmp_path)
        again = [ingest_table(store, EXAMPLES / f"{k}.csv", run_dir=tmp_path) for k in ORDER]
        assert sum(r.created + r.updated for r in again) == 0


def _names(store: Store) -> set[str]:
    return {r["n"] for r in store.read("MATCH (e:Enterprise) RETURN e.name AS n")}


def test_ingest_prune_keeps_a_record_another_source_still_lists(store: Store,
                                                                tmp_path: Path) -> None:
    """Audit H3: 重叠甲 was last written by listB.csv, so a --prune of a listB.csv without
    it deleted the firm although listA.csv still lists it."""
    head = ("企业名称", "所在地区", "从业人员")
    a = _write(tmp_path / "listA.csv", [dict(zip(head, r, strict=True)) for r in (
        ("重叠甲有限公司", "丰南区", 10), ("重叠乙有限公司", "丰南区", 20))])
    b = _write(tmp_path / "listB.csv", [dict(zip(head, ("重叠甲有限公司", "丰南区", 15),
                                                 strict=True))])
    ingest_table(store, a, run_dir=tmp_path, prune=True)
    ingest_table(store, b, run_dir=tmp_path, prune=True)
    (tmp_path / "q").mkdir()
    b2 = _write(tmp_path / "q" / "listB.csv", [dict(zip(head, ("重叠丙有限公司", "丰南区", 15),
                                                       strict=True))])
    r = ingest_table(store, b2, run_dir=tmp_path, prune=True)
    assert r.pruned == 0
    assert _names(store) == {"重叠甲有限公司", "重叠乙有限公司", "重叠丙有限公司"}
    jia = store.read("MATCH (e:Enterprise {name: '重叠甲有限公司'}) "
                     "RETURN e.source AS s, e.sources AS ss")[0]
    assert jia["ss"] == ["listA.csv"] and jia["s"] == "listA.csv"
    # listA.csv without 甲: now no source holds it, and it goes
    _write(a, [dict(zip(head, ("重叠乙有限公司", "丰南区", 20), strict=True))])
    assert ingest_table(store, a, run_dir=tmp_path, prune=True).pruned >= 1
    assert "重叠甲有限公司" not in _names(store)


def test_ingest_unchanged_record_of_another_source_is_held_by_both(store: Store,
                                                                   tmp_path: Path) -> None:
    """A second file with the very same record writes nothing but still holds it: pruning
    the first file's copy keeps it."""
    rows = _firms(2)
    a = _write(tmp_path / "a.csv", rows)
    b = _write(tmp_path / "b.csv", rows[:1])
    ingest_table(store, a, run_dir=tmp_path)
    rb = ingest_table(store, b, run_dir=tmp_path)
    assert rb.created == rb.updated == 0
    _write(a, rows[1:])
    assert ingest_table(store, a, run_dir=tmp_path, prune=True).pruned == 0
    assert _count(store, "Enterprise") == 2
    _write(b, rows[1:])
    assert ingest_table(store, b, run_dir=tmp_path, prune=True).pruned == 1
    assert _count(store, "Enterprise") == 1


def test_ingest_prune_reports_relationships_of_other_sources_apart(store: Store,
                                                                   tmp_path: Path) -> None:
    """Audit M3 (a): pruning ent2.csv without 审计辛 also deleted the COOPERATES_WITH that
    rel_y.csv wrote, and the run said only "pruned 1"."""
    head = ("企业名称", "所在地区", "从业人员")
    ents = _write(tmp_path / "ent2.csv", [dict(zip(head, r, strict=True)) for r in (
        ("审计庚有限公司", "丰南区", 10), ("审计辛有限公司", "丰南区", 20))])
    ingest_table(store, ents, run_dir=tmp_path)
    rels = _write(tmp_path / "rel_y.csv", [{"from": "审计庚有限公司", "to": "审计辛有限公司",
                                            "type": "COOPERATES_WITH"}])
    assert ingest_table(store, rels, kind="relations", run_dir=tmp_path).created == 1
    _write(ents, [dict(zip(head, ("审计庚有限公司", "丰南区", 10), strict=True))])
    r = ingest_table(store, ents, run_dir=tmp_path, prune=True)
    assert (r.pruned_nodes, r.pruned_rels, r.pruned_foreign) == (1, 1, 1)
    assert r.pruned == 2


def test_ingest_prune_deletes_the_stub_the_file_no_longer_names(store: Store,
                                                                tmp_path: Path) -> None:
    """Audit M3 (b): supply_x.csv rerun with --prune and only its first rows pruned the
    supply ties but left the stub enterprise only its dropped row had named; a stub the
    file still names (by name, so the run writes no node for it) stays."""
    head = ("企业名称", "所在地区", "从业人员")
    ents = _write(tmp_path / "ents.csv", [dict(zip(head, (f"审计{c}有限公司", "丰南区", 10),
                                                    strict=True)) for c in "甲乙丙"])
    ingest_table(store, ents, run_dir=tmp_path)
    rows = [{"供应商": "审计甲有限公司", "采购方": "审计乙有限公司", "产品": "钢板"},
            {"供应商": "审计乙有限公司", "采购方": "唐山留下的桩有限公司", "产品": "钢板"},
            {"供应商": "审计丙有限公司", "采购方": "完全不存在的公司有限公司", "产品": "钢板"}]
    f = _write(tmp_path / "supply_x.csv", rows)
    ingest_table(store, f, run_dir=tmp_path)
    assert "完全不存在的公司有限公司" in _names(store)
    _write(f, rows[:2])
    r = ingest_table(store, f, run_dir=tmp_path, prune=True)
    assert (r.pruned_nodes, r.pruned_rels, r.pruned_foreign) == (1, 1, 0)
    names = _names(store)
    assert "完全不存在的公司有限公司" not in names and "唐山留下的桩有限公司" in names


@pytest.mark.parametrize(("kind", "row", "column"), [
    pytest.param("supply", {"供应商": "自环甲有限公司", "采购方": "自环甲有限公司", "产品": "钢板"},
                 "buyer", id="supply"),
    pytest.param("relations", {"from": "自环甲有限公司", "to": "自环甲有限公司",
                               "type": "COOPERATES_WITH"}, "to", id="cooperates"),
])
def test_ingest_tie_of_a_firm_with_itself_is_quarantined(store: Store, tmp_path: Path,
                                                         kind: str, row: dict[str, str],
                                                         column: str) -> None:
    """Audit L4: a supply row whose supplier is its buyer wrote a self-loop SUPPLIES."""
    ingest_table(store, _write(tmp_path / "e.csv", [{"企业名称": "自环甲有限公司"},
                                                    {"企业名称": "自环乙有限公司"}]),
                 run_dir=tmp_path)
    other = {k: ("自环乙有限公司" if v == "自环甲有限公司" and k in ("采购方", "to") else v)
             for k, v in row.items()}
    r = ingest_table(store, _write(tmp_path / f"{kind}.csv", [row, other]), kind=kind,
                     run_dir=tmp_path)
    assert r.quarantined == 1 and r.created == 1
    with open(r.quarantine_path or "", encoding="utf-8-sig") as fh:
        q = list(csv.DictReader(fh))
    assert [(x["row"], x["column"], x["code"]) for x in q] == [("2", column, "E223")]
    assert store.read("MATCH (a)-[r]->(a) RETURN count(r) AS n")[0]["n"] == 0


def test_ingest_triple_of_an_entity_with_itself_is_quarantined(store: Store,
                                                               tmp_path: Path) -> None:
    from ingest.triples import ingest_triples

    tsv = tmp_path / "t.tsv"
    tsv.write_text("钢铁\t上游\t钢铁\t0.5\n采矿\t上游\t钢铁\t0.5\n", encoding="utf-8")
    r = ingest_triples(store, tsv, SEEDS / "mappings" / "listed_companies.json",
                       run_dir=tmp_path)
    assert r.quarantined == 1
    assert store.read("MATCH (a)-[r]->(a) RETURN count(r) AS n")[0]["n"] == 0
@pytest.mark.parametrize(("raw", "out"), [
    pytest.param("1.2万人", 12000, id="wan-people"), pytest.param("3万", 30000, id="wan"),
    pytest.param("320人", 320, id="people"),
])
def test_ingest_counts_in_wan(raw: str, out: int) -> None:
    # regression (audit L3): "1.2万人" was not a number of employees
    assert values.integer(raw, field="employees") == out


@pytest.mark.parametrize("raw", [
    pytest.param("2010/5/6 0:00", id="excel-csv-export"),
    pytest.param("2010-05-06 00:00:00", id="pandas-date-cell"),
    pytest.param("2010-05-06T08:30:00+08:00", id="iso-t"),
    pytest.param("2010年5月6日 0:00", id="chinese-with-time"),
])
def test_ingest_dates_with_a_time_of_day_keep_the_date(raw: str) -> None:
    assert values.iso_date(raw, field="founded") == "2010-05-06"


def test_ingest_date_cells_load_from_csv_and_xlsx(embedded_store: Store,
                                                  tmp_path: Path) -> None:
    # regression (audit H1): every real Excel date cell was quarantined as "not a date"
    from datetime import datetime

    import openpyxl

    store = embedded_store
    store.clear()
    f = tmp_path / "dt.csv"
    f.write_text("企业名称,所在地区,成立日期\n日期甲有限公司,丰南区,2010/5/6 0:00\n"
                 "日期乙有限公司,丰南区,2010-05-06 00:00:00\n", encoding="utf-8")
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["企业名称", "所在地区", "成立日期"])
    ws.append(["日期丙有限公司", "丰南区", datetime(2010, 5, 6)])
    wb.save(tmp_path / "dt.xlsx")
    # the date cell reaches the parser as a date, not as the string pandas makes of it
    from ingest.tables import read_table

    _, chunks = read_table(tmp_path / "dt.xlsx")
    assert [row["成立日期"] for c in chunks for row in c.rows] == [datetime(2010, 5, 6)]
    for name in ("dt.csv", "dt.xlsx"):
        r = ingest_table(store, tmp_path / name, run_dir=tmp_path)
        assert r.quarantined == 0, name
    founded = {x["n"]: x["f"] for x in store.read(
        "MATCH (e:Enterprise) RETURN e.name AS n, e.founded AS f")}
    assert founded == {"日期甲有限公司": "2010-05-06", "日期乙有限公司": "2010-05-06",
                       "日期丙有限公司": "2010-05-06"}


def _quarantine(path: str | None) -> list[dict[str, str]]:
    with open(path or "", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def test_ingest_quarantine_rows_are_file_lines(embedded_store: Store, tmp_path: Path) -> None:
    # regression (audit M1): pandas dropped empty lines without counting them, so a bad
    # row after one was reported a line too early; a record is numbered by its first line
    store = embedded_store
    store.clear()
    ensure_reference(store)  # the region's node, so that LOCATED_IN is not a skipped tie
    f = tmp_path / "rownum.csv"
    f.write_text("企业名称,所在地区,从业人员,简介\n"       # 1
                 "行号丁有限公司,丰南区,10,x\n"             # 2
                 "\n"                                        # 3 empty
                 '行号戊有限公司,丰南区,abc,"第一行\n'       # 4, its field runs on
                 '第二行"\n'                                 # 5
                 ",,,\n"                                     # 6 only commas
                 "行号己有限公司,丰南区,-3,y\n",             # 7
                 encoding="utf-8")
    r = ingest_table(store, f, run_dir=tmp_path)
    assert (r.read, r.quarantined, r.skipped) == (3, 2, 2)
    assert {(x["row"], x["column"]) for x in _quarantine(r.quarantine_path)} == {
        ("4", "employees"), ("7", "employees")}


def test_ingest_malformed_csv_rows_quarantined_others_loaded(embedded_store: Store,
                                                             tmp_path: Path) -> None:
    # regression (audit M2): one row with an extra field (or an unclosed quote) failed
    # the whole file with pandas' "Expected 3 fields in line 3, saw 4"
    store = embedded_store
    store.clear()
    f = tmp_path / "commas.csv"
    f.write_text("企业名称,所在地区,从业人员\n"
                 "逗号甲有限公司,丰南区,10\n"
                 "逗号乙有限公司,分公司,丰南区,10\n"      # 3: a field too many
                 '逗号丙有限公司,"丰南区,10\n'             # 4: the quote never closes
                 "逗号丁有限公司,丰南区,10\n"
                 "逗号戊有限公司,丰南区,10,,\n",           # trailing empty fields: fine
                 encoding="utf-8")
    r = ingest_table(store, f, run_dir=tmp_path)
    assert (r.read, r.quarantined) == (5, 2)
    q = _quarantine(r.quarantine_path)
    assert [(x["row"], x["code"]) for x in q] == [("3", "E224"), ("4", "E224")]
    assert "字段数不符" in q[0]["reason"] and "expected 3 fields, saw 4" in q[0]["reason"]
    assert "引号未闭合" in q[1]["reason"]
    names = {x["n"] for x in store.read("MATCH (e:Enterprise) RETURN e.name AS n")}
    assert names == {"逗号甲有限公司", "逗号丁有限公司", "逗号戊有限公司"}


def test_ingest_bad_json_lines_quarantined_others_loaded(embedded_store: Store,
                                                         tmp_path: Path) -> None:
    # regression (audit H2): a line that is not JSON past the first gave a traceback
    # from inside pandas' reader
    store = embedded_store
    store.clear()
    f = tmp_path / "ents.jsonl"
    f.write_text('{"企业名称":"鸿运机械有限公司","从业人员":5}\n'
                 "not json\n"
                 "[1, 2]\n"
                 "\n"
                 '{"企业名称":"晨光建材有限公司","从业人员":"很多"}\n'
                 '{"企业名称":"泰和物流有限公司"}\n', encoding="utf-8")
    r = ingest_table(store, f, run_dir=tmp_path)
    assert (r.read, r.quarantined, r.skipped) == (5, 3, 1)
    q = _quarantine(r.quarantine_path)
    assert sorted((x["row"], x["code"]) for x in q) == [("2", "E224"), ("3", "E224"),
                                                         ("5", "E214")]
    assert any("不是 JSON" in x["reason"] and "(not JSON)" in x["reason"] for x in q)
    names = {x["n"] for x in store.read("MATCH (e:Enterprise) RETURN e.name AS n")}
    assert names == {"鸿运机械有限公司", "泰和物流有限公司"}


def test_ingest_header_below_a_title_row_is_found(embedded_store: Store,
                                                  tmp_path: Path) -> None:
    # regression (audit M7): a merged title row above the header gave E202 and the advice
    # to give --kind, which then gave E203 for the missing name column
    import openpyxl

    store = embedded_store
    store.clear()
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["唐山市企业名录（2026年）"])
    ws.merge_cells("A1:F1")
    ws.append(["企业名称", "所在地区", "成立日期", "从业人员", "营业收入", "备注"])
    ws.append(["标题甲有限公司", "丰南区", "2010-05-06", 10, "500万元", None])
    ws.append(["标题乙有限公司", "丰南区", "2011-01-01", "很多", "500万元", None])
    wb.save(tmp_path / "名录.xlsx")
    (tmp_path / "名录.csv").write_text("唐山市企业名录（2026年）,,\n\n企业名称,所在地区,从业人员\n"
                                      "标题丙有限公司,丰南区,10\n标题丁有限公司,丰南区,很多\n",
                                      encoding="utf-8")
    for name, bad_row in (("名录.xlsx", "4"), ("名录.csv", "5")):
        r = ingest_table(store, tmp_path / name, run_dir=tmp_path)
        assert (r.read, r.quarantined) == (2, 1), name
        assert [x["row"] for x in _quarantine(r.quarantine_path)] == [bad_row]
    assert _count(store, "Enterprise") == 2
    # no header in the first rows: the message says so instead of only pointing at --kind
    (tmp_path / "x.csv").write_text("foo,bar\n1,2\n", encoding="utf-8")
    for kind, code in ((None, "E202"), ("enterprises", "E203")):
        with pytest.raises(IngestError) as e:
            ingest_table(store, tmp_path / "x.csv", kind=kind, run_dir=tmp_path)
        assert e.value.code == code and "前 10 行" in str(e.value)


def test_ingest_a_second_alias_of_a_column_is_read(embedded_store: Store,
                                                   tmp_path: Path) -> None:
    # regression (audit L7): a JSON Lines row naming the firm under "name" while the first
    # line says 企业名称 was skipped as blank; the kind stays enterprises
    store = embedded_store
    store.clear()
    ensure_reference(store)
    f = tmp_path / "ents.jsonl"
    f.write_text('{"企业名称":"鸿运机械有限公司","所在地区":"丰南区"}\n'
                 '{"name":"晨光建材有限公司"}\n'
                 '{"企业名称":"泰和物流有限公司","name":"别的名字"}\n', encoding="utf-8")
    r = ingest_table(store, f, run_dir=tmp_path)
    assert r.kind == "enterprises" and (r.read, r.skipped, r.quarantined) == (3, 0, 0)
    names = {x["n"] for x in store.read("MATCH (e:Enterprise) RETURN e.name AS n")}
    assert names == {"鸿运机械有限公司", "晨光建材有限公司", "泰和物流有限公司"}


def test_ingest_products_upstream_later_in_the_file_or_unknown(store: Store,
                                                               tmp_path: Path) -> None:
    """An upstream id defined further down the file is linked; one that neither the file nor
    the store has is quarantined with its row (it was dropped as skipped, no reason given)."""
    rows = [{"id": "P-down", "name": "冷轧薄板", "upstream": "P-up|P-none"},
            {"id": "P-up", "name": "热轧板卷", "upstream": ""}]
    r = ingest_table(store, _write(tmp_path / "products.csv", rows), kind="products",
                     run_dir=tmp_path)
    assert (r.read, r.quarantined, r.skipped) == (2, 1, 0)
    with open(r.quarantine_path or "", encoding="utf-8-sig") as fh:
        q = list(csv.DictReader(fh))
    assert [(x["row"], x["column"], x["code"]) for x in q] == [("2", "upstream", "E218")]
    assert "P-none" in q[0]["reason"]
    assert store.read("MATCH (a:Product)-[:UPSTREAM_OF]->(b:Product) RETURN a.id AS a, "
                      "b.id AS b") == [{"a": "P-up", "b": "P-down"}]
