"""Who is calling: API-key authentication, roles and per-key rate limits.

A key comes in ``X-API-Key: <token>`` or ``Authorization: Bearer <token>``; for reads
(GET/HEAD) only, a browser may carry it in the HttpOnly session cookie that
``POST /api/v1/session`` sets (the explorer's sign-in). An unknown,
malformed or revoked key is refused (401) even where anonymous reading is on, so a
client never silently runs with less than it thinks. Without a key, reads are
allowed only when ``settings.anonymous_read`` is on; writes never.

Roles are ordered ``reader < editor < admin``: editor for ingest and review, admin
for keys and deletions. Rate limits are token buckets per key (per client IP for
anonymous callers), held in the worker process: with ``--workers N`` a client
may get up to N times the limit, which is stated in the README.

Key storage lives in :mod:`api.keys`; the FastAPI ``Annotated`` aliases in
:mod:`api.deps`.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.keys import ROLE_RANK, KeyStore
from api.problems import Forbidden, RateLimited, Unauthorized
from graph.settings import Settings


@dataclass(frozen=True)
class Principal:
    """The caller of one request."""

    id: str
    name: str
    role: str  # "anonymous", "reader", "editor" or "admin"
    rate_limit_per_minute: int | None = None

    @property
    def anonymous(self) -> bool:
        return self.role == "anonymous"

    def has(self, role: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


class RateLimiter:
    """Token buckets: ``per_minute`` tokens, refilled continuously; burst = one minute."""

    def __init__(self, per_minute: int, *, max_buckets: int = 100_000) -> None:
        self.per_minute = per_minute
        self.max_buckets = max_buckets
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def hit(self, who: str, per_minute: int | None = None) -> int:
        """Take one token for ``who``; return 0, or the seconds to wait when empty."""
        limit = self.per_minute if per_minute is None else per_minute
        if limit <= 0:
            return 0
        rate = limit / 60.0
        now = time.monotonic()
        with self._lock:
            if who not in self._buckets and len(self._buckets) >= self.max_buckets:
                # Anonymous IPs could grow this without bound; a bucket idle for a minute
                # is full again and carries no state.
                self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < 60.0}
            tokens, last = self._buckets.get(who, (float(limit), now))
            tokens = min(float(limit), tokens + (now - last) * rate)
            if tokens >= 1.0:
                self._buckets[who] = (tokens - 1.0, now)
                return 0
            self._buckets[who] = (tokens, now)
        return max(1, math.ceil((1.0 - tokens) / rate))


#: Cookie holding the key a browser signed in with (HttpOnly, SameSite=Strict).
SESSION_COOKIE = "ronglian_key"
#: Methods a session cookie may authenticate: reads. Every write needs the key in a header.
SAFE_METHODS = frozenset({"GET", "HEAD"})

_api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False,
    description="API key made with `ronglian keys create` (token `rl_<id>_<secret>`).",
)
_bearer = HTTPBearer(
    auto_error=False, description="The same API key as a bearer token.",
)


def key_principal(keys: KeyStore, token: str) -> Principal:
    """The caller holding ``token``; 401 for an unknown, malformed or revoked key."""
    # A SQLite primary-key lookup: microseconds, cheap enough for the event loop.
    key = keys.verify(token.strip())
    if key is None:
        raise Unauthorized("unknown or revoked API key")
    return Principal(key.id, key.name, key.role, key.rate_limit_per_minute)


def client_host(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def charge(limiter: RateLimiter, who: str, per_minute: int | None = None) -> None:
    """Take one request from ``who``'s bucket; 429 with ``Retry-After`` when it is empty."""
    wait = limiter.hit(who, per_minute)
    if wait:
        raise RateLimited(f"rate limit exceeded for {who}; retry in {wait} s", retry_after=wait)


async def current_principal(
    request: Request,
    api_key: Annotated[str | None, Security(_api_key_header)] = None,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> Principal:
    """Resolve the caller and charge the rate limit (once per request: FastAPI caches it)."""
    settings: Settings = request.app.state.settings
    keys: KeyStore = request.app.state.keys
    limiter: RateLimiter = request.app.state.limiter
    token = api_key or (bearer.credentials if bearer is not None else None)
    if not token and request.method in SAFE_METHODS:
        # the browser's sign-in (api/routes/session.py): reads only, so a page on another
        # site can never make a signed-in browser write (writes need the header)
        token = request.cookies.get(SESSION_COOKIE)
    if token:
        who = key_principal(keys, token)
    elif settings.anonymous_read:
        who = Principal(f"anonymous:{client_host(request)}", "anonymous", "anonymous")
    else:
        raise Unauthorized("this endpoint needs an API key (X-API-Key or Authorization: Bearer)")
    request.state.key_id = who.id
    request.state.role = who.role  # part of every cache key (api.cache)
    charge(limiter, who.id, who.rate_limit_per_minute)
    return who


def check_role(who: Principal, role: str) -> Principal:
    """``who`` if it holds ``role``; else 401 for anonymous callers, 403 for weaker keys."""
    if who.has(role):
        return who
    if who.anonymous:
        raise Unauthorized(f"this endpoint needs an API key with role {role}")
    raise Forbidden(f"this endpoint needs role {role}; key {who.id} has role {who.role}")
