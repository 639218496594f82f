"""The cooperation recommender's walk and affinity across graph changes
(``queries/modelcache.py``), on both engines: after a write the previous models answer while
one background thread builds the new ones, which then replace them; a cold start builds them
in the request, once, with one membership scan for both; concurrent requests start one build;
a failed build keeps the previous models and backs off; the synchronous switch (evaluations,
tests) answers as a fresh build does.

No test waits on a timer: a build is held by an event (:class:`_Gate`) and background threads
are joined; the backoff is checked on a clock the test moves (:class:`_Clock`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from graph.store import Store
from graph.writes import merge_rels, rel_row
from queries import QUERIES, modelcache, recommend, tiegraph
from queries.linkwalk import walk_scores
from queries.recommend import clear_cache, recommend_partners
from tests.queries_sample import (
    CONCURRENT_KEYS,
    ask_concurrently,
    build_sample,
    spy_reads,
    walk_sample,
)

PROV = {"source": "tests", "method": "manual", "confidence": 1.0, "run_id": "t"}
WALK_REASON = "关系网络相近：经多步业务或行业关联可达"
COOP = "COOPERATES_WITH"


@pytest.fixture(autouse=True)
def _background_models(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The service's mode (``tests/conftest.py`` switches it off for every other test), with
    no rate limit unless a test sets one; no thread outlives its test."""
    clear_cache()
    monkeypatch.setattr(modelcache, "BACKGROUND", True)
    monkeypatch.setattr(modelcache, "REBUILD_GAP_S", 0.0)
    monkeypatch.setattr(modelcache, "REBUILD_FACTOR", 0.0)
    monkeypatch.setattr(tiegraph, "BACKGROUND", False)  # the tie graph: no thread of its own
    yield
    for t in threading.enumerate():
        if t.name == modelcache.THREAD_NAME:
            t.join(timeout=120)
    clear_cache()


