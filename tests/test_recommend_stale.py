"""The recommender after a structural write, on both engines (``queries/recommend.py``,
``_current`` and ``_serving``): the previous generation's aggregates and tie graph keep
answering while one background thread builds the new ones, and what must hold while they
are stale holds:

- a firm tied to the asking enterprise a moment ago is never proposed for that relation
  (the request reads its own row at its change token);
- a firm deleted since the old build is never shown, nor named in a reason;
- the names and sizes shown are the store's at once;
- once the build ends, the answers equal a cold computation exactly;
- the synchronous mode (``modelcache.synchronous()``: ``eval links``, the other tests) still
  answers as a cold computation after every write, and starts no thread.

No test waits on a timer: the background build is held by an event (:class:`_Hold`) and its
thread joined.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from fastapi.testclient import TestClient

from graph.store import Store
from graph.writes import merge_nodes, merge_rels, node_row, rel_row
from queries import modelcache, recommend, tiegraph
from queries.recommend import clear_cache, recommend_partners
from tests.api_support import make_app
from tests.queries_sample import ask_concurrently, build_sample, merge_from_another_process
from tests.test_recommend_builds import _Gate

PROV = {"source": "tests", "method": "manual", "confidence": 1.0, "run_id": "t"}
COOP = "COOPERATES_WITH"
RECS = "/api/v1/recommendations/partners"
#: (asking firm, relation) pairs whose answers the equality tests compare
ASKS = [(e, r) for e in ("E1", "E3", "E6", "E10") for r in ("SUPPLIES", "SUPPLIED_BY", COOP)]


@pytest.fixture(autouse=True)
def _service_mode(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The service's mode (``tests/conftest.py`` switches it off for every other test), with
    no rate limit; the tie graph of the current generation is built by the request that
    needs it (only the previous generation's is ever stale here, unless a test says so); no
    thread outlives its test."""
    clear_cache()
    monkeypatch.setattr(modelcache, "BACKGROUND", True)
    monkeypatch.setattr(modelcache, "REBUILD_GAP_S", 0.0)
    monkeypatch.setattr(modelcache, "REBUILD_FACTOR", 0.0)
    monkeypatch.setattr(tiegraph, "BACKGROUND", False)
    monkeypatch.setattr(tiegraph, "REBUILD_GAP_S", 0.0)
    monkeypatch.setattr(tiegraph, "REBUILD_FACTOR", 0.0)
    yield
    for hold in _Hold.made:  # a failed test must not leave a build waiting on its hold
        hold.release.set()
    _Hold.made.clear()
    _join()
    clear_cache()


def _join() -> None:
    for t in threading.enumerate():
        if t.name in (modelcache.THREAD_NAME, "tiegraph-build"):
            t.join(timeout=120)


class _Hold(_Gate):
    """Holds every background build of a new generation's aggregates
    (``recommend._rebuilt``) until :attr:`release` is set (``fail``: then it raises
    instead); counts the builds started."""

    #: every hold of the running test (the fixture releases them)
    made: ClassVar[list[_Hold]] = []

    def __init__(self, monkeypatch: pytest.MonkeyPatch, fail: bool = False) -> None:
        _Hold.made.append(self)
        super().__init__(monkeypatch, fail, name="_rebuilt")

    def done(self) -> None:
        self.release.set()
        _join()


def _ask(store: Store, eid: str, relation: str, top: int = 20) -> list[dict[str, Any]]:
    return list(recommend_partners(store, eid, relation, top=top)["results"])


def _ids(results: list[dict[str, Any]]) -> list[str]:
    return [r["id"] for r in results]


def _stale_now(store: Store) -> bool:
    """The next request is served by the previous generation and a stale tie graph."""
    agg = recommend._current(store)
    tg, stale = recommend._serving(store, agg)
    return not recommend._is_current(store, agg) and stale and tg is not None


