"""The pytest plugin: skip or fail without Java, and the one closing ``neo4j:`` line counts right.

Each case runs a small pytest session in a subprocess (a throwaway test folder with its own
conftest), so these tests never start a JVM: Java is hidden, or the fixture is replaced by one
that only records a version.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests import neo4j_server as ns

CONFTEST = 'pytest_plugins = ["tests.neo4j_plugin"]\n'

# Replaces the real server with a stand-in while keeping the plugin's bookkeeping.
FAKE_SERVER_CONFTEST = CONFTEST + textwrap.dedent(
    """
    import pytest
    from tests import neo4j_plugin

    @pytest.fixture(scope="session")
    def neo4j_server():
        neo4j_plugin._USAGE.version = "5.26.99"
        return object()

    @pytest.fixture(scope="session")
    def neo4j_store(neo4j_server):
        return neo4j_server

    @pytest.fixture(params=["falkordb", "neo4j"])
    def store(request):
        # Like tests/conftest.py: only the neo4j branch asks for the server, through a
        # session-scoped fixture that is cached after the first test.
        if request.param == "neo4j":
            return request.getfixturevalue("neo4j_store")
        return None
    """
)


def _run(tmp_path: Path, conftest: str, tests: str, env: dict[str, str]) -> tuple[int, str]:
    (tmp_path / "conftest.py").write_text(conftest)
    (tmp_path / "test_sample.py").write_text(textwrap.dedent(tests))
    full_env = {
        **{k: v for k, v in os.environ.items() if k not in {"CI", "PYTEST_ADDOPTS"}},
        "PYTHONPATH": str(ns.REPO_ROOT),
        # Only this plugin: the venv's other pytest plugins (hypothesis, playwright...) would
        # make each small session several times slower.
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        **env,
    }
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            str(tmp_path),
        ],
        cwd=tmp_path,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return proc.returncode, proc.stdout + proc.stderr


def _neo4j_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("neo4j:")]


NO_JAVA = {"PATH": "/nonexistent", "JAVA_HOME": "/nonexistent"}

USES_SERVER = """
    def test_needs_neo4j(neo4j_server):
        assert neo4j_server is not None

    def test_plain():
        assert True
"""


def test_without_java_neo4j_tests_skip_with_reason(tmp_path: Path) -> None:
    code, out = _run(tmp_path, CONFTEST, USES_SERVER, NO_JAVA)
    assert code == 0, out
    assert "1 passed, 1 skipped" in out
    assert _neo4j_lines(out) == [
        "neo4j: 0 tests ran (Neo4j unavailable: java not found: install a Java 17 or 21 runtime "
        "(e.g. apt-get install openjdk-17-jre-headless) to run the Neo4j test server)"
    ]


def test_without_java_in_ci_neo4j_tests_fail(tmp_path: Path) -> None:
    code, out = _run(tmp_path, CONFTEST, USES_SERVER, {**NO_JAVA, "CI": "true"})
    assert code == 1, out
    assert "1 passed, 1 error" in out
    assert "CI=true: the Neo4j tests must run" in out
    assert len(_neo4j_lines(out)) == 1
    assert _neo4j_lines(out)[0].startswith("neo4j: 0 tests ran (Neo4j unavailable: java")


def test_counts_only_tests_that_ran_against_neo4j(tmp_path: Path) -> None:
    tests = """
        import pytest

        def test_direct(neo4j_server):
            pass

        def test_via_store(store):  # 2 params: only the neo4j one counts
            pass

        def test_via_store_again(store):  # the session fixture is cached by now
            pass

        def test_fails(neo4j_server):
            raise AssertionError("a failed test still ran against Neo4j")

        def test_skipped_inside(neo4j_server):
            pytest.skip("did not run")

        @pytest.mark.skip(reason="never set up")
        def test_skipped_mark(neo4j_server):
            pass

        @pytest.mark.xfail(reason="ran, failed as expected", strict=True)
        def test_xfail(neo4j_server):
            raise AssertionError

        def test_unrelated():
            pass
    """
    code, out = _run(tmp_path, FAKE_SERVER_CONFTEST, tests, {})
    assert code == 1, out  # test_fails
    # direct + via_store[neo4j] + via_store_again[neo4j] + fails + xfail = 5
    assert _neo4j_lines(out) == ["neo4j: 5 tests ran against Neo4j 5.26.99"]


def test_one_test_is_singular(tmp_path: Path) -> None:
    code, out = _run(tmp_path, FAKE_SERVER_CONFTEST, "def test_a(neo4j_server):\n    pass\n", {})
    assert code == 0, out
    assert _neo4j_lines(out) == ["neo4j: 1 test ran against Neo4j 5.26.99"]


def test_no_neo4j_test_selected(tmp_path: Path) -> None:
    code, out = _run(tmp_path, CONFTEST, "def test_a():\n    pass\n", NO_JAVA)
    assert code == 0, out
    assert _neo4j_lines(out) == [
        "neo4j: 0 tests ran (no selected test used the neo4j_server fixture)"
    ]


def test_neo4j_line_comes_before_the_closing_line(tmp_path: Path) -> None:
    # CI reads pytest's closing "N passed" line: it must stay the last line.
    code, out = _run(tmp_path, FAKE_SERVER_CONFTEST, "def test_a(neo4j_server):\n    pass\n", {})
    assert code == 0, out
    lines = [line for line in out.splitlines() if line.strip()]
    assert lines[-1].startswith("1 passed")
    assert lines[-2] == "neo4j: 1 test ran against Neo4j 5.26.99"


@pytest.mark.parametrize("value", ["true", "1", "TRUE"])
def test_ci_values(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    from tests import neo4j_plugin

    monkeypatch.setenv("CI", value)
    assert neo4j_plugin._in_ci()
    monkeypatch.setenv("CI", "false")
    assert not neo4j_plugin._in_ci()
