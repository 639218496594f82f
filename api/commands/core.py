"""Core commands: ``demo``, ``serve``, ``migrate``, ``health``.

Options only; the work is done by importable functions in ``graph/``,
``ingest/`` and ``api/app.py``.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from typing import Annotated

import typer
from rich.console import Console

from api.commands._common import use_store
from graph.errors import RonglianError
from graph.migrations import current_version
from graph.migrations import migrate as run_migrate
from graph.schema import SCHEMA_VERSION
from graph.settings import get_settings
from graph.store import Store, open_store

console = Console(stderr=True)

#: How long ``health`` waits for an embedded server's indexes, rebuilt after every start:
#: the command starts the server itself when no other process holds it (0.2 s on the demo)
HEALTH_WARMUP_S = 30.0

StoreOpt = Annotated[str | None, typer.Option("--store", help="Store URL (default: "
                     "RONGLIAN_STORE, else an embedded store in the user's data folder).")]
HostOpt = Annotated[str | None, typer.Option("--host", help="Bind address (default 127.0.0.1).")]
PortOpt = Annotated[int | None, typer.Option("--port", help="Port (default 8000).")]


def _serve(host: str | None, port: int | None, workers: int, store: Store) -> None:
    import uvicorn

    settings = get_settings()
    host, port = host or settings.host, port or settings.port
    console.print(f"[green]ronglian[/] serving {store.url} on http://{host}:{port} "
                  f"(API: /api/v1, docs: /docs, explorer: /explore)")
    if workers > 1:
        # the parent keeps the store open so the embedded server is started once, before
        # the workers attach to it, and outlives any one of them
        uvicorn.run("api.app:create_app", factory=True, host=host, port=port, workers=workers,
                    log_config=None, timeout_graceful_shutdown=10)
    else:
        from api.app import create_app

        # uvicorn ends its graceful shutdown by raising the signal it caught again, with the
        # handler it found. For SIGTERM that was the default one: the process died there,
        # before the caller closed the store, and an embedded store's FalkorDB server was
        # left running on its files. Found this way, the signal ends the server like Ctrl-C
        # does, and the caller's close runs.
        previous = signal.signal(signal.SIGTERM, _stop_serving)
        try:
            uvicorn.run(create_app(settings, store), host=host, port=port, log_config=None,
                        timeout_graceful_shutdown=10)
        except (KeyboardInterrupt, _Stopped):
            pass  # uvicorn has shut down gracefully
        finally:
            signal.signal(signal.SIGTERM, previous)
        console.print("[green]ronglian[/] stopped")


class _Stopped(BaseException):
    """SIGTERM, raised again by uvicorn after its graceful shutdown (not an error)."""


def _stop_serving(signum: int, frame: object) -> None:
    raise _Stopped


def _schema_problem(version: int) -> str:
    """What ``health`` says of a store that answers without the expected schema."""
    if not version:
        return ("没有融链数据模式（空库或路径有误？请运行 ronglian migrate 或 "
                "ronglian demo --load-only） (no ronglian schema: an empty store or a "
                "mistyped path? run 'ronglian migrate' or 'ronglian demo --load-only')")
    if version < SCHEMA_VERSION:
        return (f"数据模式版本 {version} 低于 {SCHEMA_VERSION}，请运行 ronglian migrate "
                f"(schema version {version} is older than {SCHEMA_VERSION}: run 'ronglian "
                "migrate')")
    return (f"数据模式版本 {version} 高于本程序的 {SCHEMA_VERSION}，请升级 ronglian "
            f"(schema version {version} is newer than this ronglian's {SCHEMA_VERSION}: "
            "upgrade ronglian)")


def register(app: typer.Typer) -> None:
    @app.command()
    def demo(
        store: StoreOpt = None, host: HostOpt = None, port: PortOpt = None,
        load_only: Annotated[bool, typer.Option("--load-only",
                                                help="Load the demo and exit.")] = False,
    ) -> None:
        """Load the bundled synthetic Tangshan demo (idempotent) and serve the API."""
        from ingest.demo import load_demo
        from queries.service_writes import demo_service_requests

        use_store(store)
        os.environ.setdefault("RONGLIAN_ANONYMOUS_READ", "true")  # the demo is for looking
        get_settings.cache_clear()
        s = open_store()
        try:
            result = run_migrate(s)
            if result.changed:
                console.print(f"schema: version {result.from_version} → {result.to_version}")
            summary = load_demo(s)
            console.print(f"[green]demo loaded[/] into {s.url}: {summary}")
            # matchmaking records so the service KPIs (服务评价) have something to show; the
            # desk's offers stand in for the recommender to keep the demo load quick
            records = demo_service_requests(s, recommend=False)
            console.print(f"service requests: {records.created} created, "
                          f"{records.requests - records.created} already there")
            console.print("[yellow]注意：演示数据为合成数据 (synthetic demo data)[/]")
            if not load_only:
                _serve(host, port, 1, s)
        finally:
            s.close()

    @app.command()
    def serve(
        store: StoreOpt = None, host: HostOpt = None, port: PortOpt = None,
        workers: Annotated[int, typer.Option("--workers", min=1, max=64,
                                             help="Worker processes.")] = 1,
    ) -> None:
        """Serve the HTTP API on an existing store, loading nothing."""
        use_store(store)
        with open_store() as s:
            _serve(host, port, workers, s)

    @app.command()
    def migrate(store: StoreOpt = None) -> None:
        """Upgrade the store's schema (constraints, indexes, data) in place."""
        use_store(store)
        with open_store() as s:
            r = run_migrate(s)
        typer.echo(f"schema version {r.from_version} → {r.to_version}; "
                   f"{len(r.schema_changes)} constraints/indexes created")

    @app.command()
    def health(store: StoreOpt = None) -> None:
        """Check that the store answers and holds ronglian's schema: exit code 1 when it does
        not answer (or an embedded store's folder does not exist), 3 when it answers without
        the schema this version expects (empty, a mistyped path, not migrated)."""
        use_store(store)
        try:
            with open_store(create=False) as s:
                h = s.health()
                deadline = time.monotonic() + HEALTH_WARMUP_S
                while h.warming and time.monotonic() < deadline:
                    time.sleep(0.1)
                    h = s.health()
                version = current_version(s) if h.ok else None
        except RonglianError as e:
            typer.echo(f"unhealthy: {e}", err=True)
            sys.exit(1)
        where = f"{h.engine} {h.version} at {h.url}"
        if not h.ok:
            typer.echo(f"unhealthy: {where}" + (f" ({h.detail})" if h.detail else ""))
            sys.exit(1)
        if version != SCHEMA_VERSION:
            typer.echo(f"unhealthy: {where}: " + _schema_problem(version or 0))
            sys.exit(3)
        typer.echo(f"ok: {where}, schema version {version}")
