"""Partner recommendations, both ways, each result with a score and Chinese reasons.

``recommend_partners(store, enterprise, relation, need=None, region=None, top=10)``:

- ``SUPPLIES``: who could supply this enterprise (for its needs, or upstream of
  what it makes);
- ``SUPPLIED_BY``: whom it could supply (buyers downstream of its products, or
  with open needs about its products and capabilities);
- ``COOPERATES_WITH`` and ``INVESTS_IN``: partners of that kind.

Candidates come from several generators (``rec_*.cypher``) and are scored by a
weighted sum of signals, each scaled to 0–1: need match, chain adjacency
(``UPSTREAM_OF`` between what they make), shared partners (Adamic-Adar), partners
of peers in the same relationship (for cooperation: through any business tie),
industry and industry-upstream structure, activity in that relationship
(preferential attachment), industry affinity for cooperation (members of the
industries its industries usually cooperate with: ``queries/linkscore.py``), for
cooperation a random walk with restart over business ties and industries (firms a few
hops away: ``queries/linkwalk.py``), region, size complementarity (融通: a leading firm
with SMEs) and tiers. Existing ties of the requested kind are excluded. Weights are in
:class:`Weights` (per relation: :data:`DEFAULT_WEIGHTS`); they were chosen on dev
splits carved out of ICKG-25's training triples (``ronglian eval links --dev 0.1``),
never on its valid split (see ``queries/linkeval.py``).

Speed: graph-wide aggregates are computed once and cached per store until the
graph changes (a relationship-count check, one counter read per request, plus
this process's own writes; at most :data:`AGG_TTL_S` old in any case; display
fields follow the engine's change token, ``Store.data_version``): each
enterprise's degree in a relationship type (hence the popular-candidates pool),
the products' and industries' ``UPSTREAM_OF`` structure, every chained product's
makers (split by size and sorted, so chain adjacency merges a few sorted lists),
industry member samples, the industry affinity of cooperation (three scans, about
1 s at 100k enterprises), the graph the cooperation walk runs on
(``queries/linkwalk.py``: two scans, about 5 s at 100k enterprises) and the **tie
graph** (``queries/tiegraph.py``): every
enterprise's ties, products, industries and display fields in numpy arrays, from
which the enterprise's own row, shared partners, partners of peers and the
candidates' display fields are computed in memory, row for row as the
``rec_enterprise``, ``rec_shared_partners``, ``rec_relation_peers`` and
``rec_details`` queries answer them. The tie graph follows the change token (a
changed property or relationship count is seen by the next request, whoever wrote
it; ties swapped without changing the count wait for the TTL, like the other
aggregates); it is built in a background
thread (about 10–20 s at 100k enterprises on a busy 2-core machine; a property-only
change re-reads only the enterprise scan) and rebuilt at most every
``tiegraph.REBUILD_GAP_S`` or ten build-times; until it is ready, or while the
engine cannot tell its change token, those four queries run instead (the same
answers). A warm request with the tie graph makes one store round trip (the change
token) plus the need query for SUPPLIES/SUPPLIED_BY or a need, and is scored one at a
time per process (CPU-bound threads sharing the GIL cost more than they overlap); a
cold one pays for
the aggregates (seconds at 100k enterprises, after every write). Display fields and
reasons are needed only for the candidates that can still reach the top: the
region, size and tier bonuses are bounded, so anything whose other signals leave it
below the ``top``-th score even with every bonus is dropped unread, and reasons are
written for the answer only. Peers are expanded from at most 200 strongest peers,
never through a firm with over :data:`PEER_HUB` ties.
"""

from __future__ import annotations

import contextlib
import functools
import heapq
import math
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from graph.errors import InvalidInput
from graph.store import Row, Store
from queries import rel_text, run, tiegraph
from queries.chains import as_tiers
from queries.common import is_local, resolve_enterprise, resolve_region
from queries.gaps import is_leading
from queries.linkscore import AffinityModel, affinity_candidates, affinity_model
from queries.linkwalk import WalkModel, walk_candidates, walk_model
from queries.tiegraph import TieCache, TieGraph

RELATIONS = ("SUPPLIES", "SUPPLIED_BY", "COOPERATES_WITH", "INVESTS_IN")
#: The stored relationship type behind each requested relation.
REL_TYPE = {"SUPPLIES": "SUPPLIES", "SUPPLIED_BY": "SUPPLIES",
            "COOPERATES_WITH": "COOPERATES_WITH", "INVESTS_IN": "INVESTS_IN"}
