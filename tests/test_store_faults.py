"""Faults on the store layer: crashes, bad URLs, bad folders, bad credentials (issue 2)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from graph.errors import ConfigError, StoreAuthError, StoreDataDirError, StoreUnavailable
from graph.store import open_store

WRITER = textwrap.dedent("""
    import sys
    from graph.store import open_store
    store = open_store(sys.argv[1])
    print("pid", store.server_pid, flush=True)
    i = 0
    while True:
        store.write("CREATE (:Enterprise {id: $id})", {"id": f"e{i}"})
        print("ok", i, flush=True)  # printed only after the write was acknowledged
        i += 1
""")


def test_store_embedded_survives_kill_9_of_server(tmp_path: Path) -> None:
    url = f"embedded://{tmp_path / 'store'}"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, url], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=Path(__file__).parents[1])
    assert proc.stdout is not None
    committed = -1
    server_pid = None
    deadline = time.monotonic() + 60
    try:
        for line in proc.stdout:
            kind, value = line.split()
            if kind == "pid":
                server_pid = int(value)
            else:
                committed = int(value)
            if committed >= 300 or time.monotonic() > deadline:
                break
        assert server_pid, proc.stderr.read() if proc.stderr else "no server pid"
        os.kill(server_pid, signal.SIGKILL)
        # the writer may have had more writes acknowledged before the kill landed
        rest = proc.communicate(timeout=30)[0]
        for line in rest.splitlines():
            kind, value = line.split()
            if kind == "ok":
                committed = int(value)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert committed >= 300
    # the next command recovers on its own: no clean-up between the crash and here
    with open_store(url) as store:
        ids = {r["id"] for r in store.read("MATCH (e:Enterprise) RETURN e.id AS id")}
    assert {f"e{i}" for i in range(committed + 1)} <= ids


def test_store_embedded_recovers_after_client_and_server_killed(tmp_path: Path) -> None:
    url = f"embedded://{tmp_path / 'store'}"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, url], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, cwd=Path(__file__).parents[1])
    assert proc.stdout is not None
    server_pid = int(proc.stdout.readline().split()[1])
    for _ in range(50):
        proc.stdout.readline()
    proc.kill()
    proc.wait()
    os.kill(server_pid, signal.SIGKILL)
    with open_store(url) as store:
        assert store.read("MATCH (e:Enterprise) RETURN count(e) AS n")[0]["n"] >= 50
        assert store.health().ok


def _stopped(pid: int, wait_s: float = 15.0) -> bool:
    import psutil

    deadline = time.monotonic() + wait_s
    while psutil.pid_exists(pid) and time.monotonic() < deadline:
        with contextlib.suppress(psutil.Error):
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        time.sleep(0.1)
    return not psutil.pid_exists(pid)


def test_store_embedded_close_after_threaded_use_stops_its_server(tmp_path: Path) -> None:
    """Idle pooled connections once counted as other clients, so a store used from
    several threads (the API's thread pool) left its server running after close."""
    import threading

    from graph.embedded import EmbeddedStore

    store = open_store(f"embedded://{tmp_path / 'store'}")
    assert isinstance(store, EmbeddedStore)
    pid = store.server_pid
    assert pid
    start = threading.Barrier(6)

    def reads() -> None:
        start.wait()
        for _ in range(20):
            store.read("UNWIND range(1, 20000) AS x RETURN count(x) AS n")

    threads = [threading.Thread(target=reads) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    store.close()
    assert _stopped(pid), f"server {pid} still running after close"


def test_store_embedded_close_while_threads_still_query_stops_its_server(
        tmp_path: Path) -> None:
    """A background build still reading when the store closes (the recommender's, the API
    shutting down) once kept the server running after close and after exit: its connection,
    cut by the close, reconnected and counted as a client. Now the close waits for calls in
    flight and refuses new ones."""
    import threading

    from graph.embedded import EmbeddedStore

    store = open_store(f"embedded://{tmp_path / 'store'}")
    assert isinstance(store, EmbeddedStore)
    pid = store.server_pid
    assert pid
    running = threading.Barrier(5)
    ended: list[BaseException | None] = []

    def reads() -> None:
        running.wait()
        try:
            while True:  # like a build's scans, one after the other
                store.read("UNWIND range(1, 200000) AS x RETURN count(x) AS n")
        except StoreUnavailable as e:
            ended.append(e)

    threads = [threading.Thread(target=reads, daemon=True) for _ in range(4)]
    for t in threads:
        t.start()
    running.wait()
    time.sleep(0.3)  # the threads are mid-query
    store.close()
    for t in threads:
        t.join(timeout=30)
    assert len(ended) == 4  # each thread's next call was refused, none hung
    assert _stopped(pid), f"server {pid} still running after close"


def test_store_embedded_folder_that_is_a_file(tmp_path: Path) -> None:
    f = tmp_path / "not-a-folder"
    f.write_text("x")
    with pytest.raises(StoreDataDirError, match="not a folder"):
        open_store(f"embedded://{f}")


def test_store_embedded_folder_on_read_only_fs() -> None:
    # /proc is read-only even for root, unlike a chmod'ed folder
    with pytest.raises(StoreDataDirError, match="unusable"):
        open_store("embedded:///proc/ronglian-store")


@pytest.mark.parametrize("url", [
    pytest.param("postgres://x", id="unknown-scheme"),
    pytest.param("embedded://", id="no-path"),
    pytest.param("just-a-word", id="no-scheme"),
])
def test_store_bad_url_is_a_config_error(url: str) -> None:
    with pytest.raises(ConfigError, match="store URL"):
        open_store(url)


def test_store_neo4j_unreachable_host_names_url(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(StoreUnavailable, match=r"bolt://127\.0\.0\.1:1") as e:
        open_store("bolt://127.0.0.1:1")
    assert "\n" not in str(e.value)


@pytest.mark.neo4j
def test_store_neo4j_wrong_password(neo4j_server: object, monkeypatch: pytest.MonkeyPatch) -> None:
    from graph.settings import get_settings

    monkeypatch.setenv("RONGLIAN_NEO4J_PASSWORD", "definitely-wrong")
    get_settings.cache_clear()
    with pytest.raises(StoreAuthError, match="RONGLIAN_NEO4J_PASSWORD") as e:
        open_store(neo4j_server.uri)  # type: ignore[attr-defined]
    assert "\n" not in str(e.value)


@pytest.mark.neo4j
def test_store_neo4j_routing_url_on_a_single_server(neo4j_server: object,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # neo4j:// asks the server for a routing table (clusters, Aura); a single server answers it
    from graph.settings import get_settings

    monkeypatch.setenv("RONGLIAN_NEO4J_PASSWORD", neo4j_server.password)  # type: ignore[attr-defined]
    get_settings.cache_clear()
    url = neo4j_server.uri.replace("bolt://", "neo4j://")  # type: ignore[attr-defined]
    with open_store(url) as store:
        assert store.read("RETURN 1 AS ok") == [{"ok": 1}]
        assert store.health().ok
