"""Bad ``RONGLIAN_*`` values: one line naming the variable, the value and what is allowed.

Audit M5: ``RONGLIAN_PORT=abc``, ``RONGLIAN_CORS_ORIGINS=http://a.com`` and
``RONGLIAN_LOG_LEVEL=LOUD`` each ended ``ronglian serve`` in a traceback (the log level
after the server's banner); a comma-separated origin list is now accepted as users type it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from graph.errors import ConfigError
from graph.settings import Settings, get_settings
from tests.cli_support import ronglian

#: A bad value for each setting that can have one, with what the message must say is allowed.
BAD: dict[str, tuple[str, str]] = {
    "environment": ("prod", "one of development, production, test"),
    "query_timeout_s": ("-1", "a number greater than 0"),
    "batch_size": ("0", "an integer of at least 1"),
    "port": ("abc", "an integer from 1 to 65535"),
    "anonymous_read": ("maybe", "true or false"),
    "cors_origins": ("http://a.com/path", "origins separated by commas"),
    "log_level": ("LOUD", "one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    "rate_limit_per_minute": ("-5", "an integer of at least 0"),
    "max_upload_mb": ("0", "a number greater than 0"),
    "max_body_kb": ("1.5", "an integer of at least 1"),
    "cypher_row_cap": ("many", "an integer of at least 1"),
    "cypher_timeout_s": ("0", "a number greater than 0"),
    "keepalive_requests": ("-1", "an integer of at least 0"),
    "threadpool_size": ("0", "an integer of at least 1"),
    "api_cache_entries": ("-1", "an integer of at least 0"),
    "api_cache_mb": ("x", "a number greater than 0"),
    "api_cache_check_ms": ("-200", "an integer of at least 0"),
    "recommend_supply_graph": ("perhaps", "true or false"),
}
#: Settings any text is a valid value of (a store URL is checked when the store is opened,
#: the keys file when it is opened: both already answer in one line).
FREE_TEXT = {"store", "neo4j_user", "neo4j_password", "neo4j_database", "host", "keys_path",
             "job_dir"}


def test_settings_every_setting_is_checked_here() -> None:
    assert set(Settings.model_fields) == set(BAD) | FREE_TEXT


@pytest.mark.parametrize("name", [pytest.param(n, id=n) for n in sorted(BAD)])
def test_settings_bad_value_is_one_line(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    value, allowed = BAD[name]
    var = f"RONGLIAN_{name.upper()}"
    monkeypatch.setenv(var, value)
    get_settings.cache_clear()
    with pytest.raises(ConfigError) as e:
        get_settings()
    text = str(e.value)
    assert e.value.code == "E104"
    assert "\n" not in text
    assert f"设置 {var} 的值 {value!r} 无效" in text
    assert f"(invalid {var} {value!r}: expected {allowed}" in text


@pytest.mark.parametrize("value", [
    pytest.param("http://a.com", id="one"),
    pytest.param(" http://a.com , https://b.example:8443 ,", id="commas"),
    pytest.param('["http://a.com", "https://b.example:8443"]', id="json"),
])
def test_settings_cors_origins_as_typed(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RONGLIAN_CORS_ORIGINS", value)
    get_settings.cache_clear()
    want = ["http://a.com"] if "," not in value else ["http://a.com", "https://b.example:8443"]
    assert get_settings().cors_origins == want


def test_settings_log_level_any_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RONGLIAN_LOG_LEVEL", "debug")
    get_settings.cache_clear()
    assert get_settings().log_level == "DEBUG"


def test_settings_production_refuses_any_origin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RONGLIAN_ENVIRONMENT", "production")
    monkeypatch.setenv("RONGLIAN_CORS_ORIGINS", "*")
    get_settings.cache_clear()
    with pytest.raises(ConfigError, match=r"may not contain '\*' in production"):
        get_settings()


@pytest.mark.parametrize("var,value", [
    pytest.param("RONGLIAN_PORT", "abc", id="port"),
    pytest.param("RONGLIAN_CORS_ORIGINS", "a.com", id="cors"),
    pytest.param("RONGLIAN_LOG_LEVEL", "LOUD", id="log-level"),
])
def test_settings_serve_refuses_before_starting(var: str, value: str, tmp_path: Path) -> None:
    store = tmp_path / "db"
    out = ronglian("serve", "--port", "8768", "--store", f"embedded://{store}",
                   env={**os.environ, var: value})
    assert out.returncode == 1
    assert out.stderr.startswith(f"error: E104: 设置 {var} 的值 {value!r} 无效")
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
    assert "serving" not in out.stdout + out.stderr  # no banner: nothing started
    assert not store.exists()


def test_settings_command_help_works_whatever_the_values() -> None:
    out = ronglian("serve", "--help", env={**os.environ, "RONGLIAN_PORT": "abc"})
    assert out.returncode == 0 and "--workers" in out.stdout
