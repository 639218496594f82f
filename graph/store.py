"""The one store interface every other layer uses, and :func:`open_store`.

Nothing outside ``graph/`` talks to a database driver. A store runs read
queries (rows come back as plain Python values: nodes and relationships become
property dicts), writes in a transaction, writes many rows in ``UNWIND $rows``
batches, applies the schema, tells its dialect, checks its health and closes.
"""

from __future__ import annotations

import abc
import time
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

from graph.cypher import QueryLibrary
from graph.errors import ConfigError
from graph.settings import Settings, get_settings

Dialect = Literal["falkordb", "neo4j"]
Row = dict[str, Any]

GRAPH_CYPHER = QueryLibrary(Path(__file__).parent / "cypher")


@dataclass(frozen=True)
class Health:
    ok: bool
    engine: str
    version: str
    url: str
    detail: str = ""
    #: not ok only while the engine rebuilds its indexes after a start: ok in a moment
    warming: bool = False


@dataclass
class WriteSummary:
    rows: int = 0
    batches: int = 0
    nodes_created: int = 0
    relationships_created: int = 0
    properties_set: int = 0

    def add(self, other: WriteSummary) -> None:
        self.rows += other.rows
        self.batches += other.batches
        self.nodes_created += other.nodes_created
        self.relationships_created += other.relationships_created
        self.properties_set += other.properties_set


def chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


class Store(abc.ABC):
    """A graph database behind the common openCypher subset."""

    dialect: Dialect
    url: str
    #: Write calls completed through this object (bumped after each one finishes), so a
    #: cache in the same process sees its own writes at once; see :meth:`data_version`.
    local_writes: int = 0
    #: How long (seconds) a :meth:`data_version` answer may be reused instead of asking the
    #: engine again; 0 (the default) asks every time. The API sets it to
    #: ``api_cache_check_ms`` on the store it opens, the staleness its answer cache already
    #: allows for writes made elsewhere: the recommender asks before every request, and the
    #: round trip was about a twentieth of a cold recommendation's CPU (workers and store).
    version_max_age: float = 0.0
    #: the last answer asked of the engine: (token, when the ask started, local_writes then)
    _version_memo: tuple[Hashable, float, int] | None = None

    def data_version(self, *, fresh: bool = False) -> Hashable | None:
        """A token that changes whenever the stored graph changes, whoever wrote it (another
        process included); ``None`` when the engine cannot tell. Caches of read answers
        (``api/cache.py``) poll it; it must be cheap (one round trip) and never raise.

        Within :attr:`version_max_age` of the last ask the last token is returned without a
        round trip, unless this object wrote since (its own writes show at once) or
        ``fresh`` is given (which asks, and keeps the answer for the next callers)."""
        max_age = self.version_max_age
        memo = self._version_memo
        if (not fresh and max_age > 0 and memo is not None and memo[2] == self.local_writes
                and time.monotonic() - memo[1] < max_age):
            return memo[0]
        # Read before the round trip: a write finishing meanwhile makes the memo stale.
        started, local = time.monotonic(), self.local_writes
        token = self._engine_version()
        if token is not None and max_age > 0:
            self._version_memo = (token, started, local)  # one assignment: thread-safe
        return token

    def _engine_version(self) -> Hashable | None:
        """The engine's own change token (see :meth:`data_version`); ``None``: cannot tell."""
        return None

    @abc.abstractmethod
    def read(
        self, query: str, params: Mapping[str, Any] | None = None, *, timeout: float | None = None
    ) -> list[Row]:
        """Run a read-only query (the engine refuses writes) and return its rows."""

    @abc.abstractmethod
    def write(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        """Run one write query in its own committed transaction and return its rows."""

    @abc.abstractmethod
    def write_summary(self, query: str, params: Mapping[str, Any] | None = None) -> WriteSummary:
        """Like :meth:`write` but return the counters instead of rows."""

    def write_batches(
        self,
        query: str,
        rows: Iterable[Row],
        *,
        batch_size: int | None = None,
        params: Mapping[str, Any] | None = None,
        on_batch: Callable[[int], None] | None = None,
    ) -> WriteSummary:
        """Run ``query`` (which reads ``$rows``) once per batch, each batch committed.

        A crash loses at most the batch in flight: the earlier ones are committed
        and, as every write query MERGEs on keys, a rerun makes no duplicates.
        """
        total = WriteSummary()
        size = batch_size or get_settings().batch_size
        for batch in chunks(rows, size):
            s = self.write_summary(query, {**(params or {}), "rows": batch})
            s.rows, s.batches = len(batch), 1
            total.add(s)
            if on_batch is not None:
                on_batch(len(batch))
        return total

    def run(self, name: str, params: Mapping[str, Any] | None = None, *,
            library: QueryLibrary | None = None, write: bool = False) -> list[Row]:
        """Run a named query file from ``library`` (default: ``graph/cypher``)."""
        text = (library or GRAPH_CYPHER).get(name, self.dialect)
        return self.write(text, params) if write else self.read(text, params)

    @abc.abstractmethod
    def apply_schema(self) -> list[str]:
        """Create the constraints and indexes of :mod:`graph.schema`; return what was made."""

    def clear(self) -> None:
        """Delete every node and relationship (tests and ``--fresh`` loads), in batches."""
        while self.run("clear_all", {"limit": 10_000}, write=True)[0]["deleted"]:
            pass

    @abc.abstractmethod
    def health(self) -> Health:
        """Ping the engine; never raises."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release connections (and stop the embedded server)."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(url: str | None = None, settings: Settings | None = None, *,
               create: bool = True) -> Store:
    """Open the store named by ``url`` (default: ``RONGLIAN_STORE``). ``create`` False: an
    embedded store's folder must exist already (the commands that only read or change what
    is there: a mistyped path is refused, not made into a new empty store)."""
    settings = settings or get_settings()
    url = url or settings.store
    scheme = urlparse(url).scheme
    if scheme == "embedded":
        from graph.embedded import EmbeddedStore

        path = url[len("embedded://"):]
        if not path:
            raise ConfigError(f"存储地址 {url!r} 缺少路径 / store URL {url!r} has no path; use "
                              "embedded:///path/to/dir", code="E101")
        return EmbeddedStore(Path(path).expanduser(), timeout=settings.query_timeout_s,
                             create=create)
    if scheme in {"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"}:
        from graph.neo4j_store import Neo4jStore

        return Neo4jStore(
            url,
            user=settings.neo4j_user,
            password=settings.neo4j_password.get_secret_value(),
            database=settings.neo4j_database,
            timeout=settings.query_timeout_s,
        )
    raise ConfigError(
        f"无法识别的存储地址 {url!r} / unknown store URL {url!r}: use embedded:///path/to/dir, "
        "bolt://host:7687 or neo4j://host:7687",
        code="E102",
    )


def as_rows(keys: Sequence[str], records: Iterable[Sequence[Any]],
            convert: Callable[[Any], Any]) -> list[Row]:
    return [{k: convert(v) for k, v in zip(keys, rec, strict=True)} for rec in records]