REL_ZH = {"SUPPLIES": "供应", "COOPERATES_WITH": "合作", "INVESTS_IN": "投资"}
#: Industry position of a good candidate relative to the enterprise, per relation.
INDUSTRY_SIDE = {"SUPPLIES": "upstream", "SUPPLIED_BY": "downstream",
                 "COOPERATES_WITH": "same", "INVESTS_IN": "same"}
SME = {"中型", "小型", "微型"}
NOTABLE_TIERS = ("链主企业", "专精特新小巨人", "制造业单项冠军", "专精特新中小企业", "高新技术企业")
POOL = 200
#: Members taken from one industry (the largest ones weigh little anyway).
INDUSTRY_POOL = 200
#: The most active firms in the relationship, always candidates (popularity is the
#: strongest single signal for cooperation in news-derived graphs).
POPULAR_POOL = 200
#: Candidates taken from chain adjacency alone (a product can have hundreds of makers).
CHAIN_POOL = 100
#: Display fields kept per store (all of them dropped beyond this many).
DETAILS_CACHE = 200_000
#: Cached aggregates are recomputed at least this often even when no change was seen
#: (a property-only update does not move the relationship count).
AGG_TTL_S = 300.0
#: Enterprise-to-enterprise ties: the shared-partner graph, and the peers graph for
#: cooperation (partners of partners' partners through any business tie).
ENTERPRISE_TIES = ("SUPPLIES", "COOPERATES_WITH", "INVESTS_IN", "CONTROLS", "COMPETES_WITH")
PEER_TYPES = {"COOPERATES_WITH": ENTERPRISE_TIES}
#: Partners of partners are not expanded through a firm with more ties than this (ICKG-25's
#: busiest firm has 193 business ties, so the evaluation is unaffected).
PEER_HUB = 200
#: Which ties count for popularity: "both" = all ties of the type, "in" = times named as
#: the partner (the tail of a stored cooperation), which predicted new ties better on the
#: dev split (firms others announce cooperation with).
POPULARITY_SIDE = {"COOPERATES_WITH": "in"}


@dataclass(frozen=True)
class Weights:
    need: float = 3.0
    chain: float = 2.0
    shared: float = 1.0
    peers: float = 1.0
    industry: float = 0.5
    popularity: float = 0.6
    region: float = 0.5
    size: float = 0.4
    tier: float = 0.2
    #: industry affinity (``queries/linkscore.py``); 0 = not computed at all
    affinity: float = 0.0
    #: random walk with restart over all ties (``queries/linkwalk.py``); 0 = not computed
    walk: float = 0.0


#: Per-relation weights (others use :class:`Weights`' defaults). Cooperation: a grid over the
#: signals on ICKG-25's training triples only, never its valid split: five successive
#: chronological dev cuts (each the next 10 % by time after the graph) and, as a guard, three
#: random 10 % cuts (valid covers the same days as train, and so, by its time ids, does the
#: test split); kept: the best worst-case gain over the previous weights on both (mean Hits@10
#: 0.160 -> 0.172 chronological, 0.210 -> 0.214 random).
#: The walk (``queries/linkwalk.py``) was added later at 0.5, chosen the same way (an offline
#: copy of this ranking on ten random cuts: mean Hits@10 0.203 -> 0.214, MRR up too; three
#: chronological cuts about even); the other weights, moved one at a time by x0.5 and x1.5
#: beside it, gained nothing. ``eval links`` itself, before -> after: random seed 1 0.190 ->
#: 0.204, seed 2 0.215 -> 0.210, chronological 0.225 -> 0.211; valid (read once, after):
#: 0.202 -> 0.226 against Adamic-Adar's 0.156.
DEFAULT_WEIGHTS = {
    "COOPERATES_WITH": Weights(shared=1.0, peers=0.5, industry=0.3, affinity=1.0,
                               popularity=0.75, walk=0.5),
}


@dataclass(slots=True)
class _Cand:
    id: str
    # functools.partial: called in C (a lambda per field was a tenth of a request's time)
    signals: dict[str, float] = field(default_factory=functools.partial(defaultdict, float))
    notes: dict[str, list[str]] = field(default_factory=functools.partial(defaultdict, list))


