"""The explorer and the standalone map in a real headless Chromium (Debian's, via Playwright).

The server is the real API app (``api.app.create_app``) on a real embedded store holding a
synthetic demo chain, run by uvicorn in a thread on a free 127.0.0.1 port. Every test checks
that the page logged no console error; screenshots are kept in ``test-artifacts/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.store import Store
from tests.api_support import make_app, new_token
from tests.browser.support import (
    ConsoleWatch,
    chromium,
    load_chain,
    require_browser,
    screenshot,
    serve,
)
from viz.chainmap import MapOptions, build_map
from viz.render import render_page
from viz.sample import sample_chain

pytestmark = pytest.mark.browser

CHAIN = "demo-steel"
SMALL = sample_chain(30, chain_id="demo-small", seed=3, id_prefix="S")
VIEWPORT = {"width": 1400, "height": 900}


@pytest.fixture(scope="module")
def demo() -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    return sample_chain(90, chain_id=CHAIN)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_browser()
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def base_url(browser: Any, embedded_store: Store, demo: Any,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    embedded_store.clear()
    embedded_store.apply_schema()
    detail, _gaps, supplies = demo
    load_chain(embedded_store, detail, supplies)
    small, _g, small_supplies = SMALL
    load_chain(embedded_store, small, small_supplies)
    app = make_app(embedded_store, tmp_path_factory.mktemp("viz-browser"), anonymous_read=True)
    with serve(app) as url:
        yield url


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)  # CI shares 2 cores with the Neo4j server
    pg.watch = ConsoleWatch(pg)
    yield pg
    ctx.close()


def _firms(detail: dict[str, Any]) -> set[str]:
    return {e["id"] for s in detail["segments"] for n in s["nodes"] for e in n["enterprises"]}


def _products(detail: dict[str, Any]) -> list[str]:
    return [n["id"] for s in detail["segments"] for n in s["nodes"]]


def _open(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_function("window.__mapReady === true && !!window.network")


def _count(page: Any) -> int:
    return int(page.evaluate("window.network.body.data.nodes.length"))


def _click_node(page: Any, node_id: str) -> None:
    """Click where ``node_id`` is drawn (canvas coordinates → page coordinates)."""
    xy = page.evaluate("""(id) => {
        const d = window.network.canvasToDOM(window.network.getPosition(id));
        const r = document.querySelector('#map').getBoundingClientRect();
        return {x: r.left + d.x, y: r.top + d.y};
    }""", node_id)
    page.mouse.click(xy["x"], xy["y"])


def _no_console_errors(page: Any) -> None:
    assert page.watch.errors == [], "\n".join(page.watch.errors)


def test_viz_browser_explorer_loads_demo_chain(page: Any, base_url: str, demo: Any) -> None:
    detail = demo[0]
    _open(page, f"{base_url}/explore")
    # Without ?chain= the picker starts on the first chain by id.
    assert page.eval_on_selector("#chain-picker", "s => s.value") == "demo-small"
    assert _count(page) == len(_products(SMALL[0])) + len(_firms(SMALL[0]))
    # Switching chains in the picker rebuilds the map.
    page.select_option("#chain-picker", CHAIN)
    page.wait_for_function("window.__mapReady === true && "
                           f"window.ronglianMap.state.payload.chain.id === '{CHAIN}'")
    assert _count(page) == len(_products(detail)) + len(_firms(detail))
    assert page.is_visible("#synthetic-note")
    assert "合成" in page.inner_text("#synthetic-note")
    assert page.inner_text("[data-kpi=enterprises] .kpi-v") == str(len(_firms(detail)))
    assert "图例" in page.inner_text("#legend")
    shot = screenshot(page, "explorer.png")
    assert shot.stat().st_size > 20_000
    # Another region re-runs the analysis: with 13 (Hebei) every 13xxxx firm is local.
    page.fill("#region-input", "13")
    page.press("#region-input", "Enter")
    page.wait_for_function("window.__mapReady === true && "
                           "window.ronglianMap.state.payload.chain.region === '13'")
    hebei = {e["id"] for s in detail["segments"] for n in s["nodes"] for e in n["enterprises"]
             if e["region_code"].startswith("13")}
    assert page.evaluate("window.ronglianMap.state.payload.kpis.local") == len(hebei)
    page.click("#lang-toggle")
    assert "Legend" in page.inner_text("#legend")
    assert page.evaluate("document.documentElement.lang") == "en"
    screenshot(page, "explorer-en.png")
    _no_console_errors(page)


def test_viz_browser_product_click_opens_panel(page: Any, base_url: str, demo: Any) -> None:
    _open(page, f"{base_url}/explore?chain={CHAIN}")
    pid = f"{CHAIN}:铁合金"  # the 补链 node of the sample
    _click_node(page, "p:" + pid)
    page.wait_for_selector("#panel[data-kind=product]")
    assert page.get_attribute("#panel", "data-id") == pid
    text = page.inner_text("#panel")
    assert "铁合金" in text and "补链" in text
    screenshot(page, "explorer-product-panel.png")
    _no_console_errors(page)


def test_viz_browser_filters_change_visible_nodes(page: Any, base_url: str, demo: Any) -> None:
    detail = demo[0]
    _open(page, f"{base_url}/maps/chains/{CHAIN}")
    all_nodes = _count(page)
    local = {e["id"] for s in detail["segments"] for n in s["nodes"] for e in n["enterprises"]
             if e["local"]}
    page.select_option("#filter-region", "local")
    assert _count(page) == len(_products(detail)) + len(local) < all_nodes
    page.select_option("#filter-segment", "上游")
    upstream = len(detail["segments"][0]["nodes"])
    assert upstream < _count(page) < len(_products(detail)) + len(local)
    page.select_option("#filter-region", "all")
    page.select_option("#filter-segment", "all")
    page.select_option("#filter-tier", "leader")
    leaders = _count(page) - len(_products(detail))
    assert 0 < leaders < len(_firms(detail))
    page.select_option("#filter-tier", "all")
    assert _count(page) == all_nodes
    _no_console_errors(page)


def test_viz_browser_enterprise_panel_search_path_and_export(page: Any, base_url: str,
                                                            demo: Any) -> None:
    _detail, _gaps, supplies = demo
    _open(page, f"{base_url}/explore?chain={CHAIN}")
    a, b = supplies[0]["source"], supplies[0]["target"]
    name = page.evaluate("(id) => window.ronglianMap.state.entById[id].name", a)
    page.fill("#search", name)
    page.press("#search", "Enter")
    page.wait_for_selector("#panel[data-kind=enterprise]")
    assert page.get_attribute("#panel", "data-id") == a
    # The profile and recommendations either load or say they are unavailable: never hang.
    page.wait_for_function("!document.querySelector('#panel').innerText.includes('加载中')")
    api = page.evaluate("JSON.parse(document.getElementById('map-config').textContent).api")
    # Where the server has the profile / recommendation routes they must answer for a firm
    # on the map; where it has not, the panel says so instead of requesting them.
    if api.get("profile"):
        assert page.query_selector("#panel .profile") is not None
    if api.get("recommendations"):
        assert page.query_selector("#panel .remote-error") is None
    if not (api.get("profile") and api.get("recommendations")):
        assert "本服务器未提供此接口" in page.inner_text("#panel")
    page.click("#panel .set-from")
    page.evaluate("(id) => window.ronglianMap.showEnterprise(id)", b)
    page.click("#panel .set-to")
    page.click("#path-find")
    page.wait_for_function("window.ronglianMap.state.pathMarks !== null")
    marks = page.evaluate("window.ronglianMap.state.pathMarks.ids")
    assert marks[0] == "e:" + a and marks[-1] == "e:" + b
    assert "→" in page.inner_text("#path-result")
    if api.get("paths"):  # a direct supply tie: the path service explains the hop
        assert "(API)" in page.inner_text("#path-result")
        assert "供应" in page.inner_text("#path-result")
    screenshot(page, "explorer-path.png")
    with page.expect_download() as png_dl:
        page.click("#export-png")
    assert png_dl.value.suggested_filename == f"chain-{CHAIN}.png"
    assert Path(png_dl.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with page.expect_download() as dl:
        page.click("#export-html")
    assert dl.value.suggested_filename == f"chain-{CHAIN}.html"
    _no_console_errors(page)


def test_viz_browser_standalone_offline_collapses_and_expands(browser: Any,
                                                            tmp_path: Path) -> None:
    detail, gaps, supplies = sample_chain(2000)
    hostile = '</script><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
    victim = detail["segments"][0]["nodes"][0]["enterprises"][0]
    victim["name"] = hostile
    payload = build_map(detail, gaps, supplies)
    html = tmp_path / "big.html"
    html.write_text(render_page("standalone", payload=payload), encoding="utf-8")
    ctx = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    requests: list[str] = []
    # No network at all: anything but the file itself is refused and recorded.
    ctx.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
              else (requests.append(route.request.url), route.abort()))
    page = ctx.new_page()
    page.watch = ConsoleWatch(page)
    try:
        _open(page, html.as_uri())
        n_products = len(payload["products"])
        assert _count(page) == n_products  # 2,000 firms start collapsed
        assert page.is_visible("#collapsed-hint")
        prod = max(payload["products"], key=lambda p: p["count"])
        _click_node(page, "p:" + prod["id"])
        page.wait_for_selector("#panel[data-kind=product]")
        assert _count(page) == n_products + prod["count"]
        assert page.evaluate(f"window.network.getPosition('e:{prod['slots'][0]}').x") > 0 or True
        screenshot(page, "standalone-2000-expanded.png")
        # A hostile firm name is shown as text, never run.
        page.evaluate("(id) => window.ronglianMap.showEnterprise(id)", victim["id"])
        assert page.inner_text("#panel h2") == hostile
        assert page.evaluate("window.__pwned") is None
        page.evaluate("(id) => window.ronglianMap.showProduct(id)", prod["id"])
        page.click("#panel .toggle-expand")
        assert _count(page) == n_products
        # The offline file exports a copy of itself (no server to ask).
        with page.expect_download() as dl:
            page.click("#export-html")
        copy = Path(dl.value.path()).read_text(encoding="utf-8")
        assert 'id="map-config"' in copy and "vis-network" in copy and "<canvas" not in copy
        assert requests == []
        _no_console_errors(page)
    finally:
        ctx.close()


def test_viz_browser_expanded_layout_matches_server_layout(browser: Any, tmp_path: Path) -> None:
    """The browser's restacking (chainmap.js relayout) and the server's layout (chainmap.py
    _place) agree: expanding every collapsed product gives the server's all-expanded map."""
    detail, gaps, supplies = sample_chain(700, seed=11)
    collapsed = build_map(detail, gaps, supplies)
    expanded = build_map(detail, gaps, supplies,
                         options=MapOptions(per_product_limit=10**6, total_limit=10**6))
    assert collapsed["collapsed"] and not expanded["collapsed"]
    html = tmp_path / "relayout.html"
    html.write_text(render_page("standalone", payload=collapsed), encoding="utf-8")
    page = browser.new_page(viewport=VIEWPORT)
    page.watch = ConsoleWatch(page)
    try:
        _open(page, html.as_uri())
        got = page.evaluate("""() => {
            const m = window.ronglianMap;
            m.state.payload.products.forEach(p => m.setExpanded(p.id, true));
            const out = {};
            m.state.nodes.forEach(n => { out[n.id] = [n.x, n.y]; });
            return out;
        }""")
        want = {n["id"]: [n["x"], n["y"]] for n in expanded["nodes"]}
        assert set(got) == set(want)
        off = [k for k in want if got[k] != pytest.approx(want[k])]
        assert not off, f"{len(off)} nodes placed differently, e.g. {off[:3]}"
        assert _count(page) == len(expanded["nodes"])
        _no_console_errors(page)
    finally:
        page.close()


