"""The API's documentation page, ``/docs`` (Swagger UI), with its JavaScript, CSS and icon
served by the API itself under ``/static/docs/``.

FastAPI's own page loads these from cdn.jsdelivr.net and fastapi.tiangolo.com, so on an
intranet with no way out it stays blank. The files come from the ``fastapi-offline`` package
(MIT; swagger-ui 5, Apache-2.0), as the explorer's vis-network comes from pyvis: nothing is
vendored into this repository or fetched at run time. Only its static folder is used, through
FastAPI's documented ``get_swagger_ui_html``.

There is no ``/redoc``: ReDoc's bundle loads its logo from cdn.redoc.ly, with no option to
turn that off, and Swagger UI shows the same document.

Like FastAPI's defaults (and ``/openapi.json``), these pages and files need no API key.
What must not live here: anything the OpenAPI document itself says (``api.app``).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from graph.errors import ConfigError

DOCS_URL = "/docs"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
STATIC_URL = "/static/docs"

#: Files the pages load, as named in the package's static folder.
SWAGGER_JS = "swagger-ui-bundle.js"
SWAGGER_CSS = "swagger-ui.css"
FAVICON = "favicon.png"

#: swagger-ui's default validatorUrl points at validator.swagger.io; never call out.
SWAGGER_PARAMETERS = {"validatorUrl": None}


def static_dir() -> Path:
    """The folder holding the pages' assets (``ConfigError`` when the package is missing)."""
    try:
        d = Path(str(files("fastapi_offline"))) / "static"
    except ModuleNotFoundError as e:
        raise ConfigError("the fastapi-offline package is missing; reinstall ronglian "
                          "(pip install -e .)") from e
    missing = [n for n in (SWAGGER_JS, SWAGGER_CSS, FAVICON) if not (d / n).is_file()]
    if missing:
        raise ConfigError(f"fastapi-offline's static folder {d} lacks {', '.join(missing)}; "
                          "reinstall fastapi-offline")
    return d


def install(app: FastAPI) -> None:
    """Add the documentation page and its assets to ``app`` (built with ``docs_url=None,
    redoc_url=None``)."""
    app.mount(STATIC_URL, StaticFiles(directory=static_dir()), name="docs-static")
    openapi_url = app.openapi_url or "/openapi.json"

    def asset(request: Request, name: str) -> str:
        return f"{request.scope.get('root_path', '')}{STATIC_URL}/{name}"

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=root + openapi_url, title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=root + OAUTH2_REDIRECT_URL,
            swagger_js_url=asset(request, SWAGGER_JS), swagger_css_url=asset(request, SWAGGER_CSS),
            swagger_favicon_url=asset(request, FAVICON),
            swagger_ui_parameters={**(app.swagger_ui_parameters or {}), **SWAGGER_PARAMETERS})

    @app.get(OAUTH2_REDIRECT_URL, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()
