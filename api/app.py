"""The HTTP API application factory: ``uvicorn api.app:create_app --factory``.

:func:`create_app` wires the framework and nothing else: settings, the store's
lifespan (opened once per app from settings, closed at shutdown unless the caller
passed its own), the bounded thread pool for blocking store calls, problem+json
errors, API-key auth and rate limits, CORS, body-size limits, request ids, JSON
access logs, Prometheus metrics, the per-worker answer cache (:mod:`api.cache`) and the
offline Swagger UI at ``/docs`` (:mod:`api.docs`).

Routers are discovered: every module in ``api/routes/`` that defines ``router`` is
included, in sorted module order. Paths already starting with ``/api/`` are kept
as written; others are mounted under ``/api/v1`` unless the module sets ``PREFIX``
(the explorer's pages use ``""``). Every discovered router requires a caller
(``CurrentKey``: an API key, or anonymous when ``anonymous_read`` is on) unless the
module sets ``PUBLIC = True`` (health and readiness only). Routes add
``EditorKey``/``AdminKey`` for writes. Business logic does not belong here.
"""

from __future__ import annotations

import gc
import importlib
import logging
import pkgutil
import re
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import api.routes
from api import docs, metrics, problems
from api.auth import RateLimiter, current_principal
from api.cache import ResponseCache
from api.keys import KeyStore
from api.logging import configure_logging, request_id_var
from graph.errors import RonglianError
from graph.settings import Settings, get_settings
from graph.store import Store, open_store

log = logging.getLogger("ronglian.api")
access_log = logging.getLogger("ronglian.access")

API_PREFIX = "/api/v1"
UPLOAD_PREFIX = "/api/v1/ingest"
_REQUEST_ID_OK = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

DESCRIPTION = """\
融链 ronglian：大中小企业融通发展产业链知识图谱 API。

Industrial-chain collaboration knowledge graph: enterprise search and profiles,
chains and their gaps, partner recommendations, collaboration paths, tools,
ingest uploads, the review queue and read-only Cypher for researchers.

**Authentication**: send an API key (`ronglian keys create`) as `X-API-Key: <token>` or
`Authorization: Bearer <token>`. Roles: `reader` (read), `editor` (ingest, review),
`admin` (keys, deletions). Reading without a key works only where the operator
turned anonymous reading on.

**Errors** are RFC 9457 `application/problem+json` documents with a stable `type`
per error code, a Chinese `title` and an English `title_en`, and the offending
`field`. Rate-limited requests get `429` with `Retry-After`. Every response carries
`X-Request-ID`.
"""

TAGS = [
    {"name": "operations", "description": "健康检查、就绪、指标与错误目录 / health, readiness, "
     "metrics, error catalogue."},
]


def _store_status_ok(store: Store) -> bool:
    try:
        return store.health().ok
    except Exception:  # health() must not raise, but readiness must not crash either
        return False


class _FreezeAfterSlowCollections:
    """Keep full garbage collections short: after one that took longer than ``slow_s``,
    move its survivors to the permanent generation (``gc.freeze()``).

    A worker holds large long-lived structures (the search index, partner lists, the
    answer cache): a full collection rescans them all and stalls every request in flight
    for hundreds of milliseconds, which is the API's p99. Freezing right after a full
    collection keeps no garbage (it was just collected); frozen objects are still freed
    by reference counting, only a later reference cycle among them would stay.
    """

    def __init__(self, slow_s: float = 0.02) -> None:
        self.slow_s = slow_s
        self._t0 = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            self._t0 = time.perf_counter()
            return
        took = time.perf_counter() - self._t0
        if took >= self.slow_s:
            gc.freeze()
            log.info("full garbage collection took %.0f ms; froze its survivors", took * 1000,
                     extra={"frozen": gc.get_freeze_count()})


_GC_POLICY = _FreezeAfterSlowCollections()


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    # Bound the pool that runs ``def`` routes (and so every store call): a burst of
    # slow queries queues instead of spawning threads without limit.
    anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threadpool_size
    owned = app.state.store is None
    if owned:
        app.state.store = await anyio.to_thread.run_sync(lambda: open_store(settings=settings))
        # Reads that depend on the graph's change token (the recommender's aggregates) may
        # reuse it as long as the answer cache may (a store passed in keeps its own policy).
        app.state.store.version_max_age = settings.api_cache_check_ms / 1000
    app.state.cache = ResponseCache(
        app.state.store, max_entries=settings.api_cache_entries,
        max_bytes=int(settings.api_cache_mb * 1024 * 1024),
        check_interval=settings.api_cache_check_ms / 1000)
    if settings.environment != "test" and _GC_POLICY not in gc.callbacks:
        # Not in test processes: they build many apps, and frozen cycles would pile up.
        gc.callbacks.append(_GC_POLICY)
        # What exists now (imports, settings, the store client) lives as long as the worker.
        gc.collect()
        gc.freeze()
    app.state.ready = True
    log.info("api started", extra={"store": getattr(app.state.store, "url", "?"),
                                   "threadpool": settings.threadpool_size})
    try:
        yield
    finally:
        # Readiness turns false first so a balancer stops sending while we drain.
        app.state.ready = False
        jobs = getattr(app.state, "jobs", None)
        if jobs is not None and hasattr(jobs, "shutdown"):
            await anyio.to_thread.run_sync(jobs.shutdown)
            app.state.jobs = None  # a restarted lifespan makes a fresh manager
        if owned and app.state.store is not None:
            await anyio.to_thread.run_sync(app.state.store.close)
            app.state.store = None
        app.state.keys.close()
        log.info("api stopped")


#: Connections tracked for ``RONGLIAN_KEEPALIVE_REQUESTS`` before the counts start over (a
#: connection closed by its client leaves its count behind; starting over only delays a close).
_KEEPALIVE_TRACKED = 8192


