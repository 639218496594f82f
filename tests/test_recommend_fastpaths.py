"""The recommender's per-request fast paths give the answers of the plain ways they replace,
bit for bit: floats rounded over arrays (``tiegraph.round_sig15``, ``recommend._round4``),
the first short list picked without a full sort (``recommend._first_short``), the industry
rows, chain makers and affinity hits kept per industry or product set with the enterprise
left out afterwards (checked against the plain computations, which leave it out first,
kept here as oracles), and the enterprise's indices taken from its tie-graph row. The
store tests run on both engines and both key spaces (tie-graph indices, the Cypher path's
id bytes), with small pools so that cuts, ties at a cut and the enterprise inside a cut
all occur."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import numpy as np
import pytest

from graph.store import Store
from graph.writes import merge_nodes, node_row
from queries import linkscore, linkwalk, recommend, tiegraph
from queries.linkscore import AffinityModel, affinity_hits, member_arrays
from queries.recommend import (
    SUPPLY_GRAPH_WEIGHTS,
    Weights,
    clear_cache,
    rank_partners,
    recommend_partners,
)
from queries.tiegraph import contains, round_sig15, sorted_unique
from tests.queries_sample import build_sample
from tests.test_recommend_keys import IDS, PROV, _fresh_cache, _more_ties  # noqa: F401

# _fresh_cache (imported above) is test_recommend_keys' autouse fixture: fresh caches, the tie
# graph and the models built synchronously, the rebuild rate limit off.
RELATIONS = ("SUPPLIES", "SUPPLIED_BY", "COOPERATES_WITH")


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.all((a.view(np.int64) == b.view(np.int64))
                                              | (np.isnan(a) & np.isnan(b))))


def _awkward_floats(rng: np.random.Generator) -> list[np.ndarray]:
    p = 10.0 ** np.arange(-30, 30)
    return [rng.random(200_000) * 10, -rng.random(50_000) * 50,
            1.0 / np.log(rng.integers(0, 1000, 50_000) + 2.0),  # Adamic-Adar parts
            np.exp(rng.uniform(-40, 40, 50_000)),
            (rng.integers(0, 10**8, 50_000) + 0.5) / 1e4,  # decimal halves
            np.concatenate([np.nextafter(p, 0), p, np.nextafter(p, np.inf)]),
            np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 5e-324, 1.7976931348623157e308,
                      0.5, 1.5, 2.5e-15, 0.00005, 0.00015]),
            rng.integers(0, 2**62, 50_000).view(np.float64)]  # any bit pattern


def test_recommend_fastpaths_round_sig15_equals_the_string_round_trip() -> None:
    rng = np.random.default_rng(5)
    for x in _awkward_floats(rng):
        want = np.array([float(f"{v:.15g}") for v in x.tolist()])
        assert _same_bits(round_sig15(x), want)
    assert round_sig15(np.zeros(0)).shape == (0,)


def test_recommend_fastpaths_round4_equals_round() -> None:
    rng = np.random.default_rng(6)
    for x in _awkward_floats(rng):
        want = np.array([round(v, 4) for v in x.tolist()])
        assert _same_bits(recommend._round4(x), want)


def _full_order_head(partial: np.ndarray, top: int, bonus: float) -> np.ndarray:
    """The first round as it was: the full order, cut where the bonuses cannot reach."""
    order = np.argsort(-partial, kind="stable")
    desc = -partial[order]
    m = len(partial)
    floor = float(partial[order[min(top, m) - 1]]) - bonus
    end = min(m, max(top, int(np.searchsorted(desc, -floor, side="right"))))
    return order[:end]


@pytest.mark.parametrize("bonus", [0.0, 0.6, 2.0])
def test_recommend_fastpaths_first_short_list_is_the_head_of_the_full_order(
        bonus: float) -> None:
    rng = np.random.default_rng(8)
    for trial in range(300):
        m = int(rng.integers(1, 60))
        # heavy ties (a few distinct values, zeros) or all distinct
        partial = (rng.integers(0, 4, m) / 4.0 if trial % 2 else rng.random(m) * 3)
        for top in (1, 3, 10, 100):
            got = recommend._first_short(partial, top, bonus)
            assert np.array_equal(got, _full_order_head(partial, top, bonus)), (trial, top)


# -- the plain computations the kept sets replace (the enterprise left out first) ----------

def _industry_plain(store: Store, agg: Any, keys: Any, me: Any, mine: list[str], side: str
                    ) -> tuple[list[Any], list[float], list[str]]:
    pairs = {(i, "same") for i in mine}
    down = recommend._adjacent(store, agg, "industry", "down")
    up = recommend._adjacent(store, agg, "industry", "up")
    for i in set(mine):
        pairs.update((b, "downstream") for b, _t in down.get(i, ()))
        pairs.update((a, "upstream") for a, _t in up.get(i, ()))
    members = recommend._members(store, agg, {j for j, _ in pairs})
    names = sorted({members[j][0] for j, _ in pairs})
    rows = []
    for j, where in sorted(pairs):
        w = 1.0 / math.log(members[j][1] + 2.0)
        for c in recommend._member_keys(keys, j, members[j][2]).tolist():
            if c != me:
                rows.append((-w, c, names.index(members[j][0]),
                             recommend._WHERE.index(where), w, where, members[j][0]))
    rows.sort(key=lambda r: r[:4])
    rows = rows[:recommend.INDUSTRY_POOL * 2]
    return ([r[1] for r in rows], [(1.0 if r[5] == side else 0.5) * r[4] for r in rows],
            [f"{recommend._LABEL[r[5]]}：{r[6]}" for r in rows])


def _chain_plain(store: Store, agg: Any, keys: Any, me: Any, mine: list[str], relation: str,
                 prefer_sme: bool, others: list[Any]) -> list[tuple[Any, str]]:
    adj = recommend._adjacent(store, agg, "product", "up" if relation == "SUPPLIES" else "down")
    via: dict[str, list[str]] = defaultdict(list)
    for p in set(mine):
        for q, link in adj.get(p, ()):
            via[q].append(link)
    makers = recommend._makers(store, agg, set(via))
    text: dict[Any, str] = {}
    preferred: set[Any] = set()
    for q in sorted(via):
        first, _rest, every = recommend._maker_keys(keys, q, makers[q], prefer_sme)
        preferred.update(first.tolist())
        for c in every.tolist():
            text[c] = min(text.get(c, min(via[q])), min(via[q]))
    ranked = sorted((c for c in text if c != me), key=lambda c: (c not in preferred, c))
    keep = set(ranked[:recommend.CHAIN_POOL]) | {c for c in others if c in text and c != me}
    return [(c, text[c]) for c in sorted(keep)]


def _affinity_plain(model: AffinityModel, industries: list[str], me: int | None,
                    known: list[int], limit: int | None) -> list[tuple[int, float, str]]:
    """Per candidate: the sum of its parts in industry order, the reason of its largest part
    (the first industry of it), listed in the order the parts first reach them."""
    arrays = member_arrays(model)
    weight: dict[str, float] = defaultdict(float)
    source: dict[str, tuple[float, str]] = {}
    for i in sorted(set(industries)):
        for j, share in model.shares.get(i, ()):
            weight[j] += share
            if share > source.get(j, (0.0, ""))[0]:
                source[j] = (share, i)
    score: dict[int, float] = {}
    best: dict[int, tuple[float, str]] = {}
    for j, wj in sorted(weight.items()):
        codes, logs = arrays.rows.get(j, (np.zeros(0, dtype=np.int64), np.zeros(0)))
        for c, part in zip(codes.tolist(), (wj * logs).tolist(), strict=True):
            if c == me:
                continue
            score[c] = score.get(c, 0.0) + part
            if c not in best or part > best[c][0]:
                best[c] = (part, j)
    chosen = list(score)
    if limit is not None and len(chosen) > limit:
        top = sorted(chosen, key=lambda c: (-score[c], c))[:limit]
        chosen = [c for c in chosen if c in set(top) or c in set(known)]
    return [(c, score[c], f"{source[best[c][1]][1]}>{best[c][1]}") for c in chosen]


def _firms(store: Store) -> list[str]:
    """The sample's firms, the extra ones and one without any tie, product or industry."""
    merge_nodes(store, "Enterprise", [node_row("Z0", {"name": "孤立企业", **PROV})])
    return [*IDS, "Z0", "nobody"]


