"""pytest plugin: one real Neo4j 5.26 server per test session, and the closing ``neo4j:`` line.

What lives here: the session fixture ``neo4j_server`` (a :class:`tests.neo4j_server.Neo4jServer`
started once, stopped at the end), the bookkeeping of which tests actually ran against it, and
the single terminal line ``neo4j: N tests ran against Neo4j 5.26.x`` (or ``neo4j: 0 tests ran
(reason)``). Load it with ``pytest_plugins = ["tests.neo4j_plugin"]`` in ``tests/conftest.py`` or
``-p tests.neo4j_plugin``.

What must not live here: starting/stopping logic (``tests/neo4j_server.py``), per-test graph
cleaning or schema (the ``store`` fixture in ``tests/conftest.py``), marker registration (the
``neo4j`` marker is declared in ``pyproject.toml``).

Policy: without Java or Maven the Neo4j tests are skipped with the reason, except with
``CI=true`` where they fail (the Neo4j tests must run in CI). A server that does not start fails
the tests that need it, with the tail of its log.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from tests.neo4j_server import (
    Neo4jServer,
    Neo4jStartError,
    Neo4jUnavailable,
    ensure_jars,
    start,
)

FIXTURE = "neo4j_server"
JARS_TIMEOUT = 150.0  # seconds for Maven to resolve the jars when the cache is cold
START_TIMEOUT = 140.0  # seconds from launching the JVM to Bolt answering (measured 8-47 s)


@dataclass
class _Usage:
    """What the closing line reports; one per pytest process."""

    version: str = ""
    reason: str = ""
    used: set[str] = field(default_factory=set)  # node ids that activated the fixture
    ran: set[str] = field(default_factory=set)  # of those, the ones whose call phase ran
    outcomes: dict[str, str] = field(default_factory=dict)  # node id -> call-phase outcome
    startup_seconds: float | None = None


_USAGE = _Usage()


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jServer]:
    """A real Neo4j 5.26 Community server on 127.0.0.1, authentication on, for the session.

    Tests get ``.uri``, ``.user``, ``.password`` and ``.version``; they share the server, so a
    test cleans what it writes (the ``store`` fixture does that for store tests).
    """
    t0 = time.monotonic()
    try:
        # Both budgets fit inside pytest-timeout's 300 s for the first test that asks for the
        # server; a cold jar download belongs in CI's set-up (tools/neo4j/fetch.sh) anyway.
        ensure_jars(timeout=JARS_TIMEOUT)
        server = start(tmp_path_factory.mktemp("neo4j"), timeout=START_TIMEOUT)
    except Neo4jUnavailable as exc:
        _USAGE.reason = f"Neo4j unavailable: {exc}"
        if _in_ci():
            pytest.fail(f"{_USAGE.reason} (CI=true: the Neo4j tests must run)", pytrace=False)
        pytest.skip(_USAGE.reason)
    except Neo4jStartError as exc:
        _USAGE.reason = "the Neo4j test server did not start"
        pytest.fail(f"the Neo4j test server did not start: {exc}", pytrace=False)
    _USAGE.version = server.version
    _USAGE.startup_seconds = time.monotonic() - t0
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _neo4j_usage_tracker(request: pytest.FixtureRequest) -> Iterator[None]:
    """Record whether this test activated ``neo4j_server``, statically or via getfixturevalue.

    ``request.fixturenames`` lists every fixture active for the test, including the ones
    another fixture requested dynamically (e.g. a ``store`` fixture parametrised over engines
    that only asks for Neo4j in its neo4j branch); read at teardown, after the test body ran.
    """
    yield
    if FIXTURE in request.fixturenames:
        _USAGE.used.add(request.node.nodeid)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call":
        # An xfail that ran is reported as skipped with ``wasxfail``: it did run.
        if not report.skipped or hasattr(report, "wasxfail"):
            _USAGE.ran.add(report.nodeid)
        _USAGE.outcomes[report.nodeid] = report.outcome


def summary_line() -> str:
    """The one closing line about Neo4j (also used by this plugin's own tests)."""
    count = len(_USAGE.used & _USAGE.ran)
    if count and _USAGE.version:
        noun = "test" if count == 1 else "tests"
        return f"neo4j: {count} {noun} ran against Neo4j {_USAGE.version}"
    if _USAGE.reason:
        reason = _USAGE.reason.splitlines()[0]
    elif _USAGE.used:
        reason = "every test that needed Neo4j was skipped"
    else:
        reason = "no selected test used the neo4j_server fixture"
    return f"neo4j: 0 tests ran ({reason})"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    terminalreporter.write_line(summary_line())
