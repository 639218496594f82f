"""Research prototype: multi-relational embeddings (DistMult, ComplEx) for 合作 link prediction
(issue 5; answer: **no gain**, neither as a signal nor as a candidate source; not shipped).

Not part of the product (nothing in ``queries/`` imports it); numpy only, fixed seed (with one
BLAS thread, ``OMP_NUM_THREADS=1``, the same answers run to run), so it could be ported as is.
Findings and the table are at the end of this docstring.

**Model.** DistMult, ``score(h, r, t) = sum(e_h * w_r * e_t)``, trained on a cut's training
triples exactly as the product stores them (the relation mapping ``seeds/mappings/ickg25.json``,
one label per entity, the label-inconsistent triples dropped: :func:`linkeval.load_triples`'s
rules), every relation type and entity type (companies, industries, patents, products). Each
triple is also trained the other way round under an inverse relation (cooperation, competition:
the same relation). Loss: softmax cross-entropy of the true tail against :data:`NEGATIVES`
tails drawn uniformly from the entities of the tail's label, shared by a batch (one matrix
product per batch), plus an L2 penalty on the rows a batch touches; Adagrad. Cooperation is
symmetric under DistMult, so a head's partners are scored by one product with every enterprise.
``--complex``: ComplEx instead (vectors ``[real | imaginary]``; cooperation scored by its
symmetric part, the mean of both directions). ``--bias``: a per-entity bias added to its score as
a tail (popularity).

**Harness.** ``fit.py dump`` pickles, per cut, every test pair's whole candidate pool with the
current score (feature ``cur``) and the gold; this script trains on the same cut's training
triples (``linkeval.random_split(read_triples(train), 0.1, N)[0]``, or the chronological cut for
``t``) and reports Hits@10 of: the current ranking (``cur``); the KGE alone (every enterprise
but the head and its partners); ``cur + w * kge`` on the pool; and the same with the KGE's top
``K`` enterprises added to the pool (cur 0 there). ``kge`` is scaled per head: ``minmax`` over
the pool and the added firms, or ``rank``: ``max(0, 1 - rank / K)`` among all enterprises.

**Findings (session 6; valid was NOT read).** Ship rule, fixed before any figure: mean Hits@10
over r1..r5 at least 1.5 points above the current ranking AND no loss over 1 point on ``t``, one
setting chosen on r1-r3, then confirmed on r4, r5, t unchanged. **Not met.**

- r1 first (211 pairs; current .2038, Adamic-Adar .1374), every mix of ``w`` in 0.03-1.0, ``K`` in
  0/50/100 and both scalings; "new" = gold in the KGE's top 100 but not in the current pool:

  | DistMult setting | KGE alone | gold in top 100 | new | best mix on r1 |
  |---|---|---|---|---|
  | d64, 30 epochs | .114 | .275 | — | .2038 |
  | d64, 60 epochs | .137 | .284 | — | .2038 |
  | d128, 30 epochs | .142 | .275 | .009 | .2038 |
  | d64, 30 epochs, L2 1e-3 | .114 | .280 | 0 | .2038 |
  | d64, 60 epochs, tail bias | .142 | .289 | 0 | .2038 |
  | same, 1,024 negatives | .128 | .289 | 0 | .2038 |
  | d128, 100 epochs, bias | .133 | .313 | .005 | .2085 (rank-scaled, w .5; the rest lose) |
  | d64, 100 epochs, L2 1e-5, bias | .137 | .289 | 0 | .2085 (w .4) |
  | d64, 60 epochs, bias, cooperation triples x5 | .123 | .308 | .005 | .2038 |
  | d128, same | .119 | .294 | 0 | .2038 |
  | d64, 150 epochs, bias, no patents | .119 | .251 | 0 | .2038 |
  | d64, 150 epochs, bias, business ties only | .081 | .194 | 0 | .1991 |
  | ComplEx d128, 60 epochs, bias | .142 | .303 | 0 | .2038 |

- Chosen on r1-r3 (mean of r1-r3, current .2174): DistMult d64, 100 epochs, L2 1e-5, tail bias,
  ``K`` 100, min-max scaling, ``w`` 0.05 (.2157, the best of the three DistMult settings run on
  r1-r3: every mix of every setting was below the current ranking on that mean); ComplEx d128,
  60 epochs, bias, ``w`` 0.7, whose r2/r3 came in after that choice, was the best on r1-r3 (.2193,
  +0.2 points) and is confirmed too, for the record. Hits@10 (adding ``K`` = 50 or 100 firms
  changed no figure at these ``w``):

  | cut | pairs | AA | current | DistMult | cur + .05 DistMult | ComplEx | cur + .7 ComplEx |
  |---|---|---|---|---|---|---|---|
  | r1 | 211 | .1374 | .2038 | .1374 | .2038 | .1422 | .1991 |
  | r2 | 205 | .1463 | .2098 | .1171 | .2098 | .1220 | .2049 |
  | r3 | 197 | .1624 | .2386 | .1269 | .2335 | .1269 | .2538 |
  | r4 | 196 | .1531 | .2041 | .1429 | .2092 | .1224 | .2092 |
  | r5 | 176 | .1023 | .1591 | .0739 | .1591 | .1080 | .1534 |
  | mean r1-r5 | | .1403 | .2031 | .1196 | .2031 (+0.0) | .1243 | .2041 (+0.1) |
  | t | 142 | .0986 | .2113 | .0915 | .2183 (+0.7) | .0845 | .1831 (-2.8) |

  The best mix of any ``w``/``K``/scaling picked on each cut after the fact swings from 0 to +3
  points (r4 .2347, r3 .2538): noise of a few pairs a cut, not a setting that holds.
- **As a candidate source it cannot help.** The gold partner is outside the current pool for
  33-44 % of pairs; for 29-37 % of all pairs it ranks beyond 1,000 (of about 25.8k enterprises) in
  the embedding too, and the KGE's top 100 holds a gold the pool lacks for 0-1.5 % of pairs. Those
  golds are near cold-start firms: on r1, r2 and t 47-64 % of them have at most one business tie
  in the cut's graph and 38-61 % at most two relationships of any kind (r1: 44 of 69 at most
  one business tie, 16 none, 32 without any industry). An embedding learnt from the same sparse
  structure places them no better than the walk and the affinity do.
- **As a signal it is weaker than, and redundant with, the current mix**: alone .07-.14 (at or
  below Adamic-Adar on 10 of the 12 cut and model pairs), and what it knows (industries, business
  neighbourhoods, popularity through the bias) the walk, industry affinity and popularity carry.
- Cost: about 0.5 s an epoch at ICKG size (48.5k stored triples, 49k entities, d64, one thread,
  niced under a load of 2); the settings above take 30-90 s, so a per-generation build would cost
  about a minute at ICKG size and, scaling with the triples, several minutes at 100k enterprises
  (~500k relationships): far from the seconds a build may cost, even if it had helped.
- Next, if anyone: the missing golds need information outside the graph's structure (text of the
  news behind the ties, products, names), not another model of the same structure.

Commands (each run about 1 min a cut; rows append to ``--out`` as JSON lines)::

    export OMP_NUM_THREADS=1
    nice -n 19 python tools/linkrank/fit.py dump --cuts r1 r2 r3 r4 r5 t --out /tmp/h8/dump
    nice -n 19 python tools/linkrank/kge.py --cuts r1 r2 r3 r4 r5 t --epochs 100 --bias --l2 1e-5 \
        --w 0.05 0.1 0.2 0.4 0.7 1.0
    nice -n 19 python tools/linkrank/kge.py --cuts r1 r2 r3 r4 r5 t --complex --dim 128 \
        --epochs 60 --bias --w 0.05 0.1 0.2 0.4 0.7 1.0
"""

