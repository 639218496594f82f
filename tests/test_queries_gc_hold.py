"""``queries.full_gc_held``: the recommender's model builds, its graph-wide scans and the
search index's build run with the cyclic garbage collector's full collections held off
(each walked millions of just-read rows for up to 0.4 s with the interpreter lock held),
while the young generations are still collected; the thresholds come back afterwards, also
when several threads build at once; ``queries.HOLD_FULL_GC`` off leaves them alone (the
benchmark's baseline). The builds run on both real engines."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from typing import Any

import pytest

import queries
from graph.store import Store
from queries import HELD_THRESHOLD, SCAN_TIMEOUT_S, full_gc_held, recommend, search, tiegraph
from queries.recommend import clear_cache, recommend_partners
from tests.queries_sample import walk_sample

THRESHOLDS = (700, 10, 10)


@pytest.fixture(autouse=True)
def _collector() -> Iterator[None]:
    """Each test starts with the collector running at known thresholds and leaves it as it
    was."""
    was, thresholds = gc.isenabled(), gc.get_threshold()
    gc.enable()
    gc.set_threshold(*THRESHOLDS)
    yield
    gc.set_threshold(*thresholds)
    if not was:
        gc.disable()


def held() -> bool:
    """Full collections are held off now (and the young ones still run)."""
    return gc.isenabled() and gc.get_threshold() == (*THRESHOLDS[:2], HELD_THRESHOLD)


def test_full_gc_held_holds_and_restores() -> None:
    with full_gc_held():
        assert held()
        with full_gc_held():  # nested in one thread
            assert held()
        assert held()
    assert gc.get_threshold() == THRESHOLDS and gc.isenabled()


def test_full_gc_held_young_collections_still_run() -> None:
    """Cyclic garbage made while held is collected by the young generations."""
    collected: list[int] = []

    def cb(phase: str, info: dict[str, int]) -> None:
        if phase == "stop" and info["generation"] < 2:
            collected.append(info["collected"])

    gc.callbacks.append(cb)
    try:
        with full_gc_held():
            for _ in range(20_000):
                a: list[Any] = []
                a.append(a)  # a cycle: refcounting alone never frees it
    finally:
        gc.callbacks.remove(cb)
    assert sum(collected) >= 15_000


def test_full_gc_held_restores_after_an_error() -> None:
    with pytest.raises(RuntimeError), full_gc_held():
        raise RuntimeError("scan failed")
    assert gc.get_threshold() == THRESHOLDS


def test_full_gc_held_until_the_last_thread_leaves() -> None:
    inside, leave = threading.Event(), threading.Event()
    seen: list[tuple[int, int, int]] = []

    def other() -> None:
        with full_gc_held():
            inside.set()
            assert leave.wait(timeout=30)
        seen.append(gc.get_threshold())

    t = threading.Thread(target=other)
    with full_gc_held():
        t.start()
        assert inside.wait(timeout=30)
    assert held()  # the other thread is still inside
    leave.set()
    t.join(timeout=30)
    assert seen == [THRESHOLDS] and gc.get_threshold() == THRESHOLDS


def test_full_gc_held_keeps_the_applications_thresholds() -> None:
    gc.set_threshold(5000, 20, 50)
    with full_gc_held():
        assert gc.get_threshold() == (5000, 20, HELD_THRESHOLD)
    assert gc.get_threshold() == (5000, 20, 50)


def test_full_gc_held_switched_off_leaves_the_collector_alone(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queries, "HOLD_FULL_GC", False)
    with full_gc_held():
        assert gc.get_threshold() == THRESHOLDS


def test_full_gc_held_covers_the_recommenders_scans_and_model_builds(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cold cooperation request builds the tie graph, the walk and the affinity: every
    graph-wide scan and each build runs with full collections held off, and they are allowed
    again after the answer (the same answer as with the switch off)."""
    walk_sample(store)
    scans: list[bool] = []
    builds: dict[str, bool] = {}
    real_read = store.read

    def read(query: str, params: Any = None, *, timeout: float | None = None) -> Any:
        if timeout == SCAN_TIMEOUT_S:
            scans.append(held())
        return real_read(query, params, timeout=timeout)

    def spy(module: Any, name: str) -> None:
        real = getattr(module, name)

        def call(*a: Any, **kw: Any) -> Any:
            builds[name] = held()
            return real(*a, **kw)

        monkeypatch.setattr(module, name, call)

    monkeypatch.setattr(store, "read", read)
    monkeypatch.setattr(tiegraph, "BACKGROUND", False)  # built in the request: no thread left
    spy(tiegraph, "build")
    spy(recommend, "walk_model")
    spy(recommend, "affinity_model")
    clear_cache()
    answer = recommend_partners(store, "E", "COOPERATES_WITH")
    assert gc.get_threshold() == THRESHOLDS
    assert builds == {"build": True, "walk_model": True, "affinity_model": True}
    assert len(scans) >= 5 and all(scans)
    monkeypatch.setattr(queries, "HOLD_FULL_GC", False)
    scans.clear()
    clear_cache()
    assert recommend_partners(store, "E", "COOPERATES_WITH") == answer
    assert builds == {"build": False, "walk_model": False, "affinity_model": False}
    assert scans and not any(scans)
    clear_cache()


def test_scan_reads_with_full_collections_held_and_its_own_time_limit(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    walk_sample(store)
    seen: list[tuple[bool, float | None]] = []
    real_read = store.read

    def read(query: str, params: Any = None, *, timeout: float | None = None) -> Any:
        seen.append((held(), timeout))
        return real_read(query, params, timeout=timeout)

    monkeypatch.setattr(store, "read", read)
    rows = queries.scan(store, "rec_tie_pairs", rel_type="COOPERATES_WITH")
    assert {(r["a"], r["b"]) for r in rows} == {("S", "P"), ("Z", "Y")}
    assert seen == [(True, SCAN_TIMEOUT_S)] and gc.get_threshold() == THRESHOLDS


def test_search_index_builds_with_full_collections_held(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    walk_sample(store)
    seen: list[bool] = []
    real = search.SearchIndex.build

    def build(*a: Any, **kw: Any) -> Any:
        seen.append(held())
        return real(*a, **kw)

    monkeypatch.setattr(search.SearchIndex, "build", build)
    search.clear_index()
    found = search.search(store, "企业S")
    assert [i["id"] for i in found["items"]][:1] == ["S"]
    assert seen == [True] and gc.get_threshold() == THRESHOLDS
    search.clear_index()