@dataclass
class _Aggregates:
    """Graph-wide aggregates of one store, valid for one generation token."""

    token: tuple[Any, ...]
    made: float
    #: rel type → enterprise id → (out-degree, in-degree)
    degrees: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)
    #: (rel type, side) → the POPULAR_POOL most active ids
    popular: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    #: UPSTREAM_OF links: kind ('product'|'industry') → [(a, a_name, b, b_name)]; None: not read
    links: dict[str, list[tuple[str, str, str, str]]] | None = None
    #: product id → [(maker id, size class)]
    makers: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)
    #: (product id, prefer SMEs) → (preferred makers, the others: by id; maker → its rank)
    maker_ranks: dict[tuple[str, bool], tuple[list[str], list[str], dict[str, int]]] = field(
        default_factory=dict)
    #: industry id → (name, member count, first INDUSTRY_POOL member ids by id)
    members: dict[str, tuple[str, int, list[str]]] = field(default_factory=dict)
    #: enterprise id → display fields (the popular pool recurs in every answer)
    details: dict[str, Row] = field(default_factory=dict)
    #: the engine's change token when ``details`` was last emptied (see :func:`_current`)
    version: Hashable | None = None
    #: rel type → industry affinity (``queries.linkscore``), read on first use
    affinity: dict[str, AffinityModel] = field(default_factory=dict)
    #: the whole graph for the random walk (``queries.linkwalk``), read on first use
    walk: WalkModel | None = None
    #: the in-memory tie graph (``queries.tiegraph``), per change token
    ties: TieCache = field(default_factory=lambda: TieCache(ENTERPRISE_TIES))
    #: held while a graph-wide aggregate is built, so concurrent requests wait for the
    #: one build instead of each running the same full scan (on Neo4j 10–14 s each)
    building: threading.RLock = field(default_factory=threading.RLock)


def _built[T](agg: _Aggregates, get: Callable[[], T | None], build: Callable[[], T]) -> T:
    """``get()``, else ``build()`` by one thread at a time (single flight)."""
    got = get()
    if got is None:
        with agg.building:
            got = get()
            if got is None:
                got = build()
    return got


_aggregates: dict[tuple[int, str], _Aggregates] = {}
_replacing = threading.Lock()


def _current(store: Store) -> _Aggregates:
    """The store's cached aggregates, dropped when the graph changed or got too old."""
    key = (id(store), store.url)
    agg = _aggregates.get(key)
    local = getattr(store, "local_writes", 0)
    # A property-only change by another process (a renamed firm, a new size class) leaves
    # the relationship count alone; the names and sizes shown must not wait for the TTL,
    # so display fields follow the engine's own change token (one cheap read). The
    # structural aggregates keep the count: recomputing them costs seconds. While the
    # token stands still nothing changed at all, so the count is not asked again (one
    # round trip less per request).
    version = store.data_version()
    if (agg is None or version is None or version != agg.version or agg.token[1] != local
            or time.monotonic() - agg.made > AGG_TTL_S):
        rels = run(store, "rec_generation")
        token = (int(rels[0]["rels"]) if rels else 0, local)
        with _replacing:  # requests that see the same change share one new set
            agg = _aggregates.get(key)
            if agg is None or agg.token != token or time.monotonic() - agg.made > AGG_TTL_S:
                agg = _aggregates[key] = _Aggregates(token, time.monotonic())
    if version is None or version != agg.version:
        agg.details = {}
        agg.version = version
    return agg


def _degrees(store: Store, agg: _Aggregates, rel_type: str) -> dict[str, tuple[int, int]]:
    def build() -> dict[str, tuple[int, int]]:
        out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for r in store.read(rel_text(store, "rec_degrees", rel_type)):
            d = out[r["id"]]
            d[0] += int(r["out"] or 0)
            d[1] += int(r["in"] or 0)
        deg = agg.degrees[rel_type] = {k: (v[0], v[1]) for k, v in out.items()}
        return deg

    return _built(agg, lambda: agg.degrees.get(rel_type), build)


def _popularity(deg: tuple[int, int] | None, side: str) -> int:
    if deg is None:
        return 0
    return deg[1] if side == "in" else deg[0] + deg[1]