from __future__ import annotations

import argparse
import json
import pickle
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

DATA = Path("/work/shared/data/links/ickg25")
MAPPING = Path("seeds/mappings/ickg25.json")
#: Negative tails per batch (shared by its triples, drawn from the tail's label).
NEGATIVES = 256
BATCH = 1024
#: Relations trained as symmetric (the reverse triple uses the same relation).
SYMMETRIC = ("COOPERATES_WITH", "COMPETES_WITH")
F32 = npt.NDArray[np.float32]


@dataclass
class Kge:
    """A trained DistMult model."""

    ids: list[str]
    index: dict[str, int]
    labels: npt.NDArray[np.int64]
    label_names: list[str]
    rels: list[str]
    ent: F32
    rel: F32
    #: a per-entity bias added to its score as a tail (how often it is named: popularity)
    bias: F32
    #: ComplEx (each vector is [real | imaginary]) instead of DistMult
    complex_: bool = False


def cut_triples(cut: str, types: tuple[str, ...] | None = None
                ) -> tuple[list[tuple[str, str, str]], dict[str, str]]:
    """The cut's training triples as stored: ``[(a id, type, b id)]`` and ``{id: label}``."""
    from queries import linkeval

    rows = linkeval.read_triples(DATA / "train.txt")
    rest = (linkeval.random_split(rows, 0.1, int(cut[1:] or 1))[0] if cut[0] == "r"
            else linkeval.chronological_split(rows, 0.1)[0])
    mapping = linkeval.load_mapping(MAPPING)
    labels = linkeval._labels(rest, mapping)
    out: set[tuple[str, str, str]] = set()
    for h, r, t, _w in rest:
        m = mapping.get(r)
        if m is None:
            continue
        a, b = (t, h) if m.get("swap") else (h, t)
        if a == b or labels[a] != m["start"] or labels[b] != m["end"]:
            continue
        if types is not None and m["type"] not in types:
            continue
        out.add(("kg:" + a, m["type"], "kg:" + b))
    return sorted(out), {"kg:" + k: v for k, v in labels.items()}


