"""The walk and the industry affinity over candidate keys (``recommend._model_keys``) answer
what their id functions answer, on both engines and both key spaces (tie-graph indices and
the Cypher path's id bytes), and the key maps follow a new model or a new tie graph."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from graph.store import Store
from graph.writes import merge_nodes, merge_rels, node_row, rel_row
from queries import modelcache, recommend, tiegraph
from queries.linkscore import affinity_candidates, affinity_hits, affinity_model, member_arrays
from queries.linkwalk import build_walk_model, start_node, walk_candidates, walk_model, walk_nodes
from queries.recommend import (
    ENTERPRISE_TIES,
    SUPPLY_GRAPH_WEIGHTS,
    Weights,
    clear_cache,
    rank_partners,
    recommend_partners,
)
from tests.queries_sample import build_sample

PROV = {"source": "tests", "method": "manual", "confidence": 1.0, "run_id": "t"}
SUPPLY = ("SUPPLIES", "SUPPLIED_BY")
IDS = [f"E{i}" for i in range(1, 11)] + [f"K{i:02d}" for i in range(0, 30, 3)]
WALK_REASON = "关系网络相近：经多步业务或行业关联可达"


@pytest.fixture(autouse=True)
def _fresh_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    clear_cache()
    monkeypatch.setattr(tiegraph, "REBUILD_GAP_S", 0.0)
    monkeypatch.setattr(tiegraph, "REBUILD_FACTOR", 0.0)
    monkeypatch.setattr(tiegraph, "BACKGROUND", False)
    monkeypatch.setattr(modelcache, "BACKGROUND", False)


def _more_ties(store: Store, n: int = 30) -> None:
    """Firms K00.. in two industries with supply and cooperation ties among themselves and
    to the sample's firms: walks that fan out, and affinity members with equal scores."""
    rng = np.random.default_rng(7)
    merge_nodes(store, "Industry", [node_row(i, {"name": name, **PROV})
                                    for i, name in (("IK1", "汽车"), ("IK2", "钢铁"))])
    ids = [f"K{i:02d}" for i in range(n)]
    merge_nodes(store, "Enterprise", [node_row(k, {"name": f"企业{k}", **PROV}) for k in ids])
    merge_rels(store, "IN_INDUSTRY", "Enterprise", "Industry",
               [rel_row(k, "IK1" if i % 2 else "IK2", dict(PROV)) for i, k in enumerate(ids)]
               + [rel_row(e, "IK1", dict(PROV)) for e in ("E1", "E3", "E6")])
    every = ids + [f"E{i}" for i in range(1, 11)]
    for rel_type, count in (("SUPPLIES", 45), ("COOPERATES_WITH", 25)):
        pairs = {(str(a), str(b)) for a, b in rng.choice(every, size=(count, 2)) if a != b}
        merge_rels(store, rel_type, "Enterprise", "Enterprise",
                   [rel_row(a, b, dict(PROV)) for a, b in sorted(pairs)])