def _popular(store: Store, agg: _Aggregates, rel_type: str, side: str) -> list[str]:
    key = (rel_type, side)
    ids = agg.popular.get(key)
    if ids is None:
        deg = _degrees(store, agg, rel_type)
        ranked = sorted(((-_popularity(d, side), k) for k, d in deg.items()))
        ids = agg.popular[key] = [k for s, k in ranked[:POPULAR_POOL] if s < 0]
    return ids


def _links(store: Store, agg: _Aggregates) -> dict[str, list[tuple[str, str, str, str]]]:
    def build() -> dict[str, list[tuple[str, str, str, str]]]:
        links: dict[str, list[tuple[str, str, str, str]]] = {"product": [], "industry": []}
        for r in run(store, "rec_structure"):
            links[r["kind"]].append((r["a"], str(r["a_name"] or r["a"]), r["b"],
                                     str(r["b_name"] or r["b"])))
        agg.links = links
        return links

    return _built(agg, lambda: agg.links, build)


def _makers(store: Store, agg: _Aggregates, products: set[str]
            ) -> dict[str, list[tuple[str, str | None]]]:
    missing = products - set(agg.makers)
    if missing:
        # every chained product at once: one scan per generation instead of a miss on most
        # requests (a random enterprise's neighbouring products are rarely cached yet)
        links = _links(store, agg)["product"]
        wanted = sorted((missing | {x for a, _an, b, _bn in links for x in (a, b)})
                        - set(agg.makers))
        got: dict[str, list[tuple[str, str | None]]] = {p: [] for p in wanted}
        for r in run(store, "rec_makers", {"ids": wanted}):
            got[r["product"]].append((r["id"], r["size_class"]))
        agg.makers.update(got)
    return {p: agg.makers[p] for p in products}


def _members(store: Store, agg: _Aggregates, industries: set[str]
             ) -> dict[str, tuple[str, int, list[str]]]:
    missing = sorted(industries - set(agg.members))
    if missing:
        got: dict[str, tuple[str, int, list[str]]] = {i: (i, 0, []) for i in missing}
        for r in run(store, "rec_industry_members", {"ids": missing,
                                                     "per_industry": INDUSTRY_POOL}):
            got[r["id"]] = (str(r["name"] or r["id"]), int(r["n"]), list(r["sample"] or []))
        agg.members.update(got)
    return {i: agg.members[i] for i in industries}


def _industry_rows(store: Store, agg: _Aggregates, eid: str, mine: list[str]
                   ) -> list[tuple[str, str, str, float]]:
    """``[(candidate, relation, industry name, weight)]``: members of the enterprise's
    industries ('same') and of those directly down- or upstream of them, each industry
    weighted by 1/ln(members + 2), strongest first, at most 2 × INDUSTRY_POOL rows."""
    mine_set = set(mine)
    pairs = {(i, "same") for i in mine}
    for a, _an, b, _bn in _links(store, agg)["industry"]:
        if a in mine_set:
            pairs.add((b, "downstream"))
        if b in mine_set:
            pairs.add((a, "upstream"))
    members = _members(store, agg, {j for j, _ in pairs})
    rows = []
    for j, relation in pairs:
        name, n, sample = members[j]
        w = 1.0 / math.log(n + 2.0)
        rows += [(c, relation, name, w) for c in sample if c != eid]
    rows.sort(key=lambda r: (-r[3], r[0], r[2], r[1]))
    return rows[:INDUSTRY_POOL * 2]


