"""The recommender's in-memory tie graph (``queries/tiegraph.py``) answers exactly what the
Cypher queries answer (both engines), follows writes made here or by another process, and
is built once by concurrent requests."""

from __future__ import annotations

import random
import threading
import time
from typing import Any

import numpy as np
import pytest

from graph.store import Store
from graph.writes import merge_nodes, merge_rels, node_row, rel_row
from queries import SCAN_TIMEOUT_S, recommend, rel_text, tiegraph
from queries.linkscore import affinity_model
from queries.linkwalk import walk_model
from queries.recommend import (
    ENTERPRISE_TIES,
    PEER_HUB,
    Weights,
    clear_cache,
    rank_partners,
    recommend_partners,
)
from tests.queries_sample import (
    CONCURRENT_KEYS,
    ask_concurrently,
    build_sample,
    merge_from_another_process,
    spy_reads,
)

PROV = {"source": "tests", "method": "manual", "confidence": 1.0, "run_id": "t"}
RELATIONS = ("SUPPLIES", "SUPPLIED_BY", "COOPERATES_WITH", "INVESTS_IN")


@pytest.fixture(autouse=True)
def _fresh_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    clear_cache()
    # no rate limit: every change is followed by a rebuild, so the tie graph is what answers
    monkeypatch.setattr(tiegraph, "REBUILD_GAP_S", 0.0)
    monkeypatch.setattr(tiegraph, "REBUILD_FACTOR", 0.0)
    monkeypatch.setattr(tiegraph, "BACKGROUND", False)  # built by the request that needs it


def _random_ties(store: Store, seed: int = 3, n: int = 60) -> None:
    """A denser random tie graph on top of the sample: repeated and missing names, a hub,
    parallel ties of several types, so orders and sums are put to the test."""
    rng = random.Random(seed)
    names = ["甲公司", "乙公司", "丙公司", None, "丁公司", "甲公司"]
    merge_nodes(store, "Enterprise", [
        node_row(f"R{i:03d}", {k: v for k, v in {
            "name": rng.choice(names), "region_code": rng.choice(["130207", "110105", None]),
            "size_class": rng.choice(["大型", "中型", "小型", None]),
            "tiers": rng.choice([["链主企业"], [], ["专精特新中小企业", "高新技术企业"], None]),
            **PROV}.items() if v is not None}) for i in range(n)])
    ids = [f"R{i:03d}" for i in range(n)] + [f"E{i}" for i in range(1, 11)]
    for rel in ENTERPRISE_TIES:
        pairs = {(rng.choice(ids), rng.choice(ids)) for _ in range(n)}
        pairs |= {("R000", b) for b in rng.sample(ids, 25)}  # a hub
        merge_rels(store, rel, "Enterprise", "Enterprise",
                   [rel_row(a, b, PROV) for a, b in sorted(pairs) if a != b])
    # needs about products and capabilities, with repeated and missing names, every status,
    # firms making and holding several of them: the need rows' order is put to the test
    products = ["p_ore", "p_coke", "p_hot", "p_cold", "p_ship"]
    caps = ["c_roll", "c_weld", "c_paint"]
    merge_nodes(store, "Capability", [node_row(k, {"name": k}) for k in caps])
    merge_rels(store, "PRODUCES", "Enterprise", "Product", [
        rel_row(a, p, PROV) for a, p in sorted({(rng.choice(ids), rng.choice(products))
                                                for _ in range(40)})])
    merge_rels(store, "HAS_CAPABILITY", "Enterprise", "Capability", [
        rel_row(a, k, PROV) for a, k in sorted({(rng.choice(ids), rng.choice(caps))
                                                for _ in range(30)})])
    needs = [(f"RN{i:02d}", rng.choice(ids), rng.choice(["采购甲", "采购乙", None, "采购丙"]),
              rng.choice(products + caps), rng.choice(["open", "closed", None]))
             for i in range(40)]
    merge_nodes(store, "Need", [node_row(n, {k: v for k, v in {
        "name": name, "status": st, **PROV}.items() if v is not None})
        for n, _e, name, _x, st in needs])
    merge_rels(store, "NEEDS", "Enterprise", "Need", [rel_row(e, n, PROV)
                                                      for n, e, *_ in needs])
    merge_rels(store, "ABOUT", "Need", "Product", [rel_row(n, x) for n, _e, _m, x, _s in needs
                                                   if x in products])
    merge_rels(store, "ABOUT", "Need", "Capability", [rel_row(n, x) for n, _e, _m, x, _s in needs
                                                      if x in caps])


def _answers(store: Store, cases: list[tuple[str, str, dict[str, Any]]]) -> list[Any]:
    return [recommend_partners(store, key, rel, **kw) for key, rel, kw in cases]


