"""Random walk with restart for link prediction: firms a few typed hops from an enterprise.

Shared partners (Adamic-Adar) and partners of peers look two and three hops away through
business ties only. A walk that restarts at the enterprise reaches further, through business
ties and industries at once (supply, cooperation, investment, control, competition, and
industry membership), and weighs each firm by how much of the walk's mass lands on it: the
personalised PageRank of the enterprise, truncated to :data:`WALK_STEPS` steps. On random
10 % cuts of ICKG-25's training triples (never its valid split), in an offline copy of the
recommender's ranking, it added about one point of Hits@10 for 合作 on ten seeds (mean 0.203
-> 0.214; the product's own ``eval links`` agrees only within a few pairs per cut, see
:data:`queries.recommend.DEFAULT_WEIGHTS`), chronological cuts about even; patents, products
and industry structure as extra steps changed nothing there, so they are left out (they are
most of a big graph's relationships). For 供给 the same walk (weighted 1.5 beside the
defaults and the industry affinity, with ``RONGLIAN_RECOMMEND_SUPPLY_GRAPH``) lifted mean
Hits@10 on six fresh random cuts from 0.199 to 0.244
(:data:`queries.recommend.SUPPLY_GRAPH_WEIGHTS`). See ``queries/linkeval.py``.

:func:`walk_model` keeps, once per graph generation, that graph as a compressed adjacency in
numpy (two scans: ``rec_walk_ties``, ``rec_affinity_members``, the latter shared with the
industry affinity; each relationship type weighted by :data:`TYPE_WEIGHT`, both directions;
built by the first request on a cold start, else in the background while the previous
generation's model answers: ``queries/modelcache.py``). :func:`walk_candidates` (over ids) and
:func:`walk_nodes` (over node indices: the recommender maps its candidate keys to nodes once
per model, from the ids' bytes the model keeps, instead of a string per candidate and
request) walk it per request, no query: each step gathers its frontier's neighbour entries
and sums them into a dense vector over all nodes (mass under :data:`WALK_EPS` is dropped
from the next frontier). Nothing here reads the store except :func:`walk_model`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from graph.store import Store
from queries import scan
from queries.linkscore import memberships
from queries.tiegraph import unique_inverse

#: Steps of the walk kept (the mass beyond them, (1 - restart)^4 < 1/4, reorders little).
WALK_STEPS = 3
#: Probability of returning to the enterprise at each step.
WALK_RESTART = 0.3
#: Frontier entries with less mass than this are dropped (bounds a request's work near hubs).
#: 1e-4 rather than 1e-5: a walk at 100k enterprises then reaches about 1,000 firms instead of
#: 4,400 and takes 0.28 ms instead of 0.50 (``WalkModel`` of the bench store, 400 starts), while
#: the candidates it ranks first hardly move: on random cuts of ICKG-25's training triples,
#: 合作 Hits@10 was the same on r1-r5 and 供给 (with the supply setting) on seven of r1-r8
#: (r7: one pair fewer).
WALK_EPS = 1e-4
#: A step with fewer neighbour entries than 1/SPARSE_BELOW of the nodes sums them over its
#: distinct targets (a sort), a larger one into a vector over all nodes (a pass over them).
SPARSE_BELOW = 32
#: New candidates one request takes from the walk (the strongest).
WALK_POOL = 100
#: How strongly the walk follows each relationship type (others: 1). Cooperation ties weigh
#: more and industry membership less: chosen on random cuts of ICKG-25's training triples.
TYPE_WEIGHT = {"COOPERATES_WITH": 3.0, "IN_INDUSTRY": 0.5}
#: Industry nodes' keys in the model (kept apart from enterprise ids).
_INDUSTRY = "\x00industry:"


@dataclass
class WalkModel:
    """The graph of one generation as a row-normalised adjacency (CSR)."""

    #: node keys: enterprise ids, and industry ids behind a prefix of their own
    ids: list[str]
    index: dict[str, int]
    #: CSR rows: the neighbours of node i are ``indices[indptr[i]:indptr[i + 1]]``
    indptr: np.ndarray
    indices: np.ndarray
    #: transition probability of each stored neighbour entry
    prob: np.ndarray
    #: node i is an enterprise (not an industry)
    enterprise: np.ndarray
    #: the node keys' UTF-8 bytes, in node order (made with the model, in its build: the
    #: recommender maps them to its candidate keys once per model, ``recommend._ModelKeys``)
    id_bytes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype="S1"))
    #: each node's rank in id order (ties at :func:`walk_nodes`' cut are broken by id)
    id_rank: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def __post_init__(self) -> None:
        if len(self.id_bytes) != len(self.ids):
            self.id_bytes = (np.array([k.encode() for k in self.ids], dtype=bytes)
                             if self.ids else np.zeros(0, dtype="S1"))
        if len(self.id_rank) != len(self.ids):
            # UTF-8 byte order is code point order, Python's str order (ids are unique)
            self.id_rank = np.empty(len(self.ids), dtype=np.int64)
            self.id_rank[np.argsort(self.id_bytes, kind="stable")] = np.arange(len(self.ids))


def build_walk_model(ties: Iterable[tuple[str, str, str]],
                     memberships: Iterable[tuple[str, str]] = ()) -> WalkModel:
    """A model from enterprise ties ``(a, b, type)`` and industry memberships ``(enterprise,
    industry)``; industries are nodes of the walk, never candidates."""
    index: dict[str, int] = {}
    src: list[int] = []
    dst: list[int] = []
    wt: list[float] = []

    def node(key: str) -> int:
        i = index.get(key)
        if i is None:
            i = index[key] = len(index)
        return i

    ind_w = TYPE_WEIGHT.get("IN_INDUSTRY", 1.0)
    rows = [(a, b, TYPE_WEIGHT.get(typ, 1.0)) for a, b, typ in ties]
    rows += [(e, _INDUSTRY + i, ind_w) for e, i in memberships]
    for a, b, w in rows:
        if a == b:
            continue
        ia, ib = node(a), node(b)
        src += (ia, ib)
        dst += (ib, ia)
        wt += (w, w)
    n = len(index)
    s = np.asarray(src, dtype=np.int64)
    d = np.asarray(dst, dtype=np.int64)
    w_arr = np.asarray(wt, dtype=np.float64)
    order = np.lexsort((d, s))  # by source, then target: a deterministic layout
    s, d, w_arr = s[order], d[order], w_arr[order]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(s, minlength=n), out=indptr[1:])
    out = np.bincount(s, weights=w_arr, minlength=n)
    prob = w_arr / out[s] if len(s) else w_arr
    ids = [""] * n
    for k, i in index.items():
        ids[i] = k
    enterprise = np.array([not k.startswith(_INDUSTRY) for k in ids], dtype=bool)
    return WalkModel(ids, index, indptr, d, prob, enterprise)


def walk_model(store: Store, rel_types: tuple[str, ...],
               members: Sequence[tuple[str, str]] | None = None) -> WalkModel:
    """Read the enterprise ties of ``rel_types`` and every industry membership (two scans,
    ``rec_walk_ties`` and ``rec_affinity_members``) into a :class:`WalkModel`; ``members``:
    ``linkscore.memberships`` already read (then one scan)."""
    ties = [(str(r["a"]), str(r["b"]), str(r["type"]))
            for r in scan(store, "rec_walk_ties", rel_type=rel_types)]
    # in a fixed order: the same node numbering, hence the same float sums, on every engine
    ties.sort()
    return build_walk_model(ties, sorted(members) if members is not None
                            else memberships(store))


def _walk(model: WalkModel, start: int, steps: int, restart: float, eps: float
          ) -> tuple[np.ndarray, np.ndarray]:
    """``(enterprise node indices, mass)``: the truncated personalised PageRank of
    ``start``, the start itself left out.

    A large step's mass is summed into a dense vector over all nodes (``np.bincount`` with
    ``minlength``), which leaves the reached nodes in index order: near a hub a frontier
    holds thousands of entries, and sorting them (``np.unique``) cost more than the pass
    over the whole vector; a small one (the first steps, mostly) is sorted instead
    (:data:`SPARSE_BELOW`). The sums are the same floats either way: ``np.bincount`` adds
    each node's entries in the order they come, and the steps in order."""
    n = len(model.ids)
    indptr, indices, prob = model.indptr, model.indices, model.prob
    idx = np.array([start], dtype=np.int64)
    val = np.array([1.0])
    total = np.zeros(n)
    reached = np.zeros(n, dtype=bool)
    for step in range(1, steps + 1):
        # every frontier node's neighbour entries, in one vector (``tiegraph.entries``,
        # with the frontier's mass repeated directly: one gather less on the largest step)
        first = indptr[idx]
        lengths = indptr[idx + 1] - first
        m = int(lengths.sum())
        if not m:
            break
        pos = np.repeat(first - (np.cumsum(lengths) - lengths), lengths)
        pos += np.arange(m)
        target, mass = indices[pos], np.repeat(val, lengths) * prob[pos]
        if m * SPARSE_BELOW < n:  # a small step: sums over its distinct targets only
            idx, at = unique_inverse(target)
            val = np.bincount(at, weights=mass)
            keep = val >= eps
            idx, val = idx[keep], val[keep]
        else:
            dense = np.bincount(target, weights=mass, minlength=n)
            idx = np.flatnonzero(dense >= eps)
            val = dense[idx]
        ent = model.enterprise[idx] & (idx != start)
        total[idx[ent]] += val[ent] * (restart * (1.0 - restart) ** step)
        reached[idx[ent]] = True
    nodes = np.flatnonzero(reached)
    return nodes, total[nodes]


