"""Random walk with restart for link prediction (``queries/linkwalk.py``) and its use by the
recommender for cooperation: the walk's mass on a small graph, the model read from the
store, the candidates and their Chinese reason, on both engines."""

from __future__ import annotations

import pytest

from graph.settings import get_settings
from graph.store import Store
from graph.writes import merge_rels, rel_row
from queries.linkwalk import (
    WALK_RESTART,
    build_walk_model,
    walk_candidates,
    walk_model,
    walk_scores,
)
from queries.recommend import (
    DEFAULT_WEIGHTS,
    ENTERPRISE_TIES,
    SUPPLY_GRAPH_WEIGHTS,
    Weights,
    clear_cache,
    recommend_partners,
)
from tests.queries_sample import spy_reads, walk_sample

PROV = {"source": "test", "method": "table", "confidence": 1.0, "run_id": "t"}
WALK_REASON = "关系网络相近：经多步业务或行业关联可达"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    clear_cache()


def test_linkeval_walk_scores_follow_the_walk() -> None:
    # a chain E - A - B - C (supply), plus E and D in one industry I
    model = build_walk_model([("E", "A", "SUPPLIES"), ("A", "B", "SUPPLIES"),
                              ("B", "C", "SUPPLIES")], [("E", "I"), ("D", "I")])
    s = walk_scores(model, "E")
    assert "E" not in s and "I" not in s  # the start and non-enterprises are never scored
    assert set(s) == {"A", "B", "C", "D"}
    a, r = WALK_RESTART, 1 - WALK_RESTART
    # E's ties: supply (weight 1) and industry (0.5): two thirds of the walk goes to A
    # ... and half of the third step comes back to A (from E, and from B)
    assert s["A"] == pytest.approx(a * r * 2 / 3 + a * r ** 3 / 2)
    assert s["B"] == pytest.approx(a * r ** 2 * 2 / 3 * 1 / 2)
    assert s["C"] == pytest.approx(a * r ** 3 * 2 / 3 * 1 / 2 * 1 / 2)
    assert s["D"] == pytest.approx(a * r ** 2 * 1 / 3 * 1 / 2)
    assert s["A"] > s["B"] > s["C"]  # nearer is stronger
    assert walk_scores(model, "nobody") == {}
    # cooperation ties weigh three times a plain tie
    coop = build_walk_model([("E", "X", "COOPERATES_WITH"), ("E", "Y", "COMPETES_WITH")])
    assert walk_scores(coop, "E")["X"] == pytest.approx(3 * walk_scores(coop, "E")["Y"])


def test_linkeval_walk_candidates_exclude_and_limit() -> None:
    model = build_walk_model([("E", f"F{i}", "SUPPLIES") for i in range(5)]
                             + [("F0", "G", "SUPPLIES")])
    out = walk_candidates(model, "E", exclude={"F1"})
    assert "F1" not in out and "E" not in out and set(out) == {"F0", "F2", "F3", "F4", "G"}
    assert set(walk_candidates(model, "E", limit=4)) == {"F0", "F1", "F2", "F3"}
    # a limit keeps the strongest, plus candidates the recommender found otherwise
    assert set(walk_candidates(model, "E", known={"G"}, limit=1)) == {"F0", "G"}


def test_linkeval_walk_model_reads_the_graph(store: Store) -> None:
    walk_sample(store)
    model = walk_model(store, ENTERPRISE_TIES)
    firms = {k for k, ent in zip(model.ids, model.enterprise, strict=True) if ent}
    assert firms == {"E", "S", "P", "Q", "Z", "Y"}
    assert len(model.ids) == 7  # and the industry, never a candidate
    assert "I1" not in walk_scores(model, "E")
    s = walk_scores(model, "E")
    # S one hop, P two, Q three (through S's industry); Z and Y unreachable
    assert set(s) == {"S", "P", "Q"} and s["S"] > s["P"] > s["Q"] > 0


