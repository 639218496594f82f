"""``ronglian keys create|list|revoke``: manage the HTTP API's keys.

Only declares options and calls :class:`api.keys.KeyStore` (file: ``RONGLIAN_KEYS_PATH``).
The token is printed once, at creation; only its hash is stored.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import typer

from api.keys import ROLES, KeyStore
from graph.settings import get_settings

keys_app = typer.Typer(help="API keys for the HTTP API (roles: reader, editor, admin).",
                       no_args_is_help=True)


def _store(path: Path | None) -> KeyStore:
    return KeyStore(path or get_settings().keys_path)


PathOpt = typer.Option(None, "--keys-path", help="Key file (default: RONGLIAN_KEYS_PATH).")


@keys_app.command("create")
def create(
    role: str = typer.Option(..., "--role", "-r", help=f"One of: {', '.join(ROLES)}."),
    name: str = typer.Option(..., "--name", "-n", help="Who or what the key is for."),
    rate_limit: int | None = typer.Option(
        None, "--rate-limit", min=0,
        help="Requests per minute for this key (default: the setting; 0: no limit)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    keys_path: Path | None = PathOpt,
) -> None:
    """Create a key and print its token (shown only this once)."""
    ks = _store(keys_path)
    try:
        new = ks.create(name, role, rate_limit_per_minute=rate_limit)
    finally:
        ks.close()
    if as_json:
        print(json.dumps({**asdict(new.key), "token": new.token}, ensure_ascii=False))
        return
    print(f"id:    {new.key.id}")
    print(f"role:  {new.key.role}")
    print(f"name:  {new.key.name}")
    print(f"token: {new.token}")
    print("保存此令牌：它不会再次显示。 Store this token now: it is not shown again.")


@keys_app.command("list")
def list_keys(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    active: bool = typer.Option(False, "--active", help="Hide revoked keys."),
    keys_path: Path | None = PathOpt,
) -> None:
    """List keys (ids, names, roles, creation and revocation times; never tokens)."""
    ks = _store(keys_path)
    try:
        keys = ks.list(include_revoked=not active)
    finally:
        ks.close()
    if as_json:
        print(json.dumps([asdict(k) for k in keys], ensure_ascii=False))
        return
    if not keys:
        print("no keys / 没有密钥")
        return
    print(f"{'id':<13} {'role':<7} {'created':<26} {'revoked':<26} name")
    for k in keys:
        print(f"{k.id:<13} {k.role:<7} {k.created_at:<26} {k.revoked_at or '-':<26} {k.name}")


@keys_app.command("revoke")
def revoke(
    key_id: str = typer.Argument(..., help="Key id (from `ronglian keys list`)."),
    keys_path: Path | None = PathOpt,
) -> None:
    """Revoke a key: every worker refuses it from its next request."""
    ks = _store(keys_path)
    try:
        key = ks.revoke(key_id)
    finally:
        ks.close()
    print(f"revoked {key.id} ({key.role}, {key.name}) at {key.revoked_at}")


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")
