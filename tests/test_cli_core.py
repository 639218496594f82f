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
    assert h.stdout.strip().endswith(f"schema version {v}")


def test_cli_health_mistyped_store_path_is_refused_and_not_created(tmp_path: Path) -> None:
    # the audit: 'health --store embedded:///tmp/nonexistent-path' said 'ok: falkordb 4.22.1',
    # exit 0, and made the folder; 'chains' on it listed nothing, exit 0
    missing = tmp_path / "nonexistent-path"
    for command in ("health", "chains"):
        out = ronglian(command, "--store", f"embedded://{missing}")
        assert out.returncode == 1, out.stdout
        assert f"no store at {missing}: a mistyped path?" in out.stderr
        assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
        assert not missing.exists()


def test_cli_health_store_without_the_schema_exits_3(tmp_path: Path) -> None:
    """An existing folder that holds no ronglian graph (or an older schema) answers, but is
    not usable as it is: health says what to run, exit code 3 (1 is for unreachable)."""
    from graph.migrations import migrate
    from graph.store import open_store

    empty = tmp_path / "empty"
    empty.mkdir()
    out = ronglian("health", "--store", f"embedded://{empty}")
    assert out.returncode == 3
    assert out.stdout.startswith("unhealthy: falkordb ")
    assert "没有融链数据模式" in out.stdout and "run 'ronglian migrate'" in out.stdout
    with open_store(f"embedded://{empty}") as s:
        migrate(s)
        s.run("schema_version_set", {"version": 1, "at": "2026-01-01T00:00:00+00:00"},
              write=True)
    out = ronglian("health", "--store", f"embedded://{empty}")
    assert out.returncode == 3 and "schema version 1 is older than" in out.stdout


@pytest.mark.neo4j
def test_cli_neo4j_wrong_password_is_one_line(neo4j_server: object) -> None:
    import os

    env = {**os.environ, "RONGLIAN_NEO4J_PASSWORD": "wrong-password"}
    out = ronglian("health", "--store", neo4j_server.uri, env=env)  # type: ignore[attr-defined]
    assert out.returncode == 1
    assert "refused user 'neo4j'" in out.stderr
    assert "Traceback" not in out.stderr


def test_cli_health_waits_for_the_indexes_a_start_rebuilds(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The command starts the embedded server itself, which rebuilds every index after a
    start: the demo's store was 'unhealthy (12 index(es) still being built ...)' every time.
    Health waits for them (HEALTH_WARMUP_S at most), then judges."""
    from typer.testing import CliRunner

    from api.cli import app
    from api.commands import core
    from graph.schema import SCHEMA_VERSION
    from graph.store import Health

    class Starting:
        calls = 0

        def __enter__(self) -> Starting:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

        def health(self) -> Health:
            self.calls += 1
            return Health(self.calls > 3, "falkordb", "4", "embedded:///x",
                          detail="" if self.calls > 3 else "indexes building",
                          warming=self.calls <= 3)

        def run(self, name: str) -> list[dict[str, int]]:
            assert name == "schema_version_get"
            return [{"version": SCHEMA_VERSION}]

    monkeypatch.setattr(core, "open_store", lambda create: Starting())
    r = CliRunner().invoke(app, ["health"])
    assert r.exit_code == 0 and r.stdout.startswith("ok: falkordb 4 at embedded:///x")
    monkeypatch.setattr(core, "HEALTH_WARMUP_S", 0.0)
    r = CliRunner().invoke(app, ["health"])
    assert r.exit_code == 1 and "indexes building" in r.stdout


@pytest.mark.parametrize("args", [
    pytest.param(["review", "list", "--limit", "-5"], id="review-limit-negative"),
    pytest.param(["review", "list", "--limit", "0"], id="review-limit-0"),
    pytest.param(["review", "list", "--limit", "501"], id="review-limit-over-api"),
    pytest.param(["services", "list", "--limit", "0"], id="services-limit-0"),
    pytest.param(["services", "advance", "SR1", "--to", "matching", "--recommend", "--top", "0"],
                 id="services-top-0"),
    pytest.param(["services", "kpis", "--stale-hours", "0"], id="services-stale-hours-0"),
    pytest.param(["ingest", "triples", "t.tsv", "--mapping", "m.json", "--limit", "0"],
                 id="triples-limit-0"),
    pytest.param(["keys", "create", "--role", "reader", "--name", "x", "--rate-limit", "-1"],
                 id="keys-rate-limit-negative"),
])
def test_cli_numeric_options_are_checked_as_the_api_checks_them(
        tmp_path: Path, args: list[str]) -> None:
    # the audit's 'review list --limit -5' leaked 'E110: FalkorDB error: Limit operates only on
    # non-negative integers' and '--limit 0' listed nothing over a pending candidate
    from typer.testing import CliRunner

    from api.cli import app

    store = tmp_path / "store"
    extra = ([] if args[0] == "keys" else ["--store", f"embedded://{store}"]) + (
        ["--keys-path", str(tmp_path / "keys.db")] if args[0] == "keys" else [])
    r = CliRunner().invoke(app, [*args, *extra])
    assert r.exit_code == 2, r.output
    assert "Invalid value for '--" in r.output
    assert not store.exists() and not (tmp_path / "keys.db").exists()


def test_cli_runs_as_python_dash_m_api() -> None:
    """``python -m api`` is the ``ronglian`` command (no script on PATH, e.g. a bare venv)."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "api", "--help"], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "Usage: ronglian" in done.stdout and "demo" in done.stdout
