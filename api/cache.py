"""Per-worker cache of read answers (search, profile, chains, gaps, recommendations, paths,
chain maps).

Correctness first: an entry is keyed by

- the graph's **generation**: the store's :meth:`~graph.store.Store.data_version` (a token
  the engine changes on every write, whoever made it: this worker, another worker, a
  ``ronglian ingest`` in another process) together with the store object's
  ``local_writes`` (this process's own writes, seen at once). ``data_version`` is asked
  at most every ``api_cache_check_ms`` per worker, so **a write made elsewhere shows in
  every answer served from a request that starts more than that long after the write
  committed**; a write made through this worker shows at once;
- the route template, the caller's **role** (anonymous and keyed answers never mix, even
  though today they are the same), and the **validated** parameters (so ``?top=10`` and
  the default are one entry, and an invalid request never reaches the cache).

When the generation moves, the whole cache is dropped; an answer computed under an older
generation is not stored. The cache is an LRU bounded by entries and by bytes (the bodies
are what is kept: JSON answers, and the chain maps' pages and data; each body of
:data:`GZIP_MIN_BYTES` or more with its gzip, made once in the thread pool and sent to clients
that accept it, and from :data:`GZIP_ONLY_BYTES` on the gzip alone). Identical requests that
miss at the same time are computed once (the others wait for that answer). Errors (404,
422, store errors) are never cached, nor a provisional answer (``queries.modelcache.
provisional``: a recommendation served from the previous generation while the next one
builds, which the same key answers differently soon), nor a chain map drawn without its gap
analysis (which failed).
Authentication, roles and rate limits run before the cache (they are dependencies of the
route), so a hit costs the same checks as a miss.

When the engine cannot tell its generation (``data_version`` is ``None``) nothing is
cached. ``api_cache_entries = 0`` turns the cache off. Everything here runs on the
event loop except the store calls, which go to the bounded thread pool.

Must not live here: query logic (``queries/``) or HTTP routing (``api/routes/``).
"""

from __future__ import annotations

import asyncio
import gzip
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import anyio.to_thread
from fastapi import Request
from fastapi.responses import Response
from pydantic import TypeAdapter

from api import metrics
from graph.store import Store
from queries.modelcache import provisional

Generation = tuple[Hashable, int]
JSON = "application/json"
#: Bodies of at least this size travel gzipped to clients that accept it (level 5: a chain's
#: 4.7 MB detail at 100k firms shrinks to 0.53 MB in about 50 ms, in the thread pool; a
#: 2,000-firm map's ~3 MB about tenfold).
GZIP_MIN_BYTES = 64 * 1024
GZIP_LEVEL = 5
#: A body at least this big with a gzip keeps only the gzip (a 25,000-firm chain map: 28.7 MB
#: of JSON, 1.7 MB gzipped); the rare client that refuses gzip gets it decompressed.
GZIP_ONLY_BYTES = 1024 * 1024


class Body:
    """An answer as cached: its bytes and, when big enough to be worth it, their gzip (only
    the gzip from :data:`GZIP_ONLY_BYTES` on)."""

    __slots__ = ("_raw", "gz")

    def __init__(self, raw: bytes) -> None:
        self.gz = gzip.compress(raw, compresslevel=GZIP_LEVEL) \
            if len(raw) >= GZIP_MIN_BYTES else None
        self._raw = None if self.gz is not None and len(raw) >= GZIP_ONLY_BYTES else raw

    @property
    def raw(self) -> bytes:
        """The bytes (decompressed, on the caller's thread, when only the gzip is kept)."""
        return self._raw if self._raw is not None else gzip.decompress(self.gz or b"")

    def __len__(self) -> int:
        """The bytes it holds."""
        return (len(self._raw) if self._raw is not None else 0) + \
            (len(self.gz) if self.gz is not None else 0)


