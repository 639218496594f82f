"""The recommender's in-memory tie graph: enterprise ties, products, industries and
display fields read once per graph generation, so a request needs no store round trip
for them.

:class:`TieGraph` holds, for every ``Enterprise`` node:

- its id, interned: a sorted numpy byte-string array (the row number is the index, and
  index order is id order), looked up by binary search;
- its display fields (name, region code, size class, tiers): names as one UTF-8 blob
  with offsets, the other fields as small codes into their distinct values;
- its distinct neighbours through the enterprise ties (``recommend.ENTERPRISE_TIES``),
  either direction, as CSR arrays (``int32``): one per tie type and one for all of them;
- what it makes and its industries (CSR into interned product and industry ids), and the
  capabilities it holds that some need is about;
- its open needs (name, id, the product or capability each is about), with the CSRs
  from an item to the needs about it and to its makers or holders.

From these it answers what ``rec_enterprise``, ``rec_details``, ``rec_shared_partners``,
``rec_relation_peers``, ``rec_suppliers`` and ``rec_buyers`` answer, row for row (same ids,
the same sums to the last bit, the same names, the same order: those queries sum in a set
order so that this is possible, and the recommender sorts need rows itself; FalkorDB's
15-digit floats are reproduced too). Shared partners and peers come as arrays
(:class:`Ranked`), their via names looked up only for the rows an answer shows. Memory at
100k enterprises and 255k ties: 21.5 MB of arrays with the open needs (:meth:`TieGraph.nbytes`),
linear in enterprises and ties (about 215 MB at 1M enterprises with the same density, per API
worker);
while building, the scans' rows are held as Python objects for a moment (about 200 MB more
at 100k).

**Freshness.** A graph is built for one value of the engine's change token
(``Store.data_version``), within one set of the recommender's structural aggregates (which
follow the relationship count and ``AGG_TTL_S``: see ``queries/recommend.py``). When the
token moves, the enterprise and need scans are read again (a need's status is a property)
and the tie, product, industry and capability scans too unless the relationship count and
the enterprise ids are unchanged. A graph answers for the store only while its token is the
store's current one, so a write is seen by the next request, whoever made it. Builds are
single-flight per store (:class:`TieCache`) and rate-limited: after a build, the next one
waits at least :data:`REBUILD_GAP_S` or :data:`REBUILD_FACTOR` times the last build's
duration (a graph written to all the time would otherwise be scanned on every request).
Until a new graph is ready the recommender either runs the Cypher queries, which give the
same answers, or (in the service, ``modelcache.BACKGROUND``) keeps scoring with the previous
graph of the same aggregates, reading at the token what must be fresh (the asking firm's
own row and need matches, the shown firms' display fields: ``recommend._serving``). A new
structural generation's graph is built with its aggregates, in their background build
(:meth:`TieCache.build_now`).

Must not live here: scoring (``queries/recommend.py``) or Cypher text (``queries/*.cypher``).
"""

from __future__ import annotations

import contextlib
import logging
import math
import sys
import threading
import time
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from graph.errors import StoreClosed, StoreError
from graph.store import Row, Store
from queries import flag_off, full_gc_held, scan, store_key

log = logging.getLogger(__name__)

#: False: never build or use a tie graph (every request runs the Cypher queries; the
#: answer comparisons and tests switch it).
ENABLED = True
#: Build in a background thread (requests use the Cypher queries until it is ready); False:
#: the request that needs it builds it (tests, scripts).
BACKGROUND = True
#: After a build, the next one waits at least this long (seconds) ...
REBUILD_GAP_S = 5.0
#: ... and at least this many times the last build's duration (or failed attempt's).
REBUILD_FACTOR = 10.0

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class _Csr:
    """Distinct neighbours (or items) per enterprise index, ascending."""

    indptr: IntArray
    indices: npt.NDArray[np.int32]

    def row(self, i: int) -> npt.NDArray[np.int32]:
        return self.indices[self.indptr[i]:self.indptr[i + 1]]

    def degree(self, rows: npt.NDArray[Any]) -> IntArray:
        return self.indptr[rows + 1] - self.indptr[rows]

    def gather(self, rows: npt.NDArray[Any]) -> tuple[IntArray, npt.NDArray[np.int32]]:
        """``(position in rows, neighbour)`` for every neighbour of every row, in row order."""
        owner, at = entries(self.indptr, rows)
        return owner, self.indices[at]

    @property
    def nbytes(self) -> int:
        return int(self.indptr.nbytes + self.indices.nbytes)


