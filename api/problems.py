"""RFC 9457 ``application/problem+json`` answers for every error the API returns.

Every :class:`~graph.errors.RonglianError` carries its HTTP status, stable code and
Chinese/English titles, so one handler turns any of them into a problem document:

.. code-block:: json

    {"type": "/api/v1/problems/E404", "title": "未找到", "title_en": "Not found",
     "status": 404, "detail": "no enterprise 'x'", "instance": "/api/v1/enterprises/x",
     "code": "E404", "field": null, "request_id": "…"}

``type`` is a stable URI per error code; it resolves (``GET /api/v1/problems/{code}``)
to the catalogue entry. Request validation errors become ``E400`` (422) naming the
offending field; unknown routes 404, wrong methods 405. Anything unexpected is
logged with its traceback and answered as a bare 500 problem without internals.

The API-only errors (authentication, rate limits, body size) live here, not in
``graph/errors.py``, because nothing below ``api/`` raises them. Routes must not
build error responses by hand: raise a ``RonglianError`` subclass.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from graph.errors import InvalidInput, NotFound, RonglianError, StoreError

log = logging.getLogger("ronglian.api")

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "/api/v1/problems/"


# --- API-only errors -------------------------------------------------------------------


class Unauthorized(RonglianError):
    """No API key, an unknown key or a revoked key."""

    code = "E401"
    status = 401
    title_zh = "未认证：需要有效的 API 密钥"
    title_en = "Authentication required: a valid API key is needed"


class Forbidden(RonglianError):
    """A valid key whose role is too low for the endpoint."""

    code = "E403"
    status = 403
    title_zh = "权限不足"
    title_en = "Forbidden: role too low"


class MethodNotAllowed(RonglianError):
    code = "E405"
    status = 405
    title_zh = "不支持的请求方法"
    title_en = "Method not allowed"


class PayloadTooLarge(RonglianError):
    code = "E413"
    status = 413
    title_zh = "请求体过大"
    title_en = "Request body too large"


class UnsupportedMediaType(RonglianError):
    code = "E415"
    status = 415
    title_zh = "不支持的媒体类型"
    title_en = "Unsupported media type"


class RateLimited(RonglianError):
    """Too many requests for this key; ``retry_after`` seconds until the next token."""

    code = "E429"
    status = 429
    title_zh = "请求过于频繁"
    title_en = "Too many requests"

    def __init__(self, message: str, *, retry_after: int, **context: Any) -> None:
        super().__init__(message, retry_after=retry_after, **context)
        self.retry_after = retry_after


class HttpError(RonglianError):
    """Any other HTTP status raised by the framework (kept generic on purpose)."""

    code = "E490"
    status = 400
    title_zh = "请求错误"
    title_en = "Bad request"


# --- the problem document -------------------------------------------------------------


class Problem(BaseModel):
    """An RFC 9457 problem document (media type ``application/problem+json``)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "/api/v1/problems/E404",
                    "title": "未找到",
                    "title_en": "Not found",
                    "status": 404,
                    "detail": "没有该企业 / no enterprise 'E-unknown'",
                    "instance": "/api/v1/enterprises/E-unknown",
                    "code": "E404",
                    "field": None,
                    "request_id": "3f2b9c1e0a7d4e5f",
                }
            ]
        }
    )

    type: str = Field(description="Stable URI of the error kind; resolves to its catalogue entry.")
    title: str = Field(description="Short Chinese title of the error kind.")
    title_en: str = Field(description="Short English title of the error kind.")
    status: int = Field(description="HTTP status code.")
    detail: str = Field("", description="What went wrong in this request.")
    instance: str = Field("", description="Path of the request that failed.")
    code: str = Field(description="Stable ronglian error code, e.g. E404.")
    field: str | None = Field(None, description="The offending parameter or body field, if any.")
    request_id: str | None = Field(None, description="The request id (also in X-Request-ID).")


