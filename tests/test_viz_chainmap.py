"""Unit tests of the chain map payload (viz.chainmap) on dicts shaped like the query services'."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest

from viz.chainmap import (
    LAYOUT,
    MapOptions,
    band_height,
    build_map,
    extensible,
    gap_class,
    product_size,
    tier_family,
)
from viz.sample import sample_chain


def _ent(i: str, local: bool = True, size: str = "小型", tiers: list[str] | None = None,
         ) -> dict[str, Any]:
    return {"id": i, "name": f"企业{i}", "region_code": "130203" if local else "120100",
            "local": local, "size_class": size, "tiers": tiers or []}


@pytest.fixture
def small() -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    # Segments deliberately out of order: the map must still run 上游 → 中游 → 下游.
    detail = {"id": "c1", "name": "测试链", "region": "1302", "segments": [
        {"name": "下游", "nodes": [{"id": "p3", "name": "汽车零部件",
                                    "enterprises": [_ent("e4", size="中型"), _ent("e2")]}]},
        {"name": "上游", "nodes": [
            {"id": "p1", "name": "铁矿石", "enterprises": [
                _ent("e1", size="大型", tiers=["链主企业"]), _ent("e5", local=False)]},
            {"id": "p0", "name": "铁合金", "enterprises": [_ent("e6", local=False)]}]},
        {"name": "中游", "nodes": [{"id": "p2", "name": "热轧板卷", "enterprises": [
            _ent("e2", tiers=["专精特新中小企业"]), _ent("e3", size="微型")]}]},
    ]}
    gaps = {"chain": "c1", "region": "1302", "nodes": [
        {"id": "p0", "name": "铁合金", "segment": "上游", "local_count": 0, "external_count": 1,
         "class": "补链", "score": 0.9, "candidates": [{"id": "e6", "name": "企业e6"}]},
        {"id": "p2", "name": "热轧板卷", "segment": "中游", "local_count": 2,
         "external_count": 0, "class": "强链", "score": 0.5, "candidates": []},
        {"id": "p3", "name": "汽车零部件", "segment": "下游", "local_count": 2,
         "external_count": 0, "class": None, "score": 0.1, "candidates": [],
         "extensions": [{"id": "x", "name": "新能源汽车", "direction": "downstream"}]},
    ]}
    supplies = [{"source": "e1", "target": "e2", "product": "铁矿石"},
                {"source": "e3", "target": "e4", "product": "热轧板卷"},
                {"source": "e3", "target": "zz", "product": "not on the map"}]
    return detail, gaps, supplies


def _node(payload: dict[str, Any], nid: str) -> dict[str, Any]:
    return next(n for n in payload["nodes"] if n["id"] == nid)


def test_viz_chainmap_segments_run_left_to_right(small: Any) -> None:
    p = build_map(*small)
    assert [s["name"] for s in p["segments"]] == ["上游", "中游", "下游"]
    xs = [_node(p, f"p:{pid}")["x"] for pid in ("p1", "p2", "p3")]
    assert xs == sorted(xs) and len(set(xs)) == 3
    # Enterprises sit right of their home product, inside its column.
    e1 = _node(p, "e:e1")
    assert _node(p, "p:p1")["x"] < e1["x"] < _node(p, "p:p2")["x"]


def test_viz_chainmap_enterprises_appear_once_with_all_their_products(small: Any) -> None:
    p = build_map(*small)
    ent_nodes = [n for n in p["nodes"] if n["kind"] == "enterprise"]
    assert sorted(n["ref"] for n in ent_nodes) == ["e1", "e2", "e3", "e4", "e5", "e6"]
    e2 = next(e for e in p["enterprises"] if e["id"] == "e2")
    assert e2["products"] == ["p2", "p3"] and e2["home"] == "p2"
    produces = {(e["from"], e["to"]) for e in p["edges"] if e["kind"] == "produces"}
    assert ("e:e2", "p:p3") in produces and ("e:e2", "p:p2") in produces
    # The first listing's attributes win (e2 is 专精特新 in the 中游 node).
    assert _node(p, "e:e2")["tier"] == "special"


def test_viz_chainmap_encodes_size_tier_locality_and_gaps(small: Any) -> None:
    p = build_map(*small)
    leader = _node(p, "e:e1")
    assert leader["shape"] == "diamond" and leader["borderWidth"] >= 3
    assert _node(p, "e:e2")["shape"] == "star"
    assert _node(p, "e:e3")["shape"] == "dot"
    assert _node(p, "e:e5").get("opacity") == 0.5 and "opacity" not in leader
    assert _node(p, "e:e4")["color"]["background"] != _node(p, "e:e3")["color"]["background"]
    assert _node(p, "p:p0")["gap"] == "补链"
    assert _node(p, "p:p0")["color"]["background"] == "#e53935"
    assert _node(p, "p:p2")["gap"] == "强链"
    # A gapless node with extension directions is not a 延链 gap: drawn apart, undashed.
    assert _node(p, "p:p3")["gap"] is None and _node(p, "p:p3")["extensible"] is True
    assert _node(p, "p:p3")["color"]["border"] == "#7e57c2"
    assert "shapeProperties" not in _node(p, "p:p3")
    assert _node(p, "p:p1")["gap"] is None
    # Product size grows with the number of firms serving it.
    assert _node(p, "p:p1")["size"] > _node(p, "p:p0")["size"]


def test_viz_chainmap_supply_ties_emphasise_leaders_and_drop_unknown_ends(small: Any) -> None:
    p = build_map(*small)
    sup = {(e["from"], e["to"]): e for e in p["edges"] if e["kind"] == "supplies"}
    assert set(sup) == {("e:e1", "e:e2"), ("e:e3", "e:e4")}
    assert sup[("e:e1", "e:e2")]["lead"] and not sup[("e:e3", "e:e4")]["lead"]
    assert sup[("e:e1", "e:e2")]["width"] > sup[("e:e3", "e:e4")]["width"]


def test_viz_chainmap_product_level_supply_sums(small: Any) -> None:
    p = build_map(*small)
    agg = {(e["from"], e["to"]): e["count"] for e in p["edges"] if e["kind"] == "agg"}
    # e1 (铁矿石) → e2 (first product 热轧板卷); e3 (热轧板卷) → e4 (汽车零部件).
    assert agg == {("p:p1", "p:p2"): 1, ("p:p2", "p:p3"): 1}


def test_viz_chainmap_kpis(small: Any) -> None:
    k = build_map(*small)["kpis"]
    assert k["enterprises"] == 6 and k["local"] == 4 and k["local_share"] == pytest.approx(0.667)
    assert k["products"] == 4
    assert k["gaps"] == {"补链": 1, "强链": 1, "延链": 0} and k["extensible"] == 1
    assert k["leaders"] == 1 and k["supply_ties"] == 2


def test_viz_chainmap_without_gaps_or_supplies(small: Any) -> None:
    p = build_map(small[0])
    assert all(n.get("gap") is None for n in p["nodes"] if n["kind"] == "product")
    assert not [e for e in p["edges"] if e["kind"] == "supplies"]


def test_viz_chainmap_collapses_above_total_threshold() -> None:
    detail, gaps, supplies = sample_chain(700)
    p = build_map(detail, gaps, supplies)
    assert p["collapsed"] and p["kpis"]["enterprises"] > 600
    assert all(not pr["expanded"] for pr in p["products"])
    assert all(n["home"] is None and n["x"] is None
               for n in p["nodes"] if n["kind"] == "enterprise")
    label = next(n for n in p["nodes"] if n["kind"] == "product" and n["count"])["label"]
    assert label.endswith(")") and "\n(" in label


def test_viz_chainmap_collapses_only_crowded_products() -> None:
    detail, gaps, supplies = sample_chain(120)
    crowded = detail["segments"][1]["nodes"][0]
    crowded["enterprises"] = crowded["enterprises"] * 1 + [
        _ent(f"x{i}") for i in range(45)]
    p = build_map(detail, gaps, supplies, options=MapOptions(per_product_limit=40))
    by_id = {pr["id"]: pr for pr in p["products"]}
    assert not by_id[crowded["id"]]["expanded"]
    assert all(pr["expanded"] for pid, pr in by_id.items() if pid != crowded["id"])


def test_viz_chainmap_bands_do_not_overlap() -> None:
    p = build_map(*sample_chain(300))
    for seg in p["segments"]:
        col = sorted((pr for pr in p["products"] if pr["column"] == seg["index"]),
                     key=lambda pr: pr["y"])
        for a, b in pairwise(col):
            room = (band_height(len(a["slots"]), a["size"])
                    + band_height(len(b["slots"]), b["size"])) / 2
            assert b["y"] - a["y"] == pytest.approx(room)
    # Every visible enterprise lies within its product's band.
    prods = {pr["id"]: pr for pr in p["products"]}
    for e in p["enterprises"]:
        pr = prods[e["home"]]
        assert abs(e["y"] - pr["y"]) <= band_height(len(pr["slots"]), pr["size"]) / 2
        assert pr["x"] + LAYOUT["grid_dx"] <= e["x"] < pr["x"] + LAYOUT["col_width"]


@pytest.mark.parametrize(("tiers", "family"), [
    pytest.param(["链主企业"], "leader", id="leader"),
    pytest.param(["高新技术企业", "专精特新小巨人"], "special", id="little-giant"),
    pytest.param(["制造业单项冠军"], "special", id="champion"),
    pytest.param(["高新技术企业"], "none", id="hightech-only"),
    pytest.param(None, "none", id="none"),
])
def test_viz_chainmap_tier_family(tiers: list[str] | None, family: str) -> None:
    assert tier_family(tiers) == family


def test_viz_chainmap_gap_class_and_size_helpers() -> None:
    assert gap_class(None) is None
    assert gap_class({"class": "补链"}) == "补链"
    assert gap_class({"class": "延链"}) == "延链"
    assert gap_class({"class": None, "extensions": [{"name": "x"}]}) is None
    assert extensible({"class": None, "extensions": [{"name": "x"}]})
    assert not extensible({"class": "强链", "extensions": [{"name": "x"}]})
    assert not extensible({"class": None, "extensions": []}) and not extensible(None)
    assert product_size(0) < product_size(10) < product_size(100) <= 60


def test_viz_chainmap_sample_is_deterministic_and_has_each_gap_class() -> None:
    a, b = sample_chain(150), sample_chain(150)
    assert a == b
    classes = {gap_class(n) for n in a[1]["nodes"]}
    assert {"补链", "强链", "延链"} <= classes
    assert any(extensible(n) for n in a[1]["nodes"])
    # The map's counts are the gap service's classes, node for node.
    k = build_map(*a)["kpis"]
    assert k["gaps"] == {c: sum(n["class"] == c for n in a[1]["nodes"]) for c in k["gaps"]}
