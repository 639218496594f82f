"""Helpers shared by the command modules (no commands here: it has no ``register``)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import typer

from graph.settings import get_settings
from graph.store import Store, open_store


def use_store(url: str | None) -> None:
    """Make ``url`` the store of this process and of any worker process it starts."""
    if url:
        os.environ["RONGLIAN_STORE"] = url
    get_settings.cache_clear()


def with_store(url: str | None, fn: Callable[[Store], Any]) -> Any:
    """Open the store named by ``url`` (default: settings), run ``fn`` on it, close it."""
    use_store(url)
    with open_store() as s:
        return fn(s)


def echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
