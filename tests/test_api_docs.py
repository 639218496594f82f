"""The API's documentation page (``/docs``) works with no network: every file it loads is
served by the API itself, and it stays reachable without an API key."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from graph.store import Store
from tests.api_support import make_app
from tests.browser.support import chromium, require_browser, serve

_URL = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url:\s*['"]([^'"]+)['"]""")
_TYPES = {".js": ("application/javascript", "text/javascript"), ".css": ("text/css",),
          ".png": ("image/png",), ".json": ("application/json",)}


@pytest.fixture
def client(embedded_store: Store, tmp_path: Path) -> Iterator[TestClient]:
    # Without anonymous reading: the docs must not need a key, as FastAPI's own did not.
    with TestClient(make_app(embedded_store, tmp_path, anonymous_read=False)) as c:
        yield c


def _without_comments(html: str) -> str:
    return re.sub(r"<!--.*?-->", "", html, flags=re.S)


def test_api_docs_page_loads_only_local_files(client: TestClient) -> None:
    r = client.get("/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = _without_comments(r.text)
    assert not re.search(r"https?://", html), "the page names an outside host"
    urls = [a or b for a, b in _URL.findall(html)]
    assets = [u for u in urls if Path(urlsplit(u).path).suffix in _TYPES]
    assert {Path(u).suffix for u in assets} == {".js", ".css", ".png", ".json"}
    for url in assets:
        assert url.startswith("/"), url
        got = client.get(url)
        assert got.status_code == 200, url
        assert got.headers["content-type"].split(";")[0] in _TYPES[Path(url).suffix], url
        assert len(got.content) > 1000, url


def test_api_docs_oauth2_redirect_is_served(client: TestClient) -> None:
    r = client.get("/docs/oauth2-redirect")
    assert r.status_code == 200 and "oauth2" in r.text.lower()


def test_api_docs_has_no_redoc_page(client: TestClient) -> None:
    # ReDoc's bundle loads its logo from a CDN whatever it is told: not offered at all.
    assert client.get("/redoc").status_code == 404


def test_api_docs_are_not_in_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p.startswith(("/docs", "/static/docs"))]


@pytest.mark.browser
def test_api_docs_swagger_ui_renders_without_network(embedded_store: Store,
                                                     tmp_path: Path) -> None:
    require_browser()
    app = make_app(embedded_store, tmp_path, anonymous_read=False)
    outside: list[str] = []

    def offline(route: Any) -> None:
        # Every request off this machine fails, as on an intranet with no way out.
        if urlsplit(route.request.url).hostname != "127.0.0.1":
            outside.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    with serve(app) as base, chromium() as browser:
        ctx = browser.new_context()
        try:
            pg = ctx.new_page()
            pg.set_default_timeout(30_000)
            ctx.route("**/*", offline)
            pg.goto(base + "/docs")
            pg.wait_for_selector(".opblock")  # one per operation, drawn from /openapi.json
            assert pg.locator(".opblock").count() > 10
        finally:
            ctx.close()
    assert outside == []