def _chain_rows(store: Store, agg: _Aggregates, eid: str, mine: list[str], relation: str,
                prefer_sme: bool, others: set[str]) -> dict[str, str]:
    """Chain adjacency: ``{candidate: "p → q"}`` for firms making a product directly up-
    (SUPPLIES) or downstream (SUPPLIED_BY) of one the enterprise makes. At most CHAIN_POOL
    of them (SMEs first when ``prefer_sme``, 融通; else leading firms first; then by id),
    plus any of ``others`` (candidates found otherwise) that qualify."""
    mine_set = set(mine)
    via: dict[str, list[str]] = defaultdict(list)  # their product -> "p → q" texts
    for a, an, b, bn in _links(store, agg)["product"]:
        if relation == "SUPPLIES" and b in mine_set:
            via[a].append(f"{an} → {bn}")
        elif relation == "SUPPLIED_BY" and a in mine_set:
            via[b].append(f"{an} → {bn}")
    if not via:
        return {}
    makers = _makers(store, agg, set(via))
    # per product, its makers split by rank (0: preferred) and sorted by id, once per
    # generation: a request then merges a few sorted lists instead of walking every maker
    ranked = {p: _maker_ranks(agg, p, makers[p], prefer_sme) for p in sorted(via)}
    text = {p: min(via[p]) for p in via}
    # = sorted(all makers but eid, key=(rank, id))[:CHAIN_POOL]
    pool: list[str] = []
    rank: dict[str, int] = {}
    for level in (0, 1):
        for c in heapq.merge(*(r[level] for r in ranked.values())):
            if len(pool) >= CHAIN_POOL:
                break
            if c != eid and c not in rank:
                rank[c] = level
                pool.append(c)
    keep = set(pool)
    for r in ranked.values():
        for c in others & r[2].keys():
            if c != eid:
                keep.add(c)
                rank[c] = r[2][c]  # a firm's rank is its size's, whichever product it makes
    # the text of the product it makes that comes first (the smallest "p → q")
    best: dict[str, str] = {}
    for p, r in ranked.items():
        t = text[p]
        for c in keep & r[2].keys():
            if c not in best or t < best[c]:
                best[c] = t
    return {c: best[c] for c in sorted(keep, key=lambda c: (rank[c], c))}


def _maker_ranks(agg: _Aggregates, product: str, makers: list[tuple[str, str | None]],
                 prefer_sme: bool) -> tuple[list[str], list[str], dict[str, int]]:
    key = (product, prefer_sme)
    got = agg.maker_ranks.get(key)
    if got is None:
        # a firm of unknown size is never preferred (as Cypher's null comparison behaves)
        first = sorted({c for c, s in makers if s is not None and (s in SME) == prefer_sme})
        rest = sorted({c for c, _s in makers} - set(first))
        ranks = dict.fromkeys(rest, 1) | dict.fromkeys(first, 0)
        got = agg.maker_ranks[key] = (first, rest, ranks)
    return got


def clear_cache() -> None:
    """Forget cached aggregates (tests and evaluation load fresh graphs)."""
    _aggregates.clear()
    tiegraph.clear()


def recommend_partners(store: Store, enterprise: str, relation: str = "SUPPLIES",
                       need: str | None = None, region: str | None = None, top: int = 10,
                       weights: Weights | None = None) -> dict[str, Any]:
    """``{enterprise: {id, name}, relation, results: [{id, name, score, reasons}]}``."""
    relation = (relation or "").strip().upper()
    if relation not in RELATIONS:
        raise InvalidInput(f"relation must be one of {', '.join(RELATIONS)}", field="relation")
    if not 1 <= top <= 100:
        raise InvalidInput("top must be between 1 and 100", field="top")
    # An id is the usual key, and an id match is what the look-up would pick first: the
    # enterprise's own row, read by id, answers both (one round trip less); any other key
    # goes through the look-up.
    key = (enterprise or "").strip()
    agg = _current(store)
    me = _me(store, agg, key, REL_TYPE[relation]) if key else None
    if me is not None:
        ent = {"id": me["id"], "name": me["name"]}
    else:
        ent = resolve_enterprise(store, enterprise)
    prefix = resolve_region(store, region)
    # The graph-wide models this relation scores with are built before the lock below: a
    # build takes seconds (the walk's scans about 5 s at 100k enterprises) and must not
    # hold up the requests of other relations (those for this one wait for it anyway).
    _prepare(store, agg, relation, weights)
    # With the tie graph a request is Python and numpy work (one store query at most), and
    # threads interleaving on the GIL cost more CPU than they save: 16 threads of one
    # process answered 88 requests/s where one thread answered 125 (100k enterprises).
    # One at a time then; on the Cypher path requests mostly wait on the store: no lock.
    with _SCORING if _ties(store, agg) is not None else contextlib.nullcontext():
        results = rank_partners(store, ent["id"], relation, need=need, prefix=prefix,
                                top=top, weights=weights, me=me, agg=agg)
    return {"enterprise": ent, "relation": relation, "results": results}


#: Held while a request is scored from the tie graph (see :func:`recommend_partners`).
_SCORING = threading.Lock()


