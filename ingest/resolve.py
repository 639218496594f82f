"""Entity resolution: which Enterprise node (if any) a name or USCC refers to.

Lives here: the :class:`Resolver` index (USCC, exact normalised names, aliases,
short names, and a character-bigram blocking index for fuzzy matching with
rapidfuzz) and its :class:`Decision` (``same`` / ``new`` / ``ambiguous`` with a
score and a reason). Every decision is logged (logger ``ingest.resolve``, and
to an optional per-run sink). Must not live here: writing to the graph
(ambiguous decisions become review ``Candidate`` nodes in the jobs) or name
normalisation rules (:mod:`ingest.normalize`).

Contract used by text linking (H5)::

    resolver = Resolver.from_store(store)      # or Resolver(); resolver.add(...)
    d = resolver.resolve(name="唐山三友", uscc=None)
    d.kind in {"same", "new", "ambiguous"}; d.id; d.score; d.reason
"""

from __future__ import annotations

import logging
import math
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from rapidfuzz.distance import LCSseq
from rapidfuzz.process import cdist

from ingest.normalize import PROVINCE_ABBR, PROVINCE_NAMES, NameKeys, fold, name_keys

log = logging.getLogger("ingest.resolve")

DecisionKind = Literal["same", "new", "ambiguous"]

#: Thresholds chosen on the tuning split of the listed-companies pairs
#: (``python -m ingest.resolve_eval --tune``); the report split was not used.
SAME_THRESHOLD = 0.76
AMBIGUOUS_THRESHOLD = 0.70
MARGIN = 0.05
#: The most a pair may score when all it shares is a region and a trade word
#: (河北钢铁集团 / 河北芦台德安钢铁有限公司, see :func:`_trade_word_only`):
#: under SAME_THRESHOLD, so such a match is at best ambiguous, a review item.
TRADE_WORD_ONLY_CAP = 0.74


@dataclass(frozen=True)
class Decision:
    """What the resolver decided for one mention."""

    kind: DecisionKind
    id: str | None
    score: float
    reason: str
    #: Best alternatives (id, score), best first; set for ambiguous decisions.
    candidates: tuple[tuple[str, float], ...] = ()
    query: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "score": round(self.score, 4),
                "reason": self.reason, "query": self.query,
                "candidates": [[i, round(s, 4)] for i, s in self.candidates]}


@dataclass
class _Entry:
    id: str
    name: str
    uscc: str | None
    keys: list[NameKeys] = field(default_factory=list)


def _bigrams(text: str) -> set[str]:
    if len(text) < 2:
        return {text} if text else set()
    return {text[i:i + 2] for i in range(len(text) - 1)}


def clean_uscc(value: str | None) -> str | None:
    if not value:
        return None
    v = fold(str(value)).upper().replace(" ", "")
    return v or None


