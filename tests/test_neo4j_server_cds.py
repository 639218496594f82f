"""The class-data-sharing archive that speeds up the Neo4j test server's start is safe to reuse.

It is recorded once, kept only after a clean exit, reused afterwards, keyed by JVM build and
jar set (so a JDK update or another Neo4j version records a new one), and can be turned off.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests import neo4j_server as ns


@pytest.fixture
def fake_java(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    java = tmp_path / "jdk" / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text("#!/bin/sh\necho 'openjdk version \"17.0.15\" 2025-04-15' >&2\n")
    java.chmod(0o755)
    monkeypatch.delenv("RONGLIAN_NEO4J_CDS", raising=False)
    ns._java_version_text.cache_clear()
    return java


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    lib = tmp_path / "home" / "lib"
    lib.mkdir(parents=True)
    (lib / "neo4j-5.26.30.jar").write_bytes(b"PK")
    return lib


def test_first_run_records_then_reuses(fake_java: Path, lib: Path) -> None:
    flags, recording = ns._cds_flags(fake_java, lib)
    assert recording is not None
    tmp, final = recording
    assert flags == [f"-XX:ArchiveClassesAtExit={tmp}"]
    assert tmp.parent == final.parent == lib.parent / "cds"
    final.write_bytes(b"archive")
    assert ns._cds_flags(fake_java, lib) == ([f"-XX:SharedArchiveFile={final}"], None)


def test_new_jar_set_gets_a_new_archive(fake_java: Path, lib: Path) -> None:
    _, first = ns._cds_flags(fake_java, lib)
    assert first is not None
    first[1].write_bytes(b"archive")
    (lib / "extra-1.0.jar").write_bytes(b"PK")
    flags, second = ns._cds_flags(fake_java, lib)
    assert second is not None and second[1] != first[1]
    assert flags[0].startswith("-XX:ArchiveClassesAtExit=")


def test_can_be_turned_off(fake_java: Path, lib: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RONGLIAN_NEO4J_CDS", "0")
    assert ns._cds_flags(fake_java, lib) == ([], None)


def _server_with(tmp_path: Path, code: int, recording: tuple[Path, Path]) -> ns.Neo4jServer:
    proc = subprocess.Popen([sys.executable, "-c", f"raise SystemExit({code})"])
    proc.wait(timeout=30)
    return ns.Neo4jServer(
        process=proc, workdir=tmp_path, port=1, password="x" * 8, cds_recording=recording
    )


def test_archive_kept_only_after_clean_exit(tmp_path: Path) -> None:
    tmp, final = tmp_path / "a.tmp.jsa", tmp_path / "a.jsa"
    tmp.write_bytes(b"partial")
    _server_with(tmp_path, 1, (tmp, final)).stop()
    assert not tmp.exists() and not final.exists()  # a crashed JVM's dump is thrown away
    tmp.write_bytes(b"complete")
    _server_with(tmp_path, 0, (tmp, final)).stop()
    assert final.read_bytes() == b"complete" and not tmp.exists()