class ProblemKind(BaseModel):
    """One entry of the error catalogue."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"type": "/api/v1/problems/E404", "code": "E404", "status": 404,
                 "title": "未找到", "title_en": "Not found"}
            ]
        }
    )

    type: str = Field(description="Stable URI of the error kind.")
    code: str = Field(description="Stable ronglian error code.")
    status: int = Field(description="HTTP status answered for it.")
    title: str = Field(description="Chinese title.")
    title_en: str = Field(description="English title.")


def _subclasses(cls: type[RonglianError]) -> Iterable[type[RonglianError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def catalogue() -> dict[str, ProblemKind]:
    """Every error kind known at this moment, by code (first class wins per code)."""
    out: dict[str, ProblemKind] = {}
    classes: list[type[RonglianError]] = [RonglianError, *_subclasses(RonglianError)]
    for cls in classes:
        if cls.code not in out:
            out[cls.code] = ProblemKind(
                type=PROBLEM_BASE + cls.code, code=cls.code, status=cls.status,
                title=cls.title_zh, title_en=cls.title_en,
            )
    return dict(sorted(out.items()))


def problem_response(
    request: Request | None,
    err: RonglianError,
    *,
    detail: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """The problem+json response for ``err``."""
    field = getattr(err, "field", None) or err.context.get("field")
    body = Problem(
        type=PROBLEM_BASE + err.code,
        title=err.title_zh,
        title_en=err.title_en,
        status=err.status,
        detail=err.message if detail is None else detail,
        instance=request.url.path if request is not None else "",
        code=err.code,
        field=str(field) if field is not None else None,
        request_id=_request_id(request),
    )
    hdrs = dict(headers or {})
    if isinstance(err, RateLimited):
        hdrs["Retry-After"] = str(err.retry_after)
    if isinstance(err, Unauthorized):
        hdrs["WWW-Authenticate"] = 'Bearer realm="ronglian"'
    return JSONResponse(
        body.model_dump(), status_code=err.status, headers=hdrs, media_type=PROBLEM_MEDIA_TYPE
    )


def _is_page_visit(request: Request) -> bool:
    """A browser loading a page (not the API, not a script asking for JSON)."""
    return (request.method == "GET" and not request.url.path.startswith("/api/")
            and "text/html" in request.headers.get("accept", ""))


def _request_id(request: Request | None) -> str | None:
    if request is None:
        return None
    rid = request.scope.get("state", {}).get("request_id")
    return str(rid) if rid else None


def _field_of(loc: Iterable[Any]) -> str:
    # ("query", "limit") -> "limit"; ("body", "rows", 3, "name") -> "rows[3].name"
    parts = list(loc)
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form"}:
        parts = parts[1:]
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "body"


# --- handlers ---------------------------------------------------------------------------


async def _ronglian_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RonglianError)
    if isinstance(exc, Unauthorized) and _is_page_visit(request):
        # a person opening a page (the explorer) without a key: the sign-in page, then back
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/sign-in?" + urlencode({"next": target}), status_code=303)
    if isinstance(exc, StoreError):
        from api.metrics import STORE_ERRORS

        STORE_ERRORS.labels(code=exc.code).inc()
        if exc.status >= 500:
            log.error("store error %s", exc, exc_info=exc)
    elif exc.status >= 500:
        log.error("server error %s", exc, exc_info=exc)
    return problem_response(request, exc)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    first = errors[0] if errors else {}
    field = _field_of(first.get("loc", ()))
    msg = first.get("msg", "invalid request")
    detail = f"{field}: {msg}"
    if len(errors) > 1:
        detail += f" (+{len(errors) - 1} more)"
    return problem_response(request, InvalidInput(detail, field=field))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = str(exc.detail) if exc.detail else ""
    err: RonglianError
    if exc.status_code == 404:
        err = NotFound(detail if detail != "Not Found" else f"no such resource: {request.url.path}")
    elif exc.status_code == 405:
        err = MethodNotAllowed(f"{request.method} is not allowed on {request.url.path}")
    elif exc.status_code == 401:
        err = Unauthorized(detail or "API key required")
    elif exc.status_code == 403:
        err = Forbidden(detail or "forbidden")
    elif exc.status_code == 413:
        err = PayloadTooLarge(detail or "request body too large")
    else:
        err = HttpError(detail or f"HTTP {exc.status_code}")
        err.status = exc.status_code
    return problem_response(request, err, headers=dict(exc.headers or {}))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(request, RonglianError("internal error; see the server log"))


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(RonglianError, _ronglian_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries documenting problem answers, for route decorators.

    ``@router.get("/x", responses=problem_responses(404, 422))``
    """
    names = {
        400: "Bad request", 401: "No valid API key", 403: "Role too low or write refused",
        404: "Unknown id", 408: "Query timed out", 413: "Body too large",
        422: "Invalid parameter", 429: "Rate limited (see Retry-After)",
        503: "Graph store unavailable",
    }
    example = Problem.model_config.get("json_schema_extra", {})["examples"][0]  # type: ignore[index]
    return {
        s: {
            "description": names.get(s, "Problem"),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": Problem.model_json_schema(),
                                             "example": example}},
        }
        for s in statuses
    }


# --- the catalogue the ``type`` URIs resolve to -------------------------------------------

router = APIRouter(prefix="/api/v1/problems", tags=["operations"])


@router.get("", summary="Error catalogue")
def list_problems() -> list[ProblemKind]:
    """Every error kind the API can answer, with its stable type URI, status and titles."""
    return list(catalogue().values())


@router.get("/{code}", summary="One error kind", responses=problem_responses(404))
def get_problem(
    code: Annotated[str, Path(description="Error code, e.g. E404.", examples=["E404"],
                              max_length=16)],
) -> ProblemKind:
    """The catalogue entry a problem's ``type`` URI points to."""
    kind = catalogue().get(code.upper())
    if kind is None:
        raise NotFound(f"no error code {code!r}", field="code")
    return kind
