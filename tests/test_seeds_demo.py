"""The shipped Tangshan demo set (seeds/demo): reproducible and internally sound."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path

import pytest

from ingest.reference import tiers as reference_tiers
from ingest.sizeclass import classify
from ingest.uscc import validate
from seeds.gen_catalog import load_catalog
from seeds.generator import DEMO_DIR, HEADERS, KINDS, generate_demo

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@cache
def _rows(kind: str) -> tuple[dict[str, str], ...]:
    with open(DEMO_DIR / f"{kind}.csv", encoding="utf-8", newline="") as f:
        return tuple(csv.DictReader(f))


@cache
def _enterprises() -> dict[str, dict[str, str]]:
    return {r["id"]: r for r in _rows("enterprises")}


def _local(e: dict[str, str]) -> bool:
    return e["region_code"].startswith("1302")


def _producers() -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for r in _rows("enterprise_products"):
        out[r["product"]].add(r["enterprise"])
    return out


def test_seeds_demo_regenerates_byte_for_byte(tmp_path: Path) -> None:
    generate_demo(tmp_path)
    for kind in KINDS:
        fresh = (tmp_path / f"{kind}.csv").read_bytes()
        assert fresh == (DEMO_DIR / f"{kind}.csv").read_bytes(), kind


@pytest.mark.parametrize("kind", KINDS)
def test_seeds_demo_headers_and_synthetic_flag(kind: str) -> None:
    with open(DEMO_DIR / f"{kind}.csv", encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    assert tuple(header) == HEADERS[kind]
    rows = _rows(kind)
    assert rows
    assert all(r["synthetic"] == "true" for r in rows)


def test_seeds_demo_enterprises_shape() -> None:
    ents = _enterprises()
    assert len(ents) == len(_rows("enterprises"))  # ids unique
    local = [e for e in ents.values() if _local(e)]
    outside = [e for e in ents.values() if not _local(e)]
    assert 1800 <= len(local) <= 2200
    assert 150 <= len(outside) <= 400
    assert len({e["name"] for e in ents.values()}) == len(ents)
    assert len({e["uscc"] for e in ents.values()}) == len(ents)
    assert all("合成" in e["description"] for e in ents.values())


def test_seeds_demo_usccs_valid_and_encode_region() -> None:
    for e in _enterprises().values():
        res = validate(e["uscc"])
        assert res.valid, (e["id"], res.reason)
        assert res.region_code == e["region_code"]
        assert e["uscc"][:2] == "91"  # 工商 / 企业


def test_seeds_demo_region_codes_real() -> None:
    with open(SHARED_DATA / "regions" / "areas.csv", encoding="utf-8") as f:
        areas = {r["code"] for r in csv.DictReader(f)}
    codes = Counter(e["region_code"] for e in _enterprises().values())
    assert set(codes) <= areas
    tangshan = {c for c in codes if c.startswith("1302")}
    assert len(tangshan) >= 15  # spread over districts, counties and development zones
    assert {"130271", "130272", "130273", "130274"} <= tangshan


def test_seeds_demo_size_mix_and_classification() -> None:
    ents = list(_enterprises().values())
    mix = Counter(e["size_class"] for e in ents)
    assert (mix["小型"] + mix["微型"]) / len(ents) >= 0.8
    big_local = sum(1 for e in ents if e["size_class"] == "大型" and _local(e))
    assert 24 <= big_local <= 80  # a few dozen large leading firms
    for e in ents:
        got = classify(e["industry_code"], float(e["employees"]), float(e["revenue"]),
                       float(e["total_assets"])).size_class
        assert got == e["size_class"], e["id"]


def test_seeds_demo_tiers() -> None:
    allowed = {t.zh for t in reference_tiers()}
    counts: Counter[str] = Counter()
    for e in _enterprises().values():
        ts = [t for t in e["tiers"].split("|") if t]
        assert set(ts) <= allowed
        counts.update(ts)
        if "专精特新小巨人" in ts:
            assert "专精特新中小企业" in ts and e["size_class"] in {"中型", "小型"}
    leaders = [e for e in _enterprises().values() if "链主企业" in e["tiers"] and _local(e)]
    assert all(e["size_class"] == "大型" for e in leaders)
    assert len(leaders) >= 30
    assert counts["专精特新中小企业"] >= 20 and counts["高新技术企业"] >= 50
    assert 1 <= counts["专精特新小巨人"] <= 40 and 1 <= counts["制造业单项冠军"] <= 20


def test_seeds_demo_references_resolve() -> None:
    ents = _enterprises()
    cat = load_catalog()
    for r in _rows("enterprise_products"):
        assert r["enterprise"] in ents and r["product"] in cat.by_id
    for kind in ("capabilities", "needs", "resources"):
        for r in _rows(kind):
            assert r["enterprise"] in ents, kind
    for r in _rows("relations"):
        assert r["from"] in ents and r["to"] in ents and r["from"] != r["to"]
        assert r["type"] in {"COOPERATES_WITH", "INVESTS_IN", "CONTROLS", "COMPETES_WITH"}
    # No tie twice: undirected types count a→b and b→a as the same pair.
    undirected = {"COOPERATES_WITH", "COMPETES_WITH"}
    keys = [(*sorted((r["from"], r["to"])), r["type"]) if r["type"] in undirected
            else (r["from"], r["to"], r["type"]) for r in _rows("relations")]
    assert len(keys) == len(set(keys))
    supply = [(r["supplier"], r["buyer"], r["product"]) for r in _rows("supply")]
    assert len(supply) == len(set(supply))
    assert len({r["id"] for r in _rows("needs")}) == len(_rows("needs"))
    assert len({r["id"] for r in _rows("resources")}) == len(_rows("resources"))


def test_seeds_demo_capabilities_from_taxonomy() -> None:
    from ingest.reference import collaboration_areas

    known = {(a.zh, c.zh) for a in collaboration_areas() for c in a.capabilities}
    rows = _rows("capabilities")
    assert {(r["area"], r["name"]) for r in rows} <= known
    assert {r["area"] for r in rows} == {a.zh for a in collaboration_areas()}


def test_seeds_demo_supply_follows_product_links() -> None:
    cat = load_catalog()
    producers = _producers()
    ents = _enterprises()
    made_by: dict[str, set[str]] = defaultdict(set)
    for pid, es in producers.items():
        for e in es:
            made_by[e].add(pid)
    rows = _rows("supply")
    for r in rows:
        assert r["product"] in cat.by_id
        assert r["supplier"] in producers[r["product"]], r
        downstream = {cat.products[d].id for d in cat.products[cat.by_id[r["product"]]].downstream}
        assert made_by[r["buyer"]] & downstream, r
        assert 0 < float(r["share"]) <= 1
        assert r["supplier"] in ents and r["buyer"] in ents


def test_seeds_demo_ties_never_predate_firms() -> None:
    ents = _enterprises()

    def year(e: str) -> int:
        return int(ents[e]["founded"][:4])

    for r in _rows("supply"):
        assert int(r["since"]) >= max(year(r["supplier"]), year(r["buyer"])), r
    for r in _rows("relations"):
        if r["since"]:
            assert int(r["since"]) >= max(year(r["from"]), year(r["to"])), r


def test_seeds_demo_relationships_per_enterprise() -> None:
    rels = sum(len(_rows(k)) for k in KINDS if k != "enterprises")
    per = rels / len(_enterprises())
    assert 4.0 <= per <= 6.0


def test_seeds_demo_every_chain_has_gaps_a_planner_sees() -> None:
    cat = load_catalog()
    ents = _enterprises()
    producers = _producers()
    needs_by_product: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in _rows("needs"):
        if r["product"]:
            needs_by_product[r["product"]].append(r)
    for cid in cat.chain_ids:
        local_counts = {}
        for p in cat.chain_products[cid]:
            pid = cat.products[p].id
            local_counts[pid] = [e for e in producers.get(pid, ()) if _local(ents[e])]
        missing = [pid for pid, es in local_counts.items() if not es]
        single = [pid for pid, es in local_counts.items() if len(es) == 1]
        assert missing, f"{cid}: no 补链 node"
        assert single, f"{cid}: no single-supplier node"
        for pid in missing:
            if cat.products[cat.by_id[pid]].extension:
                continue
            # a 补链 node still has candidates outside Tangshan …
            assert any(not _local(ents[e]) for e in producers.get(pid, ())), pid
            # … and a local firm downstream asking for it.
            assert any(_local(ents[n["enterprise"]]) and n["status"] == "open"
                       for n in needs_by_product[pid]), pid
    for g in cat.micro:
        pid = cat.products[g].id
        local = [ents[e] for e in producers[pid] if _local(ents[e])]
        assert local and all(e["size_class"] == "微型" for e in local), pid


def test_seeds_demo_leaders_need_each_chains_gaps() -> None:
    cat = load_catalog()
    ents = _enterprises()
    gap_ids = {cat.products[g].id for g in cat.missing | cat.single | cat.micro}
    chains_with_leader_need = {
        r["product"].split(".")[0] for r in _rows("needs")
        if r["product"] in gap_ids and r["status"] == "open"
        and "链主企业" in ents[r["enterprise"]]["tiers"] and _local(ents[r["enterprise"]])}
    assert chains_with_leader_need == set(cat.chain_ids)
