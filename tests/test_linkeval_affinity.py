"""Industry affinity for link prediction (``queries/linkscore.py``) and its use by the
recommender for cooperation: the shares read off the graph, the candidates and their
Chinese reasons, on both engines."""

from __future__ import annotations

import math

import pytest

from graph.settings import get_settings
from graph.store import Store
from graph.writes import merge_nodes, merge_rels, node_row, rel_row
from queries.linkscore import AffinityModel, affinity_candidates, affinity_model
from queries.recommend import (
    DEFAULT_WEIGHTS,
    SUPPLY_GRAPH_WEIGHTS,
    Weights,
    clear_cache,
    recommend_partners,
)
from tests.queries_sample import spy_reads

PROV = {"source": "test", "method": "table", "confidence": 1.0, "run_id": "t"}


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    clear_cache()


def _graph(store: Store) -> None:
    """Carmakers (汽车) cooperate with AI firms (人工智能), never with each other; one bank."""
    industries = {"I_car": "汽车", "I_ai": "人工智能", "I_bank": "银行"}
    firms = {"C1": "I_car", "C2": "I_car", "C3": "I_car", "A1": "I_ai", "A2": "I_ai",
             "A3": "I_ai", "B1": "I_bank"}
    merge_nodes(store, "Industry", [node_row(k, {"name": v, **PROV})
                                    for k, v in industries.items()])
    merge_nodes(store, "Enterprise", [node_row(k, {"name": f"企业{k}", **PROV}) for k in firms])
    merge_rels(store, "IN_INDUSTRY", "Enterprise", "Industry",
               [rel_row(k, v, dict(PROV)) for k, v in firms.items()])
    ties = [("C1", "A1"), ("C2", "A1"), ("C2", "A2"), ("A3", "B1")]
    merge_rels(store, "COOPERATES_WITH", "Enterprise", "Enterprise",
               [rel_row(a, b, dict(PROV)) for a, b in ties])


def test_linkeval_affinity_candidates_weigh_share_and_activity() -> None:
    model = AffinityModel(
        shares={"I_car": [("I_ai", 0.75), ("I_bank", 0.25)]},
        members={"I_ai": [("A1", 3), ("A2", 1)], "I_bank": [("B1", 1), ("C9", 5)]},
        names={"I_car": "汽车", "I_ai": "人工智能", "I_bank": "银行"})
    out = affinity_candidates(model, ["I_car", "I_car"], "C9")
    assert set(out) == {"A1", "A2", "B1"}  # the enterprise itself is never proposed
    assert out["A1"][0] == pytest.approx(0.75 * math.log1p(3))
    assert out["B1"][0] == pytest.approx(0.25 * math.log1p(1))
    assert out["A1"][0] > out["A2"][0] > out["B1"][0]
    assert out["A1"][1] == "行业合作倾向：汽车企业常与人工智能企业合作"
    assert affinity_candidates(model, ["I_none"], "C9") == {}
    # a limit keeps the strongest, plus candidates the recommender found otherwise
    assert set(affinity_candidates(model, ["I_car"], "C9", limit=1)) == {"A1"}
    assert set(affinity_candidates(model, ["I_car"], "C9", known={"B1"}, limit=1)) == {"A1", "B1"}
    assert (affinity_candidates(model, ["I_car"], "C9", "投资")["A1"][1]
            == "行业投资倾向：汽车企业常与人工智能企业有投资往来")


def test_linkeval_affinity_model_reads_shares_and_members(store: Store) -> None:
    _graph(store)
    degrees = {"C1": (1, 0), "C2": (2, 0), "A1": (0, 2), "A2": (0, 1), "A3": (1, 0),
               "B1": (0, 1)}
    model = affinity_model(store, "COOPERATES_WITH", degrees)
    # 汽车's 3 ties all go to 人工智能; 人工智能's 4 ties: 3 with 汽车, 1 with 银行
    assert model.shares["I_car"] == [("I_ai", 1.0)]
    assert model.shares["I_ai"] == [("I_car", 0.75), ("I_bank", 0.25)]
    assert model.shares["I_bank"] == [("I_ai", 1.0)]
    # members: only firms with a tie of the type, most ties first (C3 has none)
    assert model.members["I_car"] == [("C2", 2), ("C1", 1)]
    assert model.members["I_ai"] == [("A1", 2), ("A2", 1), ("A3", 1)]
    assert model.names["I_bank"] == "银行"


