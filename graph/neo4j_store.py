"""Neo4j 5 backend through the official ``neo4j`` driver over Bolt.

``bolt://`` for a single server, ``neo4j://`` for cluster routing (Enterprise,
Aura). Writes run in managed write transactions and reads in managed read
transactions, so the driver retries transient failures and the server itself
refuses a write in a read (access mode READ). Only this module imports ``neo4j``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Hashable, Mapping
from datetime import date, datetime, time
from typing import Any

import neo4j
from neo4j import GraphDatabase, unit_of_work
from neo4j import exceptions as nex
from neo4j.graph import Node, Path, Relationship

from graph.errors import (
    CypherSyntaxError,
    QueryTimeout,
    ReadOnlyViolation,
    StoreAuthError,
    StoreClosed,
    StoreError,
    StoreUnavailable,
)
from graph.schema import INDEXES, UNIQUE_KEYS, q
from graph.store import GRAPH_CYPHER, Health, Row, Store, WriteSummary


def _redact(url: str) -> str:
    return url.split("@")[-1] if "@" in url else url


class Neo4jStore(Store):
    dialect = "neo4j"

    def __init__(self, url: str, *, user: str, password: str, database: str = "neo4j",
                 timeout: float = 30.0, connect_timeout: float = 10.0) -> None:
        self.url = _redact(url)
        self.database = database
        self.timeout = timeout
        self._closed = False
        try:
            self._driver = GraphDatabase.driver(
                url, auth=(user, password), connection_timeout=connect_timeout,
                max_transaction_retry_time=15.0,
                notifications_min_severity="OFF",
            )
            self._driver.verify_connectivity()
        except nex.AuthError as e:
            self._close_quietly()
            raise StoreAuthError(
                f"Neo4j at {self.url} refused user {user!r}: check RONGLIAN_NEO4J_USER and "
                "RONGLIAN_NEO4J_PASSWORD", code="E112") from e
        except (nex.ServiceUnavailable, nex.DriverError, OSError, ValueError) as e:
            self._close_quietly()
            raise StoreUnavailable(
                f"cannot reach Neo4j at {self.url}: {_first_line(e)}; check that the server is "
                "running, the host and port in RONGLIAN_STORE, and the firewall", code="E111",
            ) from e
        except nex.Neo4jError as e:
            self._close_quietly()
            raise StoreError(f"Neo4j at {self.url}: {_first_line(e)}", code="E110") from e

    def _close_quietly(self) -> None:
        with contextlib.suppress(Exception):
            self._driver.close()

    def _session(self, mode: str) -> neo4j.Session:
        if self._closed:
            raise StoreClosed(f"Neo4j store at {self.url} is closed")
        return self._driver.session(database=self.database, default_access_mode=mode)

    def read(self, query: str, params: Mapping[str, Any] | None = None, *,
             timeout: float | None = None) -> list[Row]:
        @unit_of_work(timeout=timeout or self.timeout)
        def work(tx: neo4j.ManagedTransaction) -> list[Row]:
            res = tx.run(query, dict(params or {}))
            return [{k: _value(v) for k, v in rec.items()} for rec in res]

        with self._errors(query), self._session(neo4j.READ_ACCESS) as s:
            return s.execute_read(work)

    def write(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        def work(tx: neo4j.ManagedTransaction) -> list[Row]:
            res = tx.run(query, dict(params or {}))
            return [{k: _value(v) for k, v in rec.items()} for rec in res]

        return self._execute_write(query, work)

    def write_summary(self, query: str, params: Mapping[str, Any] | None = None) -> WriteSummary:
        def work(tx: neo4j.ManagedTransaction) -> WriteSummary:
            c = tx.run(query, dict(params or {})).consume().counters
            return WriteSummary(nodes_created=c.nodes_created,
                                relationships_created=c.relationships_created,
                                properties_set=c.properties_set)

        return self._execute_write(query, work)

    def _execute_write[T](self, query: str, work: Callable[[neo4j.ManagedTransaction], T]) -> T:
        """Run ``work`` in a managed write transaction, then count the write (after it: a
        cache never files old data as new)."""
        try:
            with self._errors(query), self._session(neo4j.WRITE_ACCESS) as s:
                return s.execute_write(work)
        finally:
            self.local_writes += 1

    def explain(self, query: str, params: Mapping[str, Any] | None = None) -> str:
        """The planner's plan for ``query`` (used by benchmarks to check index use)."""
        with self._errors(query), self._session(neo4j.READ_ACCESS) as s:
            plan = s.run("EXPLAIN " + query, dict(params or {})).consume().plan
        return str(plan)

    @contextlib.contextmanager
    def _errors(self, query: str) -> Any:
        try:
            yield
        except nex.AuthError as e:
            raise StoreAuthError(f"Neo4j at {self.url} refused the credentials", code="E112") from e
        except nex.ClientError as e:
            code = e.code or ""
            if "AccessMode" in code or "ForbiddenDueToTransactionType" in code or \
                    "WriteOnReadOnlyAccessDbException" in code or "Forbidden" in code:
                raise ReadOnlyViolation(f"write refused in a read-only query: {e.message}",
                                        code="E114") from e
            if "TransactionTimedOut" in code or "Terminated" in code:
                raise QueryTimeout(f"query timed out: {e.message}", code="E115") from e
            if "Statement" in code or "Syntax" in code or "Schema" in code or \
                    "Procedure" in code or "Argument" in code:
                raise CypherSyntaxError(f"invalid Cypher: {e.message}", code="E116") from e
            raise StoreError(f"Neo4j error {code}: {e.message}", code="E110") from e
        except (nex.ServiceUnavailable, nex.SessionExpired) as e:
            raise StoreUnavailable(f"Neo4j at {self.url} is not answering: {_first_line(e)}",
                                   code="E111") from e
        except nex.Neo4jError as e:
            if "timed out" in str(e).lower() or "Terminated" in (e.code or ""):
                raise QueryTimeout(f"query timed out: {e.message}", code="E115") from e
            raise StoreError(f"Neo4j error {e.code}: {e.message}", code="E110") from e
        except nex.DriverError as e:
            raise StoreError(f"Neo4j driver error: {_first_line(e)}", code="E110") from e

    def apply_schema(self) -> list[str]:
        existing = {(r["label"], tuple(r["properties"] or ()))
                    for r in self.read(GRAPH_CYPHER.get("list_indexes", self.dialect))}
        unique = GRAPH_CYPHER.get("create_unique", self.dialect)
        index = GRAPH_CYPHER.get("create_index", self.dialect)
        made: list[str] = []
        for label, key in sorted(UNIQUE_KEYS.items()):
            if (label, (key,)) not in existing:
                self.write(_fill(unique, label, key, f"uq_{label}_{key}"))
                made.append(f"unique {label}.{key}")
            for prop in INDEXES.get(label, ()):
                if (label, (prop,)) not in existing:
                    self.write(_fill(index, label, prop, f"ix_{label}_{prop}"))
                    made.append(f"index {label}.{prop}")
        if made:
            self.run("await_indexes", write=True)
        return made

    def _engine_version(self) -> Hashable | None:
        """The bookmark of a trivial read: Neo4j hands back the last transaction committed
        to the database (by any client), and only a transaction that changed something
        gets a new one. (``SHOW DATABASE``'s ``lastCommittedTxn`` is empty on a single
        Community server.)"""
        try:
            with self._session(neo4j.READ_ACCESS) as s:
                s.run(GRAPH_CYPHER.get("ping", self.dialect)).consume()
                return tuple(sorted(s.last_bookmarks().raw_values))
        except Exception:  # a cache then stops serving; it never breaks a request
            return None

    def health(self) -> Health:
        try:
            rows = self.run("components")
            version = rows[0]["version"] if rows else "?"
            return Health(True, "neo4j", str(version), self.url)
        except Exception as e:  # health never raises
            return Health(False, "neo4j", "?", self.url, detail=str(e))

    def close(self) -> None:
        self._closed = True
        self._close_quietly()


def _fill(template: str, label: str, prop: str, name: str) -> str:
    return template.replace("{label}", q(label)).replace("{prop}", prop).replace("{name}", name)


def _first_line(e: BaseException) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0]


def _value(v: Any) -> Any:
    if isinstance(v, Node | Relationship):
        return dict(v.items())
    if isinstance(v, Path):
        return {"nodes": [dict(n.items()) for n in v.nodes],
                "relationships": [{"type": r.type, **dict(r.items())} for r in v.relationships]}
    if isinstance(v, list):
        return [_value(x) for x in v]
    if isinstance(v, dict):
        return {k: _value(x) for k, x in v.items()}
    if isinstance(v, datetime | date | time) or hasattr(v, "iso_format"):
        return v.isoformat() if hasattr(v, "isoformat") else v.iso_format()
    return v
