"""Industry affinity for link prediction: which industries a relationship type joins.

Cooperation in news-derived graphs (ICKG-25) is mostly *across* industries: on the
chronological dev split carved from ICKG-25's training triples, only about a fifth of the
new 合作 pairs share an industry, but the pairs of industries they join recur (carmakers
with AI and chip firms, banks with payment firms …). :func:`affinity_model` reads, once per
graph generation, every tie of one relationship type between two enterprises with the
industries of both ends, and keeps

- for each industry *i*, the industries *j* its firms are tied to, as a share of all the
  ties of *i* (``P(j | i)``; both directions count: a cooperation is mutual), at most
  :data:`AFF_INDUSTRIES` per industry;
- for each industry *j*, its :data:`AFF_MEMBERS` members with the most ties of that type.

:func:`affinity_candidates` then scores, for an enterprise in industries *I*, the members
of the industries its industries are tied to: ``sum_j (sum_{i in I} P(j | i)) *
log(1 + ties of the candidate)``, with a Chinese reason naming the industry pair. The
recommender uses it for cooperation and, with ``RONGLIAN_RECOMMEND_SUPPLY_GRAPH``, with
supply's own ties for supply (steelmakers supply carmakers: a carmaker is offered active
steelmakers, a steelmaker carmakers). Per request
(:func:`affinity_hits` over member codes, which the recommender maps to its candidate keys
once per model; :func:`affinity_candidates` over ids) this is a walk over at most
``|I| * AFF_INDUSTRIES * AFF_MEMBERS`` cached entries, no query. The scans
(``rec_affinity_ties``, ``rec_affinity_members``, ``rec_industry_names``; about 1 s at 100k
enterprises) are paid once per graph generation: by the first request on a cold start, else
in the background while the previous generation's model answers (``queries/modelcache.py``);
the membership scan is shared with the walk's model (:func:`memberships`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from graph.store import Store
from queries import scan
from queries.tiegraph import contains, kept

#: Industries kept per industry (the strongest shares; the tail weighs little).
AFF_INDUSTRIES = 20
#: Members proposed per industry: the most active in the relationship type.
AFF_MEMBERS = 50
#: New candidates one request takes from the affinity (the strongest; about a thousand
#: qualify at 100k enterprises, and each costs the recommender a candidate to score).
AFF_POOL = 100


@dataclass
class AffinityModel:
    """Industry affinity of one relationship type in one graph generation."""

    #: industry → [(tied industry, share of its ties)], strongest first
    shares: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    #: industry → [(enterprise id, ties of the type)], most ties first
    members: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    #: industry id → name
    names: dict[str, str] = field(default_factory=dict)
    #: :attr:`members` as arrays, made on first use (:func:`member_arrays`)
    arrays: MemberArrays | None = field(default=None, repr=False, compare=False)
    #: what :func:`affinity_hits` finds for a set of industries before it leaves out the
    #: enterprise itself and cuts (:func:`_industry_hits`), per set seen (bounded)
    by_industries: dict[frozenset[str], _IndustryHits | None] = field(
        default_factory=dict, repr=False, compare=False)


@dataclass
class MemberArrays:
    """The members of every industry as codes into one sorted id list (so codes compare as
    the ids do) with ``log1p`` of their ties, for :func:`affinity_candidates`."""

    ids: list[str]
    code: dict[str, int]
    #: :attr:`ids` as UTF-8 bytes (the recommender maps them to its candidate keys)
    id_bytes: npt.NDArray[np.bytes_]
    #: industry → (member codes, log1p(ties)), in :attr:`AffinityModel.members`' order
    rows: dict[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]]


def member_arrays(model: AffinityModel) -> MemberArrays:
    got = model.arrays
    if got is None:  # two threads may both make it: equal arrays, one kept
        ids = sorted({cid for rows in model.members.values() for cid, _ in rows})
        code = {cid: k for k, cid in enumerate(ids)}
        raw = np.array([i.encode() for i in ids], dtype=bytes) if ids else np.zeros(
            0, dtype="S1")
        got = model.arrays = MemberArrays(ids, code, raw, {
            ind: (np.array([code[cid] for cid, _ in rows], dtype=np.int64),
                  np.array([math.log1p(ties) for _, ties in rows], dtype=np.float64))
            for ind, rows in model.members.items()})
    return got


def memberships(store: Store) -> list[tuple[str, str]]:
    """Every ``(enterprise id, industry id)`` membership, sorted (one scan,
    ``rec_affinity_members``; the affinity and the walk's model both use it)."""
    return sorted((str(r["id"]), str(r["industry"]))
                  for r in scan(store, "rec_affinity_members"))


def affinity_model(store: Store, rel_type: str, degrees: dict[str, tuple[int, int]],
                   members: Sequence[tuple[str, str]] | None = None) -> AffinityModel:
    """Read the affinity of ``rel_type`` from the graph (three plain scans); ``degrees``
    are the enterprises' (out, in) degrees in that type (the recommender's cached ones);
    ``members``: :func:`memberships` already read (then two scans). The model does not
    depend on the order of the memberships (counts of whole ties, members sorted)."""
    industries: dict[str, list[str]] = defaultdict(list)
    for cid, industry in members if members is not None else memberships(store):
        if cid in degrees:  # only firms with ties of the type matter
            industries[cid].append(industry)
    counts: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in scan(store, "rec_affinity_ties", rel_type=rel_type):
        for i in industries.get(str(r["a"]), ()):
            for j in industries.get(str(r["b"]), ()):
                counts[i][j] += 1.0
                counts[j][i] += 1.0  # a cooperation binds both industries alike
    model = AffinityModel()
    for i, row in counts.items():
        total = sum(row.values())
        best = sorted(row.items(), key=lambda kv: (-kv[1], kv[0]))[:AFF_INDUSTRIES]
        model.shares[i] = [(j, n / total) for j, n in best]
    active: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for cid, inds in industries.items():
        ties = sum(degrees[cid])
        if ties > 0:
            for ind in inds:
                active[ind].append((cid, ties))
    for ind, rows in active.items():
        rows.sort(key=lambda m: (-m[1], m[0]))
        model.members[ind] = rows[:AFF_MEMBERS]
    model.names = {str(r["id"]): str(r["name"] or r["id"])
                   for r in scan(store, "rec_industry_names")}
    member_arrays(model)  # made with the model (in the build), not by its first request
    return model


def affinity_candidates(model: AffinityModel, industries: list[str], eid: str,
                        kind: str = "合作", known: Collection[str] = (),
                        limit: int | None = AFF_POOL) -> dict[str, tuple[float, str]]:
    """``{candidate: (score, reason)}`` for an enterprise in ``industries`` (see the module
    docstring); the reason names the industry pair that contributed most (the first such
    pair, in industry order). With a ``limit``: the ``limit`` strongest (ties by id), plus
    any of the ``known`` candidates (found otherwise). Candidates come in the order the
    industries (sorted) and their members first reach them."""
    arrays = member_arrays(model)
    known_codes = np.asarray(sorted(arrays.code[k] for k in known if k in arrays.code),
                             dtype=np.int64)
    hits = affinity_hits(model, industries, arrays.code.get(eid), kind, known_codes, limit)
    texts = hits.texts(list(range(len(hits.codes))))
    return {arrays.ids[c]: (s, t) for c, s, t in zip(hits.codes.tolist(), hits.score.tolist(),
                                                      texts, strict=True)}


@dataclass(frozen=True)
class AffinityHits:
    """What :func:`affinity_hits` finds: member codes (into ``member_arrays(model).ids``,
    which sort as the ids do) in the order :func:`affinity_candidates` lists them, their scores, and
    the reasons of some of them on demand (only an answer's are ever written)."""

    codes: npt.NDArray[np.int64]
    score: npt.NDArray[np.float64]
    #: per hit: the industry pair of its reason (an index into ``pairs``)
    reason: npt.NDArray[np.int64]
    #: (industry of the enterprise, tied industry) per reason index
    pairs: list[tuple[str, str]]
    names: dict[str, str]
    kind: str

    def texts(self, rows: Sequence[int]) -> list[str]:
        out = []
        for n in self.reason[np.asarray(rows, dtype=np.int64)].tolist():
            i, j = self.pairs[n]
            # "…企业常与…企业合作"; other kinds read "…企业常与…企业有供应往来"
            out.append(f"行业{self.kind}倾向：{self.names.get(i, i)}企业常与"
                       f"{self.names.get(j, j)}企业"
                       f"{self.kind if self.kind == '合作' else f'有{self.kind}往来'}")
        return out


#: Industry sets whose hits :func:`affinity_hits` keeps per model (firms mostly share a
#: few: at 100k enterprises most requests find theirs kept).
HITS_MEMO = 4096


@dataclass(frozen=True)
class _IndustryHits:
    """Every member the industries of one set reach, before the enterprise itself is left
    out and the pool is cut: codes ascending, score, reason (index into ``pairs``) and the
    position of its first part (the order hits are listed in)."""

    cands: npt.NDArray[np.int64]
    score: npt.NDArray[np.float64]
    reason: npt.NDArray[np.int64]
    first: npt.NDArray[np.int64]
    pairs: list[tuple[str, str]]


def _industry_hits(model: AffinityModel, industries: frozenset[str]) -> _IndustryHits | None:
    """:class:`_IndustryHits` of an industry set, made once per set and model (None: they
    reach no member). The enterprise's own parts are left in: leaving them out changes no
    other candidate's sum (``np.bincount`` adds each candidate's parts in their order),
    largest part or reason, and it keeps the order of their first parts; the caller drops
    its code afterwards."""
    return kept(model.by_industries, industries, HITS_MEMO,
                lambda: _make_industry_hits(model, industries))


def _make_industry_hits(model: AffinityModel, industries: frozenset[str]
                        ) -> _IndustryHits | None:
    weight: dict[str, float] = defaultdict(float)
    source: dict[str, tuple[float, str]] = {}
    for i in sorted(industries):
        for j, share in model.shares.get(i, ()):
            weight[j] += share
            if share > source.get(j, (0.0, ""))[0]:
                source[j] = (share, i)
    arrays = member_arrays(model)
    js: list[str] = []
    codes: list[npt.NDArray[np.int64]] = []
    parts: list[npt.NDArray[np.float64]] = []
    for j, wj in sorted(weight.items()):
        row = arrays.rows.get(j)
        if row is not None and len(row[0]):
            codes.append(row[0])
            parts.append(wj * row[1])
            js.append(j)
    got = None
    if codes:
        c = np.concatenate(codes)
        part = np.concatenate(parts)
        jn = np.repeat(np.arange(len(js)), [len(x) for x in codes])
        size = len(arrays.ids)
        total = np.bincount(c, weights=part, minlength=size)
        present = np.zeros(size, dtype=bool)
        present[c] = True
        cands = np.flatnonzero(present)  # ascending codes
        # per candidate: the first industry of its largest part (the reason), over the few
        # thousand codes rather than by a sort of the parts
        largest = np.full(size, -np.inf)
        np.maximum.at(largest, c, part)
        hit = part == largest[c]
        reason = np.full(size, len(js), dtype=np.int64)
        np.minimum.at(reason, c[hit], jn[hit])
        first = np.full(size, len(c), dtype=np.int64)
        np.minimum.at(first, c, np.arange(len(c)))
        got = _IndustryHits(cands, total[cands], reason[cands], first[cands],
                            [(source[j][1], j) for j in js])
    return got


def affinity_hits(model: AffinityModel, industries: list[str], me: int | None,
                  kind: str = "合作", known: npt.NDArray[np.int64] | None = None,
                  limit: int | None = AFF_POOL) -> AffinityHits:
    """:func:`affinity_candidates` over member codes: ``me`` is the enterprise's own code
    (None: not a member) and ``known`` the codes of the candidates found otherwise, sorted.
    The recommender calls this with codes mapped from its candidate keys once per model (no
    id strings per request).

    Over arrays: a request reaches about a thousand members, and a loop over them in Python
    cost about a millisecond. The sums are the same floats as that loop's: ``np.bincount``
    adds each candidate's parts in industry order, from zero. What depends on the industry
    set alone is kept per set (:func:`_industry_hits`): at 100k enterprises that was about
    two thirds of a request's 0.19 ms here."""
    none = AffinityHits(np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0, dtype=np.int64),
                        [], model.names, kind)
    base = _industry_hits(model, frozenset(industries))
    if base is None:
        return none
    cands, score, reason_j, first = base.cands, base.score, base.reason, base.first
    if me is not None:
        at = int(np.searchsorted(cands, me))
        if at < len(cands) and cands[at] == me:
            keep = np.arange(len(cands)) != at
            cands, score, reason_j, first = cands[keep], score[keep], reason_j[keep], first[keep]
    if not len(cands):
        return none
    chosen = np.ones(len(cands), dtype=bool)
    if limit is not None and len(cands) > limit:
        # the limit strongest, ties by code (codes sort as the ids do; cands ascend)
        cut = np.partition(score, len(score) - limit)[len(score) - limit]
        chosen = score > cut
        chosen[np.flatnonzero(score == cut)[:limit - int(chosen.sum())]] = True
        if known is not None:
            chosen |= contains(known, cands)
    pick = np.flatnonzero(chosen)
    pick = pick[np.argsort(first[pick], kind="stable")]
    return AffinityHits(cands[pick], score[pick], reason_j[pick], base.pairs, model.names,
                        kind)
