"""HTTP route for partner recommendations (both ways), thin over :mod:`queries.recommend`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, BeforeValidator, Field

from api import examples as ex
from api.cache import cached
from api.deps import StoreDep
from queries.recommend import recommend_partners

router = APIRouter(prefix="/api/v1", tags=["recommendations 伙伴推荐"])


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


#: Any case, as the CLI and the paths route take it (``supplies`` is ``SUPPLIES``).
Relation = Annotated[Literal["SUPPLIES", "SUPPLIED_BY", "COOPERATES_WITH", "INVESTS_IN"],
                     BeforeValidator(_upper)]


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
    relation: Annotated[Relation, Query(description="Kind of partner wanted (any case).")
                        ] = "SUPPLIES",
    need: str | None = Query(None, description="One of the enterprise's open needs, by Need "
                             "id or name, else free text matched against product and "
                             "capability names (SUPPLIES/COOPERATES_WITH); 404 when nothing "
                             "matches, 422 for another enterprise's need.",
                             examples=["冷轧薄板"]),
    region: str | None = Query(None, description="Prefer partners in this region (code).",
                               examples=["1302"]),
    top: int = Query(10, ge=1, le=100, description="How many results."),
) -> Response:
    """Recommend partners for an enterprise, each with a score and Chinese reasons."""
    return await cached(request, recommend_partners, store, enterprise,
                        relation, need=need, region=region, top=top)
