"""The query services: chain detail and gaps, partner recommendations, paths, search, profiles.

Every Cypher text these services run lives in ``queries/*.cypher`` (with
``name.falkordb.cypher`` / ``name.neo4j.cypher`` variants where the engines
differ) and is loaded through :data:`QUERIES`; nothing here builds Cypher from
strings. Services take a :class:`graph.store.Store` and return plain dicts shaped
exactly as the HTTP API answers, so the CLI, the API and notebooks share them.
Nothing in ``queries/`` imports ``api/`` or ``ingest/``.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from graph.cypher import QueryLibrary
from graph.schema import q_rel
from graph.store import Row, Store

QUERIES = QueryLibrary(Path(__file__).parent)

#: Time limit, seconds, of the graph-wide scans the recommender's models are built from
#: (the tie graph, the walk, the affinity). A build runs once per graph change and every
#: later request uses it; cut at the store's limit for one query (``query_timeout_s``,
#: 30 s by default), a build on a busy Neo4j at 100k enterprises failed and was tried again
#: and again. (The embedded engine's connection keeps its own limit, the store's plus 30 s;
#: its scans take seconds at 100k.)
SCAN_TIMEOUT_S = 600.0


def run(store: Store, name: str, params: Mapping[str, Any] | None = None, *,
        timeout: float | None = None) -> list[Row]:
    """Run the read query ``queries/<name>.cypher`` (dialect variant picked by the store);
    ``timeout``: seconds, instead of the store's limit for one query."""
    return store.read(QUERIES.get(name, store.dialect), params or {}, timeout=timeout)


def scan(store: Store, name: str, params: Mapping[str, Any] | None = None, *,
         rel_type: str | tuple[str, ...] | None = None) -> list[Row]:
    """Run ``queries/<name>.cypher`` (a ``{rel}`` template filled with ``rel_type`` if given)
    as a graph-wide scan a model is built from: under :data:`SCAN_TIMEOUT_S`, with full
    garbage collections held off (:func:`full_gc_held`) while the reply, hundreds of
    thousands of rows at 100k enterprises, is read."""
    text = (rel_text(store, name, rel_type) if rel_type is not None
            else QUERIES.get(name, store.dialect))
    with full_gc_held():
        return store.read(text, params or {}, timeout=SCAN_TIMEOUT_S)


#: Hold off full collections while models are built (:func:`full_gc_held`); off, the
#: baseline of ``bench/recommend.py --gc-hold both``.
HOLD_FULL_GC = True
#: The oldest generation's threshold while held: more young collections than ever happen.
HELD_THRESHOLD = 1_000_000_000
_gc_lock = threading.Lock()
_gc_holders = 0
_gc_thresholds = gc.get_threshold()


@contextlib.contextmanager
def full_gc_held() -> Iterator[None]:
    """Hold off the cyclic garbage collector's full collections (its oldest generation) for
    the block, in every thread, as long as any thread is inside such a block; the thresholds
    in force before the first came in are restored after the last one leaves. The young
    generations are still collected, so cyclic garbage that request threads make meanwhile
    (about a hundred objects a request) goes as before.

    A model build reads graph-wide scans, hundreds of thousands of rows each at 100k
    enterprises, and counts them into dicts: millions of objects that stay alive while it
    runs. CPython runs a full collection each time the objects that survived into the
    oldest generation grow by a quarter, and a full collection walks every object with the
    interpreter lock held: a cold build and one rebuild after a write at 100k enterprises
    ran 52-67 of them, up to 0.42 s each, 8-11 s in all, and the longest pauses the request
    threads saw were exactly those. Held in the builds, 4-9 ran (0.2-0.9 s), the longest pause
    fell to 0.62-0.73x and the builds ended 5-10 s sooner (``bench/recommend.py --gc-hold
    both``, the baseline in the same run). What the oldest generation gained meanwhile is
    walked once, by the first full collection after the build."""
    global _gc_holders, _gc_thresholds
    if not HOLD_FULL_GC:
        yield
        return
    with _gc_lock:
        if _gc_holders == 0:
            _gc_thresholds = gc.get_threshold()
            gc.set_threshold(_gc_thresholds[0], _gc_thresholds[1], HELD_THRESHOLD)
        _gc_holders += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_holders -= 1
            if _gc_holders == 0:
                gc.set_threshold(*_gc_thresholds)


def store_key(store: Store) -> tuple[int, str]:
    """The key of one store's process-wide caches (the recommender's generations and
    aggregates, its model cache, the tie graph's build times): the store object and its
    URL, so two stores on one URL, or one object reopened elsewhere, never share an entry."""
    return (id(store), store.url)


def rel_text(store: Store, name: str, rel_type: str | tuple[str, ...]) -> str:
    """The text of a ``{rel}`` template query, filled with one relationship type or an
    alternation of several (``A|B``), each checked against the schema by ``q_rel``."""
    types = (rel_type,) if isinstance(rel_type, str) else rel_type
    return QUERIES.get(name, store.dialect).replace("{rel}", "|".join(q_rel(t) for t in types))


@contextlib.contextmanager
def flag_off(module: ModuleType, flag: str) -> Iterator[None]:
    """``module.flag`` set False inside the block and restored after it (the switches that
    make the recommender's background builds run in the requests instead:
    ``modelcache.synchronous``, ``tiegraph.synchronous``)."""
    was = getattr(module, flag)
    setattr(module, flag, False)
    try:
        yield
    finally:
        setattr(module, flag, was)