class _Gate:
    """Holds every build of the walk's model (or of another builder of ``recommend``,
    ``name``) until :attr:`release` is set (a build that "runs" as long as the test needs);
    ``fail``: then it raises instead; ``real``: the builder held."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, fail: bool = False,
                 name: str = "walk_model") -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.calls = 0
        self.real = real = getattr(recommend, name)

        def held(*a: Any, **kw: Any) -> Any:
            self.calls += 1
            self.started.set()
            if not self.release.wait(timeout=120):
                raise RuntimeError("the test never released the build")
            if fail:
                raise RuntimeError("scan cancelled")
            return real(*a, **kw)

        monkeypatch.setattr(recommend, name, held)


class _Clock:
    """A monotonic clock the test moves (the model cache's rate limit reads it)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


def _ask(store: Store, eid: str = "E") -> dict[str, list[str]]:
    """``{candidate: reasons}`` of ``eid``'s cooperation partners."""
    return {r["id"]: r["reasons"] for r in recommend_partners(store, eid, COOP)["results"]}


def _walk_now(store: Store) -> Any:
    """The walk's model a request would use now (starts no build: one is running or done)."""
    return recommend._walk(store, recommend._current(store))


def test_recommend_builds_stale_model_served_while_a_build_runs(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    walk_sample(store)
    before = _ask(store)  # a cold start: built in the request
    cache = modelcache.cache_for(store)
    assert cache.thread is None and cache.builds == 2  # the walk and the affinity
    assert WALK_REASON in before["Q"]
    old = _walk_now(store)
    gate = _Gate(monkeypatch)
    # E now cooperates with Q, and invests in Z (whose partner Y the walk can then reach)
    merge_rels(store, "COOPERATES_WITH", "Enterprise", "Enterprise", [rel_row("E", "Q", PROV)])
    merge_rels(store, "INVESTS_IN", "Enterprise", "Enterprise", [rel_row("E", "Z", PROV)])
    stale = _ask(store)  # answered while the new walk is held: from the previous one
    assert gate.started.wait(timeout=120) and not gate.release.is_set()
    assert cache.thread is not None and cache.thread.is_alive()
    # its own ties are the request's: Q, tied a moment ago, is not proposed again
    assert "Q" not in stale
    assert WALK_REASON not in stale.get("Y", [])  # the walk lags: Y is out of its reach
    assert _walk_now(store) is old
    gate.release.set()
    cache.join()
    # the same thread built the new aggregates first (``recommend._rebuilt``), then both
    assert gate.calls == 1 and cache.failures == 0 and cache.builds == 5
    new = _walk_now(store)
    assert new is not old and "Y" in walk_scores(new, "E") and "Y" not in walk_scores(old, "E")
    fresh = recommend_partners(store, "E", COOP)
    assert "Q" not in {r["id"] for r in fresh["results"]}
    assert WALK_REASON in {r["id"]: r["reasons"] for r in fresh["results"]}["Y"]
    # and that is what a synchronous build of this graph answers
    monkeypatch.setattr(modelcache, "BACKGROUND", False)
    clear_cache()
    assert recommend_partners(store, "E", COOP) == fresh


def test_recommend_builds_stale_model_never_shows_a_deleted_firm(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """The previous walk still reaches a firm deleted since; the request's own data does not
    know it, so it is never proposed (on the tie graph and on the Cypher path alike)."""
    monkeypatch.setattr(tiegraph, "REBUILD_GAP_S", 0.0)  # the tie graph follows every write
    monkeypatch.setattr(tiegraph, "REBUILD_FACTOR", 0.0)
    walk_sample(store)
    assert WALK_REASON in _ask(store)["Q"]
    old = _walk_now(store)
    gate = _Gate(monkeypatch)
    store.write("MATCH (q:Enterprise {id: 'Q'}) DETACH DELETE q")
    stale = _ask(store)
    assert gate.started.wait(timeout=120)
    assert _walk_now(store) is old and "Q" in walk_scores(old, "E")
    assert "Q" not in stale and stale  # the others are still proposed
    tg = recommend._ties(store, recommend._current(store))
    assert tg is not None and tg.index("Q") < 0  # answered from the new tie graph
    monkeypatch.setattr(tiegraph, "ENABLED", False)  # the Cypher path
    assert "Q" not in _ask(store)
    gate.release.set()
    modelcache.cache_for(store).join()
    assert "Q" not in walk_scores(_walk_now(store), "E")


def test_recommend_builds_cold_start_builds_once_in_the_request(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """No model yet: the first request builds both before answering (nothing is left to a
    thread), reading the industry memberships once for the walk and the affinity."""
    build_sample(store)
    reads = spy_reads(monkeypatch, store)
    members = QUERIES.get("rec_affinity_members", store.dialect)
    first = {e: recommend_partners(store, e, COOP)["results"] for e in CONCURRENT_KEYS}
    cache = modelcache.cache_for(store)
    assert cache.thread is None and cache.builds == 2
    assert sum(q == members for q, _t in reads) == 1
    # the same answers as synchronous builds
    monkeypatch.setattr(modelcache, "BACKGROUND", False)
    clear_cache()
    assert {e: recommend_partners(store, e, COOP)["results"] for e in CONCURRENT_KEYS} == first


def test_recommend_builds_single_flight_under_concurrent_requests(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    build_sample(store)
    calls = {"walk": 0, "affinity": 0}
    real_walk, real_affinity = recommend.walk_model, recommend.affinity_model

    def affinity_model(*a: Any, **kw: Any) -> Any:
        calls["affinity"] += 1
        return real_affinity(*a, **kw)

    def walk_model(*a: Any, **kw: Any) -> Any:
        calls["walk"] += 1
        return real_walk(*a, **kw)

    monkeypatch.setattr(recommend, "affinity_model", affinity_model)
    monkeypatch.setattr(recommend, "walk_model", walk_model)
    cold = ask_concurrently(store, 8)  # concurrent first requests wait for one build
    assert calls == {"walk": 1, "affinity": 1}
    cache = modelcache.cache_for(store)
    assert cache.thread is None and cache.builds == 2
    # after a change, concurrent requests are all answered while one thread builds
    gate = _Gate(monkeypatch)
    merge_rels(store, "COOPERATES_WITH", "Enterprise", "Enterprise", [rel_row("E3", "E6", PROV)])
    again = ask_concurrently(store, 8)
    assert gate.started.wait(timeout=120) and not gate.release.is_set()
    assert len(again) == 8 and all(again.values())
    assert sum(t.name == modelcache.THREAD_NAME for t in threading.enumerate()) == 1
    assert calls["affinity"] == 2 and gate.calls == 1
    gate.release.set()
    cache.join()
    assert gate.calls == 1 and calls["affinity"] == 2 and cache.builds == 5  # + aggregates
    assert len(cold) == 8


def test_recommend_builds_failed_background_build_keeps_the_stale_model_and_backs_off(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A background build that fails leaves the previous models answering; the next attempt
    waits BACKOFF_FACTOR times what the failed one cost (as the tie graph's does)."""
    walk_sample(store)
    clock = _Clock()
    monkeypatch.setattr(modelcache, "time", clock)
    monkeypatch.setattr(modelcache, "BACKOFF_FACTOR", 10.0)
    before = _ask(store)
    cache = modelcache.cache_for(store)
    old = _walk_now(store)
    attempts = []
    real = recommend.walk_model

    def failing(*a: Any, **kw: Any) -> Any:
        attempts.append(1)
        clock.now += 2.0  # the attempt cost 2 s: the next one waits 20 s
        raise RuntimeError("scan cancelled")

    monkeypatch.setattr(recommend, "walk_model", failing)
    merge_rels(store, "INVESTS_IN", "Enterprise", "Enterprise", [rel_row("E", "Z", PROV)])
    clock.now += 100.0
    stale = _ask(store)
    cache.join()
    assert attempts == [1] and cache.failures == 1
    assert _walk_now(store) is old
    assert WALK_REASON not in stale.get("Y", []) and WALK_REASON in before["Q"]
    clock.now += 17.0  # 17 s after the failed attempt ended: still backing off
    # (the new aggregates, built before the walk failed, serve: only the walk is old)
    assert WALK_REASON not in _ask(store).get("Y", [])
    cache.join()
    assert attempts == [1]
    clock.now += 4.0  # 21 s: tried again (and now the store answers)
    monkeypatch.setattr(recommend, "walk_model", real)
    _ask(store)
    cache.join()
    assert cache.failures == 1
    assert _walk_now(store) is not old and WALK_REASON in _ask(store)["Y"]


def test_recommend_builds_synchronous_switch_builds_in_the_request(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """``modelcache.BACKGROUND`` off (``eval links``, the other tests): the first request
    after a write builds the new models itself and answers exactly as a fresh process."""
    walk_sample(store)
    monkeypatch.setattr(modelcache, "BACKGROUND", False)
    assert WALK_REASON not in _ask(store).get("Y", [])
    merge_rels(store, "INVESTS_IN", "Enterprise", "Enterprise", [rel_row("E", "Z", PROV)])
    after = {e: recommend_partners(store, e, COOP) for e in ("E", "S", "Z")}
    cache = modelcache.cache_for(store)
    assert cache.thread is None and cache.builds == 4
    assert WALK_REASON in {r["id"]: r["reasons"] for r in after["E"]["results"]}["Y"]
    clear_cache()
    assert {e: recommend_partners(store, e, COOP) for e in ("E", "S", "Z")} == after


def test_recommend_builds_synchronous_block_restores_the_mode() -> None:
    assert modelcache.BACKGROUND
    with modelcache.synchronous():
        assert not modelcache.BACKGROUND
    assert modelcache.BACKGROUND
    with pytest.raises(RuntimeError), modelcache.synchronous():
        raise RuntimeError("boom")
    assert modelcache.BACKGROUND


def test_recommend_builds_generations_never_go_back() -> None:
    """A model is used for its generation and any earlier one; a build files what it built
    under the generation asked for, never over a later one."""
    cache = modelcache.ModelCache()
    made: list[int] = []

    def builder(n: int) -> modelcache.Builder:
        def build(memo: dict[str, Any]) -> int:
            made.append(n)
            return n
        return build

    assert cache.get(2, {"m": builder(2)}) == {"m": 2}  # cold: built in the call
    assert cache.get(1, {"m": builder(1)}) == {"m": 2}  # an older request: the newer model
    assert cache.get(3, {"m": builder(3)}) == {"m": 2}  # stale, while a thread builds 3
    cache.join()
    assert cache.get(3, {"m": builder(99)}) == {"m": 3} and made == [2, 3]
    # a key never built is a cold start even when the others are stale
    assert cache.get(4, {"m": builder(4), "n": builder(40)}) == {"m": 4, "n": 40}
    assert cache.thread is not None and not cache.thread.is_alive()


def test_recommend_builds_rebuilds_are_rate_limited(monkeypatch: pytest.MonkeyPatch) -> None:
    """After a build, the next background build waits REBUILD_GAP_S and REBUILD_FACTOR times
    that build's duration (writes faster than builds are not each followed by a rebuild);
    meanwhile the previous model answers."""
    clock = _Clock()
    monkeypatch.setattr(modelcache, "time", clock)
    monkeypatch.setattr(modelcache, "REBUILD_GAP_S", 1.0)
    monkeypatch.setattr(modelcache, "REBUILD_FACTOR", 1.0)
    cache = modelcache.ModelCache()

    def builder(n: int) -> modelcache.Builder:
        def build(memo: dict[str, Any]) -> int:
            clock.now += 3.0  # every build costs 3 s
            return n
        return build

    assert cache.get(1, {"m": builder(1)}) == {"m": 1}
    clock.now += 2.0  # 2 s after a 3 s build: too early
    assert cache.get(2, {"m": builder(2)}) == {"m": 1}
    assert cache.thread is None
    clock.now += 1.5
    assert cache.get(2, {"m": builder(2)}) == {"m": 1}  # started now
    cache.join()
    assert cache.get(2, {"m": builder(2)}) == {"m": 2} and cache.builds == 2


def _closed_store(engine: str, tmp_path: Any, request: pytest.FixtureRequest) -> Store:
    from graph.store import open_store

    if engine == "neo4j":
        from graph.neo4j_store import Neo4jStore

        server = request.getfixturevalue("neo4j_server")
        s: Store = Neo4jStore(server.uri, user=server.user, password=server.password)
    else:
        s = open_store(f"embedded://{tmp_path / 'store'}")
    s.close()
    return s


@pytest.mark.parametrize("engine", [pytest.param("falkordb", id="falkordb"),
                                    pytest.param("neo4j", id="neo4j", marks=pytest.mark.neo4j)])
def test_recommend_builds_on_a_store_closed_on_purpose_end_quietly(
        engine: str, tmp_path: Any, request: pytest.FixtureRequest,
        caplog: pytest.LogCaptureFixture) -> None:
    """A background build still running when its owner closes the store (a command that
    answered and exits) stops at its next scan with a debug line, not a warning with a
    traceback: nothing failed. A closed store says so (``StoreClosed``) on both engines."""
    from graph.errors import StoreClosed

    store = _closed_store(engine, tmp_path, request)
    with pytest.raises(StoreClosed):
        store.read("RETURN 1 AS x")
    ties = tiegraph.TieCache(recommend.ENTERPRISE_TIES)
    models = modelcache.ModelCache()
    with caplog.at_level("DEBUG", logger="queries"):
        with pytest.MonkeyPatch.context() as m:
            m.setattr(tiegraph, "BACKGROUND", True)
            assert ties.get(store, ("v", 1)) is None
        for t in threading.enumerate():
            if t.name == "tiegraph-build":
                t.join(timeout=60)
        models._refresh(1, {"walk": lambda memo: store.read("RETURN 1 AS x")})
        models.join(timeout=60)
        with pytest.raises(StoreClosed):  # the recommender's own build ends on it too
            ties.build_now(store, ("v", 2))
    assert [r for r in caplog.records if r.levelname != "DEBUG"] == []
    assert {r.getMessage() for r in caplog.records} == {
        "tie graph build stopped: the store was closed",
        "recommender models: background build stopped: the store was closed"}