def _cases(ids: list[str]) -> list[tuple[str, str, dict[str, Any]]]:
    cases: list[tuple[str, str, dict[str, Any]]] = [
        (i, rel, {"top": 20}) for i in ids for rel in RELATIONS]
    cases += [(i, "COOPERATES_WITH", {"region": "13", "top": 5}) for i in ids[::3]]
    cases += [("唐钢", "SUPPLIES", {"need": "废钢"}), ("91130200104363781Q", "SUPPLIED_BY", {}),
              ("E1", "SUPPLIES", {"need": "N2", "region": "1302"}),
              ("E1", "SUPPLIES", {"need": "采购船用钢板"})]
    return cases


def test_recommend_tiegraph_rows_match_the_cypher_queries(store: Store) -> None:
    build_sample(store)
    _random_ties(store)
    agg = recommend._current(store)
    tg = recommend._ties(store, agg)
    assert tg is not None
    ids = [f"R{i:03d}" for i in range(60)] + [f"E{i}" for i in range(1, 11)]
    for eid in ids:
        want = store.read(rel_text(store, "rec_shared_partners", ENTERPRISE_TIES),
                          {"id": eid, "limit": 200})
        assert tg.shared_partners(eid, 200) == want, eid
        for types in (ENTERPRISE_TIES, ("SUPPLIES",), ("INVESTS_IN",)):
            want = store.read(rel_text(store, "rec_relation_peers", types),
                              {"id": eid, "limit": 200, "cap": PEER_HUB})
            assert tg.relation_peers(eid, types, 200, PEER_HUB) == want, (eid, types)
        # a small limit and cap cut the same rows
        want = store.read(rel_text(store, "rec_relation_peers", ENTERPRISE_TIES),
                          {"id": eid, "limit": 3, "cap": 5})
        assert tg.relation_peers(eid, ENTERPRISE_TIES, 3, 5) == want, eid
        for rel in ("SUPPLIES", "COOPERATES_WITH", "INVESTS_IN"):
            row = store.read(rel_text(store, "rec_enterprise", rel), {"id": eid})[0]
            mine = tg.enterprise(eid, rel)
            assert mine is not None
            for k in ("ties", "products", "industries"):
                assert sorted(mine.pop(k)) == sorted(row.pop(k)), (eid, rel, k)
            assert mine == row
    for eid in ids:  # rec_suppliers and rec_buyers, in the recommender's row order
        for query, buyers, need in (("rec_suppliers", False, None), ("rec_buyers", True, None),
                                    ("rec_suppliers", False, "RN07"),
                                    ("rec_suppliers", False, "采购甲")):  # by its name
            rows = recommend._by_need(recommend.run(store, query, {"id": eid, "need": need}))
            at, names = tg.need_rows(tg.index(eid), buyers, need)
            assert [tg.id_of(int(i)) for i in at] == [r["id"] for r in rows], (eid, query)
            assert names == [r["product"] for r in rows], (eid, query)
    got = tg.details([*ids, "nobody"])
    assert got == {r["id"]: r for r in recommend.run(store, "rec_details", {"ids": ids})}
    assert tg.enterprise("nobody", "SUPPLIES") is None


