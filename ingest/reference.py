"""Loaders for the shipped reference taxonomies: collaboration areas, capabilities, tiers.

Data: ``seeds/taxonomy/collaboration.json`` (the six collaboration areas of the
Tangshan standard — 创新创意、设计研发、生产制造、物资采购、市场营销、资金融通 — each
with our capability taxonomy) and ``seeds/taxonomy/tiers.json`` (链主/龙头企业,
专精特新中小企业, 专精特新“小巨人”, 制造业单项冠军, 高新技术企业).

Also the normalisers that ingest uses on free text: :func:`normalize_area`,
:func:`normalize_tier`, :func:`match_capability`. Regions and industries have
their own modules (:mod:`ingest.regions`, :mod:`ingest.industry`). Nothing here
touches a database.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from rapidfuzz import fuzz, process

TAXONOMY_DIR = Path(__file__).resolve().parents[1] / "seeds" / "taxonomy"

AREA_NAMES: tuple[str, ...] = (
    "创新创意", "设计研发", "生产制造", "物资采购", "市场营销", "资金融通",
)

# Everyday words people write for an area (forms, needs, capability lists).
_AREA_WORDS: dict[str, tuple[str, ...]] = {
    "创新创意": ("创新", "创意", "技术创新", "协同创新"),
    "设计研发": ("设计", "研发", "研究开发", "技术研发", "产品研发"),
    "生产制造": ("生产", "制造", "加工", "代工", "协同制造"),
    "物资采购": ("采购", "物资", "供应", "原材料采购", "集中采购"),
    "市场营销": ("营销", "市场", "销售", "渠道", "市场开拓"),
    "资金融通": ("融资", "金融", "资金", "投融资", "供应链金融"),
}


class CapabilityDef(BaseModel):
    """One capability of the taxonomy (a ``Capability`` node)."""

    model_config = ConfigDict(frozen=True)
    id: str = Field(description="Stable id, '<area id>.<slug>'")
    zh: str = Field(description="Chinese name")
    en: str = Field(description="English name")
    area: str = Field("", description="Collaboration area, Chinese name")


class CollaborationArea(BaseModel):
    model_config = ConfigDict(frozen=True)
    id: str
    zh: str
    en: str
    order: int
    description: str
    capabilities: tuple[CapabilityDef, ...]


class Tier(BaseModel):
    """An enterprise tier; ``zh`` is the value stored in ``Enterprise.tiers``."""

    model_config = ConfigDict(frozen=True)
    id: str
    zh: str
    label: str
    en: str
    aliases: tuple[str, ...] = ()
    description: str
    description_en: str
    authority: str
    order: int


def _fold(text: str) -> str:
    s = unicodedata.normalize("NFKC", text).strip()
    for q in "“”\"'‘’「」《》":
        s = s.replace(q, "")
    return "".join(s.split()).lower()


@lru_cache(maxsize=1)
def collaboration_areas() -> tuple[CollaborationArea, ...]:
    """The six areas in the standard's order, each with its capabilities."""
    raw = json.loads((TAXONOMY_DIR / "collaboration.json").read_text(encoding="utf-8"))
    areas = []
    for a in raw["areas"]:
        caps = tuple(CapabilityDef(**c, area=a["zh"]) for c in a["capabilities"])
        areas.append(CollaborationArea(**{**a, "capabilities": caps}))
    areas.sort(key=lambda x: x.order)
    return tuple(areas)


def capabilities() -> list[CapabilityDef]:
    """Every capability of the taxonomy, area by area."""
    return [c for a in collaboration_areas() for c in a.capabilities]


def capability_rows() -> Iterator[dict[str, Any]]:
    """Rows for taxonomy ``Capability`` nodes: {id, name, area} (graph/MODEL.md)."""
    for c in capabilities():
        yield {"id": c.id, "name": c.zh, "area": c.area}


@lru_cache(maxsize=1)
def tiers() -> tuple[Tier, ...]:
    """The enterprise tiers, from chain leader down."""
    raw = json.loads((TAXONOMY_DIR / "tiers.json").read_text(encoding="utf-8"))
    return tuple(sorted((Tier(**t) for t in raw["tiers"]), key=lambda t: t.order))


@lru_cache(maxsize=1)
def _tier_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for t in tiers():
        for name in (t.zh, t.label, t.id, t.en, *t.aliases):
            index[_fold(name)] = t.zh
    return index


def normalize_tier(text: str) -> str | None:
    """The stored tier value (e.g. ``专精特新小巨人``) for a tier name, alias or id."""
    return _tier_index().get(_fold(text))


@lru_cache(maxsize=1)
def _area_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for a in collaboration_areas():
        for name in (a.zh, a.id, a.en, *_AREA_WORDS.get(a.zh, ())):
            index[_fold(name)] = a.zh
    return index


def normalize_area(text: str) -> str | None:
    """The area's Chinese name for a name, id, English name or everyday word, else None."""
    return _area_index().get(_fold(text))


def match_capability(text: str, *, min_score: float = 80.0) -> CapabilityDef | None:
    """The taxonomy capability meant by ``text`` (id, Chinese or English name; fuzzy on names)."""
    folded = _fold(text)
    if not folded:
        return None
    for c in capabilities():
        if folded in (_fold(c.id), _fold(c.zh), _fold(c.en)):
            return c
    caps = capabilities()
    choices = {i: _fold(c.zh) for i, c in enumerate(caps)}
    hits = process.extract(folded, choices, scorer=fuzz.WRatio, score_cutoff=min_score, limit=8)
    if not hits:
        return None
    # Equal partial scores (电商 in 电商运营 and 跨境电商): the tighter name wins.
    top = max(h[1] for h in hits)
    best = min((h for h in hits if h[1] == top), key=lambda h: len(h[0]))
    return caps[best[2]]
