"""Partner recommendations on the sample graph (both engines): direction, reasons, exclusions."""

from __future__ import annotations

import pytest

from graph.errors import InvalidInput, NotFound
from graph.store import Store
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
