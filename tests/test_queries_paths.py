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
    with pytest.raises(NotFound) as unknown:
        paths(store, "E1", "E404")
    assert unknown.value.context["field"] == "to"
    with pytest.raises(InvalidInput) as blank:  # the error names the parameter, not "enterprise"
        paths(store, " ", "E4")
    assert blank.value.field == "from" and "from" in blank.value.message


@pytest.mark.parametrize("k", [1, 10])
def test_queries_paths_bfs_equals_engine_all_shortest_paths(store: Store, k: int) -> None:
    """The layered search returns exactly the engine's own all-shortest-paths (every
    ordered pair of the sample graph), so either may answer on either engine."""
    from graph.schema import q_rel
    from queries.paths import PATH_RELATIONS, shortest_bfs, shortest_native
    from tests.queries_sample import ENTERPRISES

    build_sample(store)
    ids = [e[0] for e in ENTERPRISES]
    reachable = 0
    for types in (PATH_RELATIONS, ("SUPPLIES",)):
        rels = "|".join(q_rel(t) for t in types)
        for a in ids:
            for b in ids:
                if a == b:
                    continue
                native = shortest_native(store, rels, a, b, 6, k)
                bfs = shortest_bfs(store, rels, a, b, 6, k)
                assert native is not None and bfs[0] == native[0], (a, b, types)
                assert all(bfs[1][i] == native[1][i] for p in bfs[0] for i in p)
                reachable += bool(bfs[0])
    assert reachable > 40  # the comparison is not vacuous


def test_queries_paths_unreachable_and_ordered(store: Store) -> None:
    build_sample(store)
    assert paths(store, "E7", "E1")["paths"] == []  # 北京家电外壳 has no ties
    assert paths(store, "E8", "E3", max_hops=8)["paths"] == []
    out = paths(store, "E3", "E5", k=10)["paths"]
    seqs = [node_ids(p) for p in out]
    assert seqs == sorted(seqs) and len({len(s) for s in seqs}) == 1
    assert all(h["text"] for p in out for h in p["hops"])  # every hop explained
