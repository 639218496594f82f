"""Enterprise search: Chinese substring and fuzzy matching over names, short names,
aliases and USCC, optional pinyin initials, filters and an opaque cursor.

FalkorDB's full-text index does not segment Chinese, and neither engine's full-text
index can rank a query that matches most firms (公司, 有限) without handing every hit
back, so search runs in process on both engines. One query (``search_index.cypher``)
reads the searchable fields; :class:`SearchIndex` lays the folded keys end to end in
three texts whose order is the ranking order, so ``str.find`` (C speed) yields hits
best first and a page stops after ``offset + limit + 1`` of them, however common the
query:

* exact — a dict from folded key (and USCC) to firms;
* prefix — a range of the sorted keys (bisect) when it is small; otherwise every
  firm's keys in firm order, each after a separator, so ``find(SEP + q)`` meets
  prefix hits in firm order (the same for USCCs, for code-like queries);
* substring — all keys sorted by length, then firm order: the first hits are the
  shortest keys, i.e. the best-scored substrings;
* pinyin initials — the prefix text translated character by character to initials;
* fuzzy — firms sharing at least half of the query's character bigrams (an inverted
  index), scored with rapidfuzz, only when the tiers above found few firms.

Firm order is prominence (:func:`prominence`: 链主企业 first, then 制造业单项冠军 and
专精特新小巨人, then size class from 大型 to 微型, then 专精特新中小企业 and 高新技术企业), then
name length, name and id: among equally good matches a planner meets the leading firms
first (a search for 钢铁 in the demo listed its steel 链主企业 24th, behind micro firms with
shorter names). Scores (0–100): exact 100, prefix 95, substring 90 minus half the length
difference (at least 80), pinyin initials 80/75, fuzzy ≤ 79 (≥ ``FUZZY_MIN``). Results are
ranked by tier, then (substring) length difference, then (fuzzy) score, then firm order.

The index is cached per store and rebuilt when the store's fingerprint (enterprise
count, latest ingest run) changes; after ``INDEX_TTL_S`` it is rebuilt in the
background while the old one keeps answering (edits that keep both the count and
the run show up then). Building it at 100k enterprises takes a few seconds: call
:func:`warm` at start-up to keep that off the first request.
"""

from __future__ import annotations

import base64
import heapq
import json
import logging
import re
import sys
import threading
import time
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import Any

from rapidfuzz import fuzz

from graph.errors import InvalidInput
from graph.store import Store
from graph.vocab import SIZE_CLASSES, SIZE_NAMES, TIER_NAMES
from queries import full_gc_held, run
from queries.chains import as_tiers
from queries.common import holding_codes, is_local, resolve_region

log = logging.getLogger(__name__)

# Ingests and merges change the fingerprint and rebuild at once; the TTL only catches
# edits that keep both (rare), and each rebuild costs seconds of CPU in every process.
INDEX_TTL_S = 1800.0
FUZZY_MIN = 60.0
FUZZY_SKIP = 200
FUZZY_POOL = 300
MAX_LIMIT = 100
PREFIX_SORT_MAX = 5000  # more prefix hits than this: scan in firm order instead of sorting
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_ASCII_LETTERS = re.compile(r"^[a-z]+$")
_SEP = "\x01"  # never in a folded key (fold drops non-word characters)

# Tiers, best first; a firm is listed once, in the best tier it reaches.
EXACT, PREFIX, SUBSTRING, PINYIN_PREFIX, PINYIN, FUZZY = range(6)

#: Enterprise tiers that put a firm ahead of every size class in firm order, best first.
LEADING_TIERS = ("链主企业", "制造业单项冠军", "专精特新小巨人")
#: Size classes in firm order (others, 未划型 included, after them).
SIZE_ORDER = SIZE_CLASSES
#: Tiers that order firms of one size class (after LEADING_TIERS), best first.
OTHER_TIERS = ("专精特新中小企业", "高新技术企业")


_LEAD_RANK = {t: i for i, t in enumerate(LEADING_TIERS)}
_OTHER_RANK = {t: i for i, t in enumerate(OTHER_TIERS)}
_SIZE_RANK = {s: i for i, s in enumerate(SIZE_ORDER)}


