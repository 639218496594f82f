"""Service records over HTTP on both engines: editor-only writes, idempotent POST (201 then
200), a transition not allowed answers 422 problem+json in Chinese and English, the
timeline, cursor paging and the KPIs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graph.store import Store
from tests.api_support import auth, make_app, new_token
from tests.queries_sample import build_sample

BASE = "/api/v1/services/requests"
BODY = {"request_id": "sr-1", "enterprise": "E1", "area": "物资采购", "title": "采购船用钢板",
        "about": "N2", "at": "2026-03-01T08:00:00Z"}


@pytest.fixture
def client(store: Store, tmp_path: Path) -> Iterator[TestClient]:
    build_sample(store)
    app = make_app(store, tmp_path)
    with TestClient(app) as c:
        c.headers.update(auth(new_token(app, "editor", name="service-desk")))
        c.app_ = app
        yield c


def test_services_api_lifecycle(client: TestClient) -> None:
    r = client.post(BASE, json=BODY)
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "submitted" and r.json()["timeline"][0]["actor"] == "service-desk"
    again = client.post(BASE, json=BODY)
    assert again.status_code == 200 and again.json()["id"] == "sr-1"
    clash = client.post(BASE, json={**BODY, "title": "采购焦炭"})
    assert clash.status_code == 409 and clash.json()["code"] == "E409"
    kind = client.get(clash.json()["type"]).json()  # the catalogue knows the conflict
    assert kind["status"] == 409 and kind["title_en"] == "Service record conflict"
    r = client.patch(f"{BASE}/sr-1", json={"status": "matching", "recommend": True, "top": 3,
                                           "at": "2026-03-01T10:00:00Z"})
    assert r.status_code == 200, r.text
    assert r.json()["matches"][0]["partner"] == "E5" and len(r.json()["matches"]) <= 3
    r = client.post(f"{BASE}/sr-1/matches/E5/decision",
                    json={"accepted": True, "at": "2026-03-01T12:00:00Z"})
    assert r.status_code == 200 and r.json()["matches"][0]["accepted"] is True
    r = client.patch(f"{BASE}/sr-1", json={"status": "matched", "at": "2026-03-01T18:00:00Z"})
    assert r.status_code == 200 and r.json()["response_hours"] == 10.0
    for step, at in (("in_progress", "2026-03-02"), ("completed", "2026-03-10")):
        assert client.patch(f"{BASE}/sr-1", json={"status": step, "at": at}).status_code == 200
    r = client.post(f"{BASE}/sr-1/feedback", json={"satisfaction": 5, "feedback": "很好",
                                                   "at": "2026-03-11"})
    assert r.status_code == 200 and r.json()["status_zh"] == "已评价"
    shown = client.get(f"{BASE}/sr-1").json()
    assert [h["event"] for h in shown["timeline"]] == [
        "status", "status", "offered", "accepted", "status", "status", "status", "status"]
    k = client.get("/api/v1/services/kpis", params={"area": "物资采购"}).json()
    assert k["total"] == 1 and k["satisfaction"]["mean"] == 5.0 and k["match_rate"] == 1.0
    assert k["filters"]["area"] == "物资采购" and k["by_month"][0]["month"] == "2026-03"


def test_services_api_bad_transition_is_problem_422(client: TestClient) -> None:
    client.post(BASE, json=BODY)
    r = client.patch(f"{BASE}/sr-1", json={"status": "completed"})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    p = r.json()
    assert p["code"] == "E400" and p["field"] == "status"
    assert "不允许" in p["detail"] and "is not allowed" in p["detail"]
    assert client.patch(f"{BASE}/sr-1", json={"status": "flying"}).status_code == 422
    assert client.patch(f"{BASE}/nope", json={"status": "matching"}).status_code == 404
    r = client.post(f"{BASE}/sr-1/feedback", json={"satisfaction": 4})
    assert r.status_code == 422  # not completed yet
    assert client.post(f"{BASE}/sr-1/feedback", json={"satisfaction": 9}).status_code == 422
    assert client.post(BASE, json={**BODY, "request_id": "x", "area": "咨询"}).status_code == 422


def test_services_api_roles(client: TestClient) -> None:
    app = client.app_
    reader = auth(new_token(app, "reader"))
    assert client.post(BASE, json=BODY, headers=reader).status_code == 403
    client.post(BASE, json=BODY)
    assert client.patch(f"{BASE}/sr-1", json={"status": "matching"},
                        headers=reader).status_code == 403
    assert client.get(f"{BASE}/sr-1", headers=reader).status_code == 200
    assert client.get(BASE, headers=reader).status_code == 200
    assert client.get("/api/v1/services/kpis", headers=reader).status_code == 200
    assert client.get(BASE, headers={"X-API-Key": ""}).status_code == 401


def test_services_api_list_pages(client: TestClient) -> None:
    for i in range(5):
        body = {**BODY, "request_id": f"sr-{i}", "title": f"请求{i}",
                "at": f"2026-03-0{i + 1}T08:00:00Z"}
        assert client.post(BASE, json=body).status_code == 201
    ids, cursor = [], None
    while True:
        page = client.get(BASE, params={"limit": 2, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200
        ids += [i["id"] for i in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if not cursor:
            break
    assert ids == ["sr-4", "sr-3", "sr-2", "sr-1", "sr-0"]
    assert client.get(BASE, params={"cursor": "zzz"}).status_code == 422
    r = client.get(BASE, params={"status": "submitted", "since": "2026-03-04"})
    assert [i["id"] for i in r.json()["items"]] == ["sr-4", "sr-3"]


def test_services_api_kpis_reversed_period_is_422(client: TestClient) -> None:
    r = client.get("/api/v1/services/kpis", params={"since": "2025-02-01", "until": "2025-01-01"})
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "since" and "must come before until" in r.json()["detail"]
    r = client.get(BASE, params={"since": "2025-02-01", "until": "2025-01-01"})
    assert r.status_code == 422 and r.json()["field"] == "since"
