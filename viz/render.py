"""HTML pages of the chain map: the explorer, a served map page and the standalone file.

One Jinja template (``viz/templates/map.html``) for all three; assets are either linked
from the API's static route or inlined (standalone: it must work with no network, so no
CDN ever). vis-network comes from the pyvis package (``pyvis/templates/lib/vis-9.1.2``,
Apache-2.0 OR MIT) — pyvis is a dependency already, so nothing is vendored twice.

What must not live here: store access (``viz/data.py``), layout (``viz/chainmap.py``).
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, FileSystemLoader, select_autoescape

from graph.errors import ConfigError
from viz.chainmap import SEGMENT_ORDER, SIZE_CLASSES

Mode = Literal["explore", "map", "standalone"]

VIZ_DIR = Path(__file__).resolve().parent
STATIC_DIR = VIZ_DIR / "static"
VIS_VERSION = "9.1.2"

#: Files the API serves under ``/static/viz/`` (an allow-list: nothing else is readable).
STATIC_FILES: dict[str, str] = {
    "vis-network.min.js": "application/javascript",
    "vis-network.min.css": "text/css",
    "chainmap.js": "application/javascript",
    "chainmap.css": "text/css",
}

_env = Environment(loader=FileSystemLoader(str(VIZ_DIR / "templates")),
                   autoescape=select_autoescape(["html"]))


def _vis_dir() -> Path:
    d = Path(str(files("pyvis"))) / "templates" / "lib" / f"vis-{VIS_VERSION}"
    if not (d / "vis-network.min.js").is_file():
        raise ConfigError(f"vis-network {VIS_VERSION} not found in the pyvis package ({d}); "
                          "reinstall pyvis>=0.3.2", code="E401")
    return d


def static_path(name: str) -> Path:
    """Path of an allow-listed static file (KeyError for anything else)."""
    if name not in STATIC_FILES:
        raise KeyError(name)
    if name == "vis-network.min.js":
        return _vis_dir() / "vis-network.min.js"
    if name == "vis-network.min.css":
        return _vis_dir() / "vis-network.css"
    return STATIC_DIR / name


@cache
def _asset(name: str) -> str:
    return static_path(name).read_text(encoding="utf-8")


def json_for_script(value: Any) -> str:
    """JSON safe inside ``<script>``: ``<`` escaped so no ``</script>`` can end it early."""
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            .replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def render_page(mode: Mode, *, payload: dict[str, Any] | None = None,
                chains: list[dict[str, Any]] | None = None, lang: str = "zh",
                api_base: str | None = "", api_features: dict[str, bool] | None = None,
                static_prefix: str = "/static/viz", region: str | None = None,
                initial_chain: str | None = None, data_url: str = "/maps/chains/{id}/data",
                standalone_url: str | None = "/maps/chains/{id}/standalone.html") -> str:
    """Render one page. ``standalone`` inlines every asset and sets no API (a file on disk);
    ``map`` and ``explore`` link ``static_prefix`` and call the API at ``api_base``."""
    inline = mode == "standalone"
    lang = lang if lang in ("zh", "en") else "zh"
    config = {
        "mode": mode, "lang": lang, "payload": payload, "chains": chains or [],
        "apiBase": None if inline else api_base, "api": api_features or {},
        "region": region, "initialChain": initial_chain, "dataUrl": data_url,
        "standaloneUrl": None if inline else standalone_url,
    }
    chain = (payload or {}).get("chain") or {}
    name = chain.get("name") or chain.get("id") or ""
    # chainmap.js sets the same title (I18N title) when the language changes.
    suffix = "Chain map · Ronglian" if lang == "en" else "产业链图谱 · 融链"
    title = f"{name} · {suffix}" if name else suffix
    segments = [s["name"] for s in (payload or {}).get("segments", [])] or list(SEGMENT_ORDER)
    ctx: dict[str, Any] = {
        "mode": mode, "lang": lang, "title": title, "inline": inline,
        "static": static_prefix, "config_json": json_for_script(config),
        "synthetic": bool(chain.get("synthetic")), "sizes": SIZE_CLASSES, "segments": segments,
    }
    if inline:
        ctx.update(vis_js=_asset("vis-network.min.js"), vis_css=_asset("vis-network.min.css"),
                   app_js=_asset("chainmap.js"), app_css=_asset("chainmap.css"))
    return _env.get_template("map.html").render(**ctx)