def prominence(row: dict[str, Any]) -> tuple[int, int, int]:
    """An enterprise's place among equally good matches (smaller: earlier): its best
    leading tier, then its size class, then its best other tier."""
    size = _SIZE_RANK.get(row.get("size_class"), len(SIZE_ORDER))  # type: ignore[arg-type]
    tiers = row.get("tiers")
    if not tiers:  # most firms: no tier at all
        return len(LEADING_TIERS), size, len(OTHER_TIERS)
    listed = as_tiers(tiers)
    return (min(_LEAD_RANK.get(t, len(LEADING_TIERS)) for t in listed),
            size, min(_OTHER_RANK.get(t, len(OTHER_TIERS)) for t in listed))


def firm_order(row: dict[str, Any]) -> tuple[tuple[int, int, int], int, str, str]:
    """The order of firms with equal scores: :func:`prominence`, then the shorter name,
    the name, the id."""
    name = str(row["name"] or "")
    return prominence(row), len(name), name, str(row["id"])


def fold(text: Any) -> str:
    """Width-fold (NFKC), lower-case, drop spaces and punctuation: the compared form."""
    if text is None:
        return ""
    return _PUNCT.sub("", unicodedata.normalize("NFKC", str(text)).lower())


@lru_cache(maxsize=20000)
def _initial(ch: str) -> str:
    if not "\u4e00" <= ch <= "\u9fff":
        return ch
    from pypinyin import Style, lazy_pinyin

    out = lazy_pinyin(ch, style=Style.FIRST_LETTER)
    return out[0][:1].lower() if out and out[0] else ch


def initials(text: str) -> str:
    """Pinyin initials of a folded Chinese string: 唐山钢铁 → tsgt."""
    return "".join(_initial(ch) for ch in text)


def _bigrams(s: str) -> set[str]:
    return {s[i:i + 2] for i in range(len(s) - 1)} if len(s) > 1 else {s} if s else set()


def _is_code(q: str) -> bool:
    """Whether ``q`` may be (the start of) a USCC: a code is typed, not searched by parts."""
    return len(q) >= 6 and q.isascii() and q.isalnum()


@dataclass(slots=True)
class _Entry:
    row: dict[str, Any]


_FIELDS = ("name", "short_name", "alias", "uscc")


def _code(firm: int, fld: str) -> int:
    """A firm and a field in one int (memory: 250k keys at 100k firms)."""
    return firm * 4 + _FIELDS.index(fld)


def _decode(code: int) -> tuple[int, str]:
    return code >> 2, _FIELDS[code & 3]


def _keys(row: dict[str, Any]) -> list[tuple[str, str]]:
    """A firm's searchable keys: (field, folded text) of its name, short name and aliases."""
    keys = [("name", fold(row["name"]))]
    if row.get("short_name"):
        keys.append(("short_name", fold(row["short_name"])))
    keys.extend(("alias", fold(a)) for a in as_tiers(row.get("aliases")))
    return [(f, k) for f, k in keys if k]


class _Text:
    """Keys laid end to end, each after :data:`_SEP`; ``find`` yields each key that
    contains the needle once, in the order the keys were given."""

    def __init__(self, docs: list[tuple[str, int, str]]) -> None:
        # typed arrays, not lists of int objects: a third of the memory at 100k firms
        self.length = array("i", [len(d[0]) for d in docs])
        self.starts = array("q", accumulate((n + 1 for n in self.length), initial=0))
        self.starts.pop()
        self.entry = array("i", [d[1] for d in docs])
        self.field: list[str] = [sys.intern(d[2]) for d in docs]
        self.text = "".join([_SEP + d[0] for d in docs])

    def translated(self, table: dict[int, str]) -> _Text:
        """The same keys mapped character for character (offsets stay valid)."""
        out = object.__new__(_Text)
        out.starts, out.entry, out.field, out.length = \
            self.starts, self.entry, self.field, self.length
        out.text = self.text.translate(table)
        return out

    def find(self, needle: str) -> Iterator[int]:
        text, starts = self.text, self.starts
        n = len(starts)
        pos = text.find(needle)
        while pos >= 0:
            doc = bisect_right(starts, pos) - 1
            yield doc
            if doc + 1 >= n:
                return
            pos = text.find(needle, starts[doc + 1])


