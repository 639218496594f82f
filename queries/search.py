"""Enterprise search: Chinese substring and fuzzy matching over names, short names,
aliases and USCC, optional pinyin initials, filters and an opaque cursor.

FalkorDB's full-text index does not segment Chinese, so search does not use it on
either engine: one query (``search_index.cypher``) reads the searchable fields and
an in-process index answers queries — a character-bigram inverted index for
substrings and fuzzy candidates (scored with rapidfuzz), a table of pinyin
initials per character (pypinyin, built once per distinct character). The index
is rebuilt when the number of enterprises changes or after ``INDEX_TTL_S``.

Scores (0–100): exact 100, prefix 95, substring 90 (minus length difference),
pinyin initials 80/75, fuzzy = rapidfuzz ratio (≥ ``FUZZY_MIN``).
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

from graph.errors import InvalidInput
from graph.store import Store
from queries import run
from queries.chains import as_tiers
from queries.common import is_local, resolve_region

INDEX_TTL_S = 300.0
FUZZY_MIN = 60.0
FUZZY_SKIP = 200
FUZZY_POOL = 300
MAX_LIMIT = 100
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_ASCII_LETTERS = re.compile(r"^[a-z]+$")


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


@dataclass
class _Entry:
    row: dict[str, Any]
    keys: list[tuple[str, str]]  # (field, folded text)
    initials: list[str] = field(default_factory=list)


@dataclass
class SearchIndex:
    entries: list[_Entry]
    grams: dict[str, list[int]]
    count: int
    built_at: float

    @classmethod
    def build(cls, rows: list[dict[str, Any]]) -> SearchIndex:
        entries: list[_Entry] = []
        grams: dict[str, list[int]] = defaultdict(list)
        for r in sorted(rows, key=lambda r: str(r["id"])):
            keys = [("name", fold(r["name"]))]
            if r.get("short_name"):
                keys.append(("short_name", fold(r["short_name"])))
            keys.extend(("alias", fold(a)) for a in as_tiers(r.get("aliases")))
            if r.get("uscc"):
                keys.append(("uscc", fold(r["uscc"])))
            keys = [(f, k) for f, k in keys if k]
            i = len(entries)
            entries.append(_Entry(r, keys))
            seen: set[str] = set()
            for f, k in keys:
                if f == "uscc":
                    continue
                for g in _bigrams(k):
                    if g not in seen:
                        seen.add(g)
                        grams[g].append(i)
        return cls(entries, dict(grams), len(rows), time.monotonic())

    def _initials(self, e: _Entry) -> list[str]:
        if not e.initials:
            e.initials = [initials(k) for f, k in e.keys if f != "uscc"]
        return e.initials

    def query(self, text: str) -> list[tuple[float, str, int]]:
        """``[(score, matched field, entry index)]`` for every entry that matches."""
        q = fold(text)
        if not q:
            return []
        hits: dict[int, tuple[float, str]] = {}

        def keep(i: int, score: float, fld: str) -> None:
            if score > hits.get(i, (0.0, ""))[0]:
                hits[i] = (score, fld)

        qg = _bigrams(q)
        postings = [self.grams.get(g, []) for g in qg]
        if len(q) == 1:
            pool: set[int] = set(range(len(self.entries)))
        elif postings and all(postings):
            pool = set.intersection(*(set(p) for p in postings))
        else:
            pool = set()
        for i in pool:  # substring candidates: every bigram of q occurs in the entry
            for f, k in self.entries[i].keys:
                if k == q:
                    keep(i, 100.0, f)
                elif k.startswith(q):
                    keep(i, 95.0, f)
                elif q in k:
                    keep(i, max(80.0, 90.0 - (len(k) - len(q)) * 0.5), f)
        # USCC: exact or prefix (a code is typed, not searched by fragments)
        if len(q) >= 6 and q.isalnum():
            for i, e in enumerate(self.entries):
                for f, k in e.keys:
                    if f == "uscc" and k.startswith(q):
                        keep(i, 100.0 if k == q else 95.0, f)
        if _ASCII_LETTERS.match(q) and len(q) >= 2:
            for i, e in enumerate(self.entries):
                for ini in self._initials(e):
                    if ini.startswith(q):
                        keep(i, 80.0, "pinyin")
                    elif q in ini:
                        keep(i, 75.0, "pinyin")
        # Fuzzy: entries sharing at least half of q's bigrams, most shared first; skipped
        # when substrings already fill many pages (fuzzy scores rank below them anyway).
        if len(q) >= 2 and len(hits) < FUZZY_SKIP:
            counts: dict[int, int] = defaultdict(int)
            for p in postings:
                for i in p:
                    counts[i] += 1
            need = max(1, (len(qg) + 1) // 2)
            shared = sorted(((-n, i) for i, n in counts.items() if n >= need and i not in hits))
            for _, i in shared[:FUZZY_POOL]:
                best = max((fuzz.ratio(q, k), f) for f, k in self.entries[i].keys
                           if f != "uscc")
                partial = max(fuzz.partial_ratio(q, k) for f, k in self.entries[i].keys
                              if f != "uscc")
                score = min(79.0, max(best[0], partial * 0.9))
                if score >= FUZZY_MIN:
                    keep(i, round(score, 1), best[1])
        return [(s, f, i) for i, (s, f) in hits.items()]


_indexes: dict[int, SearchIndex] = {}
_lock = threading.Lock()


def get_index(store: Store) -> SearchIndex:
    """The store's search index, rebuilt when stale (count changed or older than the TTL)."""
    count = int(run(store, "search_count")[0]["n"])
    with _lock:
        idx = _indexes.get(id(store))
        if idx is not None and idx.count == count and \
                time.monotonic() - idx.built_at < INDEX_TTL_S:
            return idx
    idx = SearchIndex.build(run(store, "search_index"))
    with _lock:
        _indexes[id(store)] = idx
    return idx


