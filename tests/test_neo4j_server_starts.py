"""The Neo4j test server is real, 5.26, password-protected and reachable on loopback only."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import neo4j
import pytest
from neo4j.exceptions import AuthError

from tests.neo4j_server import Neo4jServer

pytestmark = pytest.mark.neo4j


def _non_loopback_ipv4() -> str | None:
    """An address of this machine that is not 127.x (the one used to reach the outside)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("192.0.2.1", 9))  # TEST-NET-1: no packet is sent for UDP connect
            addr = str(sock.getsockname()[0])
        except OSError:
            return None
    return None if addr.startswith("127.") or addr == "0.0.0.0" else addr


def _listening_ports(pid: int) -> set[tuple[str, int]]:
    """(address, port) of the TCP sockets the process listens on, read from /proc."""
    inodes: set[str] = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = fd.readlink()
        except OSError:
            continue
        match = re.fullmatch(r"socket:\[(\d+)\]", str(target))
        if match:
            inodes.add(match.group(1))
    found: set[tuple[str, int]] = set()
    for table in ("tcp", "tcp6"):
        path = Path(f"/proc/net/{table}")
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            cols = line.split()
            local, state, inode = cols[1], cols[3], cols[9]
            if state != "0A" or inode not in inodes:  # 0A = LISTEN
                continue
            hex_addr, hex_port = local.split(":")
            found.add((_decode_addr(hex_addr), int(hex_port, 16)))
    return found


def _decode_addr(hex_addr: str) -> str:
    raw = bytes.fromhex(hex_addr)
    # /proc/net stores addresses as host-order 32-bit words.
    words = [raw[i : i + 4][::-1] for i in range(0, len(raw), 4)]
    data = b"".join(words)
    if len(data) == 4:
        return socket.inet_ntop(socket.AF_INET, data)
    return socket.inet_ntop(socket.AF_INET6, data)


def test_return_1_on_real_neo4j_5_26(neo4j_server: Neo4jServer) -> None:
    with neo4j.GraphDatabase.driver(neo4j_server.uri, auth=neo4j_server.auth) as driver:
        records, _, _ = driver.execute_query("RETURN 1 AS one")
        components, _, _ = driver.execute_query(
            "CALL dbms.components() YIELD name, versions, edition "
            "RETURN name, versions[0] AS version, edition"
        )
    assert [r["one"] for r in records] == [1]
    assert neo4j_server.version.startswith("5.26.")
    kernel = [c for c in components if c["name"] == "Neo4j Kernel"]
    assert kernel and kernel[0]["version"] == neo4j_server.version
    assert kernel[0]["edition"] == "community"


def test_wrong_password_is_refused(neo4j_server: Neo4jServer) -> None:
    assert neo4j_server.user == "neo4j"
    with (
        neo4j.GraphDatabase.driver(neo4j_server.uri, auth=("neo4j", "not-the-password")) as drv,
        pytest.raises(AuthError),
    ):
        drv.verify_connectivity()


def test_no_credentials_are_refused(neo4j_server: Neo4jServer) -> None:
    with (
        neo4j.GraphDatabase.driver(neo4j_server.uri, auth=None) as driver,
        pytest.raises(AuthError),
    ):
        driver.verify_connectivity()


def test_listens_on_loopback_only(neo4j_server: Neo4jServer) -> None:
    assert neo4j_server.uri.startswith("bolt://127.0.0.1:")
    listening = _listening_ports(neo4j_server.pid)
    assert (neo4j_server.host, neo4j_server.port) in listening or (
        "::ffff:127.0.0.1",
        neo4j_server.port,
    ) in listening
    for addr, _port in listening:
        assert addr in {"127.0.0.1", "::ffff:127.0.0.1", "::1"}, listening
    # Bolt only: HTTP and HTTPS are disabled, so the Bolt port is the only one.
    assert {port for _addr, port in listening} == {neo4j_server.port}
    other = _non_loopback_ipv4()
    if other is not None:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(2)
            assert sock.connect_ex((other, neo4j_server.port)) != 0


def test_data_and_logs_live_in_the_session_workdir(neo4j_server: Neo4jServer) -> None:
    assert neo4j_server.log_path.is_file()
    assert neo4j_server.log_path.is_relative_to(neo4j_server.workdir)
    assert (neo4j_server.workdir / "data" / "databases").is_dir()
    assert "Started." in neo4j_server.log_path.read_text(encoding="utf-8")