def entries(indptr: npt.NDArray[Any], rows: npt.NDArray[Any]) -> tuple[IntArray, IntArray]:
    """``(position in rows, entry index)`` for every stored entry of every CSR row in
    ``rows``, in row order: one vector instead of a slice per row."""
    starts = indptr[rows]
    lengths = indptr[rows + 1] - starts
    total = int(lengths.sum())
    owner = np.repeat(np.arange(len(rows), dtype=np.int64), lengths)
    if total == 0:
        return owner, np.zeros(0, dtype=np.int64)
    ends = np.cumsum(lengths)
    offsets = np.arange(total, dtype=np.int64) - np.repeat(ends - lengths, lengths)
    return owner, np.repeat(starts, lengths) + offsets


# numpy's own set routines (np.unique, np.isin, np.union1d) cost 50-100 µs each on the few
# hundred keys of a request, several times what a sort and a binary search cost.


def sorted_unique(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """The distinct values of ``a``, ascending (= ``np.unique(a)``)."""
    s = np.sort(a)
    if len(s) < 2:
        return s
    return s[np.concatenate(([True], s[1:] != s[:-1]))]


def unique_inverse(a: npt.NDArray[Any]) -> tuple[npt.NDArray[Any], IntArray]:
    """``np.unique(a, return_inverse=True)``: the distinct values ascending, and where each
    element of ``a`` sits among them."""
    order = np.argsort(a, kind="stable")
    s = a[order]
    head = np.concatenate(([True], s[1:] != s[:-1])) if len(s) else np.zeros(0, dtype=bool)
    at = np.empty(len(a), dtype=np.int64)
    at[order] = np.cumsum(head) - 1
    return s[head], at


def contains(table: npt.NDArray[Any], a: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """Which elements of ``a`` are in ``table`` (sorted ascending): ``np.isin(a, table)``."""
    if not len(table):
        return np.zeros(len(a), dtype=bool)
    at = np.minimum(np.searchsorted(table, a), len(table) - 1)
    return np.asarray(table[at] == a, dtype=bool)


#: What a memo's ``get`` returns for a key it does not hold (its values may be None).
_MISSING: Any = object()


def kept[K: Hashable, V](memo: dict[K, V], key: K, cap: int, make: Callable[[], V]) -> V:
    """``memo[key]``, else ``make()``, kept there (None too); a memo holding ``cap`` entries
    is emptied first (a bound, not an LRU: the recommender's per-set memos of industry rows,
    chain makers and affinity hits, whose sets firms mostly share). One look-up: another
    thread may empty the memo between a test and a read."""
    got = memo.get(key, _MISSING)
    if got is _MISSING:
        got = make()
        if len(memo) >= cap:
            memo.clear()
        memo[key] = got
    return got


#: 10**k for k = 0..22, every one an exact double
_POW10 = 10.0 ** np.arange(23)


def round_sig15(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """``float(f"{v:.15g}")`` for every ``v`` of ``x``, bit for bit, mostly without strings
    (a string per float cost about 0.1 ms per supply request, 200-400 of them).

    With ``e`` the decimal exponent of ``|v|`` and ``s = 10**(14 - e)`` (exact), the
    15-digit decimal is ``N / s`` with ``N = |v| * s`` rounded half-even to an integer, and
    ``N / s`` in floating point is the double nearest that decimal, as parsing the string
    gives (one correctly rounded division of exact operands). ``y = |v| * s`` is itself
    rounded, by at most half its last place; ``y`` holds fractions of 1/8 or finer, so
    unless its fraction is exactly 1/2 the exact product rounds to the same integer as
    ``y``. Where that does not hold, or ``e`` may be off by one (``y`` within 1 of the
    ends of [1e14, 1e15)), or ``s`` would not be exact, the string is used (about one
    value in twelve)."""
    a = np.abs(x)
    with np.errstate(divide="ignore", invalid="ignore"):  # 0, nan, inf: the strings
        k = 14.0 - np.floor(np.log10(a))
        ok = (a > 0) & (k >= 0) & (k <= 22)
        s = _POW10[np.where(ok, k, 0.0).astype(np.int64)]
        y = a * s
        ok &= (y >= 1e14 + 1) & (y < 1e15 - 1) & (y - np.floor(y) != 0.5)
        out = np.where(ok, np.copysign(np.rint(y) / s, x), x)
    rest = np.flatnonzero(~ok & (x != 0))
    if len(rest):
        out[rest] = [float(f"{v:.15g}") for v in x[rest].tolist()]
    return out


def _flat(csr: _Csr) -> tuple[IntArray, IntArray]:
    """Every entry of a CSR as (row, column) pairs."""
    rows = np.repeat(np.arange(len(csr.indptr) - 1, dtype=np.int64), np.diff(csr.indptr))
    return rows, csr.indices.astype(np.int64)


def _csr(n: int, src: IntArray, dst: IntArray) -> _Csr:
    """CSR of the distinct pairs ``(src, dst)`` over ``n`` rows."""
    if len(src):
        width = max(n, int(dst.max()) + 1)  # any column fits
        key = np.unique(src.astype(np.int64) * width + dst)
        src, dst = key // width, key % width
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    return _Csr(indptr, dst.astype(np.int32))


def _intern(values: Iterable[Any]) -> tuple[npt.NDArray[np.int32], list[Any]]:
    """Codes into a list of the distinct values (lists kept as tuples: hashable)."""
    table: dict[Any, int] = {}
    codes = [table.setdefault(tuple(v) if isinstance(v, list) else v, len(table))
             for v in values]
    distinct = [list(v) if isinstance(v, tuple) else v for v in table]
    return np.array(codes, dtype=np.int32), distinct


class TieGraph:
    """Enterprises, their ties, products, industries and display fields (module docstring)."""

    tie_types: tuple[str, ...]
    #: tie type (or "*": all of them) → distinct neighbours, either direction
    ties: dict[str, _Csr]
    product_ids: list[str]
    products: _Csr
    industry_ids: list[str]
    industries: _Csr
    #: enterprise → the capabilities it holds that some need is about
    capability_ids: list[str]
    capabilities: _Csr

    def __init__(self, version: Hashable, rows: list[Row], ties: dict[str, tuple[list[str],
                 list[str]]], products: tuple[list[str], list[str]],
                 industries: tuple[list[str], list[str]], reuse: TieGraph | None = None,
                 dialect: str = "neo4j", needs: list[Row] | None = None,
                 capabilities: tuple[list[str], list[str]] = ([], [])) -> None:
        self.version = version
        self.dialect = dialect
        self.tie_types = tuple(ties) if reuse is None else reuse.tie_types
        rows = sorted(rows, key=lambda r: str(r["id"]))
        self.n = n = len(rows)
        raw = [str(r["id"]).encode() for r in rows]
        self.ids: npt.NDArray[np.bytes_] = np.array(raw, dtype=bytes) if raw else np.array(
            [], dtype="S1")
        names = [r["name"] for r in rows]
        blobs = [b"" if v is None else str(v).encode() for v in names]
        self._names = b"".join(blobs)
        self._name_at = np.zeros(n + 1, dtype=np.int64)
        np.cumsum([len(b) for b in blobs], out=self._name_at[1:])
        self._name_null = np.array([v is None for v in names], dtype=bool)
        # rank of each name in Cypher's ORDER BY name (nulls last); equal names share no
        # rank, but their order never shows (equal names, equal texts)
        order = sorted(range(n), key=lambda i: (names[i] is None, str(names[i] or "")))
        self.name_rank = np.empty(n, dtype=np.int64)
        self.name_rank[order] = np.arange(n, dtype=np.int64)
        #: display fields as codes into their distinct values (the recommender scores
        #: region, size and tiers over the codes of many candidates at once)
        self.region_code, self.region_values = _intern(r["region_code"] for r in rows)
        self.size_code, self.size_values = _intern(r["size_class"] for r in rows)
        self.tiers_code, self.tiers_values = _intern(r["tiers"] for r in rows)
        #: the recommender's arrays derived from this graph and its generation's aggregates
        #: (per graph: indices are this graph's)
        self.memo: dict[Hashable, Any] = {}
        if reuse is not None and np.array_equal(reuse.ids, self.ids):
            self.ties, self.product_ids, self.products = reuse.ties, reuse.product_ids, \
                reuse.products
            self.industry_ids, self.industries = reuse.industry_ids, reuse.industries
            self.capability_ids, self.capabilities = reuse.capability_ids, reuse.capabilities
        else:
            self.ties = self._tie_csrs(ties)
            self.product_ids, self.products = self._items(*products)
            self.industry_ids, self.industries = self._items(*industries)
            self.capability_ids, self.capabilities = self._items(*capabilities)
        self._needs(needs or [])
        #: 1 / log(d + 2) for every distinct-neighbour count d (as Cypher computes it)
        top = int(self.ties["*"].degree(np.arange(n)).max()) if n else 0
        self._inv_log = np.array([1.0 / math.log(d + 2.0) for d in range(top + 1)])

    # -- building ----------------------------------------------------------------------------
    def find_many(self, ids: Sequence[str]) -> IntArray:
        """Indices of ``ids`` (-1 where unknown)."""
        if not len(ids) or not self.n:
            return np.full(len(ids), -1, dtype=np.int64)
        return self.find_bytes(np.array([str(i).encode() for i in ids], dtype=bytes))

    def find_bytes(self, keys: npt.NDArray[Any]) -> IntArray:
        """Indices of ids given as their UTF-8 bytes (-1 where unknown)."""
        if not len(keys) or not self.n:
            return np.full(len(keys), -1, dtype=np.int64)
        at = np.searchsorted(self.ids, keys).astype(np.int64)
        ok = at < self.n
        ok[ok] = self.ids[at[ok]] == keys[ok]
        return np.where(ok, at, -1)

    def _tie_csrs(self, ties: dict[str, tuple[list[str], list[str]]]) -> dict[str, _Csr]:
        out: dict[str, _Csr] = {}
        every_a, every_b = [], []
        for rel_type, (a_ids, b_ids) in ties.items():
            a, b = self.find_many(a_ids), self.find_many(b_ids)
            keep = (a >= 0) & (b >= 0)  # a node deleted between two scans
            a, b = a[keep], b[keep]
            every_a.append(a)
            every_b.append(b)
            out[rel_type] = _csr(self.n, np.concatenate([a, b]), np.concatenate([b, a]))
        a = np.concatenate(every_a) if every_a else np.zeros(0, dtype=np.int64)
        b = np.concatenate(every_b) if every_b else np.zeros(0, dtype=np.int64)
        out["*"] = _csr(self.n, np.concatenate([a, b]), np.concatenate([b, a]))
        return out

    def _needs(self, rows: list[Row]) -> None:
        """Open needs (``rec_all_needs`` rows) as arrays: who needs it, its name, what it is
        about (a product or a capability, by index; needs about neither are of no use to
        ``rec_suppliers``/``rec_buyers``), plus the CSRs those two queries walk."""
        n_p, n_k = len(self.product_ids), len(self.capability_ids)
        code_p = {v: k for k, v in enumerate(self.product_ids)}
        code_k = {v: k for k, v in enumerate(self.capability_ids)}
        owner = self.find_many([str(r["id"]) for r in rows])
        # items: products first, then capabilities (one index space)
        item = np.array([code_p.get(r["item"], -1) if r["kind"] == "product" else
                         n_p + code_k.get(r["item"], -n_p - 1) for r in rows], dtype=np.int64)
        keep = np.flatnonzero((owner >= 0) & (item >= 0))
        rows = [rows[i] for i in keep.tolist()]
        self.need_owner, self.need_item = owner[keep], item[keep]
        self.need_ids = [str(r["need"]) for r in rows]
        self.need_names: list[Any] = [r["name"] for r in rows]
        # rank in the recommender's row order for needs (name, nulls last)
        order = sorted(range(len(rows)), key=lambda i: (self.need_names[i] is None,
                                                        str(self.need_names[i] or "")))
        self.need_name_rank = np.empty(len(rows), dtype=np.int64)
        self.need_name_rank[order] = np.arange(len(rows), dtype=np.int64)
        at = np.arange(len(rows), dtype=np.int64)
        self.needs_of = _csr(self.n, self.need_owner, at)  # enterprise → its needs
        self.needs_about = _csr(n_p + n_k, self.need_item, at)  # item → needs about it
        # item → who makes it (products) or holds it (capabilities)
        p_src, p_dst = _flat(self.products)
        k_src, k_dst = _flat(self.capabilities)
        self.suppliers_of = _csr(n_p + n_k, np.concatenate([p_dst, k_dst + n_p]),
                                 np.concatenate([p_src, k_src]))

    def _items(self, ent_ids: list[str], item_ids: list[str]) -> tuple[list[str], _Csr]:
        distinct = sorted(set(item_ids))
        code = {v: k for k, v in enumerate(distinct)}
        src = self.find_many(ent_ids)
        dst = np.array([code[v] for v in item_ids], dtype=np.int64)
        keep = src >= 0
        return distinct, _csr(self.n, src[keep], dst[keep])

    # -- lookups -----------------------------------------------------------------------------
    def index(self, eid: str) -> int:
        """The index of enterprise ``eid``, or -1."""
        return int(self.find_many([eid])[0]) if self.n else -1

    def id_of(self, i: int) -> str:
        return bytes(self.ids[i]).decode()

    def name(self, i: int) -> str | None:
        if self._name_null[i]:
            return None
        return self._names[self._name_at[i]:self._name_at[i + 1]].decode()

    def _fields(self, i: int) -> Row:
        tiers = self.tiers_values[self.tiers_code[i]]
        return {"id": self.id_of(i), "name": self.name(i),
                "region_code": self.region_values[self.region_code[i]],
                "size_class": self.size_values[self.size_code[i]],
                "tiers": list(tiers) if isinstance(tiers, list) else tiers}

    def enterprise(self, eid: str, rel_type: str) -> EnterpriseRow | None:
        """``rec_enterprise``'s row: display fields, ``ties`` (ids tied by ``rel_type``,
        either direction), ``products`` and ``industries``; None for an unknown id."""
        i = self.index(eid)
        if i < 0:
            return None
        tied = self.ties[rel_type].row(i)
        row = EnterpriseRow(self._fields(i), graph=self, index=i, tie_index=tied)
        row["ties"] = [b.decode() for b in self.ids[tied].tolist()]
        row["products"] = [self.product_ids[k] for k in self.products.row(i)]
        row["industries"] = [self.industry_ids[k] for k in self.industries.row(i)]
        return row

    def details(self, ids: Sequence[str]) -> dict[str, Row]:
        """``rec_details``: display fields of the known ones of ``ids``."""
        return {ids[k]: self._fields(int(i)) for k, i in enumerate(self.find_many(ids))
                if i >= 0}

    def details_at(self, idx: Sequence[int]) -> list[Row]:
        """:meth:`details` of enterprise indices (the recommender's keys: no id look-up)."""
        return [self._fields(int(i)) for i in idx]

    def need_rows(self, e: int, buyers: bool, need: str | None = None
                  ) -> tuple[IntArray, list[Any]]:
        """``rec_suppliers`` (``buyers`` False: firms that make or hold what an open need of
        ``e`` is about; ``need``: the need of that id or name only) or ``rec_buyers`` (True:
        firms with an open need about what ``e`` makes or holds), as (candidate indices,
        need names), ordered by candidate then need name (the order the recommender puts
        those queries' rows in)."""
        if e < 0:
            return np.zeros(0, dtype=np.int64), []
        if buyers:
            mine = np.concatenate([self.products.row(e).astype(np.int64),
                                   self.capabilities.row(e).astype(np.int64)
                                   + len(self.product_ids)])
            _o, about = self.needs_about.gather(mine)
            needs = about.astype(np.int64)
            cand = self.need_owner[needs]
        else:
            needs = self.needs_of.row(e).astype(np.int64)
            if need is not None:
                needs = needs[[need in (self.need_ids[k], self.need_names[k])
                               for k in needs.tolist()]]
            owner, who = self.suppliers_of.gather(self.need_item[needs])
            needs, cand = needs[owner], who.astype(np.int64)
        mask = cand != e
        needs, cand = needs[mask], cand[mask]
        order = np.lexsort((self.need_name_rank[needs], cand))
        return cand[order], [self.need_names[k] for k in needs[order].tolist()]

    # -- signals -----------------------------------------------------------------------------
    def _ranked(self, cand: npt.NDArray[Any], weight: npt.NDArray[np.float64],
                by: npt.NDArray[Any], limit: int) -> Ranked:
        """The ``limit`` best of contributions ``(candidate, weight, via enterprise)``
        already in summation order: sums per candidate in that order (as the engine's
        ``sum`` does), by score then id."""
        if not len(cand):
            return Ranked(self, np.zeros(0, dtype=np.int64), np.zeros(0), cand, by)
        # sums over the distinct candidates (np.bincount adds in stream order)
        present, at = unique_inverse(cand)
        score = np.bincount(at, weights=weight)
        # score DESC, id (index order is id order)
        best = np.lexsort((present, -score))[:limit]
        return Ranked(self, present[best], self._as_read(score[best]), cand, by)

    def _as_read(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Floats as the engine's driver hands them over: FalkorDB sends 15 significant
        digits (ordering inside the engine used the full value, as ours does)."""
        if self.dialect != "falkordb":
            return x
        return round_sig15(x)

    def shared_partners(self, eid: str, limit: int) -> list[Row]:
        """``rec_shared_partners`` over all enterprise ties (Adamic-Adar)."""
        return self.shared_ranked(self.index(eid), limit).rows()

    def shared_ranked(self, e: int, limit: int) -> Ranked:
        """:meth:`shared_partners` of enterprise index ``e``, as arrays."""
        if e < 0:
            return self._ranked(np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0), limit)
        csr = self.ties["*"]
        zs = csr.row(e).astype(np.int64)
        owner, cs = csr.gather(zs)
        z = zs[owner]
        dz = csr.degree(z)
        mask = cs != e
        z, dz, cs = z[mask], dz[mask], cs[mask]
        order = np.lexsort((self.name_rank[z], dz))  # ORDER BY dz, z.name
        return self._ranked(cs[order], self._inv_log[dz[order]], z[order], limit)

    def relation_peers(self, eid: str, types: tuple[str, ...], limit: int, cap: int
                       ) -> list[Row]:
        """``rec_relation_peers`` through ``types`` (one tie type, or all of them)."""
        return self.peers_ranked(self.index(eid), types, limit, cap).rows()

    def peers_ranked(self, e: int, types: tuple[str, ...], limit: int, cap: int) -> Ranked:
        """:meth:`relation_peers` of enterprise index ``e``, as arrays."""
        none = self._ranked(np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0), limit)
        if e < 0:
            return none
        if len(types) == 1:
            csr = self.ties[types[0]]
        elif set(types) == set(self.tie_types):
            csr = self.ties["*"]
        else:
            raise ValueError(f"no tie graph for the types {types}")
        zs = csr.row(e).astype(np.int64)
        owner, ys = csr.gather(zs)
        mask = ys != e
        owner, ys = owner[mask], ys[mask]
        size = np.bincount(owner, minlength=len(zs))  # |ys| per z
        ok = (size[owner] <= cap)
        owner, ys = owner[ok], ys[ok]
        if not len(ys):
            return none
        order = np.argsort(size[owner], kind="stable")  # ORDER BY size(ys)
        present, at = unique_inverse(ys[order])
        wy = np.bincount(at, weights=1.0 / size[owner[order]])  # in stream order
        best = np.lexsort((present, -wy))[:limit]  # wy DESC, y.id
        top_y = present[best].astype(np.int64)
        owner2, cs = csr.gather(top_y)
        y = top_y[owner2]
        w = wy[best][owner2] / csr.degree(y)
        mask = cs != e
        y, w, cs = y[mask], w[mask], cs[mask]
        order = np.lexsort((self.name_rank[y], -w))  # ORDER BY w DESC, y.name
        return self._ranked(cs[order], w[order], y[order], limit)

    @property
    def nbytes(self) -> int:
        """Bytes held in arrays and blobs (the interned Python values are few)."""
        arrays = [self.ids, self._name_at, self._name_null, self.name_rank, self.region_code,
                  self.size_code, self.tiers_code, self._inv_log]
        return (sum(int(a.nbytes) for a in arrays) + len(self._names)
                + sum(c.nbytes for c in self.ties.values()) + self.products.nbytes
                + self.industries.nbytes + self.capabilities.nbytes + self.needs_of.nbytes
                + self.needs_about.nbytes + self.suppliers_of.nbytes
                + self.need_owner.nbytes + self.need_item.nbytes + self.need_name_rank.nbytes)


class EnterpriseRow(dict[str, Any]):
    """:meth:`TieGraph.enterprise`'s row (a plain ``rec_enterprise`` row to everyone else),
    with where it was read: the graph, the enterprise's index and its ties' indices
    (ascending), so that the recommender does not look up the ids it was just given."""

    __slots__ = ("graph", "index", "tie_index")

    def __init__(self, fields: Row, *, graph: TieGraph, index: int,
                 tie_index: npt.NDArray[np.int32]) -> None:
        super().__init__(fields)
        self.graph, self.index, self.tie_index = graph, index, tie_index


@dataclass(frozen=True)
class Ranked:
    """What ``rec_shared_partners`` or ``rec_relation_peers`` answers, as arrays: the
    candidates' indices (score DESC, id) and their scores as the engine hands them over;
    the via names, which only the reasons of an answer show, on demand (:meth:`via`)."""

    graph: TieGraph
    idx: IntArray
    score: npt.NDArray[np.float64]
    #: the contributions ``(candidate, via enterprise)`` in summation order
    stream: npt.NDArray[Any]
    by: npt.NDArray[Any]

    def via(self, at: Sequence[int]) -> list[list[str]]:
        """For ``idx[at]``: the first three named via enterprises of each, in stream order."""
        g = self.graph
        return [[g.name(v) or "" for v in vs] for vs in self.via_index(at)]

    def via_index(self, at: Sequence[int]) -> list[list[int]]:
        """:meth:`via` as the via enterprises' indices (a caller serving a graph older than
        the store's change token reads their names afresh: ``queries/recommend.py``)."""
        g = self.graph
        want = self.idx[np.asarray(at, dtype=np.int64)]
        via: dict[int, list[int]] = {c: [] for c in want.tolist()}
        if not len(want):
            return []
        sel = np.flatnonzero(contains(np.sort(want), self.stream) & ~g._name_null[self.by])
        grouped = sel[np.argsort(self.stream[sel], kind="stable")]
        c_sorted = self.stream[grouped]
        starts = np.flatnonzero(np.r_[True, c_sorted[1:] != c_sorted[:-1]])
        rank = np.arange(len(grouped)) - np.repeat(starts, np.diff(np.r_[starts, len(grouped)]))
        first = grouped[rank < 3]
        for c, v in zip(self.stream[first].tolist(), self.by[first].tolist(), strict=True):
            via[c].append(v)
        return [via[c] for c in want.tolist()]

    def rows(self) -> list[Row]:
        """The rows ``{id, score, via}``, as the query answers them."""
        ids = self.graph.ids[self.idx].tolist()
        via = self.via(range(len(self.idx)))
        return [{"id": i.decode(), "score": x, "via": v}
                for i, x, v in zip(ids, self.score.tolist(), via, strict=True)]


def _pairs(rows: list[Row], a: str, b: str) -> tuple[list[str], list[str]]:
    return [str(r[a]) for r in rows], [str(r[b]) for r in rows]


def build(store: Store, version: Hashable, tie_types: tuple[str, ...],
          reuse: TieGraph | None = None) -> TieGraph:
    """Read the scans and build a graph for change token ``version``; the tie, product,
    industry and capability scans are skipped when ``reuse`` (same structural generation)
    has the same enterprise ids (the enterprises and the open needs, whose fields can change
    without the structure, are read every time)."""
    rows = scan(store, "rec_all_enterprises")
    needs = scan(store, "rec_all_needs")
    ties: dict[str, tuple[list[str], list[str]]] = {}
    products: tuple[list[str], list[str]] = ([], [])
    industries: tuple[list[str], list[str]] = ([], [])
    capabilities: tuple[list[str], list[str]] = ([], [])
    same = reuse is not None and reuse.n == len(rows) and np.array_equal(
        reuse.ids, np.sort(np.array([str(r["id"]).encode() for r in rows], dtype=bytes)))
    if not same:
        reuse = None
        for t in tie_types:
            ties[t] = _pairs(scan(store, "rec_tie_pairs", rel_type=t), "a", "b")
        products = _pairs(scan(store, "rec_all_products"), "id", "item")
        industries = _pairs(scan(store, "rec_all_industries"), "id", "item")
        capabilities = _pairs(scan(store, "rec_need_capabilities"), "id", "item")
    return TieGraph(version, rows, ties, products, industries, reuse=reuse,
                    dialect=store.dialect, needs=needs, capabilities=capabilities)


_last_build: dict[tuple[int, str], tuple[float, float]] = {}


class TieCache:
    """One structural generation's tie graph: built on first use, rebuilt when the change
    token moves (rate-limited), never by two threads at once."""

    def __init__(self, tie_types: tuple[str, ...]) -> None:
        self.tie_types = tie_types
        self.graph: TieGraph | None = None
        self._lock = threading.Lock()
        #: builds done (tests check the single flight)
        self.builds = 0

    def get(self, store: Store, version: Hashable | None) -> TieGraph | None:
        """The graph for ``version``, or None: the engine cannot tell its version, another
        thread is building it, or the last build was too recent (use the Cypher queries)."""
        if version is None or not ENABLED:
            return None
        g = self.graph
        if g is not None and g.version == version:
            return g
        key = store_key(store)
        last = _last_build.get(key)
        if last is not None and time.monotonic() - last[0] < max(REBUILD_GAP_S,
                                                                 REBUILD_FACTOR * last[1]):
            return None
        if not self._lock.acquire(blocking=False):
            return None
        if BACKGROUND:
            threading.Thread(target=self._build, args=(store, version, key), daemon=True,
                             name="tiegraph-build").start()
            return None
        return self._build(store, version, key)

    def build_now(self, store: Store, version: Hashable) -> TieGraph:
        """Build the graph for ``version`` in the calling thread, waiting for a build that
        runs (the recommender's background build of a whole new generation, which must not
        publish its aggregates without their graph); raises ``StoreError`` if the build
        failed (the cause is logged; the backoff is noted as for any build), ``StoreClosed``
        if the store was closed meanwhile (the caller's build ends quietly on it)."""
        self._lock.acquire()
        g = self._build(store, version, store_key(store), closed_raises=True)
        if g is None:
            raise StoreError("tie graph build failed (the cause is logged)")
        return g

    def _build(self, store: Store, version: Hashable, key: tuple[int, str], *,
               closed_raises: bool = False) -> TieGraph | None:
        """Build (the caller holds the lock; released here)."""
        t0 = time.monotonic()
        try:
            g = self.graph
            if g is not None and g.version == version:
                return g
            with full_gc_held():  # millions of rows read and counted: queries.full_gc_held
                g = build(store, version, self.tie_types, reuse=g)
            now = time.monotonic()
            _last_build[key] = (now, now - t0)
            self.builds += 1
            log.info("tie graph built in %.1f s: %d enterprises, %.1f MB", now - t0, g.n,
                     g.nbytes / 1e6)
            # the token read before the scans: a write during them moves the store's token
            # past this one, so the next request rebuilds (never files old data as new)
            self.graph = g
            return g
        except StoreClosed:  # its owner closed the store on purpose: nobody will ask again
            if closed_raises:
                raise
            log.debug("tie graph build stopped: the store was closed")
            return None
        except Exception:  # the Cypher queries keep answering; a later request retries,
            # after REBUILD_FACTOR times what this attempt cost (a store too busy to answer
            # the scans is not sent them again every REBUILD_GAP_S)
            log.warning("tie graph build failed", exc_info=True)
            now = time.monotonic()
            _last_build[key] = (now, now - t0)
            return None
        finally:
            self._lock.release()


def clear() -> None:
    """Forget the build times (tests)."""
    _last_build.clear()


@contextlib.contextmanager
def synchronous() -> Iterator[None]:
    """Build tie graphs in the requests inside this block (:data:`BACKGROUND` False),
    restored after it: a caller that closes its store when it is done (``eval links``)
    leaves no build thread behind it (the close would wait for that thread's scan and then
    refuse its next one, a failed build logged on the way out)."""
    with flag_off(sys.modules[__name__], "BACKGROUND"):
        yield
