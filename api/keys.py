"""API keys: creation, lookup, listing and revocation, in a small SQLite file.

Decision: keys live in SQLite at ``settings.keys_path`` (default
``<user data dir>/ronglian/keys.sqlite3``), NOT in the graph, so they survive
graph reloads and engine switches, and every worker process sees a revocation
at its next request (SQLite handles concurrent readers and writers across
processes; WAL mode keeps lookups from waiting on a writer).

A token looks like ``rl_<id>_<secret>``: ``id`` (12 hex) is the public key id used
by ``ronglian keys list/revoke`` and in logs; only ``sha256(token)`` is stored, so a
stolen key file reveals no usable token. The full token is shown once, at creation.

Nothing here knows about HTTP; :mod:`api.auth` turns lookups into 401/403.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, get_args

from graph.errors import ConfigError, InvalidInput, NotFound

Role = Literal["reader", "editor", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)
ROLE_RANK: dict[str, int] = {"anonymous": 0, "reader": 1, "editor": 2, "admin": 3}
TOKEN_PREFIX = "rl_"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('reader', 'editor', 'admin')),
    hash        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT,
    rate_limit_per_minute INTEGER
)
"""


@dataclass(frozen=True)
class ApiKey:
    """A stored key (never the token itself)."""

    id: str
    name: str
    role: Role
    created_at: str
    revoked_at: str | None = None
    rate_limit_per_minute: int | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class NewKey:
    """A freshly created key and its token (shown once)."""

    key: ApiKey
    token: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def split_token(token: str) -> str | None:
    """The key id inside ``token``, or None when it is not shaped like one of ours."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    key_id, sep, secret = token[len(TOKEN_PREFIX):].partition("_")
    if not sep or len(key_id) != 12 or not secret:
        return None
    return key_id


class KeyStore:
    """The key file. Thread-safe; one instance per process is enough."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path).expanduser()
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        with self._lock:
            self._connect()

    def _connect(self) -> sqlite3.Connection:
        # Called with the lock held; reopens after close() so an app whose lifespan
        # ran twice (test clients, reloads) keeps working.
        if self._db is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(
                    str(self.path), check_same_thread=False, isolation_level=None, timeout=10
                )
                db.execute("PRAGMA journal_mode=WAL")
                db.execute(_SCHEMA)
            except (OSError, sqlite3.Error) as e:
                raise ConfigError(
                    f"API 密钥文件 {self.path} 无法使用 / API key file {self.path} is unusable "
                    f"({e}); set RONGLIAN_KEYS_PATH",
                    code="E103",
                ) from e
            self._db = db
        return self._db

    @property
    def _conn(self) -> sqlite3.Connection:
        return self._connect()

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def create(self, name: str, role: str, *, rate_limit_per_minute: int | None = None) -> NewKey:
        if role not in ROLES:
            raise InvalidInput(f"role must be one of {', '.join(ROLES)}, not {role!r}",
                               field="role")
        name = name.strip()
        if not name:
            raise InvalidInput("a key needs a name", field="name")
        if rate_limit_per_minute is not None and rate_limit_per_minute < 0:
            raise InvalidInput("rate limit must be >= 0", field="rate_limit_per_minute")
        key_id = secrets.token_hex(6)
        token = f"{TOKEN_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._lock:
            self._conn.execute(
                "INSERT INTO api_keys (id, name, role, hash, created_at, rate_limit_per_minute)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (key_id, name, role, hash_token(token), now, rate_limit_per_minute),
            )
        key = ApiKey(key_id, name, role, now, None, rate_limit_per_minute)
        return NewKey(key=key, token=token)

    def list(self, *, include_revoked: bool = True) -> list[ApiKey]:
        sql = ("SELECT id, name, role, created_at, revoked_at, rate_limit_per_minute "
               "FROM api_keys")
        if not include_revoked:
            sql += " WHERE revoked_at IS NULL"
        with self._lock:
            rows = self._conn.execute(sql + " ORDER BY created_at, id").fetchall()
        return [ApiKey(*r) for r in rows]

    def revoke(self, key_id: str) -> ApiKey:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._lock:
            cur = self._conn.execute(
                "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?",
                (now, key_id),
            )
            if cur.rowcount == 0:
                raise NotFound(f"no API key with id {key_id!r}", field="id")
            row = self._conn.execute(
                "SELECT id, name, role, created_at, revoked_at, rate_limit_per_minute "
                "FROM api_keys WHERE id = ?", (key_id,),
            ).fetchone()
        return ApiKey(*row)

    def verify(self, token: str) -> ApiKey | None:
        """The active key for ``token``, or None (unknown, malformed or revoked)."""
        key_id = split_token(token)
        if key_id is None:
            return None
        with self._lock:
            row = self._conn.execute(
                "SELECT id, name, role, created_at, revoked_at, rate_limit_per_minute, hash "
                "FROM api_keys WHERE id = ?", (key_id,),
            ).fetchone()
        if row is None or not hmac.compare_digest(row[6], hash_token(token)):
            return None
        key = ApiKey(*row[:6])
        return key if key.active else None
