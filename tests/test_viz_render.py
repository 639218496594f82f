"""The map pages' HTML: config JSON survives hostile names, assets are local, the static
allow-list holds."""

from __future__ import annotations

import json
import re

import pytest

from viz.chainmap import build_map
from viz.render import STATIC_FILES, json_for_script, render_page, static_path
from viz.sample import sample_chain

HOSTILE = '</script><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'


def _config(html: str) -> dict:  # type: ignore[type-arg]
    m = re.search(r'<script type="application/json" id="map-config">(.*?)</script>', html, re.S)
    assert m
    return json.loads(m.group(1))  # type: ignore[no-any-return]


def test_viz_render_json_for_script_never_closes_the_tag() -> None:
    text = json_for_script({"a": HOSTILE, "b": "\u2028"})
    assert "</" not in text and "<" not in text
    assert json.loads(text) == {"a": HOSTILE, "b": "\u2028"}


def test_viz_render_hostile_names_stay_data() -> None:
    detail, gaps, supplies = sample_chain(30)
    detail["name"] = HOSTILE
    detail["segments"][0]["nodes"][0]["enterprises"][0]["name"] = HOSTILE
    for mode in ("map", "standalone"):
        html = render_page(mode, payload=build_map(detail, gaps, supplies))  # type: ignore[arg-type]
        assert "<script>window.__pwned" not in html
        assert HOSTILE not in html  # neither in the title nor raw in the config
        cfg = _config(html)
        assert cfg["payload"]["chain"]["name"] == HOSTILE


@pytest.mark.parametrize("mode", ["explore", "map"])
def test_viz_render_served_pages_link_local_assets(mode: str) -> None:
    payload = build_map(*sample_chain(20)) if mode == "map" else None
    html = render_page(mode, payload=payload, static_prefix="/static/viz")  # type: ignore[arg-type]
    srcs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert srcs and all(s.startswith(("/static/viz/", "data:")) for s in srcs), srcs


def test_viz_render_language_and_defaults() -> None:
    html = render_page("explore", lang="en")
    assert '<html lang="en">' in html and _config(html)["lang"] == "en"
    assert _config(render_page("explore", lang="xx"))["lang"] == "zh"


def test_viz_render_static_allow_list() -> None:
    for name in STATIC_FILES:
        assert static_path(name).is_file()
    with pytest.raises(KeyError):
        static_path("../graph/store.py")


@pytest.mark.parametrize(("lang", "suffix"), [("zh", "产业链图谱 · 融链"),
                                              ("en", "Chain map · Ronglian")])
def test_viz_render_title_follows_the_language(lang: str, suffix: str) -> None:
    detail, gaps, supplies = sample_chain(10)
    html = render_page("standalone", payload=build_map(detail, gaps, supplies), lang=lang)
    assert f"<title>{detail['name']} · {suffix}</title>" in html
    assert f"<title>{suffix}</title>" in render_page("explore", lang=lang)
