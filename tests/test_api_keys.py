"""API keys: hashed storage, verification, revocation, the CLI, and that keys live
outside the graph (they survive a graph reload)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app as cli
from api.keys import KeyStore, hash_token, split_token
from graph.errors import InvalidInput, NotFound


def test_api_keys_store_only_hashes(tmp_path: Path) -> None:
    ks = KeyStore(tmp_path / "k.db")
    new = ks.create("门户网站", "editor")
    assert new.token.startswith(f"rl_{new.key.id}_")
    raw = sqlite3.connect(tmp_path / "k.db").execute("SELECT * FROM api_keys").fetchall()
    flat = json.dumps(raw, ensure_ascii=False)
    assert new.token not in flat and hash_token(new.token) in flat
    assert ks.verify(new.token) == new.key
    ks.close()


def test_api_keys_verify_refuses_wrong_malformed_and_revoked(tmp_path: Path) -> None:
    ks = KeyStore(tmp_path / "k.db")
    new = ks.create("a", "reader")
    forged = new.token[:-2] + ("AA" if not new.token.endswith("AA") else "BB")
    for bad in ("", "nope", "rl_", "rl_short_x", forged, "rl_" + "0" * 12 + "_x"):
        assert ks.verify(bad) is None, bad
    assert split_token(new.token) == new.key.id
    revoked = ks.revoke(new.key.id)
    assert revoked.revoked_at is not None and not revoked.active
    assert ks.verify(new.token) is None
    # Revoking twice keeps the first time.
    assert ks.revoke(new.key.id).revoked_at == revoked.revoked_at
    ks.close()


def test_api_keys_revocation_is_seen_by_another_process_handle(tmp_path: Path) -> None:
    worker, admin = KeyStore(tmp_path / "k.db"), KeyStore(tmp_path / "k.db")
    new = admin.create("w", "reader")
    assert worker.verify(new.token) is not None
    admin.revoke(new.key.id)
    assert worker.verify(new.token) is None
    worker.close()
    admin.close()


def test_api_keys_bad_input(tmp_path: Path) -> None:
    ks = KeyStore(tmp_path / "k.db")
    with pytest.raises(InvalidInput):
        ks.create("x", "root")
    with pytest.raises(InvalidInput):
        ks.create("  ", "reader")
    with pytest.raises(NotFound):
        ks.revoke("000000000000")
    ks.close()


def test_api_keys_cli_create_list_revoke(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"RONGLIAN_KEYS_PATH": str(tmp_path / "cli.db")}
    r = runner.invoke(cli, ["keys", "create", "--role", "admin", "--name", "运维", "--json"],
                      env=env)
    assert r.exit_code == 0, r.output
    made = json.loads(r.output)
    assert made["role"] == "admin" and made["token"].startswith("rl_")
    r = runner.invoke(cli, ["keys", "list", "--json"], env=env)
    listed = json.loads(r.output)
    assert [k["id"] for k in listed] == [made["id"]]
    assert "token" not in listed[0] and made["token"] not in r.output
    r = runner.invoke(cli, ["keys", "revoke", made["id"]], env=env)
    assert r.exit_code == 0 and "revoked" in r.output
    r = runner.invoke(cli, ["keys", "list", "--active", "--json"], env=env)
    assert json.loads(r.output) == []


def test_api_keys_cli_user_mistakes_are_one_line(tmp_path: Path) -> None:
    import subprocess
    import sys

    env_path = str(tmp_path / "cli.db")
    r = subprocess.run(
        [sys.executable, "-c", "from api.cli import main; main()", "keys", "revoke", "abc"],
        capture_output=True, text=True, env={"RONGLIAN_KEYS_PATH": env_path, "PATH": ""},
        cwd=Path(__file__).resolve().parents[1], timeout=60,
    )
    assert r.returncode == 1
    assert r.stderr.strip().count("\n") == 0 and "E404" in r.stderr
    assert "Traceback" not in r.stderr


def test_api_keys_unusable_file_is_one_clear_error(tmp_path: Path) -> None:
    from graph.errors import ConfigError

    (tmp_path / "adir").mkdir()
    with pytest.raises(ConfigError, match="RONGLIAN_KEYS_PATH"):
        KeyStore(tmp_path / "adir")
