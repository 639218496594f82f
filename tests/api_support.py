"""Helpers for the HTTP API tests (tests/test_api_*.py): an app on a given store with
test settings, and API keys of each role."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI

from api.app import create_app
from api.keys import KeyStore
from graph.settings import Settings
from graph.store import Store


def make_settings(tmp: Path, **overrides: Any) -> Settings:
    base: dict[str, Any] = {
        "environment": "test",
        "keys_path": tmp / "keys.sqlite3",
        "job_dir": tmp / "jobs",
        "rate_limit_per_minute": 0,
        "anonymous_read": False,
        "log_level": "WARNING",
    }
    base.update(overrides)
    return Settings(**base)


def make_app(store: Store, tmp: Path, **overrides: Any) -> FastAPI:
    return create_app(make_settings(tmp, **overrides), store=store)


def new_token(app: FastAPI, role: str, name: str | None = None, **kw: Any) -> str:
    ks = KeyStore(app.state.settings.keys_path)
    try:
        return ks.create(name or f"test-{role}", role, **kw).token
    finally:
        ks.close()


def revoked_token(app: FastAPI, role: str = "admin") -> str:
    ks = KeyStore(app.state.settings.keys_path)
    try:
        new = ks.create("revoked", role)
        ks.revoke(new.key.id)
        return new.token
    finally:
        ks.close()


def auth(token: str) -> dict[str, str]:
    return {"X-API-Key": token}
