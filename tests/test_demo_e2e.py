"""The first end-to-end slice (issue 2, item 6): ``ronglian demo`` loads the bundled
demo into a store, idempotently, and serves ``/api/v1/health`` and ``/api/v1/chains``
on a real uvicorn; ``ronglian serve`` serves the same store without loading."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from graph.store import open_store

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-c", "from api.cli import main; main()"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, object]:
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.status, json.loads(r.read().decode("utf-8"))


@contextmanager
def _running(args: list[str], port: int, log: Path, timeout: float = 240,
             **extra_env: str) -> Iterator[str]:
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "RONGLIAN_RATE_LIMIT_PER_MINUTE": "0", **extra_env}
    with open(log, "w") as fh:
        proc = subprocess.Popen([*CLI, *args, "--port", str(port)], cwd=ROOT, stdout=fh,
                                stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                pytest.fail(f"server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
            try:
                _get(base + "/api/v1/health")
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"server not up after {timeout}s:\n{log.read_text()[-3000:]}")
                time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _counts(url: str) -> dict[str, int]:
    """Nodes per label and relationships per type, leaving out the runs' own records
    (every run adds its ``IngestRun`` node by design)."""
    with open_store(url) as s:
        nodes = s.read("MATCH (n) WHERE NOT n:IngestRun "
                       "RETURN labels(n)[0] AS k, count(*) AS n")
        rels = s.read("MATCH ()-[r]->() RETURN type(r) AS k, count(*) AS n")
    return {row["k"]: row["n"] for row in nodes + rels}


def test_demo_loads_and_serves_chains(tmp_path: Path) -> None:
    url = f"embedded://{tmp_path / 'store'}"
    with _running(["demo", "--store", url], _free_port(), tmp_path / "demo.log") as base:
        status, health = _get(base + "/api/v1/health")
        assert status == 200
        assert health["store"]["ok"] is True  # type: ignore[index]
        assert health["store"]["engine"] == "falkordb"  # type: ignore[index]
        status, chains = _get(base + "/api/v1/chains")
        assert status == 200
        assert isinstance(chains, list) and len(chains) >= 6
        steel = [c for c in chains if "钢" in c["name"]]
        assert steel, chains
        assert steel[0]["segments"] == 3 and steel[0]["enterprises"] > 50
    first = _counts(url)
    assert first["Enterprise"] > 2000 and first["SUPPLIES"] > 1000
    assert first["ServiceRequest"] > 0  # the demo's matchmaking records, after the load
    # idempotent: loading again changes nothing
    again = subprocess.run([*CLI, "demo", "--store", url, "--load-only"], cwd=ROOT,
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert "service requests: 0 created" in again.stderr  # the console writes there
    assert _counts(url) == first
    # serve loads nothing and answers the same (anonymous reads are the operator's choice)
    with _running(["serve", "--store", url], _free_port(), tmp_path / "serve.log",
                  RONGLIAN_ANONYMOUS_READ="true") as base:
        status, chains2 = _get(base + "/api/v1/chains")
        assert status == 200 and chains2 == chains
    assert _counts(url) == first