def _rel_init(n: int, d: int, complex_: bool) -> F32:
    if not complex_:
        return np.ones((n, d), dtype=np.float32)
    out = np.zeros((n, d), dtype=np.float32)
    out[:, :d // 2] = 1.0
    return out


def _query(h: F32, w: F32, complex_: bool) -> F32:
    """``q`` with ``score(h, w, t) = q . t``: DistMult ``h * w``; ComplEx ``Re(<h, w, conj t>)``."""
    if not complex_:
        return h * w
    k = h.shape[1] // 2
    hr, hi, wr, wi = h[:, :k], h[:, k:], w[:, :k], w[:, k:]
    return np.concatenate([hr * wr - hi * wi, hr * wi + hi * wr], axis=1)


def _query_grad(dq: F32, h: F32, w: F32, complex_: bool) -> tuple[F32, F32]:
    """Gradients of ``h`` and ``w`` from the gradient of :func:`_query`'s output."""
    if not complex_:
        return dq * w, dq * h
    k = h.shape[1] // 2
    hr, hi, wr, wi = h[:, :k], h[:, k:], w[:, :k], w[:, k:]
    ar, ai = dq[:, :k], dq[:, k:]
    return (np.concatenate([ar * wr + ai * wi, -ar * wi + ai * wr], axis=1),
            np.concatenate([ar * hr + ai * hi, -ar * hi + ai * hr], axis=1))


def train(triples: list[tuple[str, str, str]], labels: dict[str, str], *, dim: int = 64,
          epochs: int = 30, lr: float = 0.1, l2: float = 1e-4, seed: int = 0,
          negatives: int = NEGATIVES, use_bias: bool = False, coop_repeat: int = 1,
          complex_: bool = False) -> Kge:
    """DistMult with shared sampled negatives (see the module docstring)."""
    rng = np.random.default_rng(seed)
    ids = sorted({x for a, _r, b in triples for x in (a, b)})
    index = {k: i for i, k in enumerate(ids)}
    lab_names = sorted({labels[i] for i in ids})
    lab = np.array([lab_names.index(labels[i]) for i in ids], dtype=np.int64)
    rels = sorted({r for _a, r, _b in triples})
    nr = len(rels)
    # forward triples, then reverse ones under an inverse relation (symmetric: the same)
    h = np.array([index[a] for a, _r, _b in triples], dtype=np.int64)
    t = np.array([index[b] for _a, _r, b in triples], dtype=np.int64)
    r = np.array([rels.index(x) for _a, x, _b in triples], dtype=np.int64)
    sym = np.array([x in SYMMETRIC for x in rels])
    heads = np.concatenate([h, t])
    tails = np.concatenate([t, h])
    rr = np.concatenate([r, np.where(sym[r], r, r + nr)])
    if coop_repeat > 1 and "COOPERATES_WITH" in rels:  # the task's relation weighs more
        co = np.flatnonzero(rr == rels.index("COOPERATES_WITH"))
        extra = np.tile(co, coop_repeat - 1)
        heads, tails, rr = (np.concatenate([x, x[extra]]) for x in (heads, tails, rr))
    n, d = len(ids), dim
    ent = (rng.standard_normal((n, d)) * 0.1).astype(np.float32)
    rel = _rel_init(2 * nr, d, complex_) + (
        rng.standard_normal((2 * nr, d)) * 0.1).astype(np.float32)
    bias = np.zeros(n, dtype=np.float32)
    g_bias = np.full(n, 1e-8, dtype=np.float32)
    g_ent = np.full(n, 1e-8, dtype=np.float32)  # Adagrad per row (a scalar per entity)
    g_rel = np.full((2 * nr, d), 1e-8, dtype=np.float32)
    by_label = [np.flatnonzero(lab == k) for k in range(len(lab_names))]
    tail_lab = lab[tails]
    for _ep in range(epochs):
        order = rng.permutation(len(heads))
        # batches of one tail label, so negatives come from that label
        order = order[np.argsort(tail_lab[order], kind="stable")]
        starts = []
        for k in range(len(lab_names)):
            at = np.flatnonzero(tail_lab[order] == k)
            starts += [(k, at[i:i + BATCH]) for i in range(0, len(at), BATCH)]
        for j in rng.permutation(len(starts)):
            k, at = starts[j]
            b = order[at]
            bh, br, bt = heads[b], rr[b], tails[b]
            pool = by_label[k]
            neg = pool[rng.integers(0, len(pool), min(negatives, len(pool)))]
            eh, wr, et, en = ent[bh], rel[br], ent[bt], ent[neg]
            q = _query(eh, wr, complex_)  # (B, d): score = q . e_t
            pos = (q * et).sum(1) + use_bias * bias[bt]  # (B,)
            sn = q @ en.T + use_bias * bias[neg][None, :]  # (B, K)
            # softmax over [pos, negatives]: the true tail vs the shared negatives
            mx = np.maximum(pos, sn.max(1))
            ep = np.exp(pos - mx)
            en_ = np.exp(sn - mx[:, None])
            z = ep + en_.sum(1)
            gp = ep / z - 1.0  # dL/dpos
            gn = en_ / z[:, None]  # dL/dneg
            dq = gp[:, None] * et + gn @ en  # (B, d)
            d_h, d_r = _query_grad(dq, eh, wr, complex_)
            d_h = d_h + l2 * eh
            d_t = gp[:, None] * q + l2 * et
            d_n = gn.T @ q  # (K, d)
            rows = np.concatenate([bh, bt, neg])
            grads = np.concatenate([d_h, d_t, d_n])
            u, inv = np.unique(rows, return_inverse=True)
            gsum = np.zeros((len(u), d), dtype=np.float32)
            np.add.at(gsum, inv, grads)
            g_ent[u] += (gsum * gsum).mean(1)
            ent[u] -= lr * gsum / np.sqrt(g_ent[u])[:, None]
            if use_bias:
                bg = np.bincount(inv, weights=np.concatenate(
                    [np.zeros(len(bh)), gp, gn.sum(0)]), minlength=len(u)).astype(np.float32)
                g_bias[u] += bg * bg
                bias[u] -= lr * bg / np.sqrt(g_bias[u])
            ru, rinv = np.unique(br, return_inverse=True)
            rsum = np.zeros((len(ru), d), dtype=np.float32)
            np.add.at(rsum, rinv, d_r)
            g_rel[ru] += rsum * rsum
            rel[ru] -= lr * rsum / np.sqrt(g_rel[ru])
    return Kge(ids, index, lab, lab_names, rels, ent, rel, bias, complex_)


def partner_scores(model: Kge, eid: str, enterprises: npt.NDArray[np.int64]
                   ) -> npt.NDArray[np.float32]:
    """Cooperation scores of ``eid`` with each of ``enterprises`` (model rows)."""
    h = model.index.get(eid)
    if h is None:
        return np.zeros(len(enterprises), dtype=np.float32)
    w = model.rel[model.rels.index("COOPERATES_WITH")].copy()
    if model.complex_:  # the symmetric part: the mean of both directions drops Im(w)
        w[len(w) // 2:] = 0.0
    q = _query(model.ent[h][None, :], w[None, :], model.complex_)[0]
    return np.asarray(model.ent[enterprises] @ q + model.bias[enterprises])


def _hits(order_ids: list[str], gold: str) -> int:
    return int(gold in order_ids[:10])


def evaluate(cut: str, model: Kge, triples: list[tuple[str, str, str]],
             dump_dir: Path, ws: tuple[float, ...], ks: tuple[int, ...]
             ) -> dict[str, float]:
    """Hits@10 of the current ranking, the KGE and their mixes on ``cut``'s dump."""
    with open(dump_dir / f"{cut}.pkl", "rb") as f:
        d = pickle.load(f)
    partners: dict[str, set[str]] = defaultdict(set)
    for a, r, b in triples:
        if r == "COOPERATES_WITH":
            partners[a].add(b)
            partners[b].add(a)
    ent_rows = np.flatnonzero(model.labels == model.label_names.index("Enterprise"))
    ent_ids = [model.ids[i] for i in ent_rows]
    tally: dict[str, float] = defaultdict(float)
    pools, golds = d["pools"], d["gold"]
    for p, gold in zip(pools, golds, strict=True):
        eid, ids = p["eid"], p["ids"]
        cur = p["x"][:, 0] if len(ids) else np.zeros(0)
        excluded = {eid} | partners.get(eid, set())
        s = partner_scores(model, eid, ent_rows)
        ok = np.array([i not in excluded for i in ent_ids])
        order = np.lexsort((np.arange(len(ent_ids)), -s))  # ids sorted: index = id order
        order = order[ok[order]]
        ranked = [ent_ids[i] for i in order]
        rank_of = {c: k for k, c in enumerate(ranked)}
        kscore = dict(zip(ent_ids, s.tolist(), strict=True))
        tally["cur"] += _hits(sorted(ids, key=lambda c: (-cur[ids.index(c)], c)), gold)
        tally["kge"] += _hits(ranked, gold)
        for K in ks:
            tally[f"inK{K}"] += gold in ranked[:K]
        tally["in_pool"] += gold in ids
        for K in ks:
            tally[f"newK{K}"] += gold in ranked[:K] and gold not in ids
        # where the gold sits in the KGE's ranking, for golds inside / outside the pool
        g = rank_of.get(gold, 10**9)
        bucket = ("1-10" if g < 10 else "11-100" if g < 100 else "101-1000" if g < 1000
                  else ">1000")
        tally[f"gold {'in' if gold in ids else 'out'} {bucket}"] += 1
        for K in (0, *ks):
            cands = list(ids) + [c for c in ranked[:K] if c not in set(ids)]
            base = np.concatenate([cur, np.zeros(len(cands) - len(ids))])
            ks_ = np.array([kscore.get(c, np.nan) for c in cands])
            known = ~np.isnan(ks_)  # a firm the model never saw scores as its lowest
            lo, hi = (ks_[known].min(), ks_[known].max()) if known.any() else (0.0, 0.0)
            ks_ = np.where(known, ks_, lo)
            mm = (ks_ - lo) / (hi - lo) if hi > lo else np.zeros(len(cands))
            rk = np.array([max(0.0, 1 - rank_of.get(c, 10**9) / max(K, 100)) for c in cands])
            for w in ws:
                for name, v in (("mm", mm), ("rk", rk)):
                    tot = base + w * v
                    top = [cands[i] for i in np.lexsort((np.array(cands), -tot))[:10]] \
                        if len(cands) else []
                    tally[f"K{K} {name} w{w}"] += gold in top
    n = max(1, len(pools))
    return {k: round(v / n, 4) for k, v in tally.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cuts", nargs="+", default=["r1"])
    ap.add_argument("--dump", type=Path, default=Path("/tmp/h8/dump"))
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--l2", type=float, default=1e-4)
    ap.add_argument("--negatives", type=int, default=NEGATIVES)
    ap.add_argument("--coop-repeat", type=int, default=1,
                    help="cooperation triples this many times per epoch")
    ap.add_argument("--complex", action="store_true", help="ComplEx instead of DistMult")
    ap.add_argument("--bias", action="store_true", help="a per-entity tail bias")
    ap.add_argument("--types", nargs="*", help="only these stored types (default: all)")
    ap.add_argument("--w", type=float, nargs="+", default=[0.1, 0.2, 0.3, 0.5, 1.0])
    ap.add_argument("--k", type=int, nargs="+", default=[50, 100])
    ap.add_argument("--out", type=Path, default=Path("/tmp/h8/kge.jsonl"))
    a = ap.parse_args()
    for cut in a.cuts:
        t0 = time.time()
        triples, labels = cut_triples(cut, tuple(a.types) if a.types else None)
        model = train(triples, labels, dim=a.dim, epochs=a.epochs, lr=a.lr, l2=a.l2,
                      negatives=a.negatives, use_bias=a.bias,
                      coop_repeat=a.coop_repeat, complex_=a.complex)
        took = time.time() - t0
        res = evaluate(cut, model, triples, a.dump, tuple(a.w), tuple(a.k))
        row: dict[str, Any] = {"cut": cut, "dim": a.dim, "epochs": a.epochs, "lr": a.lr,
                               "l2": a.l2, "neg": a.negatives, "complex": a.complex,
                               "bias": a.bias, "coop_repeat": a.coop_repeat, "types": a.types,
                               "train_s": round(took, 1), **res}
        with open(a.out, "a", encoding="utf-8") as f:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(json.dumps(row, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
