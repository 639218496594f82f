"""Prometheus metrics of the HTTP API and the ``GET /metrics`` endpoint.

- ``ronglian_http_request_duration_seconds{method,route,status}``: latency histogram
  per route *template* (``/api/v1/enterprises/{id}``, never the raw path, so ids do
  not explode the label set; unmatched paths count as ``<unmatched>``).
- ``ronglian_http_requests_in_progress``: gauge of requests being served.
- ``ronglian_store_errors_total{code}``: store errors answered (by error code).
- ``ronglian_api_cache_requests_total{route,result}``: read answers by cache outcome (hit,
  miss, shared, bypass), plus gauges of the cache's entries and bytes, evictions, and how
  often the graph's generation was checked (:mod:`api.cache`).

With ``ronglian serve --workers N`` each worker has its own counters; set
``PROMETHEUS_MULTIPROC_DIR`` to an empty folder to have ``/metrics`` aggregate all
workers (prometheus-client's multiprocess mode). Metric objects are module-level
because prometheus-client registers them globally, once per process. ``/metrics``
needs no key (scrapers); keep it off the public network. Must not live here: any
per-request logic (that is the middleware in :mod:`api.app`).
"""

from __future__ import annotations

import os

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

REQUEST_LATENCY = Histogram(
    "ronglian_http_request_duration_seconds",
    "HTTP request latency by route template.",
    ["method", "route", "status"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
IN_PROGRESS = Gauge(
    "ronglian_http_requests_in_progress", "HTTP requests being served.", multiprocess_mode="livesum"
)
STORE_ERRORS = Counter(
    "ronglian_store_errors_total", "Graph store errors answered by the API.", ["code"]
)

CACHE_REQUESTS = Counter(
    "ronglian_api_cache_requests_total",
    "Read requests by cache outcome: hit, miss, shared (waited for an identical miss) or "
    "bypass (the store cannot tell its generation).", ["route", "result"],
)
CACHE_ENTRIES = Gauge("ronglian_api_cache_entries", "Answers held in the response cache.",
                      multiprocess_mode="livesum")
CACHE_BYTES = Gauge("ronglian_api_cache_bytes", "Bytes of answers held in the response cache.",
                    multiprocess_mode="livesum")
CACHE_EVICTIONS = Counter("ronglian_api_cache_evictions_total",
                          "Answers dropped from the response cache to respect its bounds.")
CACHE_CHECKS = Counter("ronglian_api_cache_generation_checks_total",
                       "Times a worker asked the store whether the graph changed.")

router = APIRouter(tags=["operations"])

_EXAMPLE = (
    "# HELP ronglian_http_request_duration_seconds HTTP request latency by route template.\n"
    "# TYPE ronglian_http_request_duration_seconds histogram\n"
    'ronglian_http_request_duration_seconds_bucket{le="0.005",method="GET",'
    'route="/api/v1/health",status="200"} 12.0\n'
)


@router.get(
    "/metrics",
    response_class=Response,
    summary="Prometheus metrics",
    responses={200: {"description": "Prometheus text exposition format.",
                     "content": {"text/plain": {"example": _EXAMPLE}}}},
)
async def metrics() -> Response:
    """Prometheus metrics of this worker (or of all workers in multiprocess mode)."""
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