def _affinity(store: Store, agg: _Aggregates, rel_type: str) -> AffinityModel:
    """The industry affinity of ``rel_type`` (built once per generation, single flight)."""
    def build() -> AffinityModel:
        m = agg.affinity[rel_type] = affinity_model(store, rel_type,
                                                    _degrees(store, agg, rel_type))
        return m

    return _built(agg, lambda: agg.affinity.get(rel_type), build)


def _walk(store: Store, agg: _Aggregates) -> WalkModel:
    """The graph the random walk runs on (built once per generation, single flight)."""
    def build() -> WalkModel:
        m = agg.walk = walk_model(store, ENTERPRISE_TIES)
        return m

    return _built(agg, lambda: agg.walk, build)


def _prepare(store: Store, agg: _Aggregates, relation: str, weights: Weights | None) -> None:
    """Build the graph-wide models ``relation``'s weights use, if not built yet."""
    w = weights or DEFAULT_WEIGHTS.get(relation, Weights())
    rel_type = REL_TYPE[relation]
    _degrees(store, agg, rel_type)
    if w.affinity > 0:
        _affinity(store, agg, rel_type)
    if w.walk > 0:
        _walk(store, agg)


def _ties(store: Store, agg: _Aggregates) -> TieGraph | None:
    """The in-memory tie graph for the store's current change token, or None (then the
    ``rec_*`` queries answer the same)."""
    return agg.ties.get(store, agg.version)


def _me(store: Store, agg: _Aggregates, eid: str, rel_type: str) -> Row | None:
    tg = _ties(store, agg)
    if tg is not None:
        return tg.enterprise(eid, rel_type)
    rows = store.read(rel_text(store, "rec_enterprise", rel_type), {"id": eid})
    return rows[0] if rows else None


