"""A real Neo4j 5.26 (LTS) Community server for the test suite, built from Maven Central jars.

What lives here: resolving the server's jars (``ensure_jars``), starting one server process in a
work directory on a free 127.0.0.1 port with authentication on (``start``), waiting until Bolt
answers, and stopping it (``Neo4jServer.stop``). ``python -m tests.neo4j_server`` starts one for
manual use and prints its URL and password.

What must not live here: anything pytest-specific (that is ``tests/neo4j_plugin.py``), product
code (the product talks to Neo4j only through ``graph/``), or mocks.

How it works, so that failures are readable:
- ``tools/neo4j/pom.xml`` depends on ``org.neo4j:neo4j`` (the Community server).
  ``mvn dependency:copy-dependencies`` copies it and its runtime dependencies into a cache folder
  (default ``~/.cache/ronglian/neo4j-<version>/lib``, or ``$RONGLIAN_NEO4J_HOME/lib``) that is
  reused once a completion marker is written, so reruns never touch the network.
- The initial password is set with the server's own admin tool
  (``org.neo4j.cli.AdminTool dbms set-initial-password``, in ``neo4j-command-line``), which writes
  ``data/dbms/auth.ini`` before the first start: the same path ``neo4j-admin`` takes.
- The server is ``java -cp <lib>/* org.neo4j.server.CommunityEntryPoint``, the same entry point
  the distribution's ``bin/neo4j console`` ends in.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import functools
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

#: Newest 5.26 LTS patch that resolved from Maven Central when this was written.
DEFAULT_VERSION = "5.26.30"
#: Neo4j 5.26 runs on Java 17 or 21.
MIN_JAVA = 17

REPO_ROOT = Path(__file__).resolve().parents[1]
POM = REPO_ROOT / "tools" / "neo4j" / "pom.xml"
MARKER = ".ronglian-complete.json"
USER = "neo4j"

# Processes started by this module and not yet stopped: stopped at interpreter exit so that a
# crashed test session does not leave a JVM behind on a shared machine.
_LIVE: set[Neo4jServer] = set()


class Neo4jError(Exception):
    """Root of this module's errors."""


class Neo4jUnavailable(Neo4jError):
    """Java or Maven is missing (or too old), or the jars cannot be resolved on this machine."""


class Neo4jResolveError(Neo4jUnavailable):
    """Maven ran but could not resolve the server's jars (offline, bad version...)."""


class Neo4jStartError(Neo4jError):
    """The server process exited or did not answer on Bolt before the deadline."""


def neo4j_version() -> str:
    """The Neo4j version to use: ``$RONGLIAN_NEO4J_VERSION`` or :data:`DEFAULT_VERSION`."""
    return os.environ.get("RONGLIAN_NEO4J_VERSION", "").strip() or DEFAULT_VERSION


def cache_home(version: str | None = None) -> Path:
    """Folder holding ``lib/`` (the jars): ``$RONGLIAN_NEO4J_HOME`` or the per-user cache."""
    override = os.environ.get("RONGLIAN_NEO4J_HOME", "").strip()
    if override:
        return Path(override).expanduser()
    base = Path(os.environ.get("XDG_CACHE_HOME", "") or Path.home() / ".cache")
    return base / "ronglian" / f"neo4j-{version or neo4j_version()}"


def find_java() -> Path:
    """The ``java`` to run the server with (``$JAVA_HOME/bin/java`` first), checked for >= 17."""
    java: str | None = None
    java_home = os.environ.get("JAVA_HOME", "").strip()
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        java = str(Path(java_home) / "bin" / "java")
    else:
        java = shutil.which("java")
    if not java:
        raise Neo4jUnavailable(
            "java not found: install a Java 17 or 21 runtime (e.g. apt-get install "
            "openjdk-17-jre-headless) to run the Neo4j test server"
        )
    text = _java_version_text(java)
    match = re.search(r'version "(\d+)(?:\.(\d+))?', text)
    if not match:
        raise Neo4jUnavailable(f"cannot read the version of {java}: {text.strip()[:200]}")
    major = int(match.group(1))
    if major == 1:  # "1.8.0" style
        major = int(match.group(2) or 0)
    if major < MIN_JAVA:
        raise Neo4jUnavailable(
            f"java at {java} is version {major}; Neo4j 5.26 needs Java 17 or 21 "
            "(set JAVA_HOME to one)"
        )
    return Path(java)


