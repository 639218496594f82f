"""HTTP routes for chains: the list, one chain's detail and its gap analysis.

Thin: each route translates HTTP into one call of :mod:`queries.chains` or
:mod:`queries.gaps`; errors (unknown id → ``NotFound``) become problem+json in the app.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from api import examples as ex
from api.cache import cached
from api.deps import StoreDep
from queries.chains import chain_detail, list_chains
from queries.gaps import chain_gaps

router = APIRouter(prefix="/api/v1", tags=["chains 产业链"])


class ChainSummary(BaseModel):
    id: str = Field(description="Chain id.", examples=["steel"])
    name: str = Field(description="Chain name (Chinese).", examples=["精品钢铁"])
    segments: int = Field(description="Number of segments (上游/中游/下游).", examples=[3])
    enterprises: int = Field(description="Distinct enterprises making a product of the chain.",
                             examples=[412])


class ChainEnterprise(BaseModel):
    id: str = Field(description="Enterprise id.", examples=["E000123"])
    name: str | None = Field(description="Enterprise name.", examples=["唐山某钢铁有限公司"])
    region_code: str | None = Field(description="Division code of its location.",
                                    examples=["130207"])
    local: bool = Field(description="Located in the requested region.")
    size_class: str | None = Field(None, description="大型/中型/小型/微型/未划型.")
    tiers: list[str] = Field(default_factory=list, description="Tiers such as 链主企业.")


class ChainNode(BaseModel):
    id: str = Field(description="Product node id.", examples=["steel:热轧板卷"])
    name: str | None = Field(description="Product name.", examples=["热轧板卷"])
    enterprise_count: int = Field(description="Enterprises making the product.",
                                  examples=[1203])
    local_count: int = Field(description="Of those, located in the requested region.",
                             examples=[1067])
    enterprises: list[ChainEnterprise] = Field(
        description="Producers, local ones first, then by name: all of them, or the first "
                    "`limit`.")


class ChainSegment(BaseModel):
    name: str = Field(description="Segment name.", examples=["中游"])
    nodes: list[ChainNode] = Field(description="Product nodes of the segment.")


class ChainDetail(BaseModel):
    id: str = Field(description="Chain id.", examples=["steel"])
    name: str | None = Field(description="Chain name.", examples=["精品钢铁"])
    region: str | None = Field(description="Region code that `local` refers to.",
                               examples=["1302"])
    segments: list[ChainSegment] = Field(description="Segments in upstream→downstream order.")


class GapCandidate(BaseModel):
    id: str = Field(description="Candidate enterprise id (outside the region).")
    name: str | None = Field(description="Candidate name.")
    region_code: str | None = Field(None, description="Its division code.")
    size_class: str | None = Field(None, description="Its size class.")
    tiers: list[str] = Field(default_factory=list, description="Its tiers.")
    score: float = Field(description="Attractiveness 0–1.")
    reasons: list[str] = Field(default_factory=list, description="Why (Chinese).")


class GapExtension(BaseModel):
    id: str = Field(description="Product id beyond the chain.")
    name: str | None = Field(description="Product name.")
    direction: str = Field(description="upstream or downstream of the node.")
    local_count: int = Field(description="Local producers of that product.")
    candidates: list[GapCandidate] = Field(default_factory=list,
                                           description="Firms outside the region making it.")


class GapNode(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(description="Product node id.")
    name: str | None = Field(description="Product name.")
    segment: str = Field(description="Segment name.")
    local_count: int = Field(description="Local producers.")
    external_count: int = Field(description="Producers outside the region.")
    class_: str | None = Field(alias="class", description="补链 (no local supplier), 强链 (weak), "
                               "延链 (an extension product of the chain that no local firm "
                               "makes yet), or null.", examples=["补链"])
    score: float = Field(description="Gap score 0–1, higher = bigger gap.")
    local_by_size: dict[str, int] = Field(default_factory=dict,
                                          description="Local producers per size class.")
    local_by_tier: dict[str, int] = Field(default_factory=dict,
                                          description="Local producers per tier.")
    single_supplier: bool = Field(False, description="Exactly one local producer.")
    unmet_needs: list[dict[str, Any]] = Field(
        default_factory=list, description="Open needs of local leading firms not met locally.")
    reasons: list[str] = Field(default_factory=list, description="Why this class (Chinese).")
    candidates: list[GapCandidate] = Field(description="Best firms outside the region.")
    extensions: list[GapExtension] = Field(
        default_factory=list, description="延链 opportunities (only on strong nodes).")


class ChainGaps(BaseModel):
    chain: str = Field(description="Chain id.")
    name: str | None = Field(None, description="Chain name.")
    region: str | None = Field(description="Region code analysed.")
    nodes: list[GapNode] = Field(description="Every product node, biggest gap first.")


@router.get("/chains", response_model=list[ChainSummary])
async def get_chains(request: Request, store: StoreDep) -> Response:
    """List every chain with its number of segments and enterprises."""
    return await cached(request, list_chains, store)


CHAIN_ID = PathParam(description="Chain id (from GET /api/v1/chains).", examples=["ts-steel"])
REGION = Query(None, description="Region code; default: the chain's home region.",
               examples=["1302"])


@router.get("/chains/{chain_id}", response_model=ChainDetail,
            responses=ex.response(ex.CHAIN_DETAIL))
async def get_chain(request: Request, store: StoreDep,
                    chain_id: str = CHAIN_ID, region: str | None = REGION,
                    limit: int | None = Query(
                        None, ge=0, description="List at most this many producers on each "
                        "node (local ones first; the counts stay whole). 0: the structure and "
                        "its counts alone, answered without reading the producers (about 50 ms "
                        "instead of about 1 s for a chain of 30k producers). Default: all.",
                        examples=[0, 20])) -> Response:
    """One chain's segments, product nodes and enterprises, flagged local to a region, with
    each node's producer counts."""
    return await cached(request, chain_detail, store, chain_id, region, limit)


@router.get("/chains/{chain_id}/gaps", response_model=ChainGaps, response_model_by_alias=True,
            responses=ex.response(ex.CHAIN_GAPS))
async def get_chain_gaps(request: Request, store: StoreDep,
                         chain_id: str = CHAIN_ID, region: str | None = REGION) -> Response:
    """Gap analysis (补链/强链/延链) of a chain in a region, with candidate firms."""
    return await cached(request, chain_gaps, store, chain_id, region)