def rank_partners(store: Store, eid: str, relation: str, *, need: str | None = None,
                  prefix: str | None = None, top: int = 10,
                  weights: Weights | None = None, me: Row | None = None,
                  agg: _Aggregates | None = None) -> list[dict[str, Any]]:
    """Score candidates for enterprise id ``eid`` (already resolved); ``me``: its
    ``rec_enterprise`` row when the caller has read it already (and ``agg`` the
    aggregates it checked)."""
    w = weights or DEFAULT_WEIGHTS.get(relation, Weights())
    rel_type = REL_TYPE[relation]
    agg = agg or _current(store)
    tg = _ties(store, agg)
    if me is None:
        me = _me(store, agg, eid, rel_type) or {"name": eid, "size_class": None,
                                                "tiers": None, "region_code": None,
                                                "ties": []}
    me_tiers = as_tiers(me["tiers"])
    me_leading = is_leading(me["size_class"], me_tiers)
    region_hint = prefix  # no region asked: region is not a signal
    cands: dict[str, _Cand] = {}

    def cand(cid: str) -> _Cand:
        c = cands.get(cid)
        if c is None:
            c = cands[cid] = _Cand(cid)
        return c

    # need match (direction-aware)
    rows: list[Row] = []
    if need:
        if relation not in ("SUPPLIES", "COOPERATES_WITH"):
            raise InvalidInput("need applies to SUPPLIES and COOPERATES_WITH", field="need")
        # a stored Need id of this firm, else free text matched against products
        rows = run(store, "rec_suppliers", {"id": eid, "need": need}) or run(
            store, "rec_need_text", {"text": need, "limit": POOL})
    elif relation == "SUPPLIES":
        rows = run(store, "rec_suppliers", {"id": eid, "need": None})
    elif relation == "SUPPLIED_BY":
        rows = run(store, "rec_buyers", {"id": eid})
    for r in rows:
        c = cand(r["id"])
        c.signals["need"] = 1.0
        _note(c, "need", f"匹配需求：{r['product']}")

    shared_rows = tg.shared_partners(eid, POOL) if tg is not None else store.read(
        rel_text(store, "rec_shared_partners", ENTERPRISE_TIES), {"id": eid, "limit": POOL})
    for r in shared_rows:
        c = cand(r["id"])
        c.signals["shared"] += float(r["score"])
        via = "、".join(str(v) for v in (r["via"] or []) if v)
        _note(c, "shared", f"有共同合作伙伴：{via}" if via else "有共同合作伙伴")

    peer_types = PEER_TYPES.get(rel_type, (rel_type,))
    peer_rows = tg.relation_peers(eid, peer_types, POOL, PEER_HUB) if tg is not None else \
        store.read(rel_text(store, "rec_relation_peers", peer_types),
                   {"id": eid, "limit": POOL, "cap": PEER_HUB})
    kind = f"{REL_ZH[rel_type]}关系" if len(peer_types) == 1 else "业务往来"
    for r in peer_rows:
        c = cand(r["id"])
        c.signals["peers"] += float(r["score"])
        via = "、".join(str(v) for v in (r["via"] or []) if v)
        _note(c, "peers", f"与同类企业（{via}）有{kind}" if via
              else f"同类企业的{REL_ZH[rel_type]}伙伴")

    side = INDUSTRY_SIDE[relation]
    label = {"same": "同属行业", "upstream": "所在行业为上游", "downstream": "所在行业为下游"}
    for cid, where, industry, score in _industry_rows(store, agg, eid,
                                                      list(me.get("industries") or [])):
        c = cand(cid)
        c.signals["industry"] += (1.0 if where == side else 0.5) * score
        _note(c, "industry", f"{label[where]}：{industry}")

    if w.affinity > 0:  # industries this kind of tie usually joins (cached per generation)
        model = _affinity(store, agg, rel_type)
        known = cands.keys() | set(_popular(store, agg, rel_type,
                                            POPULARITY_SIDE.get(relation, "both")))
        for cid, (score, text) in affinity_candidates(model, list(me.get("industries") or []),
                                                      eid, REL_ZH[rel_type], known).items():
            c = cand(cid)
            c.signals["affinity"] += score
            _note(c, "affinity", text)

    if w.walk > 0:  # firms a few typed hops away (the graph is cached per generation)
        walk = _walk(store, agg)
        known = cands.keys() | set(_popular(store, agg, rel_type,
                                            POPULARITY_SIDE.get(relation, "both")))
        for cid, score in walk_candidates(walk, eid, {eid} | set(me.get("ties") or []),
                                          known).items():
            c = cand(cid)
            c.signals["walk"] += score
            _note(c, "walk", "关系网络相近：经多步业务或行业关联可达")

    # chain adjacency: a bounded pool of its own, plus a check of every other candidate
    if relation in ("SUPPLIES", "SUPPLIED_BY") and not need:
        found = _chain_rows(store, agg, eid, list(me.get("products") or []), relation,
                            me_leading, set(cands))
        for cid, product in found.items():
            c = cand(cid)
            c.signals["chain"] = 1.0
            _note(c, "chain", f"产业链上下游衔接：{product}")

    pop_side = POPULARITY_SIDE.get(relation, "both")
    for pid in _popular(store, agg, rel_type, pop_side):
        cand(pid)

    excluded = {eid} | set(me.get("ties") or [])
    for x in excluded:
        cands.pop(x, None)
    if not cands:
        return []

    degrees = _degrees(store, agg, rel_type)
    none = (0, 0)  # = _popularity(), inline: it ran for every candidate
    pop = ({cid: degrees.get(cid, none)[1] for cid in cands} if pop_side == "in" else
           {cid: sum(degrees.get(cid, none)) for cid in cands})
    max_deg = max(pop.values(), default=0)
    maxima = dict.fromkeys(_SCALED, 0.0)  # signals are >= 0
    for c in cands.values():
        for k, v in c.signals.items():
            if v > maxima.get(k, v):
                maxima[k] = v
    # the graph signals first; display fields (and the bounded bonuses) only for a short list
    scaled = [(k, getattr(w, k), maxima[k]) for k in _SCALED if maxima[k] > 0]
    top_deg = math.log1p(max_deg)
    partial: dict[str, float] = {}
    for c in cands.values():
        s = c.signals
        score = w.need * s.get("need", 0.0) + w.chain * s.get("chain", 0.0)
        for k, wk, mk in scaled:
            score += wk * s.get(k, 0.0) / mk
        deg = pop[c.id]
        if max_deg > 0 and deg > 0:
            score += w.popularity * math.log1p(deg) / top_deg
        partial[c.id] = score
    bonus = max(0.0, w.region if region_hint else 0.0) + max(0.0, w.size) + max(0.0, w.tier)
    order = [k for _s, k in sorted((-v, k) for k, v in partial.items())]
    out: list[tuple[float, _Cand, Row]] = []
    done = 0
    while done < len(order):
        # everything that could still beat the top-th result found so far
        floor = partial[order[min(done + top, len(order)) - 1]] - bonus
        end = done + top
        while end < len(order) and partial[order[end]] >= floor:
            end += 1
        short = [cands[k] for k in order[done:end]]
        out += _finish(store, agg, short, partial, w, me, me_leading, region_hint)
        done = end
        if len(out) >= top:
            break
    out.sort(key=lambda r: (-r[0], r[1].id))
    results = []
    # the reasons, written only for the answer (their texts are all that is shown)
    for score, c, d in out[:top]:
        deg = pop[c.id]
        if max_deg > 0 and deg > 0:
            total = sum(degrees.get(c.id, (0, 0)))
            _note(c, "popularity", f"已有 {total} 条{REL_ZH[rel_type]}关系"
                  if pop_side == "both" else
                  f"已有 {total} 条{REL_ZH[rel_type]}关系，{deg} 次被列为{REL_ZH[rel_type]}方")
        _bonus(0.0, c, d, w, me, me_leading, region_hint, explain=True)
        results.append({"id": c.id, "name": d["name"], "score": score, "reasons": _reasons(c)})
    return results


