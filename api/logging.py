"""Structured JSON logs for the HTTP API, with the request id in every line.

:func:`configure_logging` puts one JSON-lines handler on the root logger (stderr) and
routes uvicorn's own loggers through it; uvicorn's access log is silenced because
:mod:`api.app`'s middleware writes one richer access line per request. The request
id lives in a context variable, which FastAPI's thread pool copies into ``def``
routes, so store and query logs made while serving a request carry it too.

Nothing here may import the rest of ``api`` (the middleware imports this).
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

request_id_var: ContextVar[str | None] = ContextVar("ronglian_request_id", default=None)

_STD_ATTRS = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, request_id and any ``extra``."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id_var.get(),
        }
        for k, v in record.__dict__.items():
            if k not in _STD_ATTRS and k not in out and not k.startswith("_"):
                out[k] = v
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


_HANDLER_MARK = "_ronglian_json"


def configure_logging(level: str = "INFO") -> None:
    """Idempotently switch the process to JSON logs at ``level``."""
    root = logging.getLogger()
    root.setLevel(level.upper())
    if not any(getattr(h, _HANDLER_MARK, False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        setattr(handler, _HANDLER_MARK, True)
        root.addHandler(handler)
    for name in ("uvicorn", "uvicorn.error"):
        lg = logging.getLogger(name)
        lg.handlers.clear()
        lg.propagate = True
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()
    access.propagate = False
    access.disabled = True
