"""The Neo4j test-server helper fails fast and clearly: missing tools, bad caches, dead servers."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests import neo4j_server as ns


def test_missing_java_names_java(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "no-jdk"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ns.Neo4jUnavailable, match="java not found"):
        ns.find_java()


def test_old_java_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "jdk" / "bin" / "java"
    fake.parent.mkdir(parents=True)
    fake.write_text("#!/bin/sh\necho 'openjdk version \"11.0.20\" 2023-07-18' >&2\n")
    fake.chmod(0o755)
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "jdk"))
    with pytest.raises(ns.Neo4jUnavailable, match="version 11"):
        ns.find_java()


def test_missing_maven_names_mvn(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RONGLIAN_NEO4J_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ns.Neo4jUnavailable, match="mvn"):
        ns.ensure_jars()


def test_cache_location_follows_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("RONGLIAN_NEO4J_HOME", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert ns.cache_home("5.26.30") == tmp_path / "ronglian" / "neo4j-5.26.30"
    monkeypatch.setenv("RONGLIAN_NEO4J_HOME", str(tmp_path / "mine"))
    assert ns.cache_home("5.26.30") == tmp_path / "mine"


def test_complete_cache_is_reused_without_maven(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    lib = tmp_path / "cache" / "lib"
    lib.mkdir(parents=True)
    (lib / "neo4j-5.26.30.jar").write_bytes(b"PK")
    (lib / ns.MARKER).write_text(json.dumps({"version": "5.26.30", "jars": ["neo4j-5.26.30.jar"]}))
    monkeypatch.setenv("RONGLIAN_NEO4J_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", str(tmp_path))  # no mvn: proves nothing is resolved again
    assert ns.ensure_jars("5.26.30") == lib


def test_incomplete_cache_is_not_trusted(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / ns.MARKER).write_text(json.dumps({"version": "5.26.30", "jars": ["gone.jar"]}))
    assert not ns._read_marker(lib, "5.26.30")
    (lib / "gone.jar").write_bytes(b"PK")
    assert ns._read_marker(lib, "5.26.30")
    assert not ns._read_marker(lib, "5.26.29")  # another version's jars are not reused


def test_unresolvable_version_is_a_resolve_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    if shutil.which("mvn") is None:
        pytest.skip("mvn not installed")
    monkeypatch.setenv("RONGLIAN_NEO4J_HOME", str(tmp_path / "cache"))
    # Offline against an empty local repository: fails fast without touching the network.
    monkeypatch.setenv("MAVEN_OPTS", f"-Dmaven.repo.local={tmp_path / 'm2'}")
    real = ns.mvn_command

    def offline(out: Path, version: str, mvn: str = "mvn") -> list[str]:
        cmd = real(out, version, mvn)
        return [cmd[0], "-o", *cmd[1:]]

    monkeypatch.setattr(ns, "mvn_command", offline)
    with pytest.raises(ns.Neo4jResolveError, match=r"Maven could not resolve Neo4j 0\.0\.0"):
        ns.ensure_jars("0.0.0", timeout=120)
    assert not (tmp_path / "cache" / "lib").exists()  # nothing half-made left behind


def test_config_is_loopback_bolt_only_with_auth(tmp_path: Path) -> None:
    conf = ns.write_config(tmp_path, 7687, heap="512m", pagecache="128m")
    text = (conf / "neo4j.conf").read_text()
    settings = dict(line.split("=", 1) for line in text.splitlines())
    assert settings["server.bolt.listen_address"] == "127.0.0.1:7687"
    assert settings["server.default_listen_address"] == "127.0.0.1"
    assert settings["server.http.enabled"] == "false"
    assert settings["server.https.enabled"] == "false"
    assert settings["dbms.security.auth_enabled"] == "true"
    assert settings["server.directories.data"] == str(tmp_path / "data")


@pytest.fixture(scope="module")
def lib() -> Path:
    try:
        ns.find_java()
        return ns.ensure_jars()
    except ns.Neo4jUnavailable as exc:
        pytest.skip(str(exc))


def test_server_that_dies_raises_with_log_tail(lib: Path, tmp_path: Path) -> None:
    # A 1 MB heap is refused by the JVM itself: the process exits at once.
    before = set(ns._LIVE)  # the session's own server may be running
    with pytest.raises(ns.Neo4jStartError) as info:
        ns.start(tmp_path / "srv", heap="1m", timeout=60)
    message = str(info.value)
    assert "exited with code" in message
    assert "heap" in message.lower()  # the JVM's own complaint, from the console log
    assert before == ns._LIVE


def test_deadline_is_enforced_and_process_stopped(lib: Path, tmp_path: Path) -> None:
    before = set(ns._LIVE)
    with pytest.raises(ns.Neo4jStartError, match="before the deadline") as info:
        ns.start(tmp_path / "srv", timeout=1.0)
    assert "last error" in str(info.value)
    assert before == ns._LIVE  # the JVM that was too slow was stopped, not left running


def test_module_fetch_prints_the_cache(lib: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "tests.neo4j_server", "--fetch"],
        cwd=ns.REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert str(lib) in out.stdout


@pytest.mark.slow
def test_lost_port_race_is_retried_on_another_port(
    lib: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Someone else takes the port between free_port() and the server's bind.
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        real = ns.free_port
        ports = iter([taken])
        monkeypatch.setattr(ns, "free_port", lambda: next(ports, None) or real())
        server = ns.start(tmp_path / "srv", timeout=170)
        try:
            assert server.port != taken
            assert server.version.startswith("5.26.")
            assert "Address already in use" in (tmp_path / "srv" / "logs" / "neo4j.log").read_text()
        finally:
            server.stop()
