"""Conformance: every query service gives identical answers on FalkorDB and Neo4j when both
hold the same graph (the sample graph, loaded into each engine within one test)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from graph.store import Store
from queries.chains import chain_detail, list_chains
from queries.gaps import chain_gaps
from queries.paths import paths
from queries.profile import enterprise_profile
from queries.recommend import clear_cache, recommend_partners
from queries.search import clear_index, search
from tests.queries_sample import ENTERPRISES, build_sample

CALLS: list[tuple[str, Callable[[Store], Any]]] = [
    ("list_chains", list_chains),
    ("chain_detail", lambda s: chain_detail(s, "steel")),
    ("chain_detail_region", lambda s: chain_detail(s, "steel", "130207")),
    ("chain_detail_counts", lambda s: chain_detail(s, "steel", "130207", limit=0)),
    ("chain_detail_limited", lambda s: chain_detail(s, "steel", limit=1)),
    ("chain_gaps", lambda s: chain_gaps(s, "steel", "1302")),
    ("chain_gaps_province", lambda s: chain_gaps(s, "steel", "13")),
    ("search", lambda s: search(s, "钢铁")),
    ("search_pinyin", lambda s: search(s, "tsgt")),
    ("search_filters", lambda s: search(s, None, region="13", limit=5)),
]
for eid, *_ in ENTERPRISES:
    for rel in ("SUPPLIES", "SUPPLIED_BY", "COOPERATES_WITH", "INVESTS_IN"):
        CALLS.append((f"recommend {eid} {rel}",
                      lambda s, e=eid, r=rel: recommend_partners(s, e, r, region="1302")))
    CALLS.append((f"profile {eid}", lambda s, e=eid: enterprise_profile(s, e)))
    CALLS.append((f"paths E3 {eid}", lambda s, e=eid: paths(s, "E3", e, k=3)
                  if e != "E3" else None))


@pytest.mark.neo4j
def test_queries_services_identical_on_both_engines(embedded_store: Store,
                                                    neo4j_store: Store) -> None:
    answers: dict[str, dict[str, Any]] = {}
    for store in (embedded_store, neo4j_store):
        store.clear()
        store.apply_schema()
        build_sample(store)
        clear_cache()
        clear_index()
        answers[store.dialect] = {name: fn(store) for name, fn in CALLS}
    falkor, neo = answers["falkordb"], answers["neo4j"]
    different = [name for name, _ in CALLS if falkor[name] != neo[name]]
    assert not different, f"answers differ between engines: {different[:5]} e.g. " \
        f"{falkor[different[0]]!r} vs {neo[different[0]]!r}" if different else ""
    # and they are not trivially empty
    assert falkor["chain_gaps"]["nodes"] and falkor["recommend E1 SUPPLIES"]["results"]
    assert falkor["paths E3 E4"]["paths"]