@pytest.mark.parametrize("pool", [1, 2, 200])
def test_recommend_fastpaths_kept_sets_equal_the_plain_computations(
        store: Store, monkeypatch: pytest.MonkeyPatch, pool: int) -> None:
    """Industry rows and chain makers kept per set, with the enterprise left out after the
    ordering, equal the plain computation that leaves it out first: E1 is a member of its
    own industry (the first of its rows) and a maker of a product upstream of one it makes,
    so it sits inside the cut; small pools cut the rows (and through ties: equal weights)."""
    build_sample(store)
    _more_ties(store)
    monkeypatch.setattr(recommend, "CHAIN_POOL", pool)
    firms = _firms(store)
    industries_all = {r["id"] for r in store.read("MATCH (j:Industry) RETURN j.id AS id")}
    seen_me_inside = False
    for tie_path in (True, False):  # tie-graph indices, then the Cypher path's id bytes
        monkeypatch.setattr(tiegraph, "ENABLED", tie_path)
        clear_cache()
        recommend_partners(store, "E1", "SUPPLIES")  # builds the tie graph (if enabled)
        agg = recommend._current(store)
        tg = recommend._ties(store, agg)
        assert (tg is not None) == tie_path
        # members sampled as usual (200 an industry), the signal's cut at ``pool``
        monkeypatch.setattr(recommend, "INDUSTRY_POOL", 200)
        recommend._members(store, agg, industries_all)
        monkeypatch.setattr(recommend, "INDUSTRY_POOL", pool)
        keys = recommend._keys(agg, tg)
        for _round in range(2):  # cold sets, then kept ones
            for eid in firms:
                me_row = recommend._me(store, agg, tg, eid, "SUPPLIES") or {}
                me = keys.of([eid])[0]
                industries = list(me_row.get("industries") or [])
                products = list(me_row.get("products") or [])
                for side in ("upstream", "downstream", "same"):
                    s = recommend._industry_signal(store, agg, keys, me, industries, side)
                    want = _industry_plain(store, agg, keys, me, industries, side)
                    assert s.values is not None
                    assert (s.keys.tolist(), s.values.tolist(),
                            s.texts(list(range(len(s.keys))))) == want, (eid, side)
                    rows = keys.memo["industry rows"].get((frozenset(industries), side))
                    seen_me_inside |= rows is not None and me in rows.keys[:pool * 2].tolist()
                others = recommend._known_keys(keys, [x for x in firms if len(x) % 2][::-1])
                for relation in ("SUPPLIES", "SUPPLIED_BY"):
                    for prefer in (True, False):
                        got, texts = recommend._chain_pairs(store, agg, keys, me, products,
                                                            relation, prefer, others)
                        assert list(zip(got.tolist(), texts, strict=True)) == _chain_plain(
                            store, agg, keys, me, products, relation, prefer,
                            others.tolist()), (eid, relation, prefer)
    assert seen_me_inside


