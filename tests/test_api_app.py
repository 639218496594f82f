"""The API framework: problem+json errors, request ids in headers and log lines,
metrics per route template, body-size limits, CORS, rate limits, health/readiness."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.logging import JsonFormatter
from api.routes.health import redact_url
from graph.store import Store
from tests.api_support import auth, make_app, new_token


@pytest.fixture
def client(embedded_store: Store, tmp_path: Path) -> Iterator[TestClient]:
    app = make_app(embedded_store, tmp_path, anonymous_read=True, max_body_kb=1,
                   max_upload_mb=0.01, cors_origins=["https://portal.example.cn"])
    with TestClient(app) as c:
        yield c


def _is_problem(r: object, status: int, code: str) -> dict[str, object]:
    assert r.status_code == status, r.text  # type: ignore[attr-defined]
    assert r.headers["content-type"].startswith("application/problem+json")  # type: ignore[attr-defined]
    body: dict[str, object] = r.json()  # type: ignore[attr-defined]
    assert body["code"] == code and body["status"] == status
    assert body["type"] == f"/api/v1/problems/{code}"
    assert body["title"] and body["title_en"]
    return body


def test_api_app_health_reports_the_store(client: TestClient) -> None:
    r = client.get("/api/v1/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["store"]["ok"] is True and body["store"]["engine"] == "falkordb"
    assert body["store"]["version"] not in ("", "?")
    assert client.get("/api/v1/ready").json() == {"ready": True}


def test_api_app_health_needs_no_key(embedded_store: Store, tmp_path: Path) -> None:
    with TestClient(make_app(embedded_store, tmp_path, anonymous_read=False)) as c:
        assert c.get("/api/v1/health").status_code == 200
        assert c.get("/api/v1/ready").status_code == 200
        _is_problem(c.get("/api/v1/chains"), 401, "E401")


def test_api_app_redacts_passwords_in_urls() -> None:
    assert redact_url("bolt://neo4j:s3cret@db.example:7687") == "bolt://neo4j@db.example:7687"
    assert "s3cret" not in redact_url("neo4j+s://u:s3cret@x.databases.neo4j.io")
    assert redact_url("embedded:///tmp/store") == "embedded:///tmp/store"


def test_api_app_unknown_path_and_method_are_problems(client: TestClient) -> None:
    body = _is_problem(client.get("/api/v1/no/such/thing"), 404, "E404")
    assert body["instance"] == "/api/v1/no/such/thing"
    r = client.delete("/api/v1/health")
    _is_problem(r, 405, "E405")
    assert "GET" in r.headers["allow"]


def test_api_app_validation_error_names_the_field(client: TestClient) -> None:
    r = client.get("/api/v1/problems/" + "x" * 40)
    body = _is_problem(r, 422, "E400")
    assert body["field"] == "code"


def test_api_app_problem_types_resolve_to_the_catalogue(client: TestClient) -> None:
    kinds = client.get("/api/v1/problems").json()
    codes = {k["code"] for k in kinds}
    assert {"E400", "E401", "E403", "E404", "E114", "E115", "E116", "E413", "E429"} <= codes
    entry = client.get("/api/v1/problems/E114").json()
    assert entry["status"] == 403 and entry["title"] and entry["title_en"]
    _is_problem(client.get("/api/v1/problems/E999"), 404, "E404")


def test_api_app_request_id_is_made_or_kept(client: TestClient) -> None:
    a = client.get("/api/v1/health").headers["x-request-id"]
    b = client.get("/api/v1/health").headers["x-request-id"]
    assert a and b and a != b
    r = client.get("/api/v1/health", headers={"X-Request-ID": "portal-42.abc"})
    assert r.headers["x-request-id"] == "portal-42.abc"
    # Not a header injection vector: unsafe ids are replaced.
    r = client.get("/api/v1/health", headers={"X-Request-ID": "bad id\twith spaces"})
    assert r.headers["x-request-id"] != "bad id\twith spaces"
    body = client.get("/api/v1/nope", headers={"X-Request-ID": "rid-1"}).json()
    assert body["request_id"] == "rid-1"


def test_api_app_closes_a_connection_after_its_request_limit(embedded_store: Store,
                                                             tmp_path: Path) -> None:
    """RONGLIAN_KEEPALIVE_REQUESTS: the limit-th answer on one connection says Connection:
    close, the next request (a new connection) counts afresh; 0 turns the limit off."""
    app = make_app(embedded_store, tmp_path, anonymous_read=True, keepalive_requests=3)
    with TestClient(app) as c:  # one client address: one connection to the middleware
        got = [c.get("/api/v1/health").headers.get("connection") for _ in range(7)]
    assert got == [None, None, "close", None, None, "close", None]
    off = make_app(embedded_store, tmp_path, anonymous_read=True, keepalive_requests=0)
    with TestClient(off) as c:
        assert all(c.get("/api/v1/health").headers.get("connection") is None
                   for _ in range(5))


def test_api_app_log_lines_are_json_with_the_request_id(embedded_store: Store,
                                                        tmp_path: Path) -> None:
    app = make_app(embedded_store, tmp_path, anonymous_read=True)
    inner = logging.getLogger("ronglian.test.inner")

    @app.get("/inner")
    def inner_route() -> dict[str, bool]:  # a def route: runs in the thread pool
        inner.warning("working on it")
        return {"ok": True}

    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    old = root.level
    root.setLevel(logging.INFO)
    try:
        with TestClient(app) as c:
            rid = c.get("/inner", headers={"X-Request-ID": "trace-7"}).headers["x-request-id"]
    finally:
        root.removeHandler(handler)
        root.setLevel(old)
    lines = [json.loads(line) for line in buf.getvalue().splitlines()]
    mine = [x for x in lines if x.get("request_id") == rid]
    assert {x["logger"] for x in mine} >= {"ronglian.test.inner", "ronglian.access"}
    access = next(x for x in mine if x["logger"] == "ronglian.access")
    assert access["status"] == 200 and access["route"] == "/inner"
    assert access["duration_ms"] >= 0 and access["method"] == "GET"


def test_api_app_metrics_use_route_templates(client: TestClient) -> None:
    client.get("/api/v1/problems/E404")
    client.get("/api/v1/problems/E114")
    text = client.get("/metrics").text
    assert 'route="/api/v1/problems/{code}"' in text
    assert 'route="/api/v1/problems/E404"' not in text
    assert "ronglian_http_request_duration_seconds_bucket" in text
    assert "ronglian_store_errors_total" in text


def test_api_app_body_limit_answers_413(client: TestClient) -> None:
    big = "x" * 5000  # the client's limit here is 1 KB
    r = client.post("/api/v1/cypher", content=json.dumps({"query": big}),
                    headers={"content-type": "application/json"})
    _is_problem(r, 413, "E413")

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while streaming
        for _ in range(10):
            yield b"x" * 500

    r = client.post("/api/v1/cypher", content=chunks(),
                    headers={"content-type": "application/json"})
    _is_problem(r, 413, "E413")


def test_api_app_cors_allows_only_configured_origins(client: TestClient) -> None:
    pre = {"Access-Control-Request-Method": "GET"}
    ok = client.options("/api/v1/health", headers={"Origin": "https://portal.example.cn", **pre})
    assert ok.headers["access-control-allow-origin"] == "https://portal.example.cn"
    bad = client.options("/api/v1/health", headers={"Origin": "https://evil.example", **pre})
    assert "access-control-allow-origin" not in bad.headers
    r = client.get("/api/v1/health", headers={"Origin": "https://portal.example.cn"})
    assert "X-Request-ID" in r.headers["access-control-expose-headers"]


def test_api_app_rate_limit_answers_429_with_retry_after(embedded_store: Store,
                                                         tmp_path: Path) -> None:
    app = make_app(embedded_store, tmp_path, rate_limit_per_minute=3)
    with TestClient(app) as c:
        a, b = auth(new_token(app, "reader")), auth(new_token(app, "reader"))
        slow = auth(new_token(app, "reader", rate_limit_per_minute=1))
        assert [c.get("/api/v1/chains", headers=a).status_code for _ in range(3)] \
            == [200, 200, 200]
        r = c.get("/api/v1/chains", headers=a)
        body = _is_problem(r, 429, "E429")
        assert int(r.headers["retry-after"]) >= 1
        assert "retry" in str(body["detail"])
        assert c.get("/api/v1/chains", headers=b).status_code == 200  # per key
        assert c.get("/api/v1/chains", headers=slow).status_code == 200
        assert c.get("/api/v1/chains", headers=slow).status_code == 429


def test_api_app_unknown_key_is_refused_even_with_anonymous_read(client: TestClient) -> None:
    _is_problem(client.get("/api/v1/chains", headers=auth("rl_abcdefabcdef_wrong")), 401, "E401")
    r = client.get("/api/v1/chains", headers={"Authorization": "Bearer not-a-key"})
    _is_problem(r, 401, "E401")
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert client.get("/api/v1/chains").status_code == 200  # anonymous read is on here


def test_api_app_unexpected_error_is_a_bare_500_problem(embedded_store: Store,
                                                        tmp_path: Path) -> None:
    app = make_app(embedded_store, tmp_path, anonymous_read=True)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/boom")
    body = _is_problem(r, 500, "E000")
    assert "secret" not in r.text and body["request_id"]
    assert r.headers["x-request-id"] == body["request_id"]


def test_api_app_store_calls_run_in_a_bounded_pool(embedded_store: Store,
                                                   tmp_path: Path) -> None:
    import threading

    import anyio.to_thread

    app = make_app(embedded_store, tmp_path, anonymous_read=True, threadpool_size=7)
    seen: dict[str, object] = {}

    @app.get("/pool")
    async def pool() -> dict[str, float]:
        seen["loop"] = threading.get_ident()
        return {"tokens": anyio.to_thread.current_default_thread_limiter().total_tokens}

    @app.get("/where")
    def where() -> dict[str, bool]:  # a def route, like every store route
        seen["route"] = threading.get_ident()
        return {"ok": True}

    with TestClient(app) as c:
        assert c.get("/pool").json() == {"tokens": 7}
        c.get("/where")
    assert seen["route"] != seen["loop"]  # not on the event loop's thread


def test_api_app_not_ready_while_draining(embedded_store: Store, tmp_path: Path) -> None:
    app = make_app(embedded_store, tmp_path)
    with TestClient(app) as c:
        assert c.get("/api/v1/ready").status_code == 200
        app.state.ready = False  # what the lifespan does first at shutdown
        body = _is_problem(c.get("/api/v1/ready"), 503, "E111")
        assert "shutting down" in str(body["detail"])
        assert c.get("/api/v1/health").json()["status"] == "ok"  # still alive


def test_api_app_rate_limiter_buckets_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    import api.auth
    from api.auth import RateLimiter

    clock = [1000.0]
    monkeypatch.setattr(api.auth.time, "monotonic", lambda: clock[0])
    rl = RateLimiter(1, max_buckets=100)
    for i in range(150):  # a burst of anonymous clients, each emptying its bucket
        rl.hit(f"anonymous:10.0.0.{i}")
    assert rl.hit("anonymous:10.0.0.1") > 0  # recent state survives pruning
    clock[0] += 120  # two idle minutes later the old buckets are full again
    rl.hit("anonymous:10.9.9.9")
    assert len(rl._buckets) <= 2
    assert rl.hit("anonymous:10.0.0.1") == 0
    assert RateLimiter(0).hit("x") == 0  # 0 turns limiting off


def test_api_app_freezes_survivors_of_slow_full_collections() -> None:
    import gc

    from api.app import _FreezeAfterSlowCollections

    policy = _FreezeAfterSlowCollections(slow_s=0.0)
    before = gc.get_freeze_count()
    try:
        policy("start", {"generation": 1})
        policy("stop", {"generation": 1})
        assert gc.get_freeze_count() == before  # young collections are left alone
        policy("start", {"generation": 2})
        policy("stop", {"generation": 2})
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
