"""The query routers answer the issue's JSON shapes (tiny app, store dependency overridden)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from api.deps import get_store
from api.routes import chains
from graph.errors import RonglianError
from graph.store import Store
from tests.queries_sample import build_sample


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    build_sample(store)
    app = FastAPI()
    for module in (chains,):
        app.include_router(module.router)
    app.dependency_overrides[get_store] = lambda: store

    @app.exception_handler(RonglianError)
    async def _problem(_: Request, exc: RonglianError) -> JSONResponse:
        return JSONResponse({"code": exc.code, "detail": exc.message}, status_code=exc.status,
                            media_type="application/problem+json")

    with TestClient(app) as c:
        yield c


def test_queries_route_chains_list(client: TestClient) -> None:
    r = client.get("/api/v1/chains")
    assert r.status_code == 200
    assert r.json() == [
        {"id": "appliance", "name": "家电", "segments": 1, "enterprises": 1},
        {"id": "steel", "name": "精品钢铁", "segments": 3, "enterprises": 8},
    ]


def test_queries_route_chain_detail_and_gaps(client: TestClient) -> None:
    d = client.get("/api/v1/chains/steel").json()
    assert set(d) == {"id", "name", "region", "segments"}
    node = d["segments"][1]["nodes"][0]
    assert set(node) == {"id", "name", "enterprises"}
    assert {"id", "name", "region_code", "local"} <= set(node["enterprises"][0])
    assert client.get("/api/v1/chains/steel", params={"region": "130207"}).json()["region"] \
        == "130207"
    g = client.get("/api/v1/chains/steel/gaps", params={"region": "1302"}).json()
    assert (g["chain"], g["region"]) == ("steel", "1302")
    first = g["nodes"][0]
    assert {"id", "name", "segment", "local_count", "external_count", "class", "score",
            "candidates"} <= set(first)
    assert (first["id"], first["class"]) == ("p_ship", "补链")


def test_queries_route_unknown_chain_is_404(client: TestClient) -> None:
    r = client.get("/api/v1/chains/nope")
    assert r.status_code == 404
    assert client.get("/api/v1/chains/nope/gaps").status_code == 404
