"""Browser sign-in: ``GET /sign-in`` (a page), ``POST /api/v1/session`` and
``DELETE /api/v1/session``.

A browser cannot send ``X-API-Key`` when it loads a page, so without ``anonymous_read`` a
planner could not open ``/explore``. Signing in checks a key and keeps it in an HttpOnly,
``SameSite=Strict`` cookie that :func:`api.auth.current_principal` accepts for reads only
(GET/HEAD): page scripts cannot read it, other sites cannot send it, and a cookie never
authorises a write. Pages answered 401 redirect here (:mod:`api.problems`). Public: these
routes must answer without a key; they write nothing to the store.
"""

from __future__ import annotations

import html
import json
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from api import examples as ex
from api.auth import SESSION_COOKIE, charge, client_host, key_principal
from api.deps import KeysDep
from api.problems import problem_responses

PUBLIC = True
#: Mount the page at the site root; the API paths are written out in full.
PREFIX = ""
#: How long a sign-in lasts (a working day); the key itself may be revoked sooner.
SESSION_SECONDS = 12 * 3600

router = APIRouter(tags=["session 登录"])


class SessionIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"key": "rl_ab12cd34_s3cr3t"}]})
    key: str = Field(min_length=1, max_length=300, description="An API key (any role).",
                     examples=["rl_ab12cd34_s3cr3t"])


_SESSION_EXAMPLE: dict[str, Any] = {"key_id": "ab12cd34", "name": "规划局-张三", "role": "reader",
                                     "expires_in": 43200}


class SessionOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_SESSION_EXAMPLE]})
    key_id: str = Field(description="Id of the key signed in with.", examples=["ab12cd34"])
    name: str = Field(description="The key's name.", examples=["规划局-张三"])
    role: str = Field(description="The key's role; the browser may only read with it.",
                      examples=["reader"])
    expires_in: int = Field(description="Seconds until the sign-in lapses.", examples=[43200])


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never another host (``//host``, ``\\\\host``, a scheme)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/explore"
    return target


@router.post("/api/v1/session", response_model=SessionOut,
             openapi_extra={"x-read-only": True},  # signs the browser in; writes no data
             responses={**ex.response(_SESSION_EXAMPLE), **problem_responses(401, 422, 429)})
def sign_in(body: SessionIn, request: Request, response: Response, keys: KeysDep) -> SessionOut:
    """Check an API key and keep it in an HttpOnly cookie that authorises reads from this
    browser (the explorer's sign-in)."""
    charge(request.app.state.limiter, f"sign-in:{client_host(request)}")
    who = key_principal(keys, body.key)
    response.set_cookie(SESSION_COOKIE, body.key.strip(), max_age=SESSION_SECONDS,
                        **_cookie(request))
    return SessionOut(key_id=who.id, name=who.name, role=who.role, expires_in=SESSION_SECONDS)


def _cookie(request: Request) -> dict[str, Any]:
    """The session cookie's attributes: setting and clearing it must name the same ones."""
    return {"path": "/", "httponly": True, "samesite": "strict",
            "secure": request.url.scheme == "https"}


@router.delete("/api/v1/session", status_code=204, response_class=Response,
               openapi_extra={"x-read-only": True},  # signs the browser out; writes no data
               responses={204: {"description": "Signed out (the cookie is cleared)."}})
def sign_out(request: Request) -> Response:
    """Sign this browser out: clear the session cookie."""
    out = Response(status_code=204)
    out.delete_cookie(SESSION_COOKIE, **_cookie(request))
    return out


_TEXT = {
    "zh": {"title": "登录 · 融链", "heading": "登录融链图谱浏览", "label": "API 密钥",
           "hint": "请输入管理员发放的 API 密钥（rl_ 开头）。密钥仅保存在本浏览器的安全 Cookie 中，"
                   "只用于浏览，不能写入数据。",
           "submit": "登录", "other": "English", "failed": "登录失败："},
    "en": {"title": "Sign in · ronglian", "heading": "Sign in to the ronglian explorer",
           "label": "API key",
           "hint": "Enter the API key your administrator gave you (it starts with rl_). It is "
                   "kept in a secure cookie of this browser and only lets it read.",
           "submit": "Sign in", "other": "中文", "failed": "Sign-in failed: "},
}

_PAGE = """<!doctype html>
<html lang="{lang_attr}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif;
       background: #f5f7fa; margin: 0; display: flex; min-height: 100vh;
       align-items: center; justify-content: center; }}
main {{ background: #fff; padding: 2rem 2.5rem; border-radius: 8px; width: 24rem;
       box-shadow: 0 2px 12px rgba(0,0,0,.08); }}
h1 {{ font-size: 1.25rem; margin: 0 0 1rem; }}
label {{ display: block; font-weight: 600; margin-bottom: .4rem; }}
input {{ width: 100%; box-sizing: border-box; padding: .5rem; font-size: 1rem; }}
p.hint {{ color: #555; font-size: .85rem; line-height: 1.5; }}
button {{ margin-top: 1rem; padding: .5rem 1.5rem; font-size: 1rem; cursor: pointer; }}
#error {{ color: #b3261e; min-height: 1.2em; }}
nav {{ margin-top: 1rem; font-size: .85rem; }}
</style></head>
<body><main>
<h1>{heading}</h1>
<form id="sign-in">
<label for="key">{label}</label>
<input id="key" name="key" type="password" autocomplete="current-password" required autofocus>
<p class="hint">{hint}</p>
<p id="error" role="alert"></p>
<button type="submit">{submit}</button>
</form>
<nav><a href="{other_href}">{other}</a></nav>
</main>
<script>
document.getElementById('sign-in').addEventListener('submit', function (ev) {{
  ev.preventDefault();
  var err = document.getElementById('error');
  err.textContent = '';
  fetch('/api/v1/session', {{method: 'POST', headers: {{'Content-Type': 'application/json'}},
    body: JSON.stringify({{key: document.getElementById('key').value}})}})
    .then(function (r) {{
      if (r.ok) {{ window.location.assign({next_js}); return; }}
      return r.json().then(function (p) {{
        err.textContent = {failed_js} + (p.title || '') + (p.detail ? ' (' + p.detail + ')' : '');
      }});
    }})
    .catch(function (e) {{ err.textContent = {failed_js} + e; }});
}});
</script>
</body></html>
"""


@router.get("/sign-in", response_class=HTMLResponse,
            responses={200: {"description": "The sign-in page.",
                             "content": {"text/html": {"example": "<!doctype html>…"}}}})
def sign_in_page(
    lang: Annotated[str, Query(pattern="^(zh|en)$", description="Display language.",
                               examples=["zh"])] = "zh",
    next_: Annotated[str | None, Query(alias="next", max_length=2000,
                                       description="Page to open after signing in (a path "
                                       "on this site).", examples=["/explore"])] = None,
) -> HTMLResponse:
    """The browser sign-in page (Chinese first; ``?lang=en`` for English)."""
    t = _TEXT[lang]
    target = _safe_next(next_)
    other = "en" if lang == "zh" else "zh"
    page = _PAGE.format(
        lang_attr="zh-CN" if lang == "zh" else "en",
        title=html.escape(t["title"]), heading=html.escape(t["heading"]),
        label=html.escape(t["label"]), hint=html.escape(t["hint"]),
        submit=html.escape(t["submit"]), other=html.escape(t["other"]),
        other_href=html.escape("/sign-in?" + urlencode({"lang": other, "next": target})),
        # json.dumps then </-escaping: a string literal that cannot close the script element
        next_js=json.dumps(target).replace("</", "<\\/"),
        failed_js=json.dumps(t["failed"], ensure_ascii=False),
    )
    return HTMLResponse(page)
