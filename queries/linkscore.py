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
recommender uses it for cooperation and, with supply's own ties, for supply (steelmakers
supply carmakers: a carmaker is offered active steelmakers, a steelmaker carmakers). Per
request this is a walk over at most ``|I| * AFF_INDUSTRIES * AFF_MEMBERS`` cached entries,
no query. The scans (``rec_affinity_ties``, ``rec_affinity_members``,
``rec_industry_names``; about 1 s at 100k enterprises) are paid once per graph generation:
by the first request on a cold start, else in the background while the previous
generation's model answers (``queries/modelcache.py``); the membership scan is shared with
the walk's model (:func:`memberships`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from graph.store import Store
from queries import SCAN_TIMEOUT_S, rel_text, run

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


def memberships(store: Store) -> list[tuple[str, str]]:
    """Every ``(enterprise id, industry id)`` membership, sorted (one scan,
    ``rec_affinity_members``; the affinity and the walk's model both use it)."""
    return sorted((str(r["id"]), str(r["industry"]))
                  for r in run(store, "rec_affinity_members", timeout=SCAN_TIMEOUT_S))


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
    for r in store.read(rel_text(store, "rec_affinity_ties", rel_type), timeout=SCAN_TIMEOUT_S):
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
                   for r in run(store, "rec_industry_names", timeout=SCAN_TIMEOUT_S)}
    return model


def affinity_candidates(model: AffinityModel, industries: list[str], eid: str,
                        kind: str = "合作", known: Collection[str] = (),
                        limit: int | None = AFF_POOL) -> dict[str, tuple[float, str]]:
    """``{candidate: (score, reason)}`` for an enterprise in ``industries`` (see the module
    docstring); the reason names the industry pair that contributed most. With a ``limit``:
    the ``limit`` strongest, plus any of the ``known`` candidates (found otherwise)."""
    weight: dict[str, float] = defaultdict(float)
    source: dict[str, tuple[float, str]] = {}
    for i in sorted(set(industries)):
        for j, share in model.shares.get(i, ()):
            weight[j] += share
            if share > source.get(j, (0.0, ""))[0]:
                source[j] = (share, i)
    out: dict[str, tuple[float, str]] = {}
    best: dict[str, float] = {}
    for j, wj in sorted(weight.items()):
        i = source[j][1]
        # "…企业常与…企业合作"; other kinds read "…企业常与…企业有供应往来"
        text = (f"行业{kind}倾向：{model.names.get(i, i)}企业常与"
                f"{model.names.get(j, j)}企业{kind if kind == '合作' else f'有{kind}往来'}")
        for cid, ties in model.members.get(j, ()):
            if cid == eid:
                continue
            part = wj * math.log1p(ties)
            score, reason = out.get(cid, (0.0, text))
            if part > best.get(cid, 0.0):
                best[cid], reason = part, text
            out[cid] = (score + part, reason)
    if limit is not None and len(out) > limit:
        best_ids = sorted(out, key=lambda k: (-out[k][0], k))[:limit]
        keep = set(best_ids) | (out.keys() & set(known))
        out = {k: v for k, v in out.items() if k in keep}
    return out
