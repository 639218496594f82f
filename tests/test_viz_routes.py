"""The explorer and map pages served by the real API app on a real store (both engines), and
the map's own queries (viz.data)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from graph.store import Store
from graph.writes import merge_nodes, node_row
from tests.api_support import make_app
from tests.queries_sample import build_sample
from viz.data import is_synthetic, load_map, supply_ties

STEEL_PRODUCTS = 6  # 铁矿石 焦炭 热轧板卷 冷轧薄板 汽车零部件 船用钢板
STEEL_FIRMS = 8  # E1–E6, E9, E10 make a product of the chain
STEEL_TIES = {("E2", "E1"), ("E3", "E1"), ("E1", "E6"), ("E6", "E4"), ("E9", "E2")}


@pytest.fixture
def client(store: Store, tmp_path: Path) -> Iterator[TestClient]:
    build_sample(store)
    with TestClient(make_app(store, tmp_path, anonymous_read=True)) as c:
        yield c


def _config(html: str) -> dict[str, Any]:
    m = re.search(r'<script type="application/json" id="map-config">(.*?)</script>', html, re.S)
    assert m, "page has no map-config"
    return json.loads(m.group(1))  # type: ignore[no-any-return]


def test_viz_data_supply_ties_only_between_chain_firms(store: Store) -> None:
    build_sample(store)
    ties = {(r["source"], r["target"]) for r in supply_ties(store, "steel")}
    assert ties == STEEL_TIES
    assert supply_ties(store, "steel", limit=2) and len(supply_ties(store, "steel", limit=2)) == 2
    assert supply_ties(store, "nope") == []


def test_viz_data_synthetic_flag(store: Store) -> None:
    build_sample(store)
    assert not is_synthetic(store, "steel")
    merge_nodes(store, "Enterprise", [node_row("E6", {"synthetic": True})])
    assert is_synthetic(store, "steel")
    assert not is_synthetic(store, "nope")


def test_viz_data_load_map_from_services(store: Store) -> None:
    build_sample(store)
    p = load_map(store, "steel")
    assert p["kpis"]["enterprises"] == STEEL_FIRMS
    assert p["kpis"]["products"] == STEEL_PRODUCTS
    assert p["kpis"]["supply_ties"] == len(STEEL_TIES)
    gaps = {n["label"]: n["gap"] for n in p["nodes"] if n["kind"] == "product"}
    assert gaps["汽车零部件"] == "补链" and gaps["船用钢板"] == "补链"
    # Ties touching a 链主 (E1 唐钢, E9 山西焦煤) are the emphasised ones; E6→E4 is not.
    lead = {(e["from"], e["to"]) for e in p["edges"] if e["kind"] == "supplies" and e["lead"]}
    assert lead == {("e:E2", "e:E1"), ("e:E3", "e:E1"), ("e:E1", "e:E6"), ("e:E9", "e:E2")}


def test_viz_route_explore_page(client: TestClient) -> None:
    r = client.get("/explore?chain=steel")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    cfg = _config(r.text)
    assert cfg["mode"] == "explore" and cfg["initialChain"] == "steel"
    assert cfg["api"]["chains"] is True
    assert cfg["dataUrl"] == "/maps/chains/{id}/data"
    assert 'src="/static/viz/vis-network.min.js"' in r.text
    assert "//cdn" not in r.text and "https://" not in r.text


def test_viz_route_map_page_and_data(client: TestClient) -> None:
    page = client.get("/maps/chains/steel")
    assert page.status_code == 200
    payload = _config(page.text)["payload"]
    assert len(payload["nodes"]) == STEEL_PRODUCTS + STEEL_FIRMS
    data = client.get("/maps/chains/steel/data", params={"lang": "en"}).json()
    assert data["lang"] == "en" and data["kpis"] == payload["kpis"]
    assert client.get("/maps/chains/steel/data", params={"lang": "fr"}).status_code == 422


def test_viz_route_unknown_chain_is_404(client: TestClient) -> None:
    r = client.get("/maps/chains/nope/data")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")


def test_viz_route_standalone_is_self_contained(client: TestClient) -> None:
    r = client.get("/maps/chains/steel/standalone.html")
    assert r.status_code == 200
    assert "attachment" in r.headers["content-disposition"]
    # Big bodies travel gzipped to clients that accept it (httpx decodes transparently).
    assert r.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in client.get(
        "/maps/chains/steel/standalone.html", headers={"Accept-Encoding": "identity"}).headers
    html = r.text
    assert "<script src=" not in html and '<link rel="stylesheet"' not in html
    assert "http://" not in html.split("vis-network")[0]  # no remote asset before the library
    assert re.search(r"@version 9\.\d+\.\d+", html), "vis-network is not inlined"
    cfg = _config(html)
    assert cfg["apiBase"] is None and cfg["mode"] == "standalone"


def test_viz_route_static_allow_list(client: TestClient) -> None:
    js = client.get("/static/viz/chainmap.js")
    assert js.status_code == 200 and "window.network" in js.text
    assert client.get("/static/viz/vis-network.min.js").status_code == 200
    assert client.get("/static/viz/vis-network.min.css").status_code == 200
    assert client.get("/static/viz/map.html").status_code == 404
    assert client.get("/static/viz/..%2F..%2Fgraph%2Fstore.py").status_code == 404


def test_viz_route_needs_a_caller_without_anonymous_read(store: Store, tmp_path: Path) -> None:
    build_sample(store)
    with TestClient(make_app(store, tmp_path, anonymous_read=False)) as c:
        assert c.get("/maps/chains/steel/data").status_code == 401


def test_viz_route_maps_are_cached_per_generation(client: TestClient, store: Store) -> None:
    for url in ("/maps/chains/steel/data", "/maps/chains/steel",
                "/maps/chains/steel/standalone.html"):
        first, second = client.get(url), client.get(url)
        assert (first.headers["x-cache"], second.headers["x-cache"]) == ("miss", "hit"), url
        assert first.content == second.content and first.status_code == 200, url
        assert second.headers["content-type"] == first.headers["content-type"], url
    hit = client.get("/maps/chains/steel/standalone.html")
    assert "attachment" in hit.headers["content-disposition"]
    # other parameters are other entries
    assert client.get("/maps/chains/steel/data", params={"lang": "en"}).headers["x-cache"] \
        == "miss"
    # a write: the next map is drawn again, and shows it
    merge_nodes(store, "Chain", [node_row("steel", {"name": "精品钢铁改"})])
    r = client.get("/maps/chains/steel/data")
    assert r.headers["x-cache"] == "miss" and r.json()["chain"]["name"] == "精品钢铁改"
    assert r.json()["gaps_available"] is True


def test_viz_route_map_without_its_gaps_is_not_kept(client: TestClient,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from graph.errors import StoreError
    from queries import gaps

    def broken(*_a: Any, **_k: Any) -> Any:
        raise StoreError("gap analysis timed out")

    monkeypatch.setattr(gaps, "chain_gaps", broken)
    for _ in range(2):
        r = client.get("/maps/chains/steel/data")
        assert r.status_code == 200 and r.headers["x-cache"] == "miss"
        assert r.json()["gaps_available"] is False
    monkeypatch.undo()
    assert client.get("/maps/chains/steel/data").json()["gaps_available"] is True
    assert client.get("/maps/chains/steel/data").headers["x-cache"] == "hit"


@pytest.fixture(scope="module")
def demo_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    from graph.store import open_store
    from ingest.demo import load_demo

    d = tmp_path_factory.mktemp("viz-demo")
    s = open_store(f"embedded://{d / 'store'}")
    try:
        load_demo(s, run_dir=d / "runs")
        with TestClient(make_app(s, d, anonymous_read=True)) as c:
            yield c
    finally:
        s.close()


def test_viz_route_map_gap_counts_are_the_gap_services(demo_client: TestClient) -> None:
    # The audit's ts-steel map counted 5 延链 where the gaps API had 3: it added the gapless
    # nodes that list extension directions. Those are 可延链 on the map, counted apart.
    chains = [c["id"] for c in demo_client.get("/api/v1/chains").json()]
    assert len(chains) >= 6
    for cid in chains:
        gaps = demo_client.get(f"/api/v1/chains/{cid}/gaps").json()["nodes"]
        data = demo_client.get(f"/maps/chains/{cid}/data").json()
        assert data["kpis"]["gaps"] == {
            c: sum(n["class"] == c for n in gaps) for c in ("补链", "强链", "延链")}, cid
        assert {p["id"]: p["gap_class"] for p in data["products"]} == {
            n["id"]: n["class"] for n in gaps}, cid
        assert data["kpis"]["extensible"] == sum(
            n["class"] is None and bool(n.get("extensions")) for n in gaps), cid
