"""Collaboration paths on the sample graph (both engines): shortest first, hops explained."""

from __future__ import annotations

import pytest

from graph.errors import InvalidInput, NotFound
from graph.store import Store
from queries.paths import explain_hop, parse_relations, paths
from tests.queries_sample import build_sample


def node_ids(p: dict) -> list[str]:
    return [n["id"] for n in p["nodes"]]


def test_queries_paths_explain_hop() -> None:
    assert explain_hop("甲", "乙", "SUPPLIES", "热轧板卷") == "甲 向 乙 供应 热轧板卷"
    assert explain_hop("甲", "乙", "INVESTS_IN", None) == "甲 投资 乙"
    assert parse_relations("supplies, CONTROLS") == ["SUPPLIES", "CONTROLS"]
    with pytest.raises(InvalidInput):
        parse_relations("LIKES")


def test_queries_paths_supply_chain_path(store: Store) -> None:
    build_sample(store)
    out = paths(store, "E3", "E4")
    assert (out["from"]["id"], out["to"]["id"]) == ("E3", "E4")
    first = out["paths"][0]
    assert node_ids(first) == ["E3", "E1", "E6", "E4"] and first["length"] == 3
    assert [h["text"] for h in first["hops"]] == [
        "迁安市微型矿业有限公司 向 唐山钢铁集团有限责任公司 供应 铁矿石",
        "唐山钢铁集团有限责任公司 向 唐山冷轧薄板有限公司 供应 热轧板卷",
        "唐山冷轧薄板有限公司 向 石家庄汽车部件有限公司 供应 冷轧薄板",
    ]


def test_queries_paths_parallel_ties_and_k(store: Store) -> None:
    build_sample(store)
    out = paths(store, "山西焦煤", "E5", k=3)
    lengths = [p["length"] for p in out["paths"]]
    assert lengths == sorted(lengths)
    first = out["paths"][0]
    assert node_ids(first) == ["E9", "E2", "E1", "E5"]
    # 丰南焦化 supplies 唐钢 and 唐钢 invests in it: one hop, both ties
    assert first["hops"][1]["text"] == (
        "唐山丰南焦化有限公司 向 唐山钢铁集团有限责任公司 供应 焦炭；"
        "唐山钢铁集团有限责任公司 投资 唐山丰南焦化有限公司")
    assert len(out["paths"]) == 1  # 迁安钢铁, its other tie, leads nowhere


def test_queries_paths_filters_and_limits(store: Store) -> None:
    build_sample(store)
    assert paths(store, "E3", "E4", relations="COOPERATES_WITH")["paths"] == []
    assert paths(store, "E3", "E4", max_hops=2)["paths"] == []
    only_coop = paths(store, "E1", "E5", relations=["COOPERATES_WITH"])["paths"]
    assert [node_ids(p) for p in only_coop] == [["E1", "E5"]]
    with pytest.raises(InvalidInput):
        paths(store, "E1", "E5", max_hops=0)
    with pytest.raises(NotFound):
        paths(store, "E1", "E404")


def test_queries_paths_bfs_equals_engine_all_shortest_paths(store: Store) -> None:
    """The bidirectional search returns exactly the engine's own all-shortest-paths (every
    ordered pair of the sample graph, every relation subset used by the API default)."""
    from graph.schema import q_rel
    from queries import QUERIES
    from queries.paths import PATH_RELATIONS
    from tests.queries_sample import ENTERPRISES

    build_sample(store)
    native = (QUERIES.get("paths", store.dialect)
              .replace("{rels}", "|".join(q_rel(t) for t in PATH_RELATIONS))
              .replace("{max_hops}", "6"))
    ids = [e[0] for e in ENTERPRISES]
    reachable = 0
    for a in ids:
        for b in ids:
            if a == b:
                continue
            rows = store.read(native, {"a": a, "b": b, "cap": 1000})
            want = sorted({tuple(r["ids"]) for r in rows if len(set(r["ids"])) == len(r["ids"])})
            got = [tuple(node_ids(p)) for p in paths(store, a, b, k=10)["paths"]]
            assert got == want[:10], (a, b)
            reachable += bool(got)
    assert reachable > 30  # the comparison is not vacuous


def test_queries_paths_unreachable_and_ordered(store: Store) -> None:
    build_sample(store)
    assert paths(store, "E7", "E1")["paths"] == []  # 北京家电外壳 has no ties
    assert paths(store, "E8", "E3", max_hops=8)["paths"] == []
    out = paths(store, "E3", "E5", k=10)["paths"]
    seqs = [node_ids(p) for p in out]
    assert seqs == sorted(seqs) and len({len(s) for s in seqs}) == 1
    assert all(h["text"] for p in out for h in p["hops"])  # every hop explained
