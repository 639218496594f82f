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
