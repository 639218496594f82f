"""Helpers shared by the command modules (no commands here: it has no ``register``)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from graph.errors import InvalidInput
from graph.settings import get_settings
from graph.store import Store, open_store


def use_store(url: str | None) -> None:
    """Make ``url`` the store of this process and of any worker process it starts."""
    if url:
        os.environ["RONGLIAN_STORE"] = url
    get_settings.cache_clear()


def with_store(url: str | None, fn: Callable[[Store], Any]) -> Any:
    """Open the existing store named by ``url`` (default: settings), run ``fn`` on it, close
    it (a missing embedded folder is refused: ``open_store(create=False)``)."""
    use_store(url)
    with open_store(create=False) as s:
        return fn(s)


def cannot_write(path: Path, e: OSError, field: str) -> InvalidInput:
    """The one-line error of an output path the command cannot write (a folder given for a
    file or a file for a folder, no permission, a full disk), for ``raise ... from e``."""
    if isinstance(e, IsADirectoryError):
        zh, en = "这是文件夹，不是文件", "it is a folder, not a file"
    elif isinstance(e, NotADirectoryError | FileExistsError):
        zh, en = "路径上有同名文件，不能作为文件夹", "a file stands where a folder must be"
    else:
        zh = en = e.strerror or str(e)
    return InvalidInput(f"无法写入 {path}：{zh} (cannot write to {path}: {en})", field=field)


def writable_folder(path: Path | None, field: str) -> Path | None:
    """``path`` made if missing and checked before a command starts writing into it (an
    ingest's quarantine and decision files come after its first batches)."""
    if path is None:
        return None
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise cannot_write(path, e, field) from e
    if not os.access(path, os.W_OK | os.X_OK):
        raise cannot_write(path, PermissionError(13, "Permission denied"), field)
    return path


def echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
