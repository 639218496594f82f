"""Gazetteers for the text pipeline: known names → (label, node id).

Lives here: :class:`Gazetteer` (surface form → entries), :func:`seed_gazetteer`
(products of ``seeds/chains/*.json``, capabilities of :mod:`ingest.reference`
when present, and region names of :mod:`ingest.regions`) and
:func:`build_gazetteer` (the seeds plus the graph's own Enterprise names, short
names and aliases, Products and Capabilities). :class:`GazetteerCache` rebuilds
only when the graph's fingerprint (node counts and latest ``IngestRun`` id)
changes, so a long-running process picks up new graph content.

Must not live here: matching against text (``components.py``) or writing.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ingest.text.cypher import TEXT_CYPHER

logger = logging.getLogger(__name__)

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

#: Shortest name we match: one-character and most two-character generic words
#: would fire everywhere. Enterprises may be matched from 2 characters (三友),
#: products and capabilities need 2, regions need 2 (plus a stop list).
MIN_LEN = {"ENTERPRISE": 2, "PRODUCT": 2, "CAPABILITY": 2, "REGION": 2, "ORG": 2}

#: Region short names that are ordinary words in business text.
_REGION_STOP = frozenset({"城区", "新区", "开发区", "高新区", "市区", "郊区", "东区", "西区",
                          "南区", "北区", "中区", "矿区", "林区", "海港", "工业", "新华",
                          "和平", "长安", "永安", "江南", "河东", "河西", "城关", "中山", "合作",
                          "开发", "新兴", "前进", "友谊", "民主", "胜利", "红旗", "光明",
                          "东风", "建设", "振兴", "团结", "先锋", "向阳", "兴隆", "同心"})

#: Labels of the graph mapped to our entity labels.
_GRAPH_LABELS = {"Enterprise": "ENTERPRISE", "Product": "PRODUCT", "Capability": "CAPABILITY"}


@dataclass(frozen=True)
class Entry:
    label: str
    id: str
    name: str
    #: 3 = official full name, 2 = short name or alias, 1 = derived form
    strength: int = 3
    #: "seed" (shipped lists) or "graph" (a node of the store: ``id`` is its node id)
    origin: str = "seed"


@dataclass
class Gazetteer:
    """Surface form → entries; ``fingerprint`` says what it was built from."""

    entries: dict[str, list[Entry]] = field(default_factory=dict)
    fingerprint: str = "empty"

    def add(self, surface: str, entry: Entry) -> None:
        s = surface.strip()
        if len(s) < MIN_LEN.get(entry.label, 2):
            return
        if entry.label == "REGION" and s in _REGION_STOP:
            return
        bucket = self.entries.setdefault(s, [])
        if entry not in bucket:
            bucket.append(entry)

    def lookup(self, surface: str, label: str | None = None) -> list[Entry]:
        found = self.entries.get(surface, [])
        return [e for e in found if label is None or e.label == label]

    def best(self, surface: str, label: str | None = None) -> Entry | None:
        found = self.lookup(surface, label)
        if not found:
            return None
        return max(found, key=lambda e: e.strength)

    def merged(self, other: Gazetteer) -> Gazetteer:
        g = Gazetteer({k: list(v) for k, v in self.entries.items()},
                      f"{self.fingerprint}+{other.fingerprint}")
        for surface, entries in other.entries.items():
            for e in entries:
                g.add(surface, e)
        return g

    def __len__(self) -> int:
        return len(self.entries)


def _chain_products(seeds: Path) -> Iterable[tuple[str, str]]:
    for path in sorted((seeds / "chains").glob("*.json")):
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as e:
            logger.warning("E230 chain seed %s unreadable for the gazetteer: %s", path, e)
            continue
        for seg in data.get("segments") or []:
            for prod in seg.get("products") or []:
                if prod.get("id") and prod.get("name"):
                    yield str(prod["id"]), str(prod["name"])
                    for alias in prod.get("aliases") or []:
                        yield str(prod["id"]), str(alias)


def _capabilities() -> Iterable[tuple[str, str]]:
    """Capabilities of the reference tables (``ingest.reference``), if that module exists."""
    try:
        from ingest import reference
    except ImportError:
        return []
    out: list[tuple[str, str]] = []
    for attr in ("capability_rows", "capabilities", "CAPABILITIES"):
        src = getattr(reference, attr, None)
        if src is None:
            continue
        rows = src() if callable(src) else src
        for r in rows:
            if isinstance(r, dict) and r.get("name"):
                out.append((str(r.get("id") or r["name"]), str(r["name"])))
                for alias in r.get("aliases") or []:
                    out.append((str(r.get("id") or r["name"]), str(alias)))
            elif isinstance(r, str):
                out.append((r, r))
            elif hasattr(r, "name"):
                out.append((str(getattr(r, "id", r.name)), str(r.name)))
        break
    return out


def _regions() -> Iterable[tuple[str, str, int]]:
    from ingest.regions import all_regions

    for r in all_regions():
        if r.level == "town" and not r.code.startswith("1302"):
            continue
        yield r.code, r.name, 3
        if r.short_name and r.short_name != r.name and r.level != "town":
            yield r.code, r.short_name, 2


@cache
def seed_gazetteer(seeds: Path = SEEDS) -> Gazetteer:
    """Products, capabilities and regions shipped with the product (cached per process)."""
    g = Gazetteer(fingerprint="seeds")
    for pid, name in _chain_products(seeds):
        g.add(name, Entry("PRODUCT", pid, name))
    for cid, name in _capabilities():
        g.add(name, Entry("CAPABILITY", cid, name))
    for code, name, strength in _regions():
        g.add(name, Entry("REGION", code, name, strength))
    logger.info("seed gazetteer: %d surface forms", len(g))
    return g


def graph_fingerprint(store: Any) -> str:
    rows = store.read(TEXT_CYPHER.get("text_gazetteer_fingerprint", store.dialect), {})
    raw = json.dumps(rows[0] if rows else {}, sort_keys=True, default=str)
    return hashlib.sha1(raw.encode()).hexdigest()[:12]


def graph_gazetteer(store: Any, fingerprint: str | None = None) -> Gazetteer:
    """Enterprise, Product and Capability names of the graph."""
    g = Gazetteer(fingerprint=fingerprint or graph_fingerprint(store))
    rows = store.read(TEXT_CYPHER.get("text_gazetteer_entries", store.dialect), {})
    for r in rows:
        label = _GRAPH_LABELS.get(str(r.get("label")))
        if label is None or not r.get("id"):
            continue
        node_id, name = str(r["id"]), str(r.get("name") or "")
        if name:
            g.add(name, Entry(label, node_id, name, 3, "graph"))
        if label == "ENTERPRISE":
            from ingest.normalize import strip_legal_suffix

            short = r.get("short_name")
            if short:
                g.add(str(short), Entry(label, node_id, name, 2, "graph"))
            aliases = r.get("aliases") or []
            if isinstance(aliases, str):
                aliases = [aliases]
            for a in aliases:
                g.add(str(a), Entry(label, node_id, name, 2, "graph"))
            # 唐山三友化工股份有限公司 is also written 唐山三友化工
            core = strip_legal_suffix(name) if name else ""
            if core and core != name and len(core) >= 4:
                g.add(core, Entry(label, node_id, name, 1, "graph"))
    return g


def build_gazetteer(store: Any | None = None) -> Gazetteer:
    """Seeds plus, when a store is given, the graph's own names."""
    seeds = seed_gazetteer()
    if store is None:
        return seeds
    return seeds.merged(graph_gazetteer(store))


class GazetteerCache:
    """Keeps the last gazetteer and rebuilds it only when the graph fingerprint changes."""

    def __init__(self, store: Any | None = None) -> None:
        self.store = store
        self._gaz: Gazetteer | None = None
        self._fp: str | None = None

    def get(self) -> Gazetteer:
        if self.store is None:
            if self._gaz is None:
                self._gaz = build_gazetteer(None)
            return self._gaz
        fp = graph_fingerprint(self.store)
        if self._gaz is None or fp != self._fp:
            logger.info("text gazetteer rebuilt (graph fingerprint %s -> %s)", self._fp, fp)
            self._gaz = seed_gazetteer().merged(graph_gazetteer(self.store, fp))
            self._fp = fp
        return self._gaz