def test_recommend_tiegraph_answers_equal_the_cypher_path(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    build_sample(store)
    _random_ties(store)
    cases = _cases([f"R{i:03d}" for i in range(0, 60, 4)] + [f"E{i}" for i in range(1, 11)])
    fast = _answers(store, cases)
    assert recommend._current(store).ties.graph is not None  # the tie graph answered
    monkeypatch.setattr(tiegraph, "ENABLED", False)
    clear_cache()
    slow = _answers(store, cases)
    assert recommend._current(store).ties.graph is None
    assert fast == slow


@pytest.mark.parametrize("weights", [
    pytest.param(Weights(popularity=0.0, need=0.0, industry=0.0), id="zero-scores-dropped"),
    pytest.param(Weights(region=-0.5, size=1.5, tier=0.0), id="negative-bonus"),
    pytest.param(Weights(shared=2.0, peers=0.0, affinity=1.0, walk=0.5), id="cooperation-models"),
])
def test_recommend_tiegraph_weights_rank_as_the_cypher_path(
        store: Store, monkeypatch: pytest.MonkeyPatch, weights: Weights) -> None:
    """The array scoring and its short-list rounds give the Cypher path's answers with
    weights that leave candidates at 0 (dropped), a negative bonus, or the cooperation
    models on for every relation."""
    build_sample(store)
    _random_ties(store)
    ids = [f"R{i:03d}" for i in range(0, 60, 6)] + ["E1", "E3", "E6"]

    def answers() -> list[Any]:
        return [rank_partners(store, i, rel, prefix="13", top=top, weights=weights)
                for i in ids for rel in RELATIONS for top in (1, 7)]

    fast = answers()
    assert recommend._current(store).ties.graph is not None
    monkeypatch.setattr(tiegraph, "ENABLED", False)
    clear_cache()
    assert answers() == fast


def test_recommend_tiegraph_set_helpers_equal_numpy() -> None:
    rng = np.random.default_rng(5)
    for size in (0, 1, 2, 50, 700):
        a = rng.integers(0, 40, size)
        table = np.unique(rng.integers(0, 40, size // 2 + 1))
        assert np.array_equal(tiegraph.sorted_unique(a), np.unique(a))
        got, at = tiegraph.unique_inverse(a)
        want, want_at = np.unique(a, return_inverse=True)
        assert np.array_equal(got, want) and np.array_equal(at, want_at.ravel())
        assert np.array_equal(tiegraph.contains(table, a), np.isin(a, table))
        assert not tiegraph.contains(table[:0], a).any()
    ids = np.array([b"E10", b"E2", b"E1", b"E2"])
    assert tiegraph.sorted_unique(ids).tolist() == [b"E1", b"E10", b"E2"]  # the ids' order


def test_recommend_tiegraph_follows_a_write_through_the_store(store: Store) -> None:
    build_sample(store)
    before = recommend_partners(store, "E3", "COOPERATES_WITH", top=20)["results"]
    agg = recommend._current(store)
    first = agg.ties.graph
    assert first is not None
    assert any(r["id"] == "E1" for r in before)  # E3 supplies E1: a candidate
    merge_rels(store, "COOPERATES_WITH", "Enterprise", "Enterprise", [rel_row("E3", "E1", PROV)])
    after = recommend_partners(store, "E3", "COOPERATES_WITH", top=20)["results"]
    assert not any(r["id"] == "E1" for r in after)  # now tied: excluded
    graph = recommend._current(store).ties.graph
    assert graph is not None and graph is not first


def test_recommend_tiegraph_follows_a_need_closed_by_another_process(
        store: Store, request: pytest.FixtureRequest) -> None:
    """A need's status is a property: closing it moves no relationship count, yet the next
    answer no longer matches it (the needs are read again with every change)."""
    build_sample(store)
    first = recommend_partners(store, "E1", "SUPPLIES", top=20)["results"]
    assert any("匹配需求：采购船用钢板" in r["reasons"] for r in first)
    merge_from_another_process(store, request, "Need", "N2", {"status": "closed"})
    after = recommend_partners(store, "E1", "SUPPLIES", top=20)["results"]
    assert not any("匹配需求：采购船用钢板" in r["reasons"] for r in after)
    assert recommend._current(store).ties.graph is not None  # the tie graph answered


def test_recommend_tiegraph_follows_a_rename_by_another_process(
        store: Store, request: pytest.FixtureRequest) -> None:
    build_sample(store)
    first = recommend_partners(store, "E3", "COOPERATES_WITH", top=20)["results"]
    agg = recommend._current(store)
    old = agg.ties.graph
    assert old is not None
    target = first[0]
    merge_from_another_process(store, request, "Enterprise", target["id"],
                               {"name": "改名后的企业有限公司"})
    after = recommend_partners(store, "E3", "COOPERATES_WITH", top=20)["results"]
    assert next(r for r in after if r["id"] == target["id"])["name"] == "改名后的企业有限公司"
    new = recommend._current(store).ties.graph
    assert new is not None and new is not old
    assert new.ties is old.ties  # a property change: the tie arrays were kept


def test_recommend_tiegraph_rate_limit_falls_back_to_cypher(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Right after a build, a change is answered by the Cypher queries (the same answers)
    instead of a second full scan."""
    build_sample(store)
    recommend_partners(store, "E1", "SUPPLIES")
    monkeypatch.setattr(tiegraph, "REBUILD_GAP_S", 3600.0)
    merge_nodes(store, "Enterprise", [node_row("E5", {"name": "天津船板新名有限公司"})])
    out = recommend_partners(store, "E1", "SUPPLIES", top=20)["results"]
    assert "天津船板新名有限公司" in {r["name"] for r in out}
    agg = recommend._current(store)
    assert recommend._ties(store, agg) is None


def test_recommend_tiegraph_concurrent_requests_build_once(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    build_sample(store)
    cases = [(e, "COOPERATES_WITH") for e in CONCURRENT_KEYS]
    want = {c: recommend_partners(store, *c, top=5)["results"] for c in cases}
    clear_cache()
    builds = []
    real = tiegraph.build

    def build(*a: Any, **kw: Any) -> Any:
        builds.append(1)
        return real(*a, **kw)

    monkeypatch.setattr(tiegraph, "build", build)
    got = ask_concurrently(store, 8)
    for i, results in got.items():
        assert results == want[cases[i % 4]]  # those that found the build running used Cypher
    assert len(builds) == 1
    assert recommend._current(store).ties.builds == 1


def test_recommend_tiegraph_background_build(store: Store, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    """In the service the graph is built in a thread: the request that starts the build is
    answered by the Cypher queries at once, later ones by the graph, alike."""
    build_sample(store)
    monkeypatch.setattr(tiegraph, "BACKGROUND", True)
    first = recommend_partners(store, "E1", "COOPERATES_WITH", region="13")
    agg = recommend._current(store)
    for t in threading.enumerate():
        if t.name == "tiegraph-build":
            t.join(timeout=60)
    assert agg.ties.builds == 1 and agg.ties.graph is not None
    assert recommend._ties(store, agg) is agg.ties.graph
    assert recommend_partners(store, "E1", "COOPERATES_WITH", region="13") == first


def test_recommend_tiegraph_slow_builds_run_outside_the_scoring_lock(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Scoring from the tie graph is one request at a time per process; the walk's and the
    affinity's graph-wide builds (seconds at scale) must not run inside that lock, or every
    other request of the process would wait for them."""
    build_sample(store)
    # the tie graph is built and answering (investment uses neither the walk nor an affinity)
    recommend_partners(store, "E1", "INVESTS_IN")
    assert recommend._ties(store, recommend._current(store)) is not None
    held: dict[str, bool] = {}
    real_walk, real_affinity = recommend.walk_model, recommend.affinity_model

    def walk_model(*a: Any, **kw: Any) -> Any:
        held["walk"] = recommend._SCORING.locked()
        return real_walk(*a, **kw)

    def affinity_model(*a: Any, **kw: Any) -> Any:
        held["affinity"] = recommend._SCORING.locked()
        return real_affinity(*a, **kw)

    monkeypatch.setattr(recommend, "walk_model", walk_model)
    monkeypatch.setattr(recommend, "affinity_model", affinity_model)
    got = recommend_partners(store, "E1", "COOPERATES_WITH")
    assert held == {"walk": False, "affinity": False}
    assert got["results"]  # and the request still scores with them


def test_recommend_scoring_lock_is_taken_in_arrival_order() -> None:
    """The scoring lock goes to the oldest waiter (a plain lock let newcomers barge in,
    and some requests waited turn after turn: the API's p99)."""
    lock = recommend._FairLock()
    order: list[int] = []

    def take(i: int) -> None:
        with lock:
            order.append(i)

    threads = []
    with lock:
        assert lock.locked()
        for i in range(6):
            t = threading.Thread(target=take, args=(i,))
            t.start()
            threads.append(t)
            while len(lock._waiters) < i + 1:  # queued before the next one starts
                time.sleep(0.001)
    for t in threads:
        t.join(5)
    assert order == list(range(6))
    assert not lock.locked()


def test_recommend_tiegraph_scans_have_their_own_time_limit(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """The graph-wide scans the models are built from (tie graph, walk, affinity) are not
    cut at the store's limit for one query (on a busy Neo4j at 100k a tie scan outlasted it
    and no build ever finished)."""
    build_sample(store)
    reads = spy_reads(monkeypatch, store)
    g = tiegraph.build(store, store.data_version(), ENTERPRISE_TIES)
    assert g.n > 0 and g.index("E1") >= 0
    # enterprises, needs, one scan per tie type, products, industries, capabilities
    assert len(reads) == 2 + len(ENTERPRISE_TIES) + 3
    walk = walk_model(store, ENTERPRISE_TIES)
    assert "E1" in walk.index
    affinity_model(store, "COOPERATES_WITH", {"E1": (1, 1)})
    assert len(reads) == 2 + len(ENTERPRISE_TIES) + 3 + 2 + 3
    assert {t for _q, t in reads} == {SCAN_TIMEOUT_S}


def test_recommend_tiegraph_failed_build_backs_off_by_its_cost(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build that fails (a store too busy to answer the scans) is not tried again every
    REBUILD_GAP_S: the next attempt waits REBUILD_FACTOR times what the failed one cost;
    meanwhile the Cypher queries answer."""
    build_sample(store)
    attempts = []

    def failing(*a: Any, **kw: Any) -> Any:
        attempts.append(1)
        time.sleep(0.05)
        raise RuntimeError("scan cancelled")

    monkeypatch.setattr(tiegraph, "build", failing)
    monkeypatch.setattr(tiegraph, "REBUILD_FACTOR", 1000.0)  # 0.05 s cost: 50 s of waiting
    cache = tiegraph.TieCache(ENTERPRISE_TIES)
    version = store.data_version()
    assert cache.get(store, version) is None
    assert cache.get(store, version) is None
    assert len(attempts) == 1
    assert recommend_partners(store, "E1", "SUPPLIES")["results"]  # the Cypher path answers