def accepts_gzip(request: Request) -> bool:
    """Whether the client takes gzip (``Accept-Encoding``; ``gzip;q=0`` refuses it)."""
    for part in request.headers.get("accept-encoding", "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            q = params.strip().lower()
            return not (q.startswith("q=") and q[2:].strip() in ("0", "0.0", "0.00", "0.000"))
    return False


def send(request: Request | None, body: Body, media_type: str = JSON,
         headers: dict[str, str] | None = None) -> Response:
    """``body`` answered gzipped when it has a gzip and the client takes it (no request: as
    is)."""
    headers = {**(headers or {}), "Vary": "Accept-Encoding"}
    if body.gz is not None and request is not None and accepts_gzip(request):
        headers["Content-Encoding"] = "gzip"
        return Response(body.gz, media_type=media_type, headers=headers)
    return Response(body.raw, media_type=media_type, headers=headers)


class GenerationWatch:
    """The graph's generation as this worker last saw it; asks the store at most every
    ``interval`` seconds (one cheap round trip, in the thread pool)."""

    def __init__(self, store: Store, interval: float) -> None:
        self.store = store
        self.interval = interval
        self._token: Hashable | None = None
        self._checked = -float("inf")
        self._lock: asyncio.Lock | None = None

    async def current(self) -> Generation | None:
        if time.monotonic() - self._checked >= self.interval:
            if self._lock is None:
                self._lock = asyncio.Lock()
            async with self._lock:  # one check at a time; the waiters reuse its answer
                if time.monotonic() - self._checked >= self.interval:
                    # The check's *start* time counts: a write committed after it started
                    # may be missing from its answer.
                    started = time.monotonic()
                    # fresh: never a token the store kept (its other callers then reuse this)
                    self._token = await anyio.to_thread.run_sync(
                        lambda: self.store.data_version(fresh=True))
                    self._checked = started
                    metrics.CACHE_CHECKS.inc()
        if self._token is None:
            return None
        return (self._token, self.store.local_writes)


class ResponseCache:
    """LRU of JSON bodies, bounded by entries and bytes, dropped when the generation moves."""

    def __init__(self, store: Store, *, max_entries: int, max_bytes: int,
                 check_interval: float) -> None:
        self.watch = GenerationWatch(store, check_interval)
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, Body] = OrderedDict()
        self._bytes = 0
        self._generation: Generation | None = None
        self._inflight: dict[Hashable, asyncio.Future[Body]] = {}

    @property
    def enabled(self) -> bool:
        return self.max_entries > 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0
        metrics.CACHE_ENTRIES.set(0)
        metrics.CACHE_BYTES.set(0)

    def _get(self, key: Hashable) -> Body | None:
        body = self._entries.get(key)
        if body is not None:
            self._entries.move_to_end(key)
        return body

    def _put(self, key: Hashable, body: Body) -> None:
        if len(body) > self.max_bytes:
            return
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= len(old)
        self._entries[key] = body
        self._bytes += len(body)
        while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
            _, dropped = self._entries.popitem(last=False)
            self._bytes -= len(dropped)
            metrics.CACHE_EVICTIONS.inc()
        metrics.CACHE_ENTRIES.set(len(self._entries))
        metrics.CACHE_BYTES.set(self._bytes)

    async def answer(self, key: Hashable, route: str, compute: Callable[[], Body],
                     keep: Callable[[], bool] | None = None, *,
                     request: Request | None = None, media_type: str = JSON,
                     headers: dict[str, str] | None = None) -> Response:
        """The cached body for ``key``, else ``compute()`` (run in the thread pool) stored
        under the generation seen before it ran, unless ``keep()`` says after it that the
        body is provisional (the recommender answering from its previous generation);
        answered as ``media_type`` with ``headers``, gzipped when ``request`` takes it."""
        reply = (request, media_type, headers)
        if not self.enabled:
            return await _uncached(reply, compute)
        generation = await self.watch.current()
        if generation is None:
            metrics.CACHE_REQUESTS.labels(route, "bypass").inc()
            return await _uncached(reply, compute)
        if generation != self._generation:
            self.clear()
            self._generation = generation
        full = (generation, key)
        body = self._get(full)
        if body is not None:
            metrics.CACHE_REQUESTS.labels(route, "hit").inc()
            return _response(reply, body, "hit")
        waiting = self._inflight.get(full)
        if waiting is not None:
            # The same request is being computed: share its answer (or its error).
            metrics.CACHE_REQUESTS.labels(route, "shared").inc()
            return _response(reply, await asyncio.shield(waiting), "hit")
        metrics.CACHE_REQUESTS.labels(route, "miss").inc()
        future: asyncio.Future[Body] = asyncio.get_running_loop().create_future()
        self._inflight[full] = future
        try:
            body = await anyio.to_thread.run_sync(compute)
        except BaseException as e:
            if isinstance(e, Exception):
                future.set_exception(e)
                future.exception()  # retrieved: no "never retrieved" warning without waiters
            else:
                future.cancel()
            raise
        finally:
            self._inflight.pop(full, None)
        future.set_result(body)
        # not if the graph moved on meanwhile, nor a provisional body
        if generation == self._generation and (keep is None or keep()):
            self._put(full, body)
        return _response(reply, body, "miss")


