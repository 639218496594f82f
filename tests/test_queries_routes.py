"""The query routers answer the issue's JSON shapes (tiny app, store dependency overridden)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from api.deps import get_store
from api.routes import chains, enterprises, paths, recommendations
from graph.errors import RonglianError
from graph.store import Store
from tests.queries_sample import build_sample


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    build_sample(store)
    app = FastAPI()
    for module in (chains, enterprises, paths, recommendations):
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
    assert set(node) == {"id", "name", "enterprise_count", "local_count", "enterprises"}
    assert {"id", "name", "region_code", "local"} <= set(node["enterprises"][0])
    assert node["enterprise_count"] == len(node["enterprises"])
    bare = client.get("/api/v1/chains/steel", params={"limit": 0}).json()
    assert bare["segments"][1]["nodes"][0] == {**node, "enterprises": []}
    assert client.get("/api/v1/chains/steel", params={"limit": -1}).status_code == 422
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


def test_queries_route_recommendations(client: TestClient) -> None:
    r = client.get("/api/v1/recommendations/partners",
                   params={"enterprise": "唐钢", "relation": "SUPPLIES", "top": 3})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"enterprise", "relation", "results"}
    assert body["enterprise"]["id"] == "E1" and body["relation"] == "SUPPLIES"
    assert 1 <= len(body["results"]) <= 3
    assert set(body["results"][0]) == {"id", "name", "score", "reasons"}
    assert client.get("/api/v1/recommendations/partners",
                      params={"enterprise": "E1", "relation": "LIKES"}).status_code == 422
    assert client.get("/api/v1/recommendations/partners",
                      params={"enterprise": "无此企业ZZZ"}).status_code == 404
    # the relation in any case, as the CLI and the paths route take it
    low = client.get("/api/v1/recommendations/partners",
                     params={"enterprise": "唐钢", "relation": " supplies", "top": 3})
    assert low.status_code == 200 and low.json() == body
    # a need that matches nothing, another firm's need, a region code nobody has
    for params, status in (({"need": "不存在的东西"}, 404), ({"need": "N4"}, 422),
                           ({"region": "999999"}, 422)):
        bad = client.get("/api/v1/recommendations/partners", params={"enterprise": "E1", **params})
        assert bad.status_code == status, params
        assert bad.headers["content-type"] == "application/problem+json"


def test_queries_route_paths(client: TestClient) -> None:
    r = client.get("/api/v1/paths", params={"from": "E3", "to": "E4", "max_hops": 6,
                                            "relations": "SUPPLIES"})
    assert r.status_code == 200
    body = r.json()
    assert body["from"]["id"] == "E3" and body["to"]["id"] == "E4"
    hop = body["paths"][0]["hops"][0]
    assert hop["from"] == "E3" and hop["text"].endswith("供应 铁矿石")
    assert client.get("/api/v1/paths", params={"from": "E3", "to": "E4",
                                               "relations": "LIKES"}).status_code == 422


def test_queries_route_enterprise_search_and_profile(client: TestClient) -> None:
    from queries.search import clear_index

    clear_index()
    page = client.get("/api/v1/enterprises", params={"q": "钢铁", "limit": 1}).json()
    assert set(page) == {"items", "next_cursor"} and page["items"][0]["id"] == "E1"
    nxt = client.get("/api/v1/enterprises", params={"q": "钢铁", "limit": 1,
                                                    "cursor": page["next_cursor"]}).json()
    assert nxt["items"][0]["id"] == "E10"
    prof = client.get("/api/v1/enterprises/E1").json()
    assert prof["id"] == "E1" and prof["tiers"] == ["链主企业"]
    assert {p["name"] for p in prof["products"]} == {"热轧板卷", "冷轧薄板"}
    assert prof["partners"][0]["provenance"]["source"] == "tests/queries_sample.py"
    assert client.get("/api/v1/enterprises/E404").status_code == 404
    bad = client.get("/api/v1/enterprises", params={"size_class": "巨型"})
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    assert bad.json()["code"] == "E400" and "巨型" in bad.json()["detail"]


def test_queries_routes_in_the_real_app(store: Store) -> None:
    from api.app import create_app
    from graph.settings import get_settings

    build_sample(store)
    settings = get_settings().model_copy(update={"anonymous_read": True})
    with TestClient(create_app(settings, store=store)) as c:
        assert c.get("/api/v1/chains").json()[1]["id"] == "steel"
        r = c.get("/api/v1/chains/nope/gaps", params={"region": "1302"})
        assert r.status_code == 404
        assert r.headers["content-type"].startswith("application/problem+json")
        assert c.get("/api/v1/recommendations/partners",
                     params={"enterprise": "E1"}).status_code == 200
        assert c.get("/api/v1/paths", params={"from": "E3", "to": "E4"}).status_code == 200
        assert c.get("/api/v1/enterprises", params={"q": "唐钢"}).json()["items"][0]["id"] == "E1"
        spec = c.get("/openapi.json").json()["paths"]
        assert {"/api/v1/chains/{chain_id}/gaps", "/api/v1/recommendations/partners",
                "/api/v1/paths", "/api/v1/enterprises/{enterprise_id}"} <= set(spec)