@dataclass
class SearchIndex:
    entries: list[_Entry]
    exact: dict[str, int | tuple[int, ...]]  # folded key → firm code(s) (see _code)
    prefix: _Text
    sorted_keys: list[str]  # every key, sorted: a prefix is a range (bisect)
    sorted_codes: array[int]  # firm code of each sorted key
    substring: _Text
    uscc: _Text
    pinyin: _Text
    grams: dict[str, list[int]]
    count: int
    built_at: float
    fingerprint: tuple[Any, ...] = ()

    @classmethod
    def build(cls, rows: list[dict[str, Any]], fingerprint: tuple[Any, ...] = ()) -> SearchIndex:
        entries: list[_Entry] = []
        exact: dict[str, int | tuple[int, ...]] = {}

        def add_exact(k: str, code: int) -> None:
            had = exact.get(k)
            exact[k] = code if had is None else (*had, code) if isinstance(had, tuple) \
                else (had, code)

        grams: defaultdict[str, list[int]] = defaultdict(list)
        prefix_docs: list[tuple[str, int, str]] = []
        uscc_docs: list[tuple[str, int, str]] = []
        for r in sorted(rows, key=firm_order):
            keys = _keys(r)
            i = len(entries)
            listed: set[str] = set()  # a firm is listed once per distinct key
            for f, k in keys:
                prefix_docs.append((k, i, f))
                if k not in listed:
                    listed.add(k)
                    add_exact(k, _code(i, f))
            # the firm's bigrams, each posted once: from all keys joined (pairs across a
            # separator dropped), plus any one-character key as itself
            joined = _SEP.join(listed)
            firm_grams = {joined[j:j + 2] for j in range(len(joined) - 1)}
            firm_grams.update(k for k in listed if len(k) == 1)
            for g in firm_grams:
                if _SEP not in g:
                    grams[g].append(i)
            uscc = fold(r.get("uscc"))
            if uscc:
                uscc_docs.append((uscc, i, "uscc"))
                add_exact(uscc, _code(i, "uscc"))
            entries.append(_Entry(r))
        prefix = _Text(prefix_docs)
        by_key = sorted(prefix_docs)
        # substring hits come out shortest key first (the best score), then in firm order
        substring = _Text(sorted(prefix_docs, key=lambda d: (len(d[0]), d[1])))
        table = {ord(c): _initial(c) for c in set(prefix.text) if "\u4e00" <= c <= "\u9fff"}
        return cls(entries, exact, prefix, [d[0] for d in by_key],
                   array("q", [_code(d[1], d[2]) for d in by_key]), substring, _Text(uscc_docs),
                   prefix.translated(table), dict(grams), len(rows), time.monotonic(),
                   fingerprint)

    # -- hits, best first --------------------------------------------------------------
    def iter_hits(self, text: str) -> Iterator[tuple[float, str, int]]:
        """``(score, matched field, entry index)`` for every matching firm, best first,
        each firm once; lazy, so a page reads only as many hits as it shows."""
        q = fold(text)
        if not q:
            return
        seen: set[int] = set()
        code = _is_code(q)
        found = self.exact.get(q, ())
        for i, f in sorted(map(_decode, found if isinstance(found, tuple) else (found,))):
            if i not in seen and (f != "uscc" or code):
                seen.add(i)
                yield 100.0, f, i
        streams = [self._prefix_hits(q)]
        if code:
            streams.append((self.uscc.entry[d], "uscc") for d in self.uscc.find(_SEP + q))
        for i, f in heapq.merge(*streams):
            if i not in seen:
                seen.add(i)
                yield 95.0, f, i
        sub = self.substring
        for d in sub.find(q):
            i = sub.entry[d]
            if i not in seen:
                seen.add(i)
                yield max(80.0, 90.0 - (sub.length[d] - len(q)) * 0.5), sub.field[d], i
        if _ASCII_LETTERS.match(q) and len(q) >= 2:
            for score, needle in ((80.0, _SEP + q), (75.0, q)):
                for d in self.pinyin.find(needle):
                    i = self.pinyin.entry[d]
                    if i not in seen:
                        seen.add(i)
                        yield score, "pinyin", i
        # Fuzzy: skipped when exact matches already fill many pages (fuzzy scores rank
        # below them anyway).
        if len(q) >= 2 and len(seen) < FUZZY_SKIP:
            yield from self._fuzzy(q, seen)

    def _prefix_hits(self, q: str) -> Iterator[tuple[int, str]]:
        """``(firm, field)`` of keys starting with ``q``, in firm order: a few are read from
        the sorted keys and sorted; many (唐山…) come from scanning the prefix text."""
        lo = bisect_left(self.sorted_keys, q)
        hi = bisect_left(self.sorted_keys, q + "\U0010ffff", lo)
        if hi - lo <= PREFIX_SORT_MAX:
            return iter(sorted(map(_decode, self.sorted_codes[lo:hi])))
        return ((self.prefix.entry[d], self.prefix.field[d])
                for d in self.prefix.find(_SEP + q))

    def _fuzzy(self, q: str, seen: set[int]) -> list[tuple[float, str, int]]:
        """Firms sharing at least half of ``q``'s bigrams (most shared first, at most
        ``FUZZY_POOL``), scored with rapidfuzz; best score first, then firm order."""
        qg = _bigrams(q)
        counts: Counter[int] = Counter()
        for g in qg:
            counts.update(self.grams.get(g, ()))
        need = max(1, (len(qg) + 1) // 2)
        pool = heapq.nsmallest(FUZZY_POOL, ((-n, i) for i, n in counts.items()
                                            if n >= need and i not in seen))
        out = []
        for _, i in pool:
            keys = _keys(self.entries[i].row)
            best = max((fuzz.ratio(q, k), f) for f, k in keys)
            partial = max(fuzz.partial_ratio(q, k) for _, k in keys)
            score = min(79.0, max(best[0], partial * 0.9))
            if score >= FUZZY_MIN:
                out.append((round(score, 1), best[1], i))
        out.sort(key=lambda h: (-h[0], h[2]))
        return out

    def query(self, text: str) -> list[tuple[float, str, int]]:
        """Every hit of :meth:`iter_hits` (tests and tools; search pages lazily)."""
        return list(self.iter_hits(text))


_indexes: dict[int, SearchIndex] = {}
_lock = threading.Lock()  # guards _indexes
_build_lock = threading.Lock()  # one build at a time: concurrent callers wait for it
_refreshing: set[int] = set()


def _fingerprint(store: Store) -> tuple[Any, ...]:
    count = int(run(store, "search_count")[0]["n"])
    last = run(store, "search_last_run")
    return count, last[0]["last_run"] if last else None


def region_name(names: dict[str, str], code: Any) -> str | None:
    """The full name of the division with ``code`` among ``names`` (code → full name, codes
    as the divisions are filed: ``13``, ``1302``, ``130203``, ``130203001``), else of the
    nearest loaded division holding it (the county of a township code when townships are not
    loaded, the city of ``130200``); None when none is loaded."""
    for c in holding_codes(code):
        if c in names:
            return names[c]
    return None


def _build(store: Store, fingerprint: tuple[Any, ...]) -> SearchIndex:
    t0 = time.perf_counter()
    # every enterprise's row and index entries, alive until the build ends: without the
    # cyclic collector's full passes over them (7-8 of them, 0.7-3.0 s of a 7-10 s build at
    # 100k enterprises, the interpreter lock held, in the refresh thread too; held, none ran
    # and the build took 6-7.5 s: queries.full_gc_held)
    with full_gc_held():
        rows = run(store, "search_index")
        names = {r["code"]: r["full_name"] for r in run(store, "search_regions")}
        for r in rows:
            r["region_name"] = region_name(names, r.get("region_code"))
        idx = SearchIndex.build(rows, fingerprint)
    log.info("search index built: %d enterprises in %.2fs", idx.count,
             time.perf_counter() - t0)
    with _lock:
        _indexes[id(store)] = idx
    return idx


def _refresh(store: Store) -> None:
    try:
        _build(store, _fingerprint(store))
    except Exception:  # a background refresh must not kill the process; the old index stays
        log.exception("search index refresh failed")
    finally:
        with _lock:
            _refreshing.discard(id(store))


def get_index(store: Store) -> SearchIndex:
    """The store's search index: rebuilt now when the store's fingerprint changed, in the
    background (serving the current one meanwhile) when older than the TTL."""
    fp = _fingerprint(store)
    with _lock:
        idx = _indexes.get(id(store))
    if idx is None or idx.fingerprint != fp:
        with _build_lock:
            with _lock:
                idx = _indexes.get(id(store))
            if idx is None or idx.fingerprint != fp:
                idx = _build(store, fp)
    elif time.monotonic() - idx.built_at >= INDEX_TTL_S:
        with _lock:
            start = id(store) not in _refreshing
            _refreshing.add(id(store))
        if start:
            threading.Thread(target=_refresh, args=(store,), daemon=True,
                             name="search-index-refresh").start()
    return idx


def warm(store: Store) -> float:
    """Build the store's index now (at start-up); return the seconds it took."""
    t0 = time.perf_counter()
    get_index(store)
    return time.perf_counter() - t0


def clear_index() -> None:
    """Drop every cached index (after bulk edits that keep the fingerprint)."""
    with _lock:
        _indexes.clear()


def _encode_cursor(offset: int, q: str) -> str:
    raw = json.dumps({"o": offset, "q": q}, ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, q: str) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        offset = int(data["o"])
    except (ValueError, KeyError, TypeError) as e:
        raise InvalidInput("cursor 无效 / cursor is not valid", field="cursor") from e
    if data.get("q") != q or offset < 0:
        raise InvalidInput("cursor 属于另一次搜索 / cursor belongs to another search",
                           field="cursor")
    return offset


def _filter_value(value: str | None, names: dict[str, str], field: str,
                  what: tuple[str, str]) -> str | None:
    """A size-class or tier filter as the graph holds it (``小巨人`` → ``专精特新小巨人``, as
    ingest reads spreadsheets); InvalidInput for a value no firm can hold."""
    if value is None or not value.strip():
        return None
    found = names.get(unicodedata.normalize("NFKC", value).strip().lower())
    if found is None:
        raise InvalidInput(f"未知的{what[0]} {value.strip()} / unknown {what[1]} "
                           f"{value.strip()!r}: one of "
                           f"{'、'.join(dict.fromkeys(names.values()))}", field=field)
    return found


def search(store: Store, q: str | None = None, *, region: str | None = None,
           size_class: str | None = None, tier: str | None = None, limit: int = 20,
           cursor: str | None = None) -> dict[str, Any]:
    """``{items: [{id, name, short_name, uscc, region_code, region_name, size_class, tiers,
    score, matched}], next_cursor}`` (``region_name``: the division's full name, None when
    the divisions are not loaded); without ``q`` lists (filtered) enterprises in firm order
    (:func:`firm_order`: leading firms first)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit 应在 1 到 {MAX_LIMIT} 之间 / limit must be between 1 and "
                           f"{MAX_LIMIT}", field="limit")
    text = (q or "").strip()
    size_class = _filter_value(size_class, SIZE_NAMES, "size_class", ("规模", "size class"))
    tier = _filter_value(tier, TIER_NAMES, "tier", ("梯度", "tier"))
    key = json.dumps([text, region, size_class, tier], ensure_ascii=False)
    offset = _decode_cursor(cursor, key) if cursor else 0
    prefix = resolve_region(store, region)
    idx = get_index(store)
    entries = idx.entries
    hits: Iterator[tuple[float, str, int]] = (
        idx.iter_hits(text) if text else ((0.0, "", i) for i in range(len(entries))))
    page: list[dict[str, Any]] = []
    kept = 0
    more = False
    for score, fld, i in hits:
        r = entries[i].row
        if prefix and not is_local(r.get("region_code"), prefix):
            continue
        if size_class and r.get("size_class") != size_class:
            continue
        if tier and tier not in as_tiers(r.get("tiers")):
            continue
        kept += 1
        if kept <= offset:
            continue
        if len(page) == limit:
            more = True
            break
        page.append({"id": r["id"], "name": r["name"], "short_name": r.get("short_name"),
                     "uscc": r.get("uscc"), "region_code": r.get("region_code"),
                     "region_name": r.get("region_name"),
                     "size_class": r.get("size_class"), "tiers": as_tiers(r.get("tiers")),
                     "score": score, "matched": fld or None})
    return {"items": page, "next_cursor": _encode_cursor(offset + limit, key) if more else None}