def walk_scores(model: WalkModel, eid: str, steps: int = WALK_STEPS,
                restart: float = WALK_RESTART, eps: float = WALK_EPS) -> dict[str, float]:
    """``{enterprise id: mass}``: the truncated personalised PageRank of ``eid`` on the
    enterprises it reaches (``eid`` itself left out)."""
    start = start_node(model, eid)
    if start is None:
        return {}
    nodes, mass = _walk(model, start, steps, restart, eps)
    return {model.ids[i]: v for i, v in zip(nodes.tolist(), mass.tolist(), strict=True)}


def start_node(model: WalkModel, eid: str) -> int | None:
    """The node a walk from enterprise ``eid`` starts at (None: not in the model)."""
    if eid.startswith(_INDUSTRY):
        return None
    return model.index.get(eid)


def walk_candidates(model: WalkModel, eid: str, exclude: Collection[str] = (),
                    known: Collection[str] = (), limit: int | None = WALK_POOL
                    ) -> dict[str, float]:
    """``{candidate: walk score}`` for ``eid``, without ``exclude`` (its existing ties);
    with a ``limit``: the ``limit`` strongest, plus any of the ``known`` candidates."""
    start = start_node(model, eid)
    if start is None:
        return {}
    drop = np.asarray([model.index[x] for x in exclude if x in model.index], dtype=np.int64)
    extra = np.asarray([model.index[x] for x in known if x in model.index], dtype=np.int64)
    nodes, mass = walk_nodes(model, start, drop, extra, limit)
    return {model.ids[i]: v for i, v in zip(nodes.tolist(), mass.tolist(), strict=True)}


