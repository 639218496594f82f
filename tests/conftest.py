"""Shared fixtures: the ``store`` fixture runs a test on both real engines.

``store`` is parametrised over the embedded FalkorDB (one server per session,
in a temporary folder) and the real Neo4j 5 test server started by
``tests/neo4j_plugin.py``; each test gets an empty graph with the schema
applied. Tests that need their own store folder (crash tests) open one in
``tmp_path``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from graph.settings import get_settings
from graph.store import Store, open_store

pytest_plugins = ["tests.neo4j_plugin"]

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true", default=False,
                     help="also run tests marked slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow") or os.environ.get("RONGLIAN_RUN_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow test: run with --run-slow or RONGLIAN_RUN_SLOW=1")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path_factory: pytest.TempPathFactory,
                       monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Never touch the user's real data folder from a test."""
    home = tmp_path_factory.getbasetemp() / "ronglian-home"
    monkeypatch.setenv("RONGLIAN_STORE", f"embedded://{home / 'store'}")
    monkeypatch.setenv("RONGLIAN_KEYS_PATH", str(home / "keys.sqlite3"))
    monkeypatch.setenv("RONGLIAN_JOB_DIR", str(home / "jobs"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def _synchronous_models(monkeypatch: pytest.MonkeyPatch) -> None:
    """The recommender's walk and affinity are built by the request that needs them (the
    service serves the previous ones while a thread builds them): an answer after a write
    must see it, and no build may outlive its test (``tests/test_recommend_builds.py``
    switches the background on)."""
    from queries import modelcache

    monkeypatch.setattr(modelcache, "BACKGROUND", False)


_LEFTOVER_SERVERS: list[str] = []


@pytest.fixture(scope="session", autouse=True)
def _stop_leftover_embedded_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Stop embedded servers that tests started and left running (torn down last).

    A daemonised ``redis-server`` whose client was killed outlives the session; the
    folders it served are listed in the summary so the leaking test can be found. Only
    servers working in this session's temporary folder are touched.
    """
    yield
    base = tmp_path_factory.getbasetemp().resolve()
    for proc in psutil.process_iter(["name"]):
        try:
            if not (proc.info["name"] or "").startswith("redis-server"):
                continue
            cwd = Path(proc.cwd()).resolve()
            if cwd.is_relative_to(base):
                proc.kill()
                _LEFTOVER_SERVERS.append(str(cwd.relative_to(base)))
        except (psutil.Error, OSError):
            continue


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _LEFTOVER_SERVERS:
        terminalreporter.write_line(
            f"embedded: stopped {len(_LEFTOVER_SERVERS)} leftover server(s) in "
            + ", ".join(sorted(_LEFTOVER_SERVERS)))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"shared data folder missing: {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def embedded_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    s = open_store(f"embedded://{tmp_path_factory.mktemp('falkordb')}")
    s.apply_schema()
    yield s
    s.close()


@pytest.fixture(scope="session")
def neo4j_store(neo4j_server: object) -> Iterator[Store]:
    from graph.neo4j_store import Neo4jStore

    s = Neo4jStore(neo4j_server.uri, user=neo4j_server.user,  # type: ignore[attr-defined]
                   password=neo4j_server.password)  # type: ignore[attr-defined]
    s.apply_schema()
    yield s
    s.close()


ENGINES = [
    pytest.param("falkordb", id="falkordb"),
    pytest.param("neo4j", id="neo4j", marks=pytest.mark.neo4j),
]


@pytest.fixture(params=ENGINES)
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """An empty graph with the schema applied, on each engine in turn."""
    name = "neo4j_store" if request.param == "neo4j" else "embedded_store"
    s: Store = request.getfixturevalue(name)
    s.clear()
    yield s
