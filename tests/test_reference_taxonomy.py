"""Collaboration areas, capability taxonomy and enterprise tiers (seeds/taxonomy)."""

from __future__ import annotations

import pytest

from ingest.reference import (
    AREA_NAMES,
    capabilities,
    capability_rows,
    collaboration_areas,
    match_capability,
    normalize_area,
    normalize_tier,
    tiers,
)

MODEL_TIERS = {"链主企业", "专精特新中小企业", "专精特新小巨人", "制造业单项冠军", "高新技术企业"}


def test_reference_six_areas_in_standard_order() -> None:
    areas = collaboration_areas()
    assert tuple(a.zh for a in areas) == AREA_NAMES == (
        "创新创意", "设计研发", "生产制造", "物资采购", "市场营销", "资金融通")
    for a in areas:
        assert 6 <= len(a.capabilities) <= 12, a.zh
        assert a.en and a.description


def test_reference_capabilities_unique_and_typed() -> None:
    caps = capabilities()
    assert len({c.id for c in caps}) == len(caps)
    assert len({c.zh for c in caps}) == len(caps)
    by_id = {a.id: a.zh for a in collaboration_areas()}
    for c in caps:
        assert c.area in AREA_NAMES
        assert by_id[c.id.split(".")[0]] == c.area
        assert c.en
    rows = list(capability_rows())
    assert all(set(r) == {"id", "name", "area"} for r in rows)


def test_reference_tiers_match_graph_model() -> None:
    ts = tiers()
    assert {t.zh for t in ts} == MODEL_TIERS
    assert len({t.id for t in ts}) == 5
    assert all(t.description and t.en and t.authority for t in ts)


@pytest.mark.parametrize(
    ("text", "tier"),
    [
        pytest.param("小巨人", "专精特新小巨人", id="little-giant-short"),
        pytest.param("专精特新“小巨人”", "专精特新小巨人", id="little-giant-quoted"),
        pytest.param('专精特新"小巨人"', "专精特新小巨人", id="little-giant-ascii-quotes"),
        pytest.param("龙头企业", "链主企业", id="leading"),
        pytest.param("链主/龙头企业", "链主企业", id="label"),
        pytest.param("单项冠军", "制造业单项冠军", id="champion"),
        pytest.param("高企", "高新技术企业", id="hnte-slang"),
        pytest.param("high_tech", "高新技术企业", id="id"),
        pytest.param("专精特新", "专精特新中小企业", id="srdi"),
    ],
)
def test_reference_normalize_tier(text: str, tier: str) -> None:
    assert normalize_tier(text) == tier


@pytest.mark.parametrize("text", ["", "上市公司", "独角兽"])
def test_reference_unknown_tier(text: str) -> None:
    assert normalize_tier(text) is None


@pytest.mark.parametrize(
    ("text", "area"),
    [("融资", "资金融通"), ("研发", "设计研发"), ("design_rd", "设计研发"),
     ("Marketing and sales", "市场营销"), ("采购", "物资采购"), ("生产制造", "生产制造")],
)
def test_reference_normalize_area(text: str, area: str) -> None:
    assert normalize_area(text) == area


@pytest.mark.parametrize(
    ("text", "cap_id"),
    [
        pytest.param("供应链金融", "finance.supply_chain_finance", id="exact"),
        pytest.param("finance.leasing", "finance.leasing", id="id"),
        pytest.param("Financial leasing", "finance.leasing", id="english"),
        pytest.param("热处理", "manufacturing.heat_surface", id="partial"),
        pytest.param("电商", "marketing.ecommerce", id="tighter-name-wins"),
    ],
)
def test_reference_match_capability(text: str, cap_id: str) -> None:
    c = match_capability(text)
    assert c is not None and c.id == cap_id


@pytest.mark.parametrize("text", ["", "火箭发射", "xyz"])
def test_reference_match_capability_none(text: str) -> None:
    assert match_capability(text) is None
