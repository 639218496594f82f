"""The OpenAPI document is complete: every operation has a description, every
parameter a description and an example, every request body and success response an
example (on the media type or on its schema). Fails naming the operation and the gap."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from api.app import create_app
from tests.api_support import make_settings

JSON_TYPES = ("application/json", "application/problem+json")


def _doc() -> dict[str, Any]:
    import tempfile

    # The document does not need a store: the app is built but never started.
    app = create_app(make_settings(Path(tempfile.mkdtemp())))
    return app.openapi()


DOC = _doc()
OPERATIONS = [
    pytest.param(path, method, op, id=f"{method.upper()} {path}")
    for path, item in sorted(DOC["paths"].items())
    for method, op in item.items()
    if method in {"get", "post", "put", "patch", "delete"}
]


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    seen = 0
    while "$ref" in schema and seen < 20:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = DOC["components"]["schemas"][name]
        seen += 1
    return schema


def _schema_has_example(schema: dict[str, Any]) -> bool:
    schema = _resolve(schema)
    if schema.get("examples") or "example" in schema:
        return True
    for key in ("anyOf", "oneOf", "allOf"):
        if any(_schema_has_example(s) for s in schema.get(key, []) if s.get("type") != "null"):
            return True
    if schema.get("type") == "array" and "items" in schema:
        return _schema_has_example(schema["items"])
    props = schema.get("properties")
    if props:  # a model whose every field carries an example is exemplified too
        return all(_schema_has_example(p) for p in props.values())
    return False


def _media_has_example(media: dict[str, Any]) -> bool:
    if media.get("example") is not None or media.get("examples"):
        return True
    return _schema_has_example(media.get("schema", {}))


def gaps(path: str, method: str, op: dict[str, Any]) -> list[str]:
    out = []
    if not (op.get("description") or "").strip():
        out.append("no description (give the route a one-line docstring)")
    for p in op.get("parameters", []):
        name = f"parameter {p.get('in')}:{p.get('name')}"
        if not (p.get("description") or "").strip():
            out.append(f"{name} has no description")
        schema = _resolve(p.get("schema", {}))
        if not (p.get("example") is not None or p.get("examples") or _schema_has_example(schema)
                or "default" in schema or "enum" in schema):
            out.append(f"{name} has no example")
    body = op.get("requestBody")
    if body:
        content = body.get("content", {})
        for mt, media in content.items():
            if mt in JSON_TYPES and not _media_has_example(media):
                out.append(f"request body {mt} has no example")
            if mt.startswith("multipart/") and not (body.get("description") or
                                                    _resolve(media.get("schema", {}))
                                                    .get("properties")):
                out.append("multipart body undocumented")
    ok = {k: v for k, v in op.get("responses", {}).items() if str(k).startswith("2")}
    if not ok:
        out.append("no success response documented")
    for status, resp in ok.items():
        if not (resp.get("description") or "").strip():
            out.append(f"response {status} has no description")
        for mt, media in resp.get("content", {}).items():
            documented = (_media_has_example(media) if mt in JSON_TYPES else
                          bool(media.get("example") or media.get("examples")
                               or resp.get("description")))
            if not documented:
                out.append(f"response {status} {mt} has no example")
    return out


@pytest.mark.parametrize(("path", "method", "op"), OPERATIONS)
def test_api_openapi_operation_is_documented(path: str, method: str, op: dict[str, Any]) -> None:
    missing = gaps(path, method, op)
    assert not missing, f"{method.upper()} {path}: " + "; ".join(missing)


def test_api_openapi_checker_catches_gaps() -> None:
    bare = {"parameters": [{"in": "query", "name": "q", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok", "content": {
                "application/json": {"schema": {"type": "object"}}}}}}
    found = gaps("/x", "get", bare)
    assert any("no description" in g for g in found)
    assert any("parameter query:q has no example" in g for g in found)
    assert any("response 200" in g for g in found)


def test_api_openapi_lists_the_framework_endpoints() -> None:
    paths = set(DOC["paths"])
    assert {"/api/v1/health", "/api/v1/ready", "/api/v1/cypher", "/metrics",
            "/api/v1/problems", "/api/v1/problems/{code}"} <= paths
    schemes = DOC["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} >= {"apiKey", "http"}
