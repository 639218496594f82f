"""``queries.gc_paused``: the recommender's model builds and graph-wide scans run with
Python's cyclic garbage collector paused (full collections over their millions of rows held
the interpreter lock for a quarter of a second each), and it runs again afterwards, also
when several threads build at once; ``queries.GC_PAUSE`` off leaves it alone (the
benchmark's baseline). The builds run on both real engines."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from typing import Any

import pytest

import queries
from graph.store import Store
from queries import SCAN_TIMEOUT_S, gc_paused, recommend, search, tiegraph
from queries.recommend import clear_cache, recommend_partners
from tests.queries_sample import walk_sample


@pytest.fixture(autouse=True)
def _collector_on() -> Iterator[None]:
    """Each test starts with the collector running and leaves it so."""
    was = gc.isenabled()
    gc.enable()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def test_gc_paused_pauses_the_collector_and_restarts_it() -> None:
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():  # nested in one thread
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_gc_paused_restarts_it_after_an_error() -> None:
    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError("scan failed")
    assert gc.isenabled()


def test_gc_paused_holds_until_the_last_thread_leaves() -> None:
    inside, leave = threading.Event(), threading.Event()
    seen: list[bool] = []

    def other() -> None:
        with gc_paused():
            inside.set()
            assert leave.wait(timeout=30)
        seen.append(gc.isenabled())

    t = threading.Thread(target=other)
    with gc_paused():
        t.start()
        assert inside.wait(timeout=30)
    assert not gc.isenabled()  # the other thread is still inside
    leave.set()
    t.join(timeout=30)
    assert seen == [True] and gc.isenabled()


def test_gc_paused_leaves_a_stopped_collector_stopped() -> None:
    gc.disable()
    with gc_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_gc_paused_switched_off_leaves_the_collector_running(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queries, "GC_PAUSE", False)
    with gc_paused():
        assert gc.isenabled()


def test_gc_pause_covers_the_recommenders_scans_and_model_builds(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cold cooperation request builds the tie graph, the walk and the affinity: every
    graph-wide scan and each build runs with the collector paused, which runs again after the
    answer (the same answer as with the switch off)."""
    walk_sample(store)
    scans: list[bool] = []
    builds: dict[str, bool] = {}
    real_read = store.read

    def read(query: str, params: Any = None, *, timeout: float | None = None) -> Any:
        if timeout == SCAN_TIMEOUT_S:
            scans.append(gc.isenabled())
        return real_read(query, params, timeout=timeout)

    def spy(module: Any, name: str) -> None:
        real = getattr(module, name)

        def call(*a: Any, **kw: Any) -> Any:
            builds[name] = gc.isenabled()
            return real(*a, **kw)

        monkeypatch.setattr(module, name, call)

    monkeypatch.setattr(store, "read", read)
    monkeypatch.setattr(tiegraph, "BACKGROUND", False)  # built in the request: no thread left
    spy(tiegraph, "build")
    spy(recommend, "walk_model")
    spy(recommend, "affinity_model")
    clear_cache()
    paused = recommend_partners(store, "E", "COOPERATES_WITH")
    assert gc.isenabled()
    assert builds == {"build": False, "walk_model": False, "affinity_model": False}
    assert len(scans) >= 5 and not any(scans)
    monkeypatch.setattr(queries, "GC_PAUSE", False)
    scans.clear()
    clear_cache()
    assert recommend_partners(store, "E", "COOPERATES_WITH") == paused
    assert builds == {"build": True, "walk_model": True, "affinity_model": True}
    assert scans and all(scans)
    clear_cache()


def test_scan_reads_with_the_collector_paused_and_its_own_time_limit(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    walk_sample(store)
    seen: list[tuple[bool, float | None]] = []
    real_read = store.read

    def read(query: str, params: Any = None, *, timeout: float | None = None) -> Any:
        seen.append((gc.isenabled(), timeout))
        return real_read(query, params, timeout=timeout)

    monkeypatch.setattr(store, "read", read)
    rows = queries.scan(store, "rec_tie_pairs", rel_type="COOPERATES_WITH")
    assert {(r["a"], r["b"]) for r in rows} == {("S", "P"), ("Z", "Y")}
    assert seen == [(False, SCAN_TIMEOUT_S)] and gc.isenabled()


def test_search_index_builds_with_the_collector_paused(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    walk_sample(store)
    seen: list[bool] = []
    real = search.SearchIndex.build

    def build(*a: Any, **kw: Any) -> Any:
        seen.append(gc.isenabled())
        return real(*a, **kw)

    monkeypatch.setattr(search.SearchIndex, "build", build)
    search.clear_index()
    found = search.search(store, "企业S")
    assert [i["id"] for i in found["items"]][:1] == ["S"]
    assert seen == [False] and gc.isenabled()
    search.clear_index()