Reply = tuple[Request | None, str, dict[str, str] | None]  # request, media type, headers


async def _uncached(reply: Reply, compute: Callable[[], Body]) -> Response:
    """``compute()`` run in the thread pool and answered as is (no cache, no X-Cache)."""
    return _response(reply, await anyio.to_thread.run_sync(compute), None)


def _response(reply: Reply, body: Body, state: str | None) -> Response:
    request, media_type, headers = reply
    return send(request, body, media_type,
                {**(headers or {}), "X-Cache": state} if state else headers)


_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}


def serializer(model: Any) -> Callable[[Any], bytes]:
    """``value -> JSON bytes`` through the route's response model, as FastAPI would answer
    (validated, by alias, extra fields kept where the model allows them)."""
    adapter = _ADAPTERS.get(model)
    if adapter is None:
        adapter = _ADAPTERS[model] = TypeAdapter(model)

    def dump(value: Any) -> bytes:
        return adapter.dump_json(adapter.validate_python(value), by_alias=True)

    return dump


async def cached(request: Request, service: Callable[..., Any], store: Store,
                 *args: Hashable, **kwargs: Hashable) -> Response:
    """Answer a read route through the app's cache: ``service(store, *args, **kwargs)`` is
    the route's one service call (run in the thread pool on a miss); ``args``/``kwargs``
    are the route's validated parameters and, with the route and the caller's role (set
    by :func:`api.auth.current_principal`), the key.

    Routes that use it are ``async def`` (a hit never leaves the event loop) and keep
    their ``response_model``, so the OpenAPI document does not change; the answer is
    serialised with that model (read off the matched route, so it is named once).
    Without a cache (a router mounted on a bare app) or a resolved caller, it just runs
    the service."""
    dump = serializer(request.scope["route"].response_model)
    final = [True]  # False: the answer came from a previous generation (never kept)

    def compute() -> Body:
        with provisional() as mark:
            body = dump(service(store, *args, **kwargs))
        final[0] = not mark.stale
        return Body(body)

    return await cached_body(request, compute, (args, tuple(sorted(kwargs.items()))),
                             keep=lambda: final[0])


async def cached_body(request: Request, compute: Callable[[], Body], params: Hashable, *,
                      keep: Callable[[], bool] | None = None, media_type: str = JSON,
                      headers: dict[str, str] | None = None) -> Response:
    """:func:`cached` for a route that makes its own bytes (the chain maps' pages and JSON):
    ``compute()`` runs in the thread pool on a miss; ``params`` are the route's validated
    parameters (with the route and the caller's role, the key); ``keep()`` False after it
    leaves its answer out of the cache."""
    cache: ResponseCache | None = getattr(request.app.state, "cache", None)
    role: str | None = getattr(request.state, "role", None)
    if cache is None or role is None:
        return await _uncached((request, media_type, headers), compute)
    route = request.scope["route"].path
    return await cache.answer((route, role, params), route, compute, keep=keep,
                              request=request, media_type=media_type, headers=headers)
