"""The recommender's fast paths give the answers of the plain computation (both engines):
the short list that skips display fields, the cached aggregates and their invalidation."""

from __future__ import annotations

import pytest

from graph.store import Store
from graph.writes import merge_rels, rel_row
from queries import recommend, rel_text
from queries.recommend import clear_cache, recommend_partners
from tests.queries_sample import (
    CONCURRENT_KEYS,
    ask_concurrently,
    build_sample,
    merge_from_another_process,
)

PROV = {"source": "tests", "method": "manual", "confidence": 1.0, "run_id": "t"}


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    clear_cache()


@pytest.mark.parametrize("relation", ["SUPPLIES", "SUPPLIED_BY", "COOPERATES_WITH",
                                      "INVESTS_IN"])
def test_recommend_short_list_matches_full_ranking(store: Store, relation: str) -> None:
    build_sample(store)
    for eid in ("E1", "E3", "E6", "E10"):
        full = recommend_partners(store, eid, relation, region="13", top=50)["results"]
        for top in (1, 3):
            short = recommend_partners(store, eid, relation, region="13", top=top)["results"]
            assert short == full[:top], (eid, relation, top)


def test_recommend_aggregates_follow_graph_changes(store: Store) -> None:
    build_sample(store)
    before = recommend_partners(store, "E3", "COOPERATES_WITH", top=20)["results"]
    assert not any(r["id"] == "E7" for r in before)  # no tie of any kind near 迁安矿业
    first = recommend._current(store)
    assert recommend._current(store) is first  # same graph: the cache is kept
    # 北京家电外壳 becomes the cooperation partner of three firms: popular now
    merge_rels(store, "COOPERATES_WITH", "Enterprise", "Enterprise",
               [rel_row(a, "E7", PROV) for a in ("E2", "E6", "E9")])
    assert recommend._current(store) is not first  # the relationship count moved
    after = recommend_partners(store, "E3", "COOPERATES_WITH", top=20)["results"]
    e7 = next(r for r in after if r["id"] == "E7")
    assert any("3 次被列为合作方" in t for t in e7["reasons"])


def test_recommend_aggregates_survive_service_records_but_not_ties(store: Store) -> None:
    """Recording matchmaking services (REQUESTED, ABOUT, MATCHED at ServiceRequest nodes)
    changes nothing the recommender reads: its aggregates are kept, and its answers are
    those of a fresh computation. A tie written afterwards still replaces them."""
    from queries import service_writes as sv

    build_sample(store)
    before = recommend_partners(store, "E3", "COOPERATES_WITH", top=20)["results"]
    first = recommend._current(store)
    version = store.data_version()
    made = sv.create_request(store, enterprise="E1", area="物资采购", title="采购船用钢板",
                             about="p_ship", request_id="SR-keep")
    sv.advance(store, made.id, "matching")
    sv.offer_matches(store, made.id, ["E3"])
    assert store.data_version() != version  # the engine saw the writes
    assert recommend._current(store) is first  # but none the aggregates read
    kept = recommend_partners(store, "E3", "COOPERATES_WITH", top=20)["results"]
    clear_cache()
    assert kept == before == recommend_partners(store, "E3", "COOPERATES_WITH",
                                                top=20)["results"]
    again = recommend._current(store)
    merge_rels(store, "COOPERATES_WITH", "Enterprise", "Enterprise",
               [rel_row("E2", "E7", PROV)])
    assert recommend._current(store) is not again  # a tie is structure


def test_recommend_chain_pool_prefers_smes_for_a_leading_firm(store: Store) -> None:
    build_sample(store)
    # 唐钢 (链主) makes hot and cold coil. Upstream makers: 迁安矿业 (微型, ore), 丰南焦化
    # (中型, coke), 山西焦煤 (大型 链主, coke), 邯郸废钢 (小型, scrap), 迁安钢铁 (中型, hot coil
    # for its cold coil). With a pool of one, the first SME by id comes for a leading firm
    # (融通), the leading firm otherwise; candidates found elsewhere are always checked.
    old = recommend.CHAIN_POOL
    recommend.CHAIN_POOL = 1
    try:
        agg = recommend._current(store)
        mine = ["p_hot", "p_cold"]
        sme = recommend._chain_rows(store, agg, "E1", mine, "SUPPLIES", True, set())
        assert sme == {"E10": "热轧板卷 → 冷轧薄板"}
        lead = recommend._chain_rows(store, agg, "E1", mine, "SUPPLIES", False, set())
        assert lead == {"E9": "焦炭 → 热轧板卷"}
        both = recommend._chain_rows(store, agg, "E1", mine, "SUPPLIES", True, {"E8", "E7"})
        assert both == {"E10": "热轧板卷 → 冷轧薄板", "E8": "废钢 → 热轧板卷"}
    finally:
        recommend.CHAIN_POOL = old


def test_recommend_display_fields_follow_a_rename_by_another_process(
        store: Store, request: pytest.FixtureRequest) -> None:
    """A rename written by another process (a CLI ingest) moves no relationship count and
    none of this process's write counters, yet the next answer shows the new name."""
    build_sample(store)
    first = recommend_partners(store, "E3", "COOPERATES_WITH", top=20)["results"]
    assert first, "the sample gives E3 cooperation candidates"
    target = first[0]
    merge_from_another_process(store, request, "Enterprise", target["id"],
                               {"name": "改名后的企业有限公司"})
    agg = recommend._current(store)
    after = recommend_partners(store, "E3", "COOPERATES_WITH", top=20)["results"]
    renamed = next(r for r in after if r["id"] == target["id"])
    assert renamed["name"] == "改名后的企业有限公司"
    # the structural aggregates were kept: only the display fields were re-read
    assert recommend._current(store) is agg


def test_recommend_concurrent_cold_requests_build_each_aggregate_once(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests that arrive together on a fresh cache wait for one build of each
    graph-wide aggregate instead of each running the same full scan (on Neo4j that
    stampede stalled a 32-connection benchmark for minutes)."""
    from collections import Counter
    from typing import Any

    build_sample(store)
    want = {eid: recommend_partners(store, eid, "COOPERATES_WITH", top=5)["results"]
            for eid in CONCURRENT_KEYS}
    clear_cache()
    scans: Counter[str] = Counter()
    real_read, real_run = store.read, recommend.run

    def read(query: str, params: Any = None, **kw: Any) -> Any:
        if query == rel_text(store, "rec_degrees", "COOPERATES_WITH"):
            scans["degrees"] += 1
        return real_read(query, params, **kw)

    def run(s: Store, name: str, params: Any = None) -> Any:
        scans[name] += 1
        return real_run(s, name, params)

    monkeypatch.setattr(store, "read", read)
    monkeypatch.setattr(recommend, "run", run)
    got = ask_concurrently(store, 8)
    for i, results in got.items():
        assert results == want[CONCURRENT_KEYS[i % 4]]
    assert scans["degrees"] == 1
    assert scans["rec_structure"] <= 1
