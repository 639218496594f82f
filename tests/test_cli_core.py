"""Core CLI commands: clear one-line errors, exit codes, migrate and health (issue 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_support import ronglian


@pytest.mark.parametrize(("url", "says"), [
    pytest.param("bolt://127.0.0.1:1", "cannot reach Neo4j at bolt://127.0.0.1:1",
                 id="unreachable"),
    pytest.param("mysql://x", "unknown store URL", id="bad-scheme"),
    pytest.param("embedded://", "has no path", id="no-path"),
])
def test_cli_health_bad_store_is_one_line(url: str, says: str) -> None:
    out = ronglian("health", "--store", url)
    assert out.returncode == 1
    assert says in out.stderr
    assert "Traceback" not in out.stderr + out.stdout
    assert len(out.stderr.strip().splitlines()) == 1


def test_cli_migrate_then_health(tmp_path: Path) -> None:
    url = f"embedded://{tmp_path / 'store'}"
    first = ronglian("migrate", "--store", url)
    assert first.returncode == 0, first.stderr
    from graph.schema import SCHEMA_VERSION as v

    assert f"schema version 0 → {v}" in first.stdout
    again = ronglian("migrate", "--store", url)
    assert f"schema version {v} → {v}; 0 constraints" in again.stdout
    h = ronglian("health", "--store", url)
    assert h.returncode == 0 and h.stdout.startswith("ok: falkordb")


@pytest.mark.neo4j
def test_cli_neo4j_wrong_password_is_one_line(neo4j_server: object) -> None:
    import os

    env = {**os.environ, "RONGLIAN_NEO4J_PASSWORD": "wrong-password"}
    out = ronglian("health", "--store", neo4j_server.uri, env=env)  # type: ignore[attr-defined]
    assert out.returncode == 1
    assert "refused user 'neo4j'" in out.stderr
    assert "Traceback" not in out.stderr