def _cold(store: Store, asks: list[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    """What a fresh process answers (synchronous builds, nothing cached)."""
    clear_cache()
    with modelcache.synchronous():
        return {(e, r): recommend_partners(store, e, r, top=20) for e, r in asks}


@pytest.mark.parametrize("relation", ["SUPPLIES", "SUPPLIED_BY", COOP])
def test_recommend_stale_firm_tied_a_moment_ago_is_never_proposed(
        store: Store, monkeypatch: pytest.MonkeyPatch, relation: str) -> None:
    build_sample(store)
    eid = "E3" if relation == COOP else "E6"
    before = _ask(store, eid, relation)
    assert before, "the sample gives candidates"
    first = recommend._current(store)
    hold = _Hold(monkeypatch)
    picked = before[0]["id"]
    stored = recommend.REL_TYPE[relation]
    a, b = (eid, picked) if relation == "SUPPLIED_BY" else (picked, eid)
    merge_rels(store, stored, "Enterprise", "Enterprise", [rel_row(a, b, dict(PROV))])
    stale = _ask(store, eid, relation)
    assert hold.started.wait(timeout=120) and not hold.release.is_set()
    assert _stale_now(store) and recommend._current(store) is first
    assert picked not in _ids(stale) and stale  # the others are still proposed
    # the stale graph still has the old picture: the new tie is not in it
    tg = first.ties.graph
    row = tg.enterprise(eid, stored) if tg is not None else None
    assert row is not None and picked not in row["ties"]
    hold.done()
    assert recommend._current(store) is not first
    assert picked not in _ids(_ask(store, eid, relation))


def test_recommend_stale_deleted_firm_is_never_shown(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    build_sample(store)
    before = {(e, r): _ask(store, e, r) for e, r in ASKS}
    # the firm proposed most often, and one named as a shared partner
    counts: dict[str, int] = {}
    for got in before.values():
        for r in got:
            counts[r["id"]] = counts.get(r["id"], 0) + 1
    gone = max(sorted(counts), key=lambda k: counts[k])
    name = next(r["name"] for got in before.values() for r in got if r["id"] == gone)
    first = recommend._current(store)
    assert first.ties.graph is not None and first.ties.graph.index(gone) >= 0
    hold = _Hold(monkeypatch)
    store.write("MATCH (e:Enterprise {id: $id}) DETACH DELETE e", {"id": gone})
    stale = {(e, r): _ask(store, e, r) for e, r in ASKS if e != gone}
    assert hold.started.wait(timeout=120) and _stale_now(store)
    assert any(stale.values())
    for key, got in stale.items():
        assert gone not in _ids(got), key
        assert not any(name in t for r in got for t in r["reasons"]), key
    hold.done()
    assert all(gone not in _ids(_ask(store, e, r)) for e, r in ASKS if e != gone)


def test_recommend_stale_names_and_sizes_follow_at_once(
        store: Store, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """A rename and a new size class by another process during a stale window are shown by
    the next answer (and scored: the size bonus follows the new size)."""
    build_sample(store)
    before = _ask(store, "E1", "SUPPLIES")
    sme = next(r for r in before if any("融通" in t for t in r["reasons"]))
    hold = _Hold(monkeypatch)
    merge_rels(store, COOP, "Enterprise", "Enterprise", [rel_row("E9", "E7", dict(PROV))])
    merge_from_another_process(store, request, "Enterprise", sme["id"],
                               {"name": "改名后的企业有限公司", "size_class": "大型"})
    stale = {r["id"]: r for r in _ask(store, "E1", "SUPPLIES")}
    assert hold.started.wait(timeout=120) and _stale_now(store)
    got = stale[sme["id"]]
    assert got["name"] == "改名后的企业有限公司"
    assert not any("融通" in t for t in got["reasons"])  # 大型 meets 大型: no 融通 bonus
    assert got["score"] < sme["score"]
    hold.done()
    after = _ask(store, "E1", "SUPPLIES")
    assert after == _cold(store, [("E1", "SUPPLIES")])[("E1", "SUPPLIES")]["results"]
    assert {r["id"]: r["name"] for r in after}[sme["id"]] == "改名后的企业有限公司"


def test_recommend_stale_property_change_serves_the_previous_tie_graph(
        store: Store, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """A property-only change while the tie graph may not be rebuilt yet (its rate limit):
    the previous graph of the same generation answers, with the store's names, and the
    answers are those of a cold computation (the structure did not change)."""
    build_sample(store)
    _ask(store, "E3", COOP)
    agg = recommend._current(store)
    old = agg.ties.graph
    assert old is not None
    monkeypatch.setattr(tiegraph, "REBUILD_GAP_S", 1e9)  # no rebuild until the test ends
    target = _ask(store, "E3", COOP)[0]
    merge_from_another_process(store, request, "Enterprise", target["id"],
                               {"name": "又一个新名字有限公司"})
    got = recommend_partners(store, "E3", COOP, top=20)
    assert recommend._current(store) is agg and recommend._serving(store, agg) == (old, True)
    assert {r["id"]: r["name"] for r in got["results"]}[target["id"]] == "又一个新名字有限公司"
    assert got == _cold(store, [("E3", COOP)])[("E3", COOP)]


def test_recommend_stale_answers_equal_a_cold_computation_once_built(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    build_sample(store)
    before = {k: recommend_partners(store, *k, top=20) for k in ASKS}
    assert before == _cold(store, ASKS)  # the service's answers before any write
    for k in ASKS:  # warm again (the cold computation above replaced the caches)
        recommend_partners(store, *k, top=20)
    first = recommend._current(store)
    hold = _Hold(monkeypatch)
    merge_rels(store, COOP, "Enterprise", "Enterprise",
               [rel_row("E2", "E7", dict(PROV)), rel_row("E6", "E9", dict(PROV))])
    merge_rels(store, "SUPPLIES", "Enterprise", "Enterprise", [rel_row("E8", "E10", dict(PROV))])
    stale = {k: recommend_partners(store, *k, top=20) for k in ASKS}
    assert hold.started.wait(timeout=120) and _stale_now(store)
    assert all(v["results"] for v in stale.values())
    hold.done()
    new = recommend._current(store)
    assert new is not first and new.ties.graph is not None
    assert recommend._serving(store, new) == (new.ties.graph, False)
    # the new generation kept what the previous one held, read afresh
    assert set(new.degrees) == set(first.degrees) and set(new.members) >= set(first.members)
    after = {k: recommend_partners(store, *k, top=20) for k in ASKS}
    assert after == _cold(store, ASKS)
    assert after != before  # the writes did change answers


def test_recommend_stale_firm_created_since_takes_the_cypher_path(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """An enterprise the stale graph does not know asks: it is answered from the store
    (the Cypher queries), as a cold computation would once the build ends, but for the
    lagging aggregates."""
    build_sample(store)
    _ask(store, "E1", "SUPPLIES")
    hold = _Hold(monkeypatch)
    merge_nodes(store, "Enterprise", [node_row("E11", {"name": "唐山新建焦化有限公司",
                                                       "size_class": "小型", **PROV})])
    merge_rels(store, "SUPPLIES", "Enterprise", "Enterprise", [rel_row("E11", "E6", dict(PROV))])
    merge_rels(store, "PRODUCES", "Enterprise", "Product", [rel_row("E11", "p_coke", dict(PROV))])
    got = _ask(store, "E11", "SUPPLIED_BY")
    assert hold.started.wait(timeout=120) and _stale_now(store)
    assert got and "E11" not in _ids(got) and "E6" not in _ids(got)
    assert "E1" in _ids(got)  # 唐钢 has an open need for coke (read at the token)
    hold.done()


def test_recommend_stale_concurrent_requests_start_one_build(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    build_sample(store)
    ask_concurrently(store, 8)
    hold = _Hold(monkeypatch)
    merge_rels(store, COOP, "Enterprise", "Enterprise", [rel_row("E3", "E6", dict(PROV))])
    again = ask_concurrently(store, 8)
    assert hold.started.wait(timeout=120) and len(again) == 8 and all(again.values())
    assert sum(t.name == modelcache.THREAD_NAME for t in threading.enumerate()) == 1
    assert hold.calls == 1
    hold.done()
    assert hold.calls == 1


def test_recommend_stale_failed_build_keeps_the_previous_generation(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    build_sample(store)
    before = _ask(store, "E3", COOP)
    first = recommend._current(store)
    cache = modelcache.cache_for(store)
    hold = _Hold(monkeypatch, fail=True)
    hold.release.set()
    merge_rels(store, COOP, "Enterprise", "Enterprise", [rel_row("E3", before[0]["id"],
                                                                  dict(PROV))])
    stale = _ask(store, "E3", COOP)
    _join()
    assert hold.calls == 1 and cache.failures == 1
    assert recommend._current(store) is first  # still serving (a retry was started)
    _join()
    assert stale and before[0]["id"] not in _ids(stale)
    monkeypatch.setattr(recommend, "_rebuilt", hold.real)
    _ask(store, "E3", COOP)
    _join()
    assert recommend._current(store) is not first


def test_recommend_stale_synchronous_mode_answers_as_cold_after_every_write(
        store: Store) -> None:
    build_sample(store)
    count = recommend._structural_count(store)
    with modelcache.synchronous():
        for k in ASKS:
            recommend_partners(store, *k, top=20)
        merge_rels(store, COOP, "Enterprise", "Enterprise",
                   [rel_row("E2", "E7", dict(PROV)), rel_row("E6", "E9", dict(PROV))])
        store.write("MATCH (e:Enterprise {id: 'E8'}) DETACH DELETE e")
        # (a change that keeps the relationship count is seen after AGG_TTL_S only)
        assert recommend._structural_count(store) != count
        got = {k: recommend_partners(store, *k, top=20) for k in ASKS}
        assert not any(t.name == modelcache.THREAD_NAME for t in threading.enumerate())
    assert got == _cold(store, ASKS)


def test_recommend_stale_needs_are_matched_at_the_token(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A need opened and one closed during a stale window: the next answer matches the new
    one and no longer the closed one (a need match weighs most; the request reads its own)."""
    build_sample(store)
    before = {r["id"]: r["reasons"] for r in _ask(store, "E1", "SUPPLIES")}
    assert "匹配需求：采购焦炭" in before["E9"]
    assert not any("采购汽车零部件" in t for t in before.get("E4", []))
    hold = _Hold(monkeypatch)
    merge_nodes(store, "Need", [node_row("N5", {"name": "采购汽车零部件", "status": "open",
                                                "area": "物资采购", **PROV})])
    merge_rels(store, "NEEDS", "Enterprise", "Need", [rel_row("E1", "N5", dict(PROV))])
    merge_rels(store, "ABOUT", "Need", "Product", [rel_row("N5", "p_auto")])
    merge_nodes(store, "Need", [node_row("N3", {"status": "closed"})])
    stale = {r["id"]: r["reasons"] for r in _ask(store, "E1", "SUPPLIES")}
    assert hold.started.wait(timeout=120) and _stale_now(store)
    assert "匹配需求：采购汽车零部件" in stale["E4"]
    assert not any("采购焦炭" in t for r in stale.values() for t in r)
    hold.done()
    after = _ask(store, "E1", "SUPPLIES")
    assert after == _cold(store, [("E1", "SUPPLIES")])[("E1", "SUPPLIES")]["results"]


def test_recommend_stale_answers_are_not_kept_by_the_api_cache(
        store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """An answer served from the previous generation is provisional: the per-worker answer
    cache, keyed by the store's change token (which does not move when the build ends),
    must not keep it; once the build ends the answer is kept again, and it is the cold one."""
    build_sample(store)
    path = f"{RECS}?enterprise=E3&relation={COOP}&top=20"
    with TestClient(make_app(store, tmp_path, anonymous_read=True)) as c:
        assert c.get(path).headers["x-cache"] == "miss"
        assert c.get(path).headers["x-cache"] == "hit"
        hold = _Hold(monkeypatch)
        merge_rels(store, COOP, "Enterprise", "Enterprise", [rel_row("E2", "E7", dict(PROV))])
        stale = c.get(path)
        assert hold.started.wait(timeout=120) and _stale_now(store)
        again = c.get(path)
        assert (stale.headers["x-cache"], again.headers["x-cache"]) == ("miss", "miss")
        hold.done()
        # The build's last parts may still be rate-limited when the next request comes (a
        # slow machine: CI once saw "miss", "miss" here): that request is still provisional
        # and starts them. Kept once they are built, within the bound.
        fresh, kept = c.get(path), c.get(path)
        deadline = time.monotonic() + 60
        while kept.headers["x-cache"] != "hit" and time.monotonic() < deadline:
            _join()
            fresh, kept = kept, c.get(path)
        assert (fresh.headers["x-cache"], kept.headers["x-cache"]) == ("miss", "hit")
        assert fresh.json() == kept.json() != stale.json()
    assert fresh.json()["results"] == _cold(store, [("E3", COOP)])[("E3", COOP)]["results"]


def test_recommend_stale_model_cache_put_never_goes_back() -> None:
    """``ModelCache.put`` files a lazily filled object for a generation, never over a later
    one's; ``held`` lists the keys in the order they were first filed."""
    cache = modelcache.ModelCache()
    cache.put(2, "a", "two")
    cache.put(1, "a", "one")  # an older request's set: the newer one stays
    assert cache.latest("a") == (2, "two")
    cache.put(3, "a", "three")
    assert cache.get(3, {"b": lambda memo: "b3"}) == {"b": "b3"}  # cold: built in the call
    assert cache.latest("a") == (3, "three") and cache.held() == ["a", "b"]
    assert cache.latest("c") is None


def test_recommend_stale_provisional_marks_only_stale_answers() -> None:
    """``modelcache.provisional`` notes a stale model served inside its block (the API's
    answer cache then keeps nothing), nested blocks pass it outwards, and outside any block
    noting is a no-op."""
    modelcache.note_stale()  # no block: nothing to mark, nothing raised
    cache = modelcache.ModelCache()
    with modelcache.provisional() as fresh:
        assert cache.get(1, {"m": lambda memo: 1}) == {"m": 1}  # built for its generation
    assert not fresh.stale
    with modelcache.provisional() as outer:
        with modelcache.provisional() as inner:
            assert cache.get(2, {"m": lambda memo: 2}) == {"m": 1}  # stale while 2 builds
        assert inner.stale
    assert outer.stale
    cache.join()
    with modelcache.provisional() as after:
        assert cache.get(2, {"m": lambda memo: 99}) == {"m": 2}
    assert not after.stale