@functools.lru_cache(maxsize=8)
def _java_version_text(java: str) -> str:
    """``java -version`` output (cached: it also keys the class-data-sharing archive)."""
    try:
        out = subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise Neo4jUnavailable(f"java at {java} does not run: {exc}") from exc
    return out.stderr + out.stdout


def _read_marker(lib: Path, version: str) -> bool:
    """True when ``lib`` holds a complete resolution of ``version``."""
    try:
        marker = json.loads((lib / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(marker, dict) or marker.get("version") != version:
        return False
    jars = marker.get("jars")
    if not isinstance(jars, list) or not jars:
        return False
    return all((lib / str(name)).is_file() for name in jars)


@contextlib.contextmanager
def _file_lock(path: Path, timeout: float) -> Iterator[None]:
    """Exclusive lock so that parallel test sessions do not resolve into the same folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout
    with path.open("a+") as handle:
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise Neo4jUnavailable(
                        f"timed out waiting for another process resolving Neo4j jars ({path})"
                    ) from None
                time.sleep(0.5)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def mvn_command(output_dir: Path, version: str, mvn: str = "mvn") -> list[str]:
    """The Maven command that copies the server's jars into ``output_dir``."""
    return [
        mvn,
        "-q",
        "-B",
        "-f",
        str(POM),
        f"-Dneo4j.version={version}",
        "dependency:copy-dependencies",
        f"-DoutputDirectory={output_dir}",
    ]


def ensure_jars(version: str | None = None, *, timeout: float = 600.0) -> Path:
    """Return the folder with the Neo4j server's jars, resolving them with Maven if needed.

    Reuses the cache when a completion marker says every jar is there; otherwise runs Maven into
    a temporary folder and moves it into place only on success, so an interrupted run never
    leaves a half-filled cache that looks complete.
    """
    version = version or neo4j_version()
    home = cache_home(version)
    lib = home / "lib"
    if _read_marker(lib, version):
        return lib
    mvn = shutil.which("mvn")
    if not mvn:
        raise Neo4jUnavailable(
            "mvn (Apache Maven) not found: install it (e.g. apt-get install maven) so the Neo4j "
            f"test server's jars can be resolved from Maven Central into {lib}"
        )
    if not POM.is_file():
        raise Neo4jUnavailable(f"{POM} is missing")
    with _file_lock(home / ".lock", timeout):
        if _read_marker(lib, version):  # another process finished while we waited
            return lib
        tmp = home / f"lib.tmp-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        cmd = mvn_command(tmp, version, mvn)
        try:
            proc = subprocess.run(
                cmd,
                cwd=REPO_ROOT,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise Neo4jResolveError(
                f"Maven did not resolve Neo4j {version} within {timeout:.0f}s: {' '.join(cmd)}"
            ) from exc
        jars = sorted(p.name for p in tmp.glob("*.jar")) if tmp.is_dir() else []
        if proc.returncode != 0 or not any(j.startswith(f"neo4j-{version}") for j in jars):
            shutil.rmtree(tmp, ignore_errors=True)
            tail = _tail_text((proc.stdout or "") + (proc.stderr or ""), 30)
            raise Neo4jResolveError(
                f"Maven could not resolve Neo4j {version} (exit {proc.returncode}): "
                f"{' '.join(cmd)}\n{tail}"
            )
        (tmp / MARKER).write_text(
            json.dumps({"version": version, "jars": jars}, indent=0), encoding="utf-8"
        )
        shutil.rmtree(lib, ignore_errors=True)
        tmp.rename(lib)
    return lib


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now (the server may still lose a race)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail_text(text: str, lines: int) -> str:
    return "\n".join(text.splitlines()[-lines:])


def _tail_file(path: Path, lines: int) -> str:
    try:
        return _tail_text(path.read_text(encoding="utf-8", errors="replace"), lines)
    except OSError:
        return ""


def write_config(workdir: Path, port: int, *, heap: str, pagecache: str) -> Path:
    """Write ``conf/neo4j.conf`` for a loopback-only, Bolt-only, small server; return conf dir."""
    conf = workdir / "conf"
    conf.mkdir(parents=True, exist_ok=True)
    dirs = {name: workdir / name for name in ("data", "logs", "run", "import", "plugins")}
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    settings = {
        **{f"server.directories.{name}": str(path) for name, path in dirs.items()},
        # Loopback only, Bolt only: nothing listens on another interface or port.
        "server.default_listen_address": "127.0.0.1",
        "server.default_advertised_address": "127.0.0.1",
        "server.bolt.enabled": "true",
        "server.bolt.listen_address": f"127.0.0.1:{port}",
        "server.bolt.advertised_address": f"127.0.0.1:{port}",
        "server.bolt.tls_level": "DISABLED",
        "server.http.enabled": "false",
        "server.https.enabled": "false",
        "dbms.security.auth_enabled": "true",
        # Tests try wrong passwords on purpose; the default locks the user for 5 s after 3
        # failures, which would fail the next, correct, login of an unrelated test.
        "dbms.security.auth_max_failed_attempts": "0",
        # Read by the launcher only; kept for the record, the JVM flags below do the work.
        "server.memory.heap.max_size": heap,
        "server.memory.pagecache.size": pagecache,
        # No phoning home, no query log, no preallocated 250 MB transaction logs.
        "dbms.usage_report.enabled": "false",
        "db.logs.query.enabled": "OFF",
        "db.tx_log.preallocate": "false",
        "db.tx_log.rotation.size": "16M",
        # A test server is thrown away: do not wait 10 s for Bolt to drain on shutdown.
        # These are internal settings that may vanish in a later patch, hence no strict
        # validation (an unknown key is then logged, not fatal).
        "server.config.strict_validation.enabled": "false",
        "internal.dbms.bolt.netty_server_shutdown_quiet_period": "0",
        "internal.dbms.bolt.netty_server_shutdown_timeout": "2s",
        "internal.server.bolt.connection_shutdown_wait_time": "1s",
        "internal.server.bolt.thread_pool_shutdown_wait_time": "1s",
        "db.shutdown_transaction_end_timeout": "2s",
        # Time limits are enforced by a monitor that looks every 2 s by default: a 50 ms
        # limit in a test would let a 1 s query finish. Production keeps its own setting.
        "db.transaction.monitor.check.interval": "100ms",
    }
    text = "".join(f"{key}={value}\n" for key, value in settings.items())
    (conf / "neo4j.conf").write_text(text, encoding="utf-8")
    return conf


def _jvm_flags(heap: str) -> list[str]:
    # SerialGC: the machine has 2 shared cores and the heap is small. TieredStopAtLevel=1 (C1
    # only): start-up burns about a third less CPU without the C2 compiler threads, and test
    # workloads are too short for C2 to pay off (measured: 10.5 -> 6.7 CPU-s to Bolt ready).
    # The --add-opens are the ones the distribution's launcher passes (without them the page
    # cache falls back to a slower mode). $RONGLIAN_NEO4J_JVM_OPTS is appended last, so it
    # overrides (e.g. "-XX:TieredStopAtLevel=4" for a benchmark).
    return [
        "-Xms64m",
        f"-Xmx{heap}",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-XX:-OmitStackTraceInFastThrow",
        "-Djdk.nio.maxCachedBufferSize=1024",
        "-Dio.netty.tryReflectionSetAccessible=true",
        "-Dlog4j2.disable.jmx=true",
        "-Dfile.encoding=UTF-8",
        "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--add-opens=java.base/java.io=ALL-UNNAMED",
        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--enable-native-access=ALL-UNNAMED",
        *os.environ.get("RONGLIAN_NEO4J_JVM_OPTS", "").split(),
    ]


def _cds_flags(java: Path, lib: Path) -> tuple[list[str], tuple[Path, Path] | None]:
    """Class-data-sharing flags: reuse an archive of the server's classes, or record one.

    Loading and verifying ~200 jars' classes is most of the start-up CPU; a dynamic CDS
    archive (Java 13+) cuts it (measured 6.9 -> 4.4 CPU-s to Bolt ready). The archive is
    recorded at the first server's exit, into a temporary name that is moved into place only
    after a clean exit, and keyed by the exact JVM build and class path, so a JDK update or a
    new Neo4j version records a fresh one instead of being silently ignored.
    ``RONGLIAN_NEO4J_CDS=0`` turns this off. Returns (flags, (recording, final) or None).
    """
    if os.environ.get("RONGLIAN_NEO4J_CDS", "1").strip() in {"0", "false", "no"}:
        return [], None
    key_text = "\n".join(
        [
            str(java.resolve()),
            _java_version_text(str(java)),
            str(lib.resolve()),
            *sorted(p.name for p in lib.glob("*.jar")),
        ]
    )
    key = hashlib.sha256(key_text.encode()).hexdigest()[:16]
    archive = lib.parent / "cds" / f"neo4j-{key}.jsa"
    if archive.is_file() and archive.stat().st_size > 0:
        return [f"-XX:SharedArchiveFile={archive}"], None
    archive.parent.mkdir(parents=True, exist_ok=True)
    recording = archive.with_name(f"{archive.stem}.tmp-{os.getpid()}-{secrets.token_hex(4)}.jsa")
    return [f"-XX:ArchiveClassesAtExit={recording}"], (recording, archive)


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Ask Linux to SIGTERM the server if the Python process that started it dies (kill -9)."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def set_initial_password(
    java: Path, lib: Path, workdir: Path, conf: Path, password: str, timeout: float = 120.0
) -> None:
    """Run the admin tool's ``dbms set-initial-password`` (writes ``data/dbms/auth.ini``)."""
    env = {**os.environ, "NEO4J_HOME": str(workdir), "NEO4J_CONF": str(conf)}
    cmd = [
        str(java),
        "-Xmx128m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-cp",
        f"{lib}/*",
        "org.neo4j.cli.AdminTool",
        "dbms",
        "set-initial-password",
        password,
    ]
    try:
        proc = subprocess.run(
            cmd,
            env=env,
            cwd=workdir,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as exc:
        raise Neo4jStartError(f"set-initial-password did not finish within {timeout:.0f}s") from exc
    if proc.returncode != 0:
        raise Neo4jStartError(
            f"set-initial-password failed (exit {proc.returncode}):\n"
            + _tail_text(proc.stdout + proc.stderr, 30)
        )


class Neo4jServer:
    """A running Neo4j server process started by :func:`start`."""

    def __init__(
        self,
        *,
        process: subprocess.Popen[bytes],
        workdir: Path,
        port: int,
        password: str,
        version: str = "",
        cds_recording: tuple[Path, Path] | None = None,
    ) -> None:
        self.process = process
        self._cds_recording = cds_recording
        self.workdir = workdir
        self.port = port
        self.host = "127.0.0.1"
        self.uri = f"bolt://127.0.0.1:{port}"
        self.user = USER
        self.password = password
        self.version = version
        self.log_path = workdir / "logs" / "neo4j.log"
        self.debug_log_path = workdir / "logs" / "debug.log"
        self.console_path = workdir / "logs" / "console.log"

    @property
    def auth(self) -> tuple[str, str]:
        return (self.user, self.password)

    @property
    def pid(self) -> int:
        return self.process.pid

    def is_running(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        """The end of the server's logs, for error messages."""
        parts = []
        for path in (self.console_path, self.log_path):
            tail = _tail_file(path, lines)
            if tail.strip():
                parts.append(f"--- {path} ---\n{tail}")
        errors = [
            line
            for line in _tail_file(self.debug_log_path, 400).splitlines()
            if " ERROR " in line or "Exception" in line
        ]
        if errors:
            parts.append(f"--- errors in {self.debug_log_path} ---\n" + "\n".join(errors[-15:]))
        return "\n".join(parts) or "(the server wrote no log)"

    def stop(self, timeout: float = 30.0) -> None:
        """Terminate the server, wait for it, and kill it if it does not stop in time."""
        _LIVE.discard(self)
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    self.process.kill()
                self.process.wait(timeout=30)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
        self._finish_cds()

    def _finish_cds(self) -> None:
        """Keep the class-data archive recorded at exit only if the JVM exited cleanly."""
        if self._cds_recording is None:
            return
        recording, final = self._cds_recording
        self._cds_recording = None
        try:
            if self.process.returncode == 0 and recording.is_file() and not final.exists():
                os.replace(recording, final)
        except OSError:
            pass
        finally:
            recording.unlink(missing_ok=True)

    def __enter__(self) -> Neo4jServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"Neo4jServer(uri={self.uri!r}, version={self.version!r}, pid={self.pid})"


@atexit.register
def _stop_all() -> None:
    for server in list(_LIVE):
        server.stop(timeout=15)


def _wait_for_bolt(server: Neo4jServer, deadline: float) -> str:
    """Wait until Bolt answers with our credentials; return the server's version."""
    import neo4j
    from neo4j.exceptions import DriverError
    from neo4j.exceptions import Neo4jError as ServerError

    last: Exception | None = None
    while True:
        if not server.is_running():
            raise Neo4jStartError(
                f"Neo4j exited with code {server.process.returncode} before Bolt answered "
                f"on {server.uri}\n{server.log_tail()}"
            )
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise Neo4jStartError(
                f"Neo4j did not answer on {server.uri} before the deadline "
                f"(last error: {last!r})\n{server.log_tail()}"
            )
        try:
            with neo4j.GraphDatabase.driver(
                server.uri,
                auth=server.auth,
                connection_timeout=min(5.0, max(remaining, 0.5)),
                max_connection_lifetime=60,
            ) as driver:
                driver.verify_connectivity()
                records, _, _ = driver.execute_query(
                    "CALL dbms.components() YIELD name, versions "
                    "RETURN name, versions[0] AS version",
                    database_="system",
                )
                # The port could have been taken by someone else's server in the race after
                # free_port(): only accept the answer while our process is still alive.
                if not server.is_running():
                    continue
                for record in records:
                    if record["name"] == "Neo4j Kernel":
                        return str(record["version"])
                return str(records[0]["version"]) if records else ""
        except (DriverError, ServerError, OSError) as exc:
            # AuthError while booting: the auth provider is not ready yet, or the port belongs to
            # a foreign server; either way our process decides (it exits, or it comes up).
            last = exc
        time.sleep(0.5)


def start(
    workdir: Path,
    *,
    password: str | None = None,
    timeout: float = 180.0,
    heap: str = "512m",
    pagecache: str = "128m",
    version: str | None = None,
    attempts: int = 3,
) -> Neo4jServer:
    """Start a Neo4j server with its data in ``workdir`` and wait until Bolt answers.

    ``workdir`` should be new or empty (its password is kept in ``workdir/password`` so a reused
    folder can be started again without one). Raises :class:`Neo4jUnavailable` when Java/Maven
    are missing and :class:`Neo4jStartError` (with the log's tail) when the server does not come
    up before ``timeout``; it never waits longer than that (plus the jar resolution).
    """
    java = find_java()
    lib = ensure_jars(version)
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    password_file = workdir / "password"
    first_start = not (workdir / "data" / "databases").exists()
    if password is None:
        if not first_start and password_file.is_file():
            password = password_file.read_text(encoding="utf-8").strip()
        else:
            password = "rl-" + secrets.token_urlsafe(12)
    if len(password) < 8:
        raise ValueError("Neo4j 5 refuses passwords shorter than 8 characters")
    deadline = time.monotonic() + timeout
    last_error: Neo4jStartError | None = None
    for _attempt in range(max(1, attempts)):
        port = free_port()
        conf = write_config(workdir, port, heap=heap, pagecache=pagecache)
        if first_start:
            set_initial_password(java, lib, workdir, conf, password)
            password_file.write_text(password + "\n", encoding="utf-8")
            password_file.chmod(0o600)
        console = workdir / "logs" / "console.log"
        cds_flags, cds_recording = _cds_flags(java, lib)
        cmd = [
            str(java),
            *_jvm_flags(heap),
            *cds_flags,
            "-cp",
            f"{lib}/*",
            "org.neo4j.server.CommunityEntryPoint",
            f"--home-dir={workdir}",
            f"--config-dir={conf}",
        ]
        env = {**os.environ, "NEO4J_HOME": str(workdir), "NEO4J_CONF": str(conf)}
        with console.open("ab") as out:
            process = subprocess.Popen(
                cmd,
                cwd=workdir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
            )
        server = Neo4jServer(
            process=process,
            workdir=workdir,
            port=port,
            password=password,
            cds_recording=cds_recording,
        )
        _LIVE.add(server)
        try:
            server.version = _wait_for_bolt(server, deadline)
            return server
        except Neo4jStartError as exc:
            server.stop(timeout=15)
            last_error = exc
            # Lost the race for the port: try another one while time remains.
            if "Address already in use" in str(exc) and time.monotonic() < deadline:
                continue
            raise
        except BaseException:
            server.stop(timeout=15)
            raise
    assert last_error is not None
    raise last_error


def main(argv: list[str] | None = None) -> int:
    """``python -m tests.neo4j_server [--fetch] [workdir]``.

    ``--fetch`` only resolves the jars (for CI set-up) and prints their folder; otherwise a
    server is started in ``workdir`` (default: a new temporary folder) and runs until Ctrl-C.
    """
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(prog="python -m tests.neo4j_server", description=__doc__)
    parser.add_argument("--fetch", action="store_true", help="only resolve the jars")
    parser.add_argument("workdir", nargs="?", type=Path, help="server data and logs folder")
    args = parser.parse_args(argv)
    t0 = time.monotonic()
    try:
        lib = ensure_jars()
        t1 = time.monotonic()
        if args.fetch:
            print(f"Neo4j {neo4j_version()} jars in {lib} ({t1 - t0:.1f}s)")
            return 0
        workdir = args.workdir or Path(tempfile.mkdtemp(prefix="ronglian-neo4j-"))
        server = start(workdir)
    except Neo4jError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    t2 = time.monotonic()
    print(f"Neo4j {server.version} ready in {t2 - t1:.1f}s (jars {t1 - t0:.1f}s, {lib})")
    print(f"RONGLIAN_STORE={server.uri}")
    print(f"RONGLIAN_NEO4J_USER={server.user}")
    print(f"RONGLIAN_NEO4J_PASSWORD={server.password}")
    print(f"data and logs: {workdir}  (Ctrl-C stops the server)")
    sys.stdout.flush()
    stop = False

    def _on_signal(signum: int, frame: Any) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, _on_signal)
    try:
        while not stop and server.is_running():
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