class Resolver:
    """An in-memory index of known enterprises and the rules that match a mention.

    Exact look-ups (id, USCC, normalised name, alias) are dictionaries; the
    fuzzy stage first blocks on shared character bigrams (rare ones weigh more;
    postings longer than ``max_posting`` are skipped as uninformative) and then
    scores at most ``top_k`` candidates with an LCS-based similarity, so a
    look-up costs about the same at 1k or 1M entities.
    """

    def __init__(self, *, same_threshold: float = SAME_THRESHOLD,
                 ambiguous_threshold: float = AMBIGUOUS_THRESHOLD, margin: float = MARGIN,
                 top_k: int = 40, max_posting: int = 20_000, max_char_posting: int = 2_000,
                 max_grams: int = 12,
                 sink: Callable[[Decision], None] | None = None) -> None:
        self.same_threshold = same_threshold
        self.ambiguous_threshold = ambiguous_threshold
        self.margin = margin
        self.top_k = top_k
        self.max_posting = max_posting
        self.max_char_posting = max_char_posting
        self.max_grams = max_grams
        self.sink = sink
        self._entries: list[_Entry] = []
        self._by_id: dict[str, int] = {}
        self._by_uscc: dict[str, int] = {}
        self._exact: dict[str, set[int]] = defaultdict(set)
        self._grams: dict[str, array[int]] = defaultdict(lambda: array("l"))

    # ------------------------------------------------------------------ index
    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, id_: object) -> bool:
        return id_ in self._by_id

    def add(self, id_: str, name: str | None, *, uscc: str | None = None,
            aliases: Iterable[str] = (), short_name: str | None = None) -> None:
        """Index (or re-index with more names) the enterprise ``id_``."""
        idx = self._by_id.get(id_)
        if idx is None:
            idx = len(self._entries)
            self._entries.append(_Entry(id_, name or "", None))
            self._by_id[id_] = idx
        entry = self._entries[idx]
        code = clean_uscc(uscc)
        if code:
            entry.uscc = code
            self._by_uscc[code] = idx
        names = [n for n in (name, short_name, *aliases) if n]
        if name and not entry.name:
            entry.name = name
        known = {(k.full, k.core) for k in entry.keys}
        for n in names:
            keys = name_keys(str(n))
            if not keys.full or (keys.full, keys.core) in known:
                continue
            known.add((keys.full, keys.core))
            entry.keys.append(keys)
            self._exact[keys.full].add(idx)
            if keys.core:
                self._exact["\x00" + keys.core].add(idx)
            for g in _bigrams(keys.full) | _bigrams(keys.core) | set(keys.full):
                self._grams[g].append(idx)

    def add_rows(self, rows: Iterable[dict[str, Any]]) -> int:
        """Index rows of ``{id, name, uscc, aliases, short_name}``; return how many."""
        n = 0
        for r in rows:
            aliases = r.get("aliases") or []
            if isinstance(aliases, str):
                aliases = [aliases]
            self.add(str(r["id"]), r.get("name"), uscc=r.get("uscc"),
                     aliases=aliases, short_name=r.get("short_name"))
            n += 1
        return n

    @classmethod
    def from_store(cls, store: Any, **kwargs: Any) -> Resolver:
        """Load every Enterprise (id, uscc, name, aliases, short_name) of ``store``."""
        from ingest.cypher import INGEST_CYPHER

        r = cls(**kwargs)
        text = INGEST_CYPHER.get("ingest_enterprise_index", store.dialect)
        r.add_rows(store.read(text, {}))
        return r

    def name_of(self, id_: str) -> str | None:
        idx = self._by_id.get(id_)
        return self._entries[idx].name if idx is not None else None

    def id_for_uscc(self, uscc: str) -> str | None:
        idx = self._by_uscc.get(clean_uscc(uscc) or "")
        return self._entries[idx].id if idx is not None else None

    # ---------------------------------------------------------------- resolve
    def resolve(self, name: str | None = None, uscc: str | None = None) -> Decision:
        """Decide which known enterprise ``name``/``uscc`` is, or that it is new."""
        d = self._resolve(name, uscc)
        log.debug("resolve %r uscc=%s -> %s %s %.3f %s", name, uscc, d.kind, d.id, d.score,
                  d.reason)
        if self.sink is not None:
            self.sink(d)
        return d

    def _resolve(self, name: str | None, uscc: str | None) -> Decision:
        query = name or uscc or ""
        code = clean_uscc(uscc)
        if code:
            idx = self._by_uscc.get(code)
            if idx is not None:
                return Decision("same", self._entries[idx].id, 1.0, "uscc", query=query)
        if not name or not name.strip():
            return Decision("new", None, 0.0, "uscc unknown" if code else "no name",
                            query=query)
        keys = name_keys(name)
        if not keys.full:
            return Decision("new", None, 0.0, "empty name after normalisation", query=query)
        exact = set(self._exact.get(keys.full, ()))
        if keys.core and not exact:
            # Same core name: the same firm only if the regions do not contradict
            # and the core is specific enough (浙江东方 is not 东方集团).
            exact = {i for i in self._exact.get("\x00" + keys.core, set())
                     if self._regions_agree(keys, self._entries[i], len(keys.core))}
        if code:
            # A different USCC on record means a different legal entity, whatever the name.
            exact = {i for i in exact if not self._entries[i].uscc
                     or self._entries[i].uscc == code}
        if len(exact) == 1:
            (idx,) = exact
            return Decision("same", self._entries[idx].id, 1.0, "name", query=query)
        if len(exact) > 1:
            cands = tuple((self._entries[i].id, 1.0) for i in sorted(exact))[:5]
            return Decision("ambiguous", cands[0][0], 1.0,
                            f"{len(exact)} enterprises share this name", cands, query)
        scored = self._fuzzy(keys, code)
        if not scored:
            return Decision("new", None, 0.0, "no candidate", query=query)
        best_id, best = scored[0]
        second = scored[1][1] if len(scored) > 1 else 0.0
        top = tuple(scored[:5])
        if best >= self.same_threshold and best - second >= self.margin:
            return Decision("same", best_id, best, f"fuzzy {best:.2f} (next {second:.2f})",
                            top, query)
        if best >= self.ambiguous_threshold:
            if best >= self.same_threshold:
                why = f"next {second:.2f} within margin {self.margin:.2f}"
            else:
                why = f"below same threshold {self.same_threshold:.2f} (next {second:.2f})"
            return Decision("ambiguous", best_id, best, f"fuzzy {best:.2f}, {why}", top, query)
        return Decision("new", None, best, f"best fuzzy {best:.2f} below review threshold "
                        f"{self.ambiguous_threshold:.2f}", top, query)

    @staticmethod
    def _regions_agree(q: NameKeys, e: _Entry, core_len: int) -> bool:
        for k in e.keys:
            if k.core != q.core:
                continue
            if q.region and k.region:
                if q.region.startswith(k.region) or k.region.startswith(q.region):
                    return True
            elif (core_len >= 3 and not (q.region or k.region)) or core_len >= 4:
                return True
        return False

    def candidates(self, keys: NameKeys) -> list[int]:
        """Blocking: entries sharing informative grams with the query, best first.

        Only the rarest grams are visited (at most ``max_grams``), single
        characters only when rare (``max_char_posting``), so a look-up touches a
        bounded number of postings however large the index grows.
        """
        n = max(len(self._entries), 1)
        grams = _bigrams(keys.full) | _bigrams(keys.core)
        # Single characters help where a short name abbreviates (杭钢 ← 杭州钢铁),
        # at a lower weight than bigrams.
        grams |= set(keys.full)
        char_cap = max(self.max_char_posting, n // 200)
        posts = []
        for g in grams:
            post = self._grams.get(g)
            if not post:
                continue
            cap = self.max_posting if len(g) == 2 else char_cap
            if len(post) <= cap:
                posts.append((len(post), g, post))
        posts.sort()
        chosen = posts[: self.max_grams]
        ws = [math.log(1 + n / size) * (1.0 if len(g) == 2 else 0.5) for size, g, _ in chosen]
        if chosen and sum(size for size, _, _ in chosen) >= _NUMPY_FROM:
            return _top_weighted([post for _, _, post in chosen], ws, self.top_k)
        weight: dict[int, float] = defaultdict(float)
        for (_, _, post), w in zip(chosen, ws, strict=True):
            for idx in post:
                weight[idx] += w
        return sorted(weight, key=weight.__getitem__, reverse=True)[: self.top_k]

    def _fuzzy(self, keys: NameKeys, code: str | None) -> list[tuple[str, float]]:
        owners: list[int] = []
        names: list[NameKeys] = []
        for idx in self.candidates(keys):
            e = self._entries[idx]
            if code and e.uscc and e.uscc != code:
                continue
            owners.extend([idx] * len(e.keys))
            names.extend(e.keys)
        best: dict[int, float] = {}
        for idx, sc in zip(owners, similarity_many(keys, names), strict=True):
            if idx not in best or sc > best[idx]:
                best[idx] = sc
        ranked = sorted(best.items(), key=lambda kv: -kv[1])
        return [(self._entries[i].id, s) for i, s in ranked]


#: Below this many posting entries the plain loop is cheaper than numpy's set-up.
_NUMPY_FROM = 256


def _top_weighted(posts: list[array[int]], weights: list[float], k: int) -> list[int]:
    """The ``k`` entries of largest summed weight over ``posts``, best first.

    The same answer as summing in a dict in posting order and sorting by weight
    (ties in order of first appearance): ``np.bincount`` adds each entry's weights
    in the same order, so the sums are the same floats, and ties are broken on the
    position of first appearance. Long postings (common bigrams such as 科技) made
    the Python loop the cost of every fuzzy look-up.
    """
    sizes = [len(p) for p in posts]
    # np.frombuffer would share the array's memory and then block its appends; copy
    idx = np.concatenate([np.frombuffer(p, dtype=f"i{p.itemsize}").astype(np.int64)
                          for p in posts])
    w = np.repeat(np.asarray(weights, dtype=np.float64), sizes)
    uniq, first, inv = np.unique(idx, return_index=True, return_inverse=True)
    sums = np.bincount(inv, weights=w, minlength=len(uniq))
    order = np.lexsort((first, -sums))[:k]
    return [int(i) for i in uniq[order]]


def similarity(q: NameKeys, c: NameKeys) -> float:
    """Similarity of two names in [0, 1].

    A short name is usually an in-order selection of the full name's characters
    (邵阳液压 ← 邵阳维克液压), so the score rests on the longest common
    subsequence: how much of the shorter name it explains (weight 0.75) and how
    much of the longer one (0.25); the region-stripped cores are compared the
    same way and the better of the two counts. A pair that shares only a region and a
    trade word scores at most ``TRADE_WORD_ONLY_CAP`` (:func:`_trade_word_only`).
    """
    s = _lcs_score(q.full, c.full)
    if q.core and c.core:
        s = max(s, _penalised_core(q, c, _lcs_score(q.core, c.core)))
    # 粤高速 → 广东省高速公路发展: a province abbreviation standing for the region.
    if len(q.full) >= 3 and c.region and c.core:
        prov = PROVINCE_ABBR.get(q.full[0])
        if prov and c.region.startswith(prov):
            s = max(s, _lcs_score(q.full[1:], c.core))
    return min(s, TRADE_WORD_ONLY_CAP) if _trade_word_only(q, c) else s


def _same_place(a: str, b: str) -> bool:
    """Whether two region prefixes may name one place: one holds the other (湖北宜昌,
    宜昌) or both open with the same name (唐山市路北区嘉兴, 唐山嘉兴)."""
    return a in b or b in a or a[:2] == b[:2]


def _trade_word_only(q: NameKeys, c: NameKeys) -> bool:
    """Whether the mention ``q`` shares with ``c`` no more than a region and a trade word.

    Such a mention has no trade name (字号) of its own: a region, then at most a
    two-character word that the candidate's core holds after its own trade name
    (钢铁 in 芦台德安钢铁, 能源 in 大屯能源). The LCS scores explain the whole
    mention by the candidate's region and trade and rate it as high as a real
    short name, so any firm of that trade in that region would do.

    Caught: a region the candidate's contradicts (江西铜业 is not 云南铜业); a
    mention that gives a legal form (唐山钢铁集团): it is a full name, and a full
    name without the candidate's trade name is another firm's; a province with a
    trade word (河北钢铁): the name of a province-wide firm, not a shortening of a
    local one's. Let through: a city or county short name (邵阳液压 ← 邵阳维克液压,
    how listed companies are shortened; 股份 alone is part of such short names,
    石英股份), a region the candidate's name holds as its trade name (朝阳科技 ←
    广东朝阳电子科技), a word that opens the candidate's core (上海艾录 ←
    上海艾录包装) and mentions without a region (凯马 ← 恒天凯马).
    """
    if not q.region or len(q.core) > 2:
        return False
    at = c.core.find(q.core)
    if at < 0:
        return False
    if c.region and not _same_place(q.region, c.region):
        return q.region not in c.core
    full_name = q.form not in ("", "股份")
    return at > 0 and (full_name or q.region in PROVINCE_NAMES)


def _penalised_core(q: NameKeys, c: NameKeys, core: float) -> float:
    """The core score less its penalties (subtracted in this order, so the single and the
    batched paths give the same floats)."""
    if q.region and c.region and not (q.region.startswith(c.region)
                                      or c.region.startswith(q.region)):
        core -= 0.15  # 锦州石化 is not 深圳石化
    elif bool(q.region) != bool(c.region):
        core -= 0.04
    if len(q.core) < 3:
        core -= 0.05
    return core


def similarity_many(q: NameKeys, cands: Sequence[NameKeys]) -> list[float]:
    """``[similarity(q, c) for c in cands]``, with the LCS lengths of all pairs from one
    ``rapidfuzz.process.cdist`` call per key kind and the score arithmetic in numpy
    (the same operations in the same order, so the same floats)."""
    if len(cands) < 4:
        return [similarity(q, c) for c in cands]
    s = _lcs_many(q.full, [c.full for c in cands])
    if q.core:
        has = np.array([bool(c.core) for c in cands])
        core = _lcs_many(q.core, [c.core for c in cands])
        for i, c in enumerate(cands):
            if has[i]:
                core[i] = _penalised_core(q, c, core[i])
        s = np.where(has, np.maximum(s, core), s)
    out = [float(x) for x in s]
    if len(q.full) >= 3:
        prov = PROVINCE_ABBR.get(q.full[0])
        if prov:
            for i, c in enumerate(cands):
                if c.region and c.core and c.region.startswith(prov):
                    out[i] = max(out[i], _lcs_score(q.full[1:], c.core))
    if q.region and len(q.core) <= 2:
        for i, c in enumerate(cands):
            if _trade_word_only(q, c):
                out[i] = min(out[i], TRADE_WORD_ONLY_CAP)
    return out


def _lcs_many(a: str, bs: list[str]) -> np.ndarray[Any, np.dtype[np.float64]]:
    """``_lcs_score(a, b)`` for every ``b``."""
    if not a:
        return np.zeros(len(bs))
    lcs = cdist([a], bs, scorer=LCSseq.similarity, dtype=np.int64)[0]
    lens = np.array([len(b) for b in bs], dtype=np.int64)
    contain = lcs / len(a)
    cover = lcs / np.maximum(lens, 1)
    first = np.array([0.03 if b[:1] == a[0] else 0.0 for b in bs])
    two = len(a) >= 2
    contiguous = np.array([0.03 if two and a in b else 0.0 for b in bs])
    score = np.minimum(1.0, 0.69 * contain + 0.25 * cover + first + contiguous)
    return np.where(lens > 0, score, 0.0)


def _lcs_score(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    lcs = LCSseq.similarity(a, b)
    # Asymmetric on purpose: how much of the mention the candidate explains
    # matters more than how much of the candidate the mention names.
    contain = lcs / len(a)
    cover = lcs / len(b)
    first = 0.03 if a[0] == b[0] else 0.0
    # A mention that appears verbatim inside the candidate beats one spread out.
    contiguous = 0.03 if len(a) >= 2 and a in b else 0.0
    return min(1.0, 0.69 * contain + 0.25 * cover + first + contiguous)


def resolve_many(resolver: Resolver, names: Sequence[str]) -> list[Decision]:
    return [resolver.resolve(name=n) for n in names]
