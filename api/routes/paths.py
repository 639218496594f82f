"""HTTP route for collaboration paths between two enterprises, thin over :mod:`queries.paths`."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from api import examples as ex
from api.cache import cached
from api.deps import StoreDep
from queries.paths import paths

router = APIRouter(prefix="/api/v1", tags=["paths 协作路径"])


class PathEnd(BaseModel):
    id: str = Field(description="Enterprise id.")
    name: str | None = Field(description="Enterprise name.")


class HopTie(BaseModel):
    type: str = Field(description="Relationship type.", examples=["SUPPLIES"])
    start: str = Field(description="Stored start (e.g. the supplier).")
    end: str = Field(description="Stored end (e.g. the buyer).")
    product: str | None = Field(None, description="Supplied product, if any.")


class Hop(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from", description="Enterprise id this hop leaves.")
    to: str = Field(description="Enterprise id this hop reaches.")
    relations: list[HopTie] = Field(description="Every tie between the two firms.")
    text: str = Field(description="The hop in Chinese.", examples=["甲 向 乙 供应 热轧板卷"])


class Path(BaseModel):
    length: int = Field(description="Number of hops.")
    nodes: list[PathEnd] = Field(description="Enterprises along the path.")
    hops: list[Hop] = Field(description="Explained hops.")


class Paths(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: PathEnd = Field(alias="from", description="Start enterprise.")
    to: PathEnd = Field(description="End enterprise.")
    relations: list[str] = Field(description="Relationship types searched.")
    paths: list[Path] = Field(description="Shortest first.")


@router.get("/paths", response_model=Paths, response_model_by_alias=True,
            responses=ex.response(ex.PATHS))
async def get_paths(
    request: Request,
    store: StoreDep,
    from_: str = Query(alias="from", description="Start enterprise: id, USCC or name.",
                       examples=[ex.IDS["path_from"]]),
    to: str = Query(description="End enterprise: id, USCC or name.",
                    examples=[ex.IDS["path_to"]]),
    max_hops: int = Query(6, ge=1, le=8, description="Longest path, in hops."),
    relations: str | None = Query(None, description="Comma-separated subset of SUPPLIES, "
                                  "COOPERATES_WITH, INVESTS_IN, CONTROLS (default: all).",
                                  examples=["SUPPLIES,COOPERATES_WITH"]),
    k: int = Query(3, ge=1, le=10, description="How many paths."),
) -> Response:
    """Up to k shortest collaboration paths between two enterprises, hops explained."""
    return await cached(request, paths, store, from_, to, relations=relations,
                        max_hops=max_hops, k=k)
