"""HTTP route for partner recommendations (both ways), thin over :mod:`queries.recommend`."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api import examples as ex
from api.cache import cached
from api.deps import StoreDep
from queries.recommend import recommend_partners

router = APIRouter(prefix="/api/v1", tags=["recommendations 伙伴推荐"])


class EnterpriseRef(BaseModel):
    id: str = Field(description="Enterprise id.", examples=["E000123"])
    name: str | None = Field(description="Enterprise name.", examples=["唐山某钢铁有限公司"])


class Recommendation(BaseModel):
    id: str = Field(description="Recommended enterprise id.", examples=["E000456"])
    name: str | None = Field(description="Its name.", examples=["唐山某冷轧薄板有限公司"])
    score: float = Field(description="Combined score (higher is better).", examples=[3.42])
    reasons: list[str] = Field(description="Why, in Chinese.",
                               examples=[["匹配需求：采购船用钢板", "位于所选地区（130207）"]])


class Recommendations(BaseModel):
    enterprise: EnterpriseRef = Field(description="The enterprise the partners are for.")
    relation: str = Field(description="SUPPLIES = who could supply it; SUPPLIED_BY = whom it "
                          "could supply; COOPERATES_WITH; INVESTS_IN.", examples=["SUPPLIES"])
    results: list[Recommendation] = Field(description="Best first.")


@router.get("/recommendations/partners", response_model=Recommendations,
            responses=ex.response(ex.RECOMMEND))
async def get_partner_recommendations(
    request: Request,
    store: StoreDep,
    enterprise: str = Query(description="Enterprise id, USCC or name.",
                            examples=[ex.IDS["enterprise"]]),
    relation: Literal["SUPPLIES", "SUPPLIED_BY", "COOPERATES_WITH", "INVESTS_IN"] = Query(
        "SUPPLIES", description="Kind of partner wanted."),
    need: str | None = Query(None, description="A Need id of the enterprise, or free text "
                             "such as a product name (SUPPLIES/COOPERATES_WITH).",
                             examples=["冷轧薄板"]),
    region: str | None = Query(None, description="Prefer partners in this region (code).",
                               examples=["1302"]),
    top: int = Query(10, ge=1, le=100, description="How many results."),
) -> Response:
    """Recommend partners for an enterprise, each with a score and Chinese reasons."""
    return await cached(request, recommend_partners, store, enterprise,
                        relation, need=need, region=region, top=top)
