"""HTTP routes for enterprise search and profiles, thin over :mod:`queries.search` and
:mod:`queries.profile`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api import examples as ex
from api.cache import cached
from api.deps import StoreDep
from queries.profile import enterprise_profile
from queries.search import search

router = APIRouter(prefix="/api/v1", tags=["enterprises 企业"])


class SearchItem(BaseModel):
    id: str = Field(description="Enterprise id.", examples=["E000123"])
    name: str | None = Field(description="Full name.", examples=["唐山某钢铁有限公司"])
    short_name: str | None = Field(None, description="Short name.")
    uscc: str | None = Field(None, description="Unified social credit code.")
    region_code: str | None = Field(None, description="Division code.")
    region_name: str | None = Field(None, description="The division's full name (null when "
                                    "the divisions are not loaded).",
                                    examples=["河北省唐山市丰南区"])
    size_class: str | None = Field(None, description="大型/中型/小型/微型/未划型.")
    tiers: list[str] = Field(default_factory=list, description="Tiers.")
    score: float = Field(description="Match score 0–100 (0 when listing without q).")
    matched: str | None = Field(None, description="Field that matched: name, short_name, "
                                "alias, uscc or pinyin.")


class SearchPage(BaseModel):
    items: list[SearchItem] = Field(description="One page of matches, best first.")
    next_cursor: str | None = Field(description="Opaque cursor for the next page, or null.")


class Provenance(BaseModel):
    source: str | None = Field(None, description="File or URL the fact came from.")
    run_id: str | None = Field(None, description="Ingest run id.")
    ingested_at: str | None = Field(None, description="When it was loaded (UTC).")
    method: str | None = Field(None, description="table/text/rule/manual/seed.")
    confidence: float | None = Field(None, description="0–1.")
    synthetic: bool | None = Field(None, description="True for the synthetic demo data.")


class Fact(BaseModel):
    id: str | None = Field(None, description="Id of the related node.")
    name: str | None = Field(None, description="Its name.")
    provenance: Provenance = Field(description="Where this fact comes from.")
    model_config = {"extra": "allow"}


class Profile(BaseModel):
    id: str = Field(description="Enterprise id.")
    name: str | None = Field(description="Full name.")
    short_name: str | None = Field(None, description="Short name.")
    aliases: list[str] = Field(default_factory=list, description="Other names.")
    uscc: str | None = Field(None, description="Unified social credit code.")
    size_class: str | None = Field(None, description="Size class.")
    tiers: list[str] = Field(default_factory=list, description="Tiers.")
    region_code: str | None = Field(None, description="Division code.")
    region: dict[str, Any] | None = Field(
        None, description="{code, name, full_name}: the division holding the firm (its own when "
        "loaded, else the nearest loaded one above it; name and full_name null when none is).")
    industry_code: str | None = Field(None, description="GB/T 4754-2017 code.")
    synthetic: bool = Field(False, description="Part of the synthetic demo data.")
    provenance: Provenance = Field(description="Provenance of the enterprise record.")
    products: list[Fact] = Field(description="Products it makes.")
    capabilities: list[Fact] = Field(description="Capabilities (six collaboration areas).")
    needs: list[Fact] = Field(description="Its needs, with what they are about.")
    resources: list[Fact] = Field(description="Shareable resources it offers.")
    partners: list[Fact] = Field(description="Supply, cooperation, investment, control ties.")
    chain_positions: list[dict[str, Any]] = Field(description="{chain_id, chain, segment, "
                                                  "product_id, product}.")
    model_config = {"extra": "allow"}


@router.get("/enterprises", response_model=SearchPage,
            responses=ex.response(ex.SEARCH))
async def search_enterprises(
    request: Request,
    store: StoreDep,
    q: str | None = Query(None, description="Name, short name, alias, USCC or pinyin initials.",
                          examples=["钢铁"]),
    region: str | None = Query(None, description="Region code (prefix match: 1302 = 唐山).",
                               examples=["1302"]),
    size_class: str | None = Query(None, description="大型/中型/小型/微型/未划型 (also 大, "
                                   "小型企业 and the other forms ingest reads); another value: "
                                   "422.", examples=["小型"]),
    tier: str | None = Query(None, description="链主企业/专精特新中小企业/专精特新小巨人/"
                             "制造业单项冠军/高新技术企业 (also 龙头, 小巨人, 单项冠军…); "
                             "another value: 422.",
                             examples=["专精特新中小企业"]),
    limit: int = Query(20, ge=1, le=100, description="Page size."),
    cursor: str | None = Query(None, description="Cursor from the previous page.",
                               examples=[ex.SEARCH["next_cursor"]]),
) -> Response:
    """Search enterprises by Chinese substring, fuzzy name, USCC or pinyin initials.

    Best match first (exact, prefix, substring, pinyin initials, fuzzy); among equally good
    matches, and in a listing without ``q``, leading firms first: 链主企业, then
    制造业单项冠军 and 专精特新小巨人, then size class 大型 → 微型."""
    return await cached(request, search, store, q, region=region,
                        size_class=size_class, tier=tier, limit=limit, cursor=cursor)


ENTERPRISE_ID = PathParam(description="Enterprise id (from search).",
                          examples=[ex.IDS["enterprise"]])


@router.get("/enterprises/{enterprise_id}", response_model=Profile,
            responses=ex.response(ex.PROFILE))
async def get_enterprise(request: Request, store: StoreDep,
                         enterprise_id: str = ENTERPRISE_ID) -> Response:
    """An enterprise's profile: products, capabilities, needs, partners, chains, provenance."""
    return await cached(request, enterprise_profile, store, enterprise_id)
