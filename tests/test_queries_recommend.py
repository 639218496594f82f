"""Partner recommendations on the sample graph (both engines): direction, reasons, exclusions."""

from __future__ import annotations

import pytest

from graph.errors import InvalidInput, NotFound
from graph.store import Store
from graph.writes import merge_nodes, merge_rels, node_row, rel_row
from queries.recommend import clear_cache, recommend_partners
from tests.queries_sample import build_sample


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    clear_cache()


def test_queries_recommend_suppliers_for_open_need(store: Store) -> None:
    build_sample(store)
    out = recommend_partners(store, "E1", "SUPPLIES")
    assert out["enterprise"] == {"id": "E1", "name": "唐山钢铁集团有限责任公司"}
    assert out["relation"] == "SUPPLIES"
    ids = [r["id"] for r in out["results"]]
    # 天津船板 makes the ship plate 唐钢 needs; 山西焦煤 makes coke it needs
    assert ids[0] in {"E5", "E9"} and {"E5", "E9"} <= set(ids[:3])
    assert "E2" not in ids and "E3" not in ids and "E1" not in ids  # existing suppliers, self
    e5 = next(r for r in out["results"] if r["id"] == "E5")
    assert "匹配需求：采购船用钢板" in e5["reasons"]
    assert all(isinstance(r["score"], float) and r["reasons"] for r in out["results"])


def test_queries_recommend_by_name_and_need_text(store: Store) -> None:
    build_sample(store)
    out = recommend_partners(store, "唐钢", "SUPPLIES", need="废钢")
    assert out["enterprise"]["id"] == "E1"
    assert out["results"][0]["id"] == "E8"
    assert "匹配需求：废钢" in out["results"][0]["reasons"]


def test_queries_recommend_need_by_name_blank_or_matching_nothing(store: Store) -> None:
    """A need is one of the firm's open needs by id or by its name, else free text; a blank
    one is no need; one that matches nothing is an error (another firm's need: 422, nothing
    at all: 404) instead of an answer that silently leaves it out; the firm's own need that
    nobody makes is answered without a need match."""
    build_sample(store)
    by_id = recommend_partners(store, "E1", "SUPPLIES", need="N2")
    assert by_id["results"][0]["id"] == "E5"
    assert "匹配需求：采购船用钢板" in by_id["results"][0]["reasons"]
    assert recommend_partners(store, "E1", "SUPPLIES", need="采购船用钢板") == by_id
    assert recommend_partners(store, "E1", "SUPPLIES", need=" ") == \
        recommend_partners(store, "E1", "SUPPLIES")
    with pytest.raises(NotFound) as missing:
        recommend_partners(store, "E1", "SUPPLIES", need="不存在的东西")
    assert "不存在的东西" in missing.value.message
    with pytest.raises(InvalidInput) as other:
        recommend_partners(store, "E1", "SUPPLIES", need="N4")  # 唐山冷轧's need
    assert other.value.field == "need"
    merge_nodes(store, "Product", [node_row("p_new", {"name": "氢冶金装备"})])
    merge_nodes(store, "Need", [node_row("N9", {"name": "采购氢冶金装备", "status": "open"})])
    merge_rels(store, "NEEDS", "Enterprise", "Need", [rel_row("E1", "N9")])
    merge_rels(store, "ABOUT", "Need", "Product", [rel_row("N9", "p_new")])
    clear_cache()
    for need in ("N9", "采购氢冶金装备"):
        out = recommend_partners(store, "E1", "SUPPLIES", need=need)
        assert not any(t.startswith("匹配需求") for r in out["results"] for t in r["reasons"])


def test_queries_recommend_buyers_downstream(store: Store) -> None:
    build_sample(store)
    # 迁安钢铁 makes hot coil: buyers are cold-sheet and ship-plate makers, and 唐山冷轧 needs it
    ids = [r["id"] for r in recommend_partners(store, "E10", "SUPPLIED_BY")["results"]]
    assert ids[0] == "E6"
    assert {"E5", "E1"} <= set(ids)


def test_queries_recommend_size_complementarity_and_region(store: Store) -> None:
    build_sample(store)
    out = recommend_partners(store, "E1", "COOPERATES_WITH", region="13", top=20)
    reasons = {r["id"]: r["reasons"] for r in out["results"]}
    assert "E5" not in reasons  # already cooperates
    # 石家庄汽车部件: a 专精特新 SME in 河北 (13) that 唐钢's customer 唐山冷轧 supplies
    assert any(t.startswith("大中小企业融通") for t in reasons["E4"])
    assert any(t.startswith("位于所选地区") for t in reasons["E4"])
    assert "专精特新中小企业" in reasons["E4"]
    assert any(t.startswith("有共同合作伙伴") for t in reasons["E4"])


def test_queries_recommend_bad_input(store: Store) -> None:
    build_sample(store)
    with pytest.raises(InvalidInput):
        recommend_partners(store, "E1", "LIKES")
    with pytest.raises(NotFound):
        recommend_partners(store, "不存在的公司XYZ", "SUPPLIES")
    with pytest.raises(InvalidInput):
        recommend_partners(store, "E1", "SUPPLIES", top=0)