def clear_index() -> None:
    """Drop every cached index (after bulk edits that keep the count)."""
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
        raise InvalidInput("cursor is not valid", field="cursor") from e
    if data.get("q") != q or offset < 0:
        raise InvalidInput("cursor belongs to another search", field="cursor")
    return offset


def search(store: Store, q: str | None = None, *, region: str | None = None,
           size_class: str | None = None, tier: str | None = None, limit: int = 20,
           cursor: str | None = None) -> dict[str, Any]:
    """``{items: [{id, name, short_name, uscc, region_code, size_class, tiers, score,
    matched}], next_cursor}``; without ``q`` lists (filtered) enterprises by name."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}", field="limit")
    prefix = resolve_region(store, region)
    idx = get_index(store)
    text = (q or "").strip()
    scored = idx.query(text) if text else [(0.0, "", i) for i in range(len(idx.entries))]
    entries = idx.entries
    keep = []
    for score, fld, i in scored:
        r = entries[i].row
        if prefix and not is_local(r.get("region_code"), prefix):
            continue
        if size_class and r.get("size_class") != size_class:
            continue
        if tier and tier not in as_tiers(r.get("tiers")):
            continue
        name = str(r["name"] or "")
        keep.append((-score, len(name), name, str(r["id"]), fld, i))
    keep.sort()
    key = json.dumps([text, region, size_class, tier], ensure_ascii=False)
    offset = _decode_cursor(cursor, key) if cursor else 0
    page = []
    for neg, _n, _name, _id, fld, i in keep[offset:offset + limit]:
        r = entries[i].row
        page.append({"id": r["id"], "name": r["name"], "short_name": r.get("short_name"),
                     "uscc": r.get("uscc"), "region_code": r.get("region_code"),
                     "size_class": r.get("size_class"), "tiers": as_tiers(r.get("tiers")),
                     "score": -neg, "matched": fld or None})
    more = offset + limit < len(keep)
    return {"items": page, "next_cursor": _encode_cursor(offset + limit, key) if more else None}