def _key_spaces(store: Store, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The tie graph's key space, then the Cypher path's (its own aggregates)."""
    agg = recommend._current(store)
    tg = recommend._ties(store, agg)
    assert tg is not None
    tie_keys = recommend._keys(agg, tg)
    monkeypatch.setattr(tiegraph, "ENABLED", False)
    clear_cache()
    agg = recommend._current(store)
    assert recommend._ties(store, agg) is None
    return [tie_keys, recommend._keys(agg, None)]


def _rows(keys: Any, s: Any) -> list[tuple[str, float]]:
    """A signal's rows as (id, value)."""
    assert s.values is not None
    return list(zip(keys.ids(s.keys), s.values.tolist(), strict=True))


def test_recommend_keys_walk_and_affinity_equal_their_id_functions(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    build_sample(store)
    _more_ties(store)
    recommend_partners(store, "E1", "SUPPLIES")  # builds the tie graph
    walk = walk_model(store, ENTERPRISE_TIES)
    aff = affinity_model(store, "SUPPLIES",
                         recommend._degrees(store, recommend._current(store), "SUPPLIES"))
    arrays = member_arrays(aff)
    assert len(arrays.ids) > 5
    for keys in _key_spaces(store, monkeypatch):
        wmap = recommend._model_keys(keys, "walk", walk, walk.id_bytes)
        amap = recommend._model_keys(keys, ("affinity", "SUPPLIES"), aff, arrays.id_bytes)
        for n, eid in enumerate(IDS):
            # candidates found otherwise: a varying few of the firms (as keys, sorted)
            known_ids = sorted(IDS[n % 4::4])
            known = tiegraph.sorted_unique(recommend._known_keys(keys, known_ids))
            ties = [k for k in IDS if (n + len(k)) % 7 == 0]
            for limit in (None, 2, 5):  # 2 and 5: the cut and its ties by id
                want = walk_candidates(walk, eid, {eid, *ties}, known_ids, limit)
                start = start_node(walk, eid)
                got: dict[str, float] = {}
                if start is not None:
                    drop = np.array([walk.index[x] for x in [eid, *ties] if x in walk.index],
                                    dtype=np.int64)
                    nodes, mass = walk_nodes(walk, start, drop, wmap.nodes(known), limit)
                    s = wmap.signal("walk", nodes, mass, lambda at: [WALK_REASON] * len(at))
                    got = dict(_rows(keys, s))
                assert got == want and list(got) == list(want), (eid, limit)

                industries = ["IK1"] if n % 2 else ["IK2", "IK1"]
                want_a = affinity_candidates(aff, industries, eid, "供应", known_ids, limit)
                hits = affinity_hits(aff, industries, arrays.code.get(eid), "供应",
                                     np.sort(amap.nodes(known)), limit)
                s = amap.signal("affinity", hits.codes, hits.score, hits.texts)
                texts = s.texts(list(range(len(s.keys))))
                got_a = {k: (v, t) for (k, v), t in zip(_rows(keys, s), texts, strict=True)}
                assert got_a == want_a and list(got_a) == list(want_a), (eid, limit)
            if n == 0:
                assert want and want_a  # the case is not empty


def test_recommend_keys_leave_out_firms_the_tie_graph_lacks(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A model older than the tie graph (built in the background before a firm was deleted)
    may name a firm the tie graph no longer has: the key map marks it unknown, and its
    signal leaves it out, as the id path's ``_signal`` does."""
    build_sample(store)
    _more_ties(store)
    walk = walk_model(store, ENTERPRISE_TIES)
    store.write("MATCH (e:Enterprise {id: 'K03'}) DETACH DELETE e")
    recommend_partners(store, "E1", "SUPPLIES")
    agg = recommend._current(store)
    tg = recommend._ties(store, agg)
    assert tg is not None and tg.index("K03") < 0
    keys = recommend._keys(agg, tg)
    wmap = recommend._model_keys(keys, "walk", walk, walk.id_bytes)
    gone = walk.index["K03"]
    # every enterprise node but K03 is known; industry nodes are never candidates
    assert not wmap.known[gone] and wmap.known.sum() == walk.enterprise.sum() - 1
    nodes = np.array(sorted({gone, walk.index["K00"], walk.index["E1"]}), dtype=np.int64)
    s = wmap.signal("walk", nodes, np.array([0.1, 0.2, 0.3]), lambda at: [str(a) for a in at])
    assert set(keys.ids(s.keys)) == {"K00", "E1"}
    assert s.texts([0, 1]) == [str(a) for a in np.flatnonzero(nodes != gone).tolist()]
    assert gone not in wmap.nodes(np.arange(tg.n)).tolist()


@pytest.mark.parametrize("relation", [*SUPPLY, "COOPERATES_WITH"])
def test_recommend_keys_supply_graph_answers_equal_the_cypher_path(
        store: Store, monkeypatch: pytest.MonkeyPatch, relation: str) -> None:
    """With the supply-graph weights (and a strong walk and affinity for every relation),
    the tie graph's key path answers as the Cypher path's id keys, reasons included."""
    build_sample(store)
    _more_ties(store)
    heavy = Weights(affinity=2.0, walk=3.0, peers=0.5)
    weights = [SUPPLY_GRAPH_WEIGHTS.get(relation), heavy]

    def answers() -> list[Any]:
        return [rank_partners(store, i, relation, top=top, weights=w)
                for i in IDS for w in weights for top in (3, 10)]

    fast = answers()
    assert recommend._current(store).ties.graph is not None
    assert any(WALK_REASON in r["reasons"] for a in fast for r in a)
    assert any(any("倾向" in t for t in r["reasons"]) for a in fast for r in a)
    monkeypatch.setattr(tiegraph, "ENABLED", False)
    clear_cache()
    assert answers() == fast


def test_recommend_keys_follow_a_new_model_and_a_new_tie_graph(store: Store) -> None:
    build_sample(store)
    _more_ties(store)
    w = SUPPLY_GRAPH_WEIGHTS["SUPPLIES"]
    recommend_partners(store, "E1", "SUPPLIES", weights=w)
    agg = recommend._current(store)
    tg = recommend._ties(store, agg)
    assert tg is not None
    walk = recommend._walk(store, agg)
    aff = recommend._affinity(store, agg, "SUPPLIES")
    first = tg.memo["model keys", "walk"]
    assert first.model is walk
    assert tg.memo["model keys", ("affinity", "SUPPLIES")].model is aff
    recommend_partners(store, "E3", "SUPPLIES", weights=w)
    assert tg.memo["model keys", "walk"] is first  # same model, same tie graph: kept

    # a new model for the same tie graph (a background build finished): a new map, in the
    # new model's node numbering
    keys = recommend._keys(agg, tg)
    other = walk_model(store, ("SUPPLIES",))
    assert other.index != walk.index
    again = recommend._model_keys(keys, "walk", other, other.id_bytes)
    assert again is not first and again.model is other
    probe = ["E1", "K00", "K05"]
    assert again.nodes(keys.of(probe)).tolist() == [other.index[k] for k in probe]
    assert first.nodes(keys.of(probe)).tolist() == [walk.index[k] for k in probe]
    assert keys.ids(again.key[[other.index[k] for k in probe]]) == probe

    # a write: a new generation, a new tie graph with an empty memo, a new walk model;
    # the new firm N1 is reached through its fresh ties and proposed by the walk
    merge_nodes(store, "Enterprise", [node_row("N1", {"name": "新企业", **PROV})])
    merge_rels(store, "COOPERATES_WITH", "Enterprise", "Enterprise",
               [rel_row("K00", "N1", dict(PROV)), rel_row("K02", "N1", dict(PROV))])
    merge_rels(store, "SUPPLIES", "Enterprise", "Enterprise", [rel_row("K00", "E1", dict(PROV))])
    got = recommend_partners(store, "E1", "SUPPLIES", weights=w, top=100)["results"]
    agg2 = recommend._current(store)
    tg2 = recommend._ties(store, agg2)
    assert agg2 is not agg and tg2 is not None and tg2 is not tg
    fresh = tg2.memo["model keys", "walk"]
    assert fresh.model is recommend._walk(store, agg2) and fresh.model is not walk
    assert "N1" in fresh.model.index and fresh.known[fresh.model.index["N1"]]
    assert WALK_REASON in {r["id"]: r["reasons"] for r in got}["N1"]


def test_recommend_keys_walk_cut_breaks_ties_by_id_not_by_node() -> None:
    """Members of one industry reached with equal mass, numbered against their id order:
    the walk's limit keeps the smallest ids (as a sort by (-score, id) does), over ids and
    over nodes alike."""
    members = [("A", "I"), ("Z", "I"), ("Y", "I"), ("X", "I"), ("C", "I"), ("B", "I")]
    model = build_walk_model([], members)
    assert [model.ids[i] for i in range(len(model.ids))][2:] == ["Z", "Y", "X", "C", "B"]
    assert list(walk_candidates(model, "A", limit=2)) == ["C", "B"]  # node order: C before B
    assert set(walk_candidates(model, "A", limit=2)) == {"B", "C"}
    assert set(walk_candidates(model, "A", known={"Z"}, limit=2)) == {"B", "C", "Z"}
    nodes, _mass = walk_nodes(model, model.index["A"], np.zeros(0, dtype=np.int64),
                              np.array([model.index["Y"]]), 3)
    assert sorted(model.ids[i] for i in nodes.tolist()) == ["B", "C", "X", "Y"]