@pytest.mark.parametrize("limit", [None, 1, 2, 5])
def test_recommend_fastpaths_affinity_kept_per_industry_set_equals_the_plain_sum(
        limit: int | None) -> None:
    """Hits kept per industry set, the enterprise's own code dropped afterwards, equal the
    plain per-candidate sums (enterprise left out first), including equal scores at the
    limit (ties by code) and candidates found otherwise kept past it; an unknown set finds
    nothing."""
    model = AffinityModel(
        shares={"A": [("B", 0.5), ("C", 0.25), ("A", 0.25)], "B": [("A", 1.0)],
                "C": [("C", 0.6), ("B", 0.4)]},
        members={"A": [("a1", 3), ("a2", 3), ("x", 1)], "B": [("b1", 4), ("x", 2), ("a2", 1)],
                 "C": [("c1", 2), ("c2", 2), ("b1", 1)]},
        names={"A": "甲", "B": "乙", "C": "丙"})
    arrays = member_arrays(model)
    mes: list[int | None] = [None, *range(len(arrays.ids)), 99]
    sets = [["A"], ["B"], ["C"], ["A", "C"], ["A", "B", "C"], ["C", "A", "A"], ["D"], []]
    for _round in range(2):  # cold, then kept
        for industries in sets:
            for me in mes:
                for known in ([], [0], [len(arrays.ids) - 1, 1]):
                    hits = affinity_hits(model, industries, me, "供应",
                                         np.array(sorted(known), dtype=np.int64), limit)
                    got = [(c, s, "{}>{}".format(*hits.pairs[r])) for c, s, r in zip(
                        hits.codes.tolist(), hits.score.tolist(), hits.reason.tolist(),
                        strict=True)]
                    assert got == _affinity_plain(model, industries, me, known, limit), (
                        industries, me, known)
    assert frozenset(["A", "C"]) in model.by_industries and model.by_industries[
        frozenset(["D"])] is None


