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
    as a graph-wide scan a model is built from: under :data:`SCAN_TIMEOUT_S`, with the cyclic
    garbage collector paused (:func:`gc_paused`) while the reply, hundreds of thousands of
    rows at 100k enterprises, is read."""
    text = (rel_text(store, name, rel_type) if rel_type is not None
            else QUERIES.get(name, store.dialect))
    with gc_paused():
        return store.read(text, params or {}, timeout=SCAN_TIMEOUT_S)


#: Pause the cyclic garbage collector while models are built (:func:`gc_paused`); off, the
#: baseline of ``bench/recommend.py --gc-pause both``.
GC_PAUSE = True
_gc_lock = threading.Lock()
_gc_pausers = 0
_gc_was_enabled = False


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the block, in every thread, as long as
    any thread is inside such a block (it is enabled again after the last one leaves, if it
    was enabled before the first came in).

    A model build reads graph-wide scans, hundreds of thousands of rows each at 100k
    enterprises, and counts them into dicts: millions of container objects that stay alive
    while it runs. CPython runs a full collection each time the objects that survived grow
    by a quarter, and a full collection walks every object with the interpreter lock held.
    One rebuild of the recommender's models after a write at 100k enterprises ran about 40
    of them, 0.25-0.36 s each (about 7 s in all); the longest pauses the request threads saw
    were exactly those. Paused in the builds and the scans, 4 ran (about 0.5 s in all) and
    the build itself took a third less time (``bench/recommend.py --gc-pause both``). The
    rows and counts hold no reference cycles; cyclic garbage that other threads make
    meanwhile waits until the collector runs again, seconds later."""
    global _gc_pausers, _gc_was_enabled
    if not GC_PAUSE:
        yield
        return
    with _gc_lock:
        if _gc_pausers == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_was_enabled:
                gc.enable()


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
