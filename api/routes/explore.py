"""The explorer and chain-map pages: ``/explore``, ``/maps/chains/{id}`` (+ ``/data`` JSON and
``/standalone.html``) and the map's static files under ``/static/viz/``.

Thin: pages come from :mod:`viz.render`, data from :mod:`viz.data`. Mounted at the site root
(``PREFIX = ""``), not under ``/api/v1``: these are pages for people. Like every read route
they need a caller (an API key or ``anonymous_read``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from api import examples as ex
from api.cache import Body, cached_body
from api.deps import StoreDep
from graph.errors import NotFound
from viz.chainmap import MapOptions
from viz.data import load_map
from viz.render import STATIC_FILES, render_page, static_path

log = logging.getLogger(__name__)

#: Mount these routes at the site root (read by ``api.app``), not under ``/api/v1``.
PREFIX = ""

router = APIRouter(tags=["explorer 图谱浏览"])

#: API routes the page uses; the page is told which exist so it never requests a missing one.
_FEATURES = {
    "chains": "/api/v1/chains",
    "profile": "/api/v1/enterprises/{",
    "recommendations": "/api/v1/recommendations/partners",
    "paths": "/api/v1/paths",
}

Lang = Annotated[str, Query(pattern="^(zh|en)$", description="Display language: zh or en.",
                            examples=["zh"])]
Region = Annotated[str | None, Query(max_length=12, description="Region code that counts as "
                                     "local; default: the chain's home region.",
                                     examples=["1302"])]
ChainId = Annotated[str, Path(max_length=200, description="Chain id (see GET /api/v1/chains).",
                              examples=["ts-steel"])]

_DATA_EXAMPLE = {
    "chain": {"id": "ts-steel", "name": "精品钢铁产业链", "region": "1302", "synthetic": True},
    "lang": "zh", "collapsed": False,
    "segments": [{"name": "上游", "name_en": "Upstream", "index": 0, "x": 0}],
    "products": [{"id": "ts-steel:铁矿石", "name": "铁矿石", "segment": "上游", "count": 2,
                  "gap_class": None, "expanded": True, "slots": ["E1", "E2"]}],
    "enterprises": [{"id": "E1", "name": "唐山某矿业有限公司", "local": True,
                     "size_class": "中型", "tier": "none", "home": "ts-steel:铁矿石"}],
    "nodes": [{"id": "p:ts-steel:铁矿石", "kind": "product", "label": "铁矿石", "x": 0, "y": 0}],
    "edges": [{"id": "m:E1>ts-steel:铁矿石", "from": "e:E1", "to": "p:ts-steel:铁矿石",
               "kind": "produces"}],
    "kpis": {"enterprises": 2, "local": 2, "local_share": 1.0, "products": 1,
             "gaps": {"补链": 0, "强链": 0, "延链": 0}, "extensible": 0, "leaders": 0,
             "special": 0,
             "supply_ties": 0},
}


def api_features(request: Request) -> dict[str, bool]:
    # The OpenAPI document (built once, then cached by FastAPI) lists every included path.
    try:
        paths = list(request.app.openapi().get("paths", {}))
    except Exception:  # a broken schema elsewhere must not take the explorer down
        log.warning("explorer: OpenAPI document unavailable; assuming every API route exists",
                    exc_info=True)
        return dict.fromkeys(_FEATURES, True)
    return {k: any(p.startswith(v) for p in paths) for k, v in _FEATURES.items()}


async def _map_answer(request: Request, store: StoreDep, chain_id: str, region: str | None,
                      lang: str, page: Callable[[dict[str, Any]], str], media_type: str,
                      headers: dict[str, str] | None = None) -> Response:
    """A map page or its data, through the answer cache (api.cache): computed once per graph
    generation, region and language (at 100k firms the steel chain's map takes 3-5 s to
    build, a hit milliseconds); a map whose gap analysis failed is answered, not kept."""
    gaps = [True]

    def compute() -> Body:
        payload = load_map(store, chain_id, region or None, MapOptions(lang=lang))
        gaps[0] = bool(payload.get("gaps_available", True))
        return Body(page(payload).encode("utf-8"))

    return await cached_body(request, compute, (chain_id, region, lang),
                             keep=lambda: gaps[0], media_type=media_type, headers=headers)


@router.get("/explore", response_class=HTMLResponse)
def explore(request: Request,
            chain: Annotated[str | None, Query(max_length=200, description="Chain to open first; "
                                               "default: the first chain.",
                                               examples=["ts-steel"])] = None,
            region: Region = None, lang: Lang = "zh") -> HTMLResponse:
    """The chain explorer: chain picker, map, side panel and KPI header."""
    html = render_page("explore", lang=lang, api_features=api_features(request),
                       region=region, initial_chain=chain)
    return HTMLResponse(html)


@router.get("/maps/chains/{chain_id}", response_class=HTMLResponse)
async def chain_map_page(request: Request, store: StoreDep, chain_id: ChainId,
                         region: Region = None, lang: Lang = "zh") -> Response:
    """One chain's interactive map page."""
    features = api_features(request)
    return await _map_answer(
        request, store, chain_id, region, lang,
        lambda payload: render_page("map", payload=payload, lang=lang, region=region,
                                    api_features=features), "text/html")


@router.get("/maps/chains/{chain_id}/data",
            responses=ex.response(_DATA_EXAMPLE, 200, "The map payload."))
async def chain_map_data(request: Request, store: StoreDep, chain_id: ChainId,
                         region: Region = None, lang: Lang = "zh") -> Response:
    """The map payload (vis-network nodes and edges with their computed layout)."""
    # Serialised directly: the payload is plain JSON data, and FastAPI's generic encoder
    # takes seconds on a 10,000-firm map.
    return await _map_answer(
        request, store, chain_id, region, lang,
        lambda payload: json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
        "application/json")


@router.get("/maps/chains/{chain_id}/standalone.html", response_class=HTMLResponse)
async def chain_map_standalone(request: Request, store: StoreDep, chain_id: ChainId,
                               region: Region = None, lang: Lang = "zh") -> Response:
    """The map as one self-contained HTML file (all JS/CSS inlined; works offline)."""
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in chain_id)[:80] or "chain"
    return await _map_answer(
        request, store, chain_id, region, lang,
        lambda payload: render_page("standalone", payload=payload, lang=lang), "text/html",
        {"Content-Disposition": f'attachment; filename="chain-{safe}.html"'})


# Static files are not part of the API: kept out of the OpenAPI document.
@router.get("/static/viz/{name}", include_in_schema=False)
def viz_static(name: str) -> Response:
    """The map's JavaScript and CSS (vis-network and the explorer), served locally."""
    if name not in STATIC_FILES:
        raise NotFound(f"no static file {name!r}", entity="static", key=name)
    return FileResponse(static_path(name), media_type=STATIC_FILES[name],
                        headers={"Cache-Control": "public, max-age=3600"})
