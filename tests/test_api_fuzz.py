"""schemathesis over the OpenAPI document: a bounded number of generated requests per
operation (valid and invalid) against the app on a store holding the demo data, with
an editor key so writes get past authentication. Zero server errors allowed.

``RONGLIAN_FUZZ_EXAMPLES`` sets the examples per operation (default 10).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from api.app import create_app
from graph.store import Store, open_store
from tests.api_support import make_app, make_settings, new_token

MAX_EXAMPLES = int(os.environ.get("RONGLIAN_FUZZ_EXAMPLES", "10"))

# The operations, read from a store-less app (never started) at collection time.
_DOC = create_app(make_settings(Path(tempfile.mkdtemp()))).openapi()
OPERATIONS = [
    pytest.param(method.upper(), path, id=f"{method.upper()} {path}")
    for path, item in sorted(_DOC["paths"].items())
    for method in item
    if method in {"get", "post", "put", "patch", "delete"}
]


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    from ingest.demo import load_demo

    d = tmp_path_factory.mktemp("fuzz-store")
    s = open_store(f"embedded://{d / 'store'}")
    load_demo(s, run_dir=d / "runs")
    yield s
    s.close()


@pytest.fixture(scope="module")
def fuzz(demo_store: Store, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("fuzz-app")
    app = make_app(demo_store, Path(tmp), anonymous_read=True, max_upload_mb=0.2)
    schema = schemathesis.openapi.from_dict(app.openapi())
    schema.app = app
    schema.location = "/openapi.json"
    return {"app": app, "schema": schema, "headers": {"X-API-Key": new_token(app, "editor")}}


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_api_fuzz_no_server_errors(fuzz: dict[str, Any], method: str, path: str) -> None:
    operation = fuzz["schema"][path][method]
    headers = fuzz["headers"]

    @given(case=operation.as_strategy())
    @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
              derandomize=True, database=None)
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=[not_a_server_error])

    run()