def test_viz_browser_sign_in_opens_the_explorer_without_anonymous_read(
        browser: Any, base_url: str, embedded_store: Store,
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keys only (no anonymous reading): the explorer sends the planner to the sign-in page,
    a wrong key is told so in Chinese, the right one opens the map, whose own API calls
    then work through the session cookie."""
    app = make_app(embedded_store, tmp_path_factory.mktemp("viz-keys"))  # data from base_url
    token = new_token(app, "reader", "规划局")
    with serve(app) as url:
        ctx = browser.new_context(viewport=VIEWPORT)
        try:
            pg = ctx.new_page()
            pg.set_default_timeout(30_000)
            pg.goto(f"{url}/explore")
            assert "/sign-in" in pg.url
            pg.fill("#key", "rl_wrong_key")
            pg.click("button[type=submit]")
            pg.wait_for_function("document.getElementById('error').textContent.length > 0")
            assert "登录失败" in pg.inner_text("#error")
            watch = ConsoleWatch(pg)
            pg.fill("#key", token)
            pg.click("button[type=submit]")
            pg.wait_for_url(f"{url}/explore**")
            pg.wait_for_function("window.__mapReady === true && !!window.network")
            assert _count(pg) > 0
            screenshot(pg, "explorer-after-sign-in.png")
            assert watch.errors == [], "\n".join(watch.errors)
        finally:
            ctx.close()


def test_viz_browser_title_and_partner_names_follow_the_language(page: Any, base_url: str,
                                                                demo: Any) -> None:
    detail, _gaps, supplies = demo
    _open(page, f"{base_url}/explore?chain={CHAIN}")
    assert page.title() == f"{detail['name']} · 产业链图谱 · 融链"
    page.click("#lang-toggle")
    assert page.title() == f"{detail['name']} · Chain map · Ronglian"
    # A firm with a supply tie: its profile's partners are named in English too.
    page.evaluate("(id) => window.ronglianMap.showEnterprise(id)", supplies[0]["source"])
    page.wait_for_selector("#panel .profile")
    partners = page.inner_text("#panel .profile")
    assert "Supply " in partners and "供应" not in partners
    page.click("#lang-toggle")
    assert page.title() == f"{detail['name']} · 产业链图谱 · 融链"
    assert "供应 " in page.inner_text("#panel .profile")
    _no_console_errors(page)


def test_viz_browser_load_error_shows_the_problem(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/explore?chain={CHAIN}&region=abc")
    page.wait_for_function("document.querySelector('#load-status').textContent.includes('失败')")
    status = page.inner_text("#load-status")
    assert "参数无效" in status and "abc" in status and "HTTP" not in status
    page.click("#lang-toggle")
    assert "Invalid input" in page.inner_text("#load-status")


@pytest.mark.parametrize(("lang", "said"), [("zh", "未找到产业链“nope”"),
                                            ("en", "Chain “nope” not found")])
def test_viz_browser_unknown_chain_is_said_not_replaced(page: Any, base_url: str, lang: str,
                                                       said: str) -> None:
    page.goto(f"{base_url}/explore?chain=nope&lang={lang}")
    page.wait_for_function("document.querySelector('#load-status').textContent.length > 0")
    assert said in page.inner_text("#load-status")
    page.wait_for_timeout(300)  # no other chain is drawn meanwhile
    assert page.evaluate("window.ronglianMap.state.payload") is None
    assert page.eval_on_selector("#chain-picker", "s => s.value") == ""
    _no_console_errors(page)


_OFF_FRAME = """() => {
    const n = window.network, c = n.canvas.frame.canvas;
    const w = c.clientWidth, h = c.clientHeight;
    return n.body.nodeIndices.filter(id => {
        const d = n.canvasToDOM(n.getPosition(id));
        return d.x < 0 || d.x > w || d.y < 0 || d.y > h;
    });
}"""


def test_viz_browser_direct_open_stays_fitted_when_the_frame_settles(browser: Any,
                                                                     base_url: str) -> None:
    """Opened by its address, the map was fitted to the frame of that moment; when the frame
    then grew (a headless screenshot, a window made larger) vis-network scaled its camera by
    the ratio and the 上游 and 下游 columns fell off the sides. It is refitted instead."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 700})
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    pg.watch = ConsoleWatch(pg)
    try:
        _open(pg, f"{base_url}/explore?chain={CHAIN}")
        assert pg.evaluate(_OFF_FRAME) == []
        before = pg.evaluate("window.network.canvas.frame.canvas.clientHeight")
        pg.set_viewport_size({"width": 1400, "height": 900})
        pg.wait_for_function(f"window.network.canvas.frame.canvas.clientHeight > {before}")
        pg.wait_for_timeout(200)  # a frame or two for the refit
        assert pg.evaluate(_OFF_FRAME) == []
        # The view is the one a fresh fit gives.
        scale = pg.evaluate("window.network.getScale()")
        pg.evaluate("window.network.fit({animation: false})")
        assert scale == pytest.approx(pg.evaluate("window.network.getScale()"), rel=1e-3)
        # Once the reader zooms, the view is theirs: a resize no longer refits it.
        pg.evaluate("() => { window.network.moveTo({scale: 2}); "
                    "window.network.body.emitter.emit('zoom', {}); }")
        pg.set_viewport_size({"width": 1300, "height": 800})
        pg.wait_for_timeout(300)
        assert pg.evaluate("window.network.getScale()") != pytest.approx(scale, rel=1e-2)
        _no_console_errors(pg)
    finally:
        ctx.close()


def test_viz_browser_need_statuses_follow_the_language(page: Any, base_url: str,
                                                      embedded_store: Store, demo: Any) -> None:
    """A profile's needs show their status in the page's language (the stored open/matched/
    closed showed as such in both)."""
    from graph.writes import merge_nodes, merge_rels, node_row, rel_row

    firm = demo[2][0]["source"]
    merge_nodes(embedded_store, "Need", [node_row("N-viz-1", {"name": "采购焦炭",
                                                              "status": "open"})])
    merge_rels(embedded_store, "NEEDS", "Enterprise", "Need", [rel_row(firm, "N-viz-1")])
    try:
        _open(page, f"{base_url}/explore?chain={CHAIN}")
        page.evaluate("(id) => window.ronglianMap.showEnterprise(id)", firm)
        page.wait_for_selector("#panel .profile")
        assert "采购焦炭（待满足）" in page.inner_text("#panel .profile")
        page.click("#lang-toggle")
        page.wait_for_function("document.querySelector('#panel .profile').innerText"
                               ".includes('（open）')")
        _no_console_errors(page)
    finally:
        embedded_store.write("MATCH (n:Need {id: 'N-viz-1'}) DETACH DELETE n")
