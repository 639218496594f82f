"""Liveness and readiness: ``GET /api/v1/health`` and ``GET /api/v1/ready``.

Public (no key) so load balancers and orchestrators can probe them. Health always
answers 200 while the process lives and says whether the store answers; readiness
answers 503 while the app is starting, draining for shutdown, or the store is down.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from api.deps import StoreDep
from api.problems import problem_responses
from graph.errors import StoreUnavailable

PUBLIC = True

router = APIRouter(prefix="/api/v1", tags=["operations"])


class StoreStatus(BaseModel):
    ok: bool = Field(description="The store answered a ping.", examples=[True])
    engine: str = Field(description="falkordb or neo4j.", examples=["falkordb"])
    version: str = Field(description="Engine version.", examples=["4.10.3"])
    url: str = Field(description="Store URL, without any password.",
                     examples=["embedded:///home/u/.local/share/ronglian/store"])
    detail: str = Field("", description="Why the store is not ok, if it is not.", examples=[""])


class HealthOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "status": "ok",
        "store": {"ok": True, "engine": "falkordb", "version": "4.10.3",
                  "url": "embedded:///data/ronglian/store", "detail": ""},
    }]})

    status: str = Field(description="ok, or degraded when the store does not answer.",
                        examples=["ok"])
    store: StoreStatus = Field(description="The graph store.")


class ReadyOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"ready": True}]})

    ready: bool = Field(description="The API takes traffic.", examples=[True])


def redact_url(url: str) -> str:
    """``url`` without a password (``bolt://u:secret@h`` → ``bolt://u@h``)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable url>"
    if parts.password is None:
        return url
    netloc = parts.hostname or ""
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


@router.get("/health", summary="Liveness and store status")
def health(store: StoreDep) -> HealthOut:
    """Whether the process is alive and the graph store answers (engine, version, URL)."""
    h = store.health()
    return HealthOut(
        status="ok" if h.ok else "degraded",
        store=StoreStatus(ok=h.ok, engine=h.engine, version=h.version, url=redact_url(h.url),
                          detail=h.detail),
    )


@router.get("/ready", summary="Readiness", responses=problem_responses(503))
def ready(request: Request, store: StoreDep) -> ReadyOut:
    """200 when the API takes traffic; 503 while starting, draining or without a store."""
    if not request.app.state.ready:
        raise StoreUnavailable("the API is starting or shutting down")
    h = store.health()
    if not h.ok:
        raise StoreUnavailable(f"graph store not ready: {h.detail or h.url}")
    return ReadyOut(ready=True)
