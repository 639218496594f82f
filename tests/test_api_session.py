"""Browser sign-in (api/routes/session.py): without ``anonymous_read`` a planner opens
the explorer by signing in with a key; the HttpOnly cookie authorises reads only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.auth import SESSION_COOKIE
from graph.store import Store
from tests.api_support import make_app, new_token, revoked_token

HTML = {"Accept": "text/html,application/xhtml+xml"}


@pytest.fixture(scope="module")
def app(embedded_store: Store, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return make_app(embedded_store, tmp_path_factory.mktemp("session"))  # keys only


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as c:
        yield c


def test_session_page_without_key_redirects_to_sign_in(client: TestClient) -> None:
    r = client.get("/explore?lang=en", headers=HTML)
    assert r.status_code == 303
    assert r.headers["location"] == "/sign-in?next=%2Fexplore%3Flang%3Den"
    # the API itself still answers problem+json, never a redirect
    r = client.get("/api/v1/chains", headers=HTML)
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")


def test_session_sign_in_page_is_chinese_first_and_keeps_next(client: TestClient) -> None:
    r = client.get("/sign-in", params={"next": "/maps/chains/ts-steel"})
    assert r.status_code == 200
    assert '<html lang="zh-CN">' in r.text and "登录融链图谱浏览" in r.text
    assert '"/maps/chains/ts-steel"' in r.text
    en = client.get("/sign-in", params={"lang": "en"})
    assert "Sign in to the ronglian explorer" in en.text


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/",
                                    "/\\evil.example", "explore", "</script><script>x"])
def test_session_sign_in_page_never_sends_the_browser_elsewhere(client: TestClient,
                                                                target: str) -> None:
    r = client.get("/sign-in", params={"next": target})
    assert r.status_code == 200
    assert "window.location.assign(\"/explore\")" in r.text
    assert "<script>x" not in r.text


def test_session_cookie_opens_pages_and_reads_but_never_writes(app: FastAPI,
                                                               client: TestClient) -> None:
    token = new_token(app, "admin", "规划局-张三")
    r = client.post("/api/v1/session", json={"key": token})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["role"] == "admin" and body["name"] == "规划局-张三"
    cookie = r.headers["set-cookie"]
    assert f"{SESSION_COOKIE}=" in cookie
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert client.get("/explore", headers=HTML).status_code == 200
    assert client.get("/api/v1/chains").status_code == 200
    # a write with the cookie alone is refused, even for an admin key: writes need the header
    r = client.post("/api/v1/review/candidates/c1/reject")
    assert r.status_code == 401, r.text
    r = client.delete("/api/v1/session")
    assert r.status_code == 204
    assert SESSION_COOKIE in r.headers["set-cookie"] and "Max-Age=0" in r.headers["set-cookie"]
    client.cookies.clear()  # what the browser does with an expired cookie
    assert client.get("/explore", headers=HTML).status_code == 303


def test_session_refuses_bad_and_revoked_keys(app: FastAPI, client: TestClient) -> None:
    for key in ("rl_nope_nope", revoked_token(app, "reader")):
        r = client.post("/api/v1/session", json={"key": key})
        assert r.status_code == 401
        assert r.json()["code"] == "E401"
        assert "set-cookie" not in r.headers
    r = client.post("/api/v1/session", json={"key": ""})
    assert r.status_code == 422
    # a key revoked after sign-in stops working at once
    ks_token = new_token(app, "reader")
    assert client.post("/api/v1/session", json={"key": ks_token}).status_code == 200
    from api.keys import KeyStore, split_token

    ks = KeyStore(app.state.settings.keys_path)
    try:
        key_id = split_token(ks_token)
        assert key_id
        ks.revoke(key_id)
    finally:
        ks.close()
    assert client.get("/api/v1/chains").status_code == 401
    assert client.get("/explore", headers=HTML).status_code == 303