def _details(store: Store, agg: _Aggregates, ids: list[str]) -> dict[str, Row]:
    tg = _ties(store, agg)
    if tg is not None:
        return tg.details(ids)
    missing = [i for i in ids if i not in agg.details]
    if missing:
        if len(agg.details) + len(missing) > DETAILS_CACHE:
            agg.details.clear()
        got = {r["id"]: r for r in run(store, "rec_details", {"ids": missing})}
        agg.details.update(got)
    else:
        got = {}
    # .get: another request thread may have emptied the cache meanwhile
    found = {i: got.get(i) or agg.details.get(i) for i in ids}
    return {i: d for i, d in found.items() if d is not None}


def _finish(store: Store, agg: _Aggregates, short: list[_Cand], partial: dict[str, float],
            w: Weights, me: Row, me_leading: bool, region_hint: str | None
            ) -> list[tuple[float, _Cand, Row]]:
    """Add the region, size and tier bonuses to a short list: ``(score rounded as shown,
    candidate, display fields)`` for those scoring above 0."""
    details = _details(store, agg, [c.id for c in short])
    out = []
    for c in short:
        d = details.get(c.id)
        if d is None:
            continue
        score = _bonus(partial[c.id], c, d, w, me, me_leading, region_hint)
        if score <= 0:
            continue
        out.append((round(score, 4), c, d))
    return out


def _bonus(bonus: float, c: _Cand, d: Row, w: Weights, me: Row, me_leading: bool,
           region_hint: str | None, explain: bool = False) -> float:
    """``bonus`` plus the region, size and tier bonuses of candidate ``c`` (display fields
    ``d``), added in that order; with ``explain``, their reasons are noted too."""
    tiers = as_tiers(d["tiers"])
    if region_hint and is_local(d["region_code"], region_hint):
        bonus += w.region
        if explain:
            _note(c, "region", f"位于所选地区（{d['region_code']}）")
    c_leading = is_leading(d["size_class"], tiers)
    if me_leading and not c_leading and d["size_class"] in SME:
        bonus += w.size
        if explain:
            _note(c, "size", f"大中小企业融通：{d['size_class']}企业对接龙头企业")
    elif c_leading and not me_leading and me["size_class"] in SME:
        bonus += w.size
        if explain:
            _note(c, "size", "大中小企业融通：对接龙头企业")
    notable = [t for t in NOTABLE_TIERS if t in tiers]
    if notable:
        bonus += w.tier
        if explain:
            _note(c, "tier", "、".join(notable))
    return bonus


#: Signals scaled by their largest value among a request's candidates (the others are 0/1).
_SCALED = ("shared", "peers", "industry", "affinity", "walk")
_ORDER = ("need", "chain", "shared", "peers", "industry", "affinity", "walk", "region", "size",
          "tier", "popularity")


def _note(c: _Cand, kind: str, text: str) -> None:
    if text not in c.notes[kind] and len(c.notes[kind]) < 2:
        c.notes[kind].append(text)


def _reasons(c: _Cand) -> list[str]:
    return [t for k in _ORDER for t in c.notes.get(k, [])]