def test_linkeval_affinity_drives_cooperation_recommendations(store: Store) -> None:
    _graph(store)
    assert DEFAULT_WEIGHTS["COOPERATES_WITH"].affinity > 0
    # C3 (汽车) has no tie at all: structure cannot help, its industry's habits can
    out = recommend_partners(store, "C3", "COOPERATES_WITH")
    ids = [r["id"] for r in out["results"]]
    assert ids[0] == "A1"  # the most active AI firm
    assert {"A1", "A2"} <= set(ids)
    top = out["results"][0]
    assert "行业合作倾向：汽车企业常与人工智能企业合作" in top["reasons"]
    assert any(t.startswith("已有 2 条合作关系") for t in top["reasons"])
    # without the signal, nothing explains an AI firm by industry affinity
    clear_cache()
    plain = recommend_partners(store, "C3", "COOPERATES_WITH",
                               weights=Weights(affinity=0.0, popularity=0.6))
    assert not any(t.startswith("行业合作倾向") for r in plain["results"] for t in r["reasons"])
    # existing partners stay excluded: C2 already cooperates with A1 and A2
    ids2 = [r["id"] for r in recommend_partners(store, "C2", "COOPERATES_WITH")["results"]]
    assert "A1" not in ids2 and "A2" not in ids2 and "A3" in ids2


def test_linkeval_affinity_drives_supply_recommendations(store: Store,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """With RONGLIAN_RECOMMEND_SUPPLY_GRAPH, supply learns its industry pairs the same way:
    steelmakers supply carmakers, so a carmaker with no tie is offered the most active
    steelmaker, and a steelmaker with no tie the carmakers, each with a reason naming the
    pair."""
    monkeypatch.setenv("RONGLIAN_RECOMMEND_SUPPLY_GRAPH", "true")
    get_settings.cache_clear()
    industries = {"I_steel": "钢铁", "I_car": "汽车"}
    firms = {"S1": "I_steel", "S2": "I_steel", "S3": "I_steel", "C1": "I_car", "C2": "I_car",
             "C3": "I_car"}
    merge_nodes(store, "Industry", [node_row(k, {"name": v, **PROV})
                                    for k, v in industries.items()])
    merge_nodes(store, "Enterprise", [node_row(k, {"name": f"企业{k}", **PROV}) for k in firms])
    merge_rels(store, "IN_INDUSTRY", "Enterprise", "Industry",
               [rel_row(k, v, dict(PROV)) for k, v in firms.items()])
    merge_rels(store, "SUPPLIES", "Enterprise", "Enterprise",
               [rel_row(a, b, dict(PROV)) for a, b in [("S1", "C1"), ("S1", "C2"), ("S2", "C2")]])
    assert (SUPPLY_GRAPH_WEIGHTS["SUPPLIES"].affinity > 0
            and SUPPLY_GRAPH_WEIGHTS["SUPPLIED_BY"].affinity > 0)
    suppliers = recommend_partners(store, "C3", "SUPPLIES")["results"]
    assert suppliers[0]["id"] == "S1"  # the most active steelmaker
    assert "行业供应倾向：汽车企业常与钢铁企业有供应往来" in suppliers[0]["reasons"]
    buyers = recommend_partners(store, "S3", "SUPPLIED_BY")["results"]
    assert buyers[0]["id"] == "C2"  # the carmaker with most supply ties
    assert "行业供应倾向：钢铁企业常与汽车企业有供应往来" in buyers[0]["reasons"]
    # with the setting off nothing is explained by the industries' supply habits
    monkeypatch.setenv("RONGLIAN_RECOMMEND_SUPPLY_GRAPH", "false")
    get_settings.cache_clear()
    clear_cache()
    plain = recommend_partners(store, "C3", "SUPPLIES")["results"]
    assert not any(t.startswith("行业供应倾向") for r in plain for t in r["reasons"])


def test_linkeval_affinity_read_once_per_graph_generation(store: Store,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _graph(store)
    reads = spy_reads(monkeypatch, store)

    def scans() -> int:  # rec_affinity_ties
        return sum(q.rstrip().endswith("RETURN h.id AS a, t.id AS b") for q, _t in reads)

    first = recommend_partners(store, "C3", "COOPERATES_WITH")["results"]
    recommend_partners(store, "C1", "COOPERATES_WITH")
    assert scans() == 1  # cached: the second request reads no full scan
    # a new tie changes the graph: the affinity is read again and follows it
    merge_rels(store, "COOPERATES_WITH", "Enterprise", "Enterprise",
               [rel_row("C1", "B1", dict(PROV))])
    again = recommend_partners(store, "C3", "COOPERATES_WITH")["results"]
    assert scans() == 2
    assert [r["id"] for r in again][:1] == [r["id"] for r in first][:1] == ["A1"]
    bank = next(r for r in again if r["id"] == "B1")
    assert any(t.startswith("行业合作倾向：汽车企业常与银行企业合作") for t in bank["reasons"])
