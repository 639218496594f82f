"""HTTP tools: POST /api/v1/tools/size-class and GET /api/v1/tools/uscc/{code}."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import problems
from api.routes.tools import router
from ingest.uscc import make_uscc


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = FastAPI()
    problems.install(app)  # the real app's error handlers: RonglianError → problem+json
    app.include_router(router)
    return TestClient(app)


def test_tools_api_size_class_issue_example(client: TestClient) -> None:
    r = client.post("/api/v1/tools/size-class", json={
        "industry_code": "3130", "employees": 320, "revenue": 25000, "total_assets": None})
    assert r.status_code == 200
    body = r.json()
    assert body["size_class"] == "中型"
    assert body["sector"] == "工业"
    assert body["rule"].startswith("工业：从业人员≥300 且 营业收入≥2000万元 → 中型")
    assert body["inputs_used"] == {"employees": 320, "revenue": 25000}


@pytest.mark.parametrize(
    ("payload", "size"),
    [
        pytest.param({"industry_code": "C3130", "employees": 1000, "revenue": 40000}, "大型",
                     id="letter-large"),
        pytest.param({"industry_code": "4811", "revenue": 6000, "total_assets": 5000}, "中型",
                     id="construction"),
        pytest.param({"industry_code": "3130", "employees": 320}, "未划型", id="missing"),
        pytest.param({"industry_code": "3130", "revenue": 10}, "微型", id="micro-decided"),
        pytest.param({"industry_code": "6610", "employees": 5}, "未划型", id="finance"),
    ],
)
def test_tools_api_size_class_cases(client: TestClient, payload: dict[str, Any],
                                    size: str) -> None:
    r = client.post("/api/v1/tools/size-class", json=payload)
    assert r.status_code == 200
    assert r.json()["size_class"] == size
    if size == "未划型":
        assert r.json()["reason"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        pytest.param({"industry_code": "3130", "employees": -1}, "employees", id="negative"),
        pytest.param({"industry_code": "3130", "revenue": -0.5}, "revenue", id="neg-revenue"),
        pytest.param({"industry_code": "9999", "employees": 1}, "industry_code", id="unknown"),
        pytest.param({"industry_code": "D3130", "employees": 1}, "industry_code",
                     id="wrong-letter"),
        pytest.param({"employees": 1}, "industry_code", id="no-code"),
        pytest.param({"industry_code": "3130", "employees": "many"}, "employees",
                     id="not-a-number"),
    ],
)
def test_tools_api_size_class_bad_input_is_problem(client: TestClient, payload: dict[str, Any],
                                                   field: str) -> None:
    r = client.post("/api/v1/tools/size-class", json=payload)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["code"] == "E400"
    assert field in (body.get("field") or "") + body.get("detail", "")


def test_tools_api_uscc_valid(client: TestClient) -> None:
    code = make_uscc("130207", 4242)
    r = client.get(f"/api/v1/tools/uscc/{code}")
    assert r.status_code == 200
    body = r.json()
    assert body["valid"] is True
    assert body["region_code"] == "130207"
    assert body["region_name"] == "河北省唐山市丰南区"
    assert body["entity_type_name"] == "企业"


@pytest.mark.parametrize(
    ("code", "reason_code"),
    [
        pytest.param("91350100M000100Y44", "CHECK_DIGIT", id="check"),
        pytest.param("123", "LENGTH", id="short"),
        pytest.param("9135010OM000100Y43", "ILLEGAL_CHAR", id="letter-O"),
    ],
)
def test_tools_api_uscc_invalid_is_200(client: TestClient, code: str, reason_code: str) -> None:
    r = client.get(f"/api/v1/tools/uscc/{code}")
    assert r.status_code == 200
    assert r.json()["valid"] is False
    assert r.json()["reason_code"] == reason_code
    assert r.json()["reason"]


def test_tools_api_uscc_normalises_lowercase(client: TestClient) -> None:
    r = client.get("/api/v1/tools/uscc/91350100m000100y43")
    assert r.json()["valid"] is True
    assert r.json()["notes"]


def test_tools_api_openapi_has_examples_and_descriptions(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    post = spec["paths"]["/api/v1/tools/size-class"]["post"]
    get = spec["paths"]["/api/v1/tools/uscc/{code}"]["get"]
    assert post["description"] and get["description"]
    schemas = spec["components"]["schemas"]
    for name in ("SizeClassRequest", "SizeClassResponse", "UsccResponse"):
        s = schemas[name]
        assert s.get("examples"), name
        for prop, p in s["properties"].items():
            assert p.get("description"), f"{name}.{prop}"
            assert "examples" in p, f"{name}.{prop}"
    assert get["parameters"][0].get("examples") or get["parameters"][0]["schema"].get(
        "examples")


def test_tools_api_mounted_in_the_real_app(embedded_store: Any, tmp_path: Any) -> None:
    from tests.api_support import auth, make_app, new_token

    app = make_app(embedded_store, tmp_path, anonymous_read=False)
    with TestClient(app) as c:
        payload = {"industry_code": "3130", "employees": 320, "revenue": 25000}
        assert c.post("/api/v1/tools/size-class", json=payload).status_code == 401
        token = new_token(app, "reader")
        r = c.post("/api/v1/tools/size-class", json=payload, headers=auth(token))
        assert r.status_code == 200 and r.json()["size_class"] == "中型"
        r = c.get("/api/v1/tools/uscc/91350100M000100Y44", headers=auth(token))
        assert r.status_code == 200 and r.json()["valid"] is False
        r = c.post("/api/v1/tools/size-class", json={"industry_code": "9999"},
                   headers=auth(token))
        assert r.status_code == 422 and r.json()["field"] == "industry_code"