def test_linkeval_walk_drives_cooperation_recommendations(store: Store) -> None:
    walk_sample(store)
    assert DEFAULT_WEIGHTS["COOPERATES_WITH"].walk > 0
    results = recommend_partners(store, "E", "COOPERATES_WITH")["results"]
    by_id = {r["id"]: r for r in results}
    # Q is three hops away, through S's industry: only the walk reaches it
    assert WALK_REASON in by_id["Q"]["reasons"]
    assert WALK_REASON in by_id["P"]["reasons"] and WALK_REASON in by_id["S"]["reasons"]
    assert not any(WALK_REASON in by_id[k]["reasons"] for k in ("Z", "Y") if k in by_id)
    # without the signal, nothing is explained by the walk and Q is not proposed at all
    clear_cache()
    plain = recommend_partners(store, "E", "COOPERATES_WITH",
                               weights=Weights(shared=1.0, peers=0.5, industry=0.3,
                                               affinity=1.0, popularity=0.75))["results"]
    assert not any(WALK_REASON in r["reasons"] for r in plain)
    assert "Q" not in {r["id"] for r in plain}
    # existing partners stay excluded: S already cooperates with P
    ids = [r["id"] for r in recommend_partners(store, "S", "COOPERATES_WITH")["results"]]
    assert "P" not in ids and "E" in ids


def test_linkeval_walk_drives_supply_recommendations(store: Store,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """With RONGLIAN_RECOMMEND_SUPPLY_GRAPH, supply asks the walk too (both ways): firms a few
    hops from E, which no supply-only signal reaches, are proposed with the walk's reason;
    the existing supply tie stays out. With it turned off supply does not walk."""
    walk_sample(store)
    monkeypatch.setenv("RONGLIAN_RECOMMEND_SUPPLY_GRAPH", "false")
    get_settings.cache_clear()
    assert "Q" not in {r["id"] for r in
                       recommend_partners(store, "E", "SUPPLIED_BY")["results"]}
    monkeypatch.setenv("RONGLIAN_RECOMMEND_SUPPLY_GRAPH", "true")
    get_settings.cache_clear()
    clear_cache()
    assert SUPPLY_GRAPH_WEIGHTS["SUPPLIED_BY"].walk > 0
    assert SUPPLY_GRAPH_WEIGHTS["SUPPLIES"].walk > 0
    buyers = {r["id"]: r for r in recommend_partners(store, "E", "SUPPLIED_BY")["results"]}
    assert "S" not in buyers  # E supplies S already
    # P (S's partner) and Q (in S's industry) are two hops from E, only through S
    assert WALK_REASON in buyers["P"]["reasons"] and WALK_REASON in buyers["Q"]["reasons"]
    assert not {"Z", "Y"} & set(buyers)
    suppliers = {r["id"]: r for r in recommend_partners(store, "Q", "SUPPLIES")["results"]}
    assert WALK_REASON in suppliers["E"]["reasons"]  # Q -> S (industry) -> E (supplies S)
    # the weights before the walk was added for supply: Q is not found (P is, as a partner
    # of a peer) and nothing is explained by the walk
    clear_cache()
    plain = recommend_partners(store, "E", "SUPPLIED_BY", weights=Weights())["results"]
    assert "Q" not in {r["id"] for r in plain}
    assert not any(WALK_REASON in r["reasons"] for r in plain)


def test_linkeval_walk_read_once_per_graph_generation(store: Store,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    walk_sample(store)
    reads = spy_reads(monkeypatch, store)

    def scans() -> int:  # rec_walk_ties
        return sum("type(r) AS type" in q for q, _t in reads)

    recommend_partners(store, "E", "COOPERATES_WITH")
    recommend_partners(store, "S", "COOPERATES_WITH")
    assert scans() == 1  # cached: the second request walks the cached graph
    # a new tie changes the graph: it is read again, and the walk follows the new tie
    merge_rels(store, "INVESTS_IN", "Enterprise", "Enterprise", [rel_row("E", "Z", dict(PROV))])
    again = {r["id"]: r for r in recommend_partners(store, "E", "COOPERATES_WITH")["results"]}
    assert scans() == 2
    assert WALK_REASON in again["Y"]["reasons"]  # Z's partner, now two hops away