def test_recommend_fastpaths_affinity_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(linkscore, "HITS_MEMO", 3)
    model = AffinityModel(shares={"A": [("A", 1.0)]}, members={"A": [("a", 1)]})
    for k in range(10):
        affinity_hits(model, ["A", f"X{k}"], None)
        assert len(model.by_industries) <= 3


@pytest.mark.parametrize("walk_pool", [linkwalk.WALK_POOL, 2])
@pytest.mark.parametrize("relation", RELATIONS)
def test_recommend_fastpaths_enterprise_row_and_a_plain_row_answer_alike(
        store: Store, monkeypatch: pytest.MonkeyPatch, relation: str, walk_pool: int) -> None:
    """The tie graph's own row (its indices used, the walk's exclusions through keys) and a
    plain copy of it (ids looked up again, the walk's exclusions by id) give one answer,
    reasons and scores included, for firms with and without ties, and for the firm unknown
    to the store; with a walk pool of 2 the exclusions decide which firms the walk keeps."""
    def walk_nodes(model: Any, start: int, exclude: Any, known: Any) -> Any:
        return linkwalk.walk_nodes(model, start, exclude, known, limit=walk_pool)

    monkeypatch.setattr(recommend, "walk_nodes", walk_nodes)
    monkeypatch.setattr(recommend, "POPULAR_POOL", 1)  # else every firm is a candidate
    build_sample(store)
    _more_ties(store)
    firms = _firms(store)
    recommend_partners(store, "E1", relation)
    agg = recommend._current(store)
    tg = recommend._ties(store, agg)
    assert tg is not None
    rel_type = recommend.REL_TYPE[relation]
    for w in (SUPPLY_GRAPH_WEIGHTS.get(relation), Weights(affinity=2.0, walk=3.0)):
        for eid in firms:
            row = tg.enterprise(eid, rel_type)
            assert (row is None) == (eid == "nobody")
            if row is not None:
                assert isinstance(row, tiegraph.EnterpriseRow) and row.graph is tg
                assert sorted(row["ties"]) == sorted(tg.id_of(int(i)) for i in row.tie_index)
                assert tg.id_of(row.index) == eid
            for top in (3, 10):
                fast = rank_partners(store, eid, relation, top=top, weights=w, agg=agg)
                plain = rank_partners(store, eid, relation, top=top, weights=w, agg=agg,
                                      me=dict(row) if row is not None else None)
                assert fast == plain, (eid, top)
                if eid == "Z0":
                    assert all("产业链" not in " ".join(r["reasons"]) for r in fast)


def test_recommend_fastpaths_chain_memo_is_bounded(store: Store,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    build_sample(store)
    monkeypatch.setattr(recommend, "CHAIN_MEMO", 2)
    monkeypatch.setattr(recommend, "INDUSTRY_MEMO", 2)
    for eid in IDS[:10]:
        recommend_partners(store, eid, "SUPPLIES")
    tg = recommend._ties(store, recommend._current(store))
    assert tg is not None
    assert 0 < len(tg.memo["chain"]) <= 2 and 0 < len(tg.memo["industry rows"]) <= 2


def test_recommend_fastpaths_helpers_accept_unsorted_repeated_candidates() -> None:
    """The candidates found so far reach the models and chain adjacency unsorted and with
    repeats (``_rank``'s ``seen``): the set tests there do not depend on the order."""
    table = sorted_unique(np.array([5, 1, 3, 3, 9]))
    probe = np.array([9, 9, 2, 1, 3, 3, 7])
    assert contains(table, probe).tolist() == [True, True, False, True, True, True, False]
