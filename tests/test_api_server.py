"""A real ``uvicorn api.app:create_app --factory`` on 127.0.0.1 with the demo data:
50 concurrent clients on search and recommendations (zero errors, connections back to
their baseline, no descriptor growth between rounds), and graceful shutdown (SIGTERM
lets the request in flight finish, then the process exits 0).

``RONGLIAN_LOAD_SECONDS`` sets the load duration (default 4 s per round); the full
30-second run is ``test_api_server_50_clients_30s`` (slow).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from api.keys import KeyStore
from graph.settings import Settings
from graph.store import open_store

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = 50
LOAD_SECONDS = float(os.environ.get("RONGLIAN_LOAD_SECONDS", "4"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path
    token: str
    enterprise_ids: list[str] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.proc.pid


def _start(tmp: Path, store_dir: Path, token_keys: Path, threadpool: int = 40) -> Server:
    port = _free_port()
    env = {**os.environ,
           "RONGLIAN_STORE": f"embedded://{store_dir}",
           "RONGLIAN_KEYS_PATH": str(token_keys),
           "RONGLIAN_JOB_DIR": str(tmp / "jobs"),
           "RONGLIAN_ANONYMOUS_READ": "true",
           "RONGLIAN_RATE_LIMIT_PER_MINUTE": "0",
           "RONGLIAN_THREADPOOL_SIZE": str(threadpool),
           "RONGLIAN_LOG_LEVEL": "INFO"}
    log = tmp / f"server-{port}.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--timeout-graceful-shutdown", "10",
         "--no-access-log"],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server died: {log.read_text()[-3000:]}")
        try:
            if httpx.get(url + "/api/v1/ready", timeout=2).status_code == 200:
                return Server(url, port, proc, log, token="")
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise AssertionError(f"server not ready: {log.read_text()[-3000:]}")


def _stop(server: Server) -> int:
    if server.proc.poll() is None:
        server.proc.send_signal(signal.SIGTERM)
        try:
            return server.proc.wait(30)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait(10)
            return -9
    return int(server.proc.returncode)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ingest.demo import load_demo

    d = tmp_path_factory.mktemp("server-store")
    with open_store(f"embedded://{d / 'store'}") as s:
        load_demo(s, run_dir=d / "runs")
    return d


@pytest.fixture(scope="module")
def server(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("server")
    keys = tmp / "keys.sqlite3"
    ks = KeyStore(keys)
    token = ks.create("load-test", "reader").token
    ks.close()
    srv = _start(tmp, demo_dir / "store", keys)
    srv.token = token
    r = httpx.post(srv.url + "/api/v1/cypher", headers={"X-API-Key": token}, timeout=30, json={
        "query": "MATCH (e:Enterprise) RETURN e.id AS id, e.name AS name ORDER BY id LIMIT 20"})
    assert r.status_code == 200, r.text
    srv.enterprise_ids = [row["id"] for row in r.json()["rows"]]
    yield srv
    _stop(srv)


def _targets(srv: Server) -> list[str]:
    """Search and recommendation URLs when those routes exist, else chain reads."""
    paths = set(httpx.get(srv.url + "/openapi.json", timeout=10).json()["paths"])
    eid = srv.enterprise_ids[0]
    out = []
    if "/api/v1/enterprises" in paths:
        out += ["/api/v1/enterprises?q=唐山", "/api/v1/enterprises?q=钢铁"]
    if "/api/v1/search" in paths:
        out += ["/api/v1/search?q=唐山"]
    if "/api/v1/recommendations/partners" in paths:
        for e in srv.enterprise_ids[:6]:
            out += [f"/api/v1/recommendations/partners?enterprise={e}",
                    f"/api/v1/recommendations/partners?enterprise={e}&relation=SUPPLIED_BY"]
    if "/api/v1/enterprises/{enterprise_id}" in paths:
        out.append(f"/api/v1/enterprises/{eid}")
    if not out:  # the search/recommendation routes have not landed: still load the API
        out = ["/api/v1/chains", "/api/v1/chains/ts-steel"]
    return out


def _server_connections(srv: Server) -> int:
    proc = psutil.Process(srv.pid)
    return sum(1 for c in proc.net_connections(kind="tcp")
               if c.laddr and c.laddr.port == srv.port and c.status == psutil.CONN_ESTABLISHED)


async def _load(srv: Server, urls: list[str], seconds: float) -> dict[str, Any]:
    errors: list[str] = []
    done = 0

    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    # Made before the clock starts: building 50 clients takes seconds on a busy machine.
    clients = [httpx.AsyncClient(base_url=srv.url, limits=limits, timeout=30)
               for _ in range(CLIENTS)]
    stop_at = time.monotonic() + seconds

    async def client(i: int) -> None:
        nonlocal done
        async with clients[i] as c:
            k = i
            while time.monotonic() < stop_at:
                url = urls[k % len(urls)]
                k += 1
                try:
                    r = await c.get(url)
                    if r.status_code != 200:
                        errors.append(f"{url}: {r.status_code} {r.text[:200]}")
                except httpx.HTTPError as e:
                    errors.append(f"{url}: {type(e).__name__} {e}")
                done += 1

    await asyncio.gather(*(client(i) for i in range(CLIENTS)))
    return {"requests": done, "errors": errors}


def _settle(srv: Server, baseline: int, timeout: float = 15) -> int:
    deadline = time.monotonic() + timeout
    n = _server_connections(srv)
    while n > baseline and time.monotonic() < deadline:
        time.sleep(0.2)
        n = _server_connections(srv)
    return n


def _run_rounds(srv: Server, seconds: float, rounds: int) -> None:
    urls = _targets(srv)
    for u in urls:  # warm caches so the descriptor baseline includes the store pool
        assert httpx.get(srv.url + u, timeout=30).status_code == 200, u
    baseline = _settle(srv, 0, timeout=5)
    fds: list[int] = []
    for _ in range(rounds):
        out = asyncio.run(_load(srv, urls, seconds))
        assert out["requests"] >= CLIENTS  # every client got at least one answer
        assert not out["errors"], out["errors"][:5]
        assert _settle(srv, baseline) <= baseline, "HTTP connections did not return to baseline"
        fds.append(psutil.Process(srv.pid).num_fds())
    # A leak grows with every round; pools reach their size in the first one.
    assert fds[-1] <= fds[0] + 5, fds


def test_api_server_50_clients_no_errors_no_leaks(server: Server) -> None:
    _run_rounds(server, LOAD_SECONDS, rounds=2)


@pytest.mark.slow
def test_api_server_50_clients_30s(server: Server) -> None:
    _run_rounds(server, 30.0, rounds=2)


def test_api_server_recycles_a_keepalive_connection_at_the_default_limit(server: Server
                                                                         ) -> None:
    """Through a real uvicorn worker, one keep-alive connection gets Connection: close on its
    limit-th answer (the default, ``RONGLIAN_KEEPALIVE_REQUESTS``), and the client's next
    request, on a new connection, is answered and counted afresh."""
    limit = Settings.model_fields["keepalive_requests"].default
    assert limit > 1
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    with httpx.Client(base_url=server.url, limits=limits, timeout=30) as c:
        heads = []
        for _ in range(2 * limit + 1):
            r = c.get("/api/v1/chains")
            assert r.status_code == 200
            heads.append(r.headers.get("connection"))
    assert [i for i, h in enumerate(heads) if h is not None] == [limit - 1, 2 * limit - 1]
    assert heads[limit - 1] == heads[2 * limit - 1] == "close"


def test_api_server_logs_are_json_with_request_ids(server: Server) -> None:
    import json

    rid = "server-log-check-1"
    assert httpx.get(server.url + "/api/v1/chains", headers={"X-Request-ID": rid},
                     timeout=10).headers["x-request-id"] == rid
    time.sleep(0.3)
    lines = [line for line in server.log.read_text(encoding="utf-8").splitlines() if rid in line]
    assert lines, "no log line carries the request id"
    for line in lines:
        assert json.loads(line)["request_id"] == rid


def test_api_server_graceful_shutdown_finishes_the_request_in_flight(
        demo_dir: Path, tmp_path: Path) -> None:
    keys = tmp_path / "keys.sqlite3"
    ks = KeyStore(keys)
    token = ks.create("shutdown-test", "reader").token
    ks.close()
    srv = _start(tmp_path, demo_dir / "store", keys)
    result: dict[str, Any] = {}

    def slow_request() -> None:
        try:
            r = httpx.post(srv.url + "/api/v1/cypher", headers={"X-API-Key": token}, timeout=60,
                           json={"query": "UNWIND range(1, 2500) AS a UNWIND range(1, 2500) AS b "
                                          "WITH a, b WHERE (a * b) % 7 = 3 RETURN count(*) AS c",
                                 "timeout_s": 10})
            result["status"] = r.status_code
            result["body"] = r.json()
            result["done_at"] = time.monotonic()
        except httpx.HTTPError as e:
            result["error"] = repr(e)

    t = threading.Thread(target=slow_request)
    t.start()
    time.sleep(0.4)  # the request is in the server now
    srv.proc.send_signal(signal.SIGTERM)
    signalled_at = time.monotonic()
    t.join(60)
    code = srv.proc.wait(30)
    assert result.get("status") == 200, result
    assert result["body"]["rows"][0]["c"] > 0
    assert result["done_at"] > signalled_at, "the request ended before the signal: test is void"
    # uvicorn re-raises the signal after its graceful shutdown, so -SIGTERM is a clean exit.
    assert code in (0, -signal.SIGTERM), code
    log = srv.log.read_text(encoding="utf-8")
    assert "api stopped" in log
    with pytest.raises(httpx.HTTPError):
        httpx.get(srv.url + "/api/v1/health", timeout=2)


def _store_servers(store_dir: Path) -> list[psutil.Process]:
    """The embedded FalkorDB servers running on ``store_dir``'s files."""
    found = []
    for p in psutil.process_iter(["name", "cwd"]):
        if "redis-server" in (p.info["name"] or "") and p.info["cwd"] == str(store_dir):
            found.append(p)
    return found


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_command_closes_its_embedded_store_when_stopped(tmp_path: Path,
                                                              sig: signal.Signals) -> None:
    # ``ronglian serve`` owns its store: uvicorn ends its graceful shutdown by raising the
    # signal again, and with SIGTERM's default handler the process used to die there,
    # leaving the store's FalkorDB server running on its files.
    store_dir = tmp_path / "store"
    with open_store(f"embedded://{store_dir}") as s:
        s.apply_schema()
    assert not _store_servers(store_dir)
    port = _free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "RONGLIAN_KEYS_PATH": str(tmp_path / "keys.sqlite3"),
           "RONGLIAN_ANONYMOUS_READ": "true", "RONGLIAN_JOB_DIR": str(tmp_path / "jobs")}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from api.cli import main; main()", "serve",
         "--store", f"embedded://{store_dir}", "--port", str(port)],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
        # a child of a non-interactive shell may start with SIGINT ignored: not this one
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.default_int_handler))
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, f"server died: {log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"server not ready: {log.read_text()[-3000:]}"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v1/ready", timeout=2).status_code \
                        == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        assert len(_store_servers(store_dir)) == 1
        proc.send_signal(sig)
        assert proc.wait(30) == 0, log.read_text()[-3000:]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    deadline = time.monotonic() + 10
    while _store_servers(store_dir) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = _store_servers(store_dir)
    for p in left:  # not to outlive the test
        p.kill()
    assert not left, "the store's FalkorDB server outlived `ronglian serve`"
    text = log.read_text()
    assert "api stopped" in text and "ronglian stopped" in text and "Traceback" not in text