def walk_nodes(model: WalkModel, start: int, exclude: np.ndarray, known: np.ndarray,
               limit: int | None = WALK_POOL) -> tuple[np.ndarray, np.ndarray]:
    """:func:`walk_candidates` over node indices: ``(nodes ascending, walk score)`` for the
    walk from node ``start``, without the nodes ``exclude``; with a ``limit``: the ``limit``
    strongest (ties by id), plus any of the nodes ``known`` it reached. The recommender
    calls this with nodes mapped from its candidate keys once per model (no id strings per
    request)."""
    nodes, mass = _walk(model, start, WALK_STEPS, WALK_RESTART, WALK_EPS)
    if len(exclude):
        keep = np.ones(len(nodes), dtype=bool)
        keep[_positions(nodes, exclude)] = False
        nodes, mass = nodes[keep], mass[keep]
    if limit is None or len(nodes) <= limit:
        return nodes, mass
    # the limit strongest (ties broken by id, as a sort by (-score, id) would), plus
    # the known candidates the walk reached
    cut = np.partition(mass, len(mass) - limit)[len(mass) - limit]
    above = np.flatnonzero(mass > cut)
    at = np.flatnonzero(mass == cut)
    at = at[np.argsort(model.id_rank[nodes[at]], kind="stable")]
    chosen = np.zeros(len(nodes), dtype=bool)
    chosen[above] = True
    chosen[at[:limit - len(above)]] = True
    chosen[_positions(nodes, known)] = True
    return nodes[chosen], mass[chosen]


def _positions(nodes: np.ndarray, some: np.ndarray) -> np.ndarray:
    """Where those of ``some`` that are in ``nodes`` (ascending) sit in it (the few hundred
    ``some`` are looked up among the thousands of ``nodes``, not the other way round)."""
    some = np.asarray(some, dtype=np.int64)
    if not len(nodes) or not len(some):
        return np.zeros(0, dtype=np.int64)
    at = np.minimum(np.searchsorted(nodes, some), len(nodes) - 1)
    return at[nodes[at] == some]
