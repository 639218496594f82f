"""Every write endpoint (POST/PUT/PATCH/DELETE not marked ``x-read-only``) refuses a
request without a key, with a reader key and with a revoked key — even where anonymous
reading is on — before touching the store or reading the body."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from graph.store import Store
from tests.api_support import auth, make_app, make_settings, new_token, revoked_token

WRITE_METHODS = {"post", "put", "patch", "delete"}


def _write_operations() -> list[tuple[str, str]]:
    doc = create_app(make_settings(Path(tempfile.mkdtemp()))).openapi()
    return sorted(
        (method, path)
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if method in WRITE_METHODS and not op.get("x-read-only")
    )


WRITES = _write_operations()


@pytest.fixture(scope="module")
def app_and_client(
    embedded_store: Store, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[FastAPI, TestClient]]:
    app = make_app(embedded_store, tmp_path_factory.mktemp("auth"), anonymous_read=True)
    with TestClient(app) as c:
        yield app, c


def _url(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", path)


@pytest.mark.parametrize(("method", "path"), [pytest.param(m, p, id=f"{m.upper()} {p}")
                                              for m, p in WRITES])
def test_api_auth_write_endpoint_refuses_weak_callers(
    app_and_client: tuple[FastAPI, TestClient], method: str, path: str
) -> None:
    app, c = app_and_client
    url = _url(path)
    r = c.request(method, url)
    assert r.status_code == 401, ("no key", r.text)
    assert r.json()["code"] == "E401"
    r = c.request(method, url, headers=auth(new_token(app, "reader")))
    assert r.status_code == 403, ("reader key", r.text)
    assert r.json()["code"] == "E403"
    r = c.request(method, url, headers=auth(revoked_token(app, "admin")))
    assert r.status_code == 401, ("revoked key", r.text)


def test_api_auth_there_are_write_endpoints_to_check() -> None:
    assert WRITES, "no write endpoint found: the auth test would check nothing"
    assert any(p.startswith("/api/v1/ingest") for _, p in WRITES)