class RequestContextMiddleware:
    """Request id, body-size limit, access log line, latency metrics and the per-connection
    request limit, as pure ASGI.

    Pure ASGI (not ``BaseHTTPMiddleware``) so streaming bodies and background tasks
    keep working and the per-request cost stays small.

    The request limit (``RONGLIAN_KEEPALIVE_REQUESTS``): with several workers sharing one
    listening socket, a keep-alive connection stays with the worker that accepted it, and the
    kernel hands new connections to whichever worker accepts first, so one worker can end up
    with most of a client's connections (``bench/api.py`` saw 31 of 32) and queue them while
    the other idles. After the limit the answer says ``Connection: close``; the client
    reconnects, and the new connection can land on the other worker.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.upload_limit = int(settings.max_upload_mb * 1024 * 1024)
        self.body_limit = settings.max_body_kb * 1024
        self.keepalive_requests = settings.keepalive_requests
        #: requests answered so far per open connection (its client address)
        self.served: dict[tuple[Any, ...], int] = {}

    def _last_on_connection(self, scope: Scope) -> bool:
        """Count this request on its connection; True when it is the last one allowed."""
        client = scope.get("client")
        if not self.keepalive_requests or not client or scope.get("http_version") != "1.1":
            return False
        key = tuple(client)
        n = self.served.get(key, 0) + 1
        if n >= self.keepalive_requests:
            self.served.pop(key, None)
            return True
        if len(self.served) >= _KEEPALIVE_TRACKED:
            self.served.clear()
        self.served[key] = n
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id")
        rid = incoming if incoming and _REQUEST_ID_OK.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid
        token = request_id_var.set(rid)
        path: str = scope["path"]
        limit = self.upload_limit if path.startswith(UPLOAD_PREFIX) else self.body_limit
        status = 500
        started = False
        extra = [(b"x-request-id", rid.encode())]
        if self._last_on_connection(scope):
            extra.append((b"connection", b"close"))
        t0 = time.perf_counter()
        metrics.IN_PROGRESS.inc()

        async def send_wrapper(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *extra]
            await send(message)

        received = 0

        async def receive_wrapper() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # FastAPI re-raises HTTPExceptions from body reading; the problem
                    # handler answers it as E413.
                    raise StarletteHTTPException(413, f"request body exceeds {limit} bytes")
            return message

        try:
            declared = _header(scope, b"content-length")
            if declared and declared.isdigit() and int(declared) > limit:
                response = problems.problem_response(
                    Request(scope),
                    problems.PayloadTooLarge(f"request body of {declared} bytes exceeds the "
                                             f"limit of {limit} bytes"),
                )
                await response(scope, receive, send_wrapper)
            else:
                await self.app(scope, receive_wrapper, send_wrapper)
        except Exception as exc:
            # Answered here rather than by Starlette's outer error middleware so the
            # 500 problem still carries X-Request-ID and its access line.
            if started:
                raise
            log.error("unhandled error on %s %s", scope.get("method"), path, exc_info=exc)
            response = problems.problem_response(
                Request(scope), RonglianError("internal error; see the server log"))
            await response(scope, receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - t0
            metrics.IN_PROGRESS.dec()
            route = scope.get("route")
            template = getattr(route, "path", None) or "<unmatched>"
            method = scope.get("method", "")
            metrics.REQUEST_LATENCY.labels(method, template, str(status)).observe(elapsed)
            if access_log.isEnabledFor(logging.INFO):  # skip building the line when off
                access_log.info(
                    "%s %s %s", method, path, status,
                    extra={"method": method, "path": path, "route": template,
                           "status": status, "duration_ms": round(elapsed * 1000, 2),
                           "response_started": started,
                           "key_id": scope.get("state", {}).get("key_id"),
                           "client": (scope.get("client") or ("", 0))[0]},
                )
            request_id_var.reset(token)


def _header(scope: Scope, name: bytes) -> str | None:
    for k, v in scope.get("headers", ()):
        if k == name:
            return bytes(v).decode("latin-1")
    return None


def _discovered_routers() -> list[tuple[str, Any]]:
    out = []
    for info in sorted(pkgutil.iter_modules(api.routes.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"api.routes.{info.name}")
        if getattr(module, "router", None) is not None:
            out.append((info.name, module))
    return out


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """Build the API. Without arguments it reads ``RONGLIAN_*`` settings and opens the store.

    A ``store`` passed in is used as is and left open at shutdown (its owner closes it).
    """
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    app = FastAPI(
        title="融链 ronglian API",
        version=_version(),
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=_lifespan,
        responses=problems.problem_responses(422),
        # Served from local files by api.docs: FastAPI's own pages load a CDN.
        docs_url=None, redoc_url=None,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.ready = False
    app.state.keys = KeyStore(settings.keys_path)
    app.state.limiter = RateLimiter(settings.rate_limit_per_minute)
    problems.install(app)
    docs.install(app)

    app.include_router(problems.router)
    app.include_router(metrics.router)
    for _name, module in _discovered_routers():
        router = module.router
        deps = [] if getattr(module, "PUBLIC", False) else [Depends(current_principal)]
        paths = [getattr(r, "path", "") for r in router.routes]
        prefix = "" if paths and all(p.startswith("/api/") for p in paths) else API_PREFIX
        prefix = getattr(module, "PREFIX", prefix)  # pages (api/routes/explore.py) use ""
        app.include_router(router, prefix=prefix, dependencies=deps)

    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After"],
            max_age=600,
        )
    # Added last = outermost: request ids and access lines cover CORS answers too.
    app.add_middleware(RequestContextMiddleware, settings=settings)
    return app


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("ronglian")
    except Exception:
        return "0.0.0"
