"""Benchmark (not a test): time from navigation to the first fully drawn, interactive chain map
in headless Debian chromium, for synthetic chains of 200, 2,000 and 10,000 enterprises.

Each chain is built (``viz.chainmap.build_map``) and rendered as the standalone page (the
same template, JS and vis-network as ``/maps/chains/{id}``, all inlined), then opened from
disk. "Ready" is the network's first ``afterDrawing`` (physics is off, so there is nothing to
stabilise); the click handlers are attached before it. Also measured: expanding the largest
collapsed product (click → redrawn), and a 2,000-firm chain with collapsing switched off.
Prints medians of ``--repeat`` runs and each case's ratio to the 200-firm case of this run.

``--served`` also loads the chains into a temporary embedded store and times the explorer as
a user gets it from the real API app (``/explore?chain=ID``: page, then the map payload built
from the store by the query services, then drawing).

    .venv/bin/python bench/map.py [--repeat 3] [--sizes 200,2000,10000] [--served]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.browser.support import CHROMIUM, CHROMIUM_ARGS
from viz.chainmap import MapOptions, build_map
from viz.render import render_page
from viz.sample import sample_chain

EXPAND_JS = """(pid) => new Promise((resolve) => {
    const t0 = performance.now();
    window.network.once('afterDrawing', () => resolve(performance.now() - t0));
    window.ronglianMap.setExpanded(pid, true);
    window.network.redraw();
})"""


def run_case(browser: Any, url: str, payload: dict[str, Any], repeat: int) -> dict[str, Any]:
    walls, in_page, expands, drawn = [], [], [], 0
    big = max(payload["products"], key=lambda p: p["count"])
    for _ in range(repeat):
        ctx = browser.new_context(viewport={"width": 1400, "height": 900})
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        t0 = time.perf_counter()
        page.goto(url)
        page.wait_for_function("window.__mapReady === true", timeout=120_000, polling=10)
        walls.append(time.perf_counter() - t0)
        in_page.append(page.evaluate("window.__mapReadyAt") / 1000)
        drawn = page.evaluate("window.network.body.data.nodes.length")
        if not big["expanded"]:
            expands.append(page.evaluate(EXPAND_JS, big["id"]) / 1000)
        if errors:
            raise RuntimeError(f"page errors: {errors}")
        ctx.close()
    return {"wall": statistics.median(walls), "in_page": statistics.median(in_page),
            "expand": statistics.median(expands) if expands else None, "drawn": drawn,
            "expand_n": big["count"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--sizes", default="200,2000,10000")
    ap.add_argument("--served", action="store_true",
                    help="also time /explore from the API app on an embedded store")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    cases: list[tuple[str, int, MapOptions]] = [(f"{n:,}", n, MapOptions()) for n in sizes]
    if 2000 in sizes:
        cases.append(("2,000 no-collapse", 2000, MapOptions(per_product_limit=10**9,
                                                           total_limit=10**9)))
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # Warm-up: the first page of a fresh browser pays its own start-up.
        d, g, s = sample_chain(50)
        warm = Path(tmp) / "warm.html"
        warm.write_text(render_page("standalone", payload=build_map(d, g, s)), encoding="utf-8")
        run_case(browser, warm.as_uri(), build_map(d, g, s), 1)
        for label, n, opts in cases:
            t0 = time.perf_counter()
            detail, gaps, supplies = sample_chain(n)
            payload = build_map(detail, gaps, supplies, options=opts)
            html = render_page("standalone", payload=payload)
            build_s = time.perf_counter() - t0
            path = Path(tmp) / f"map-{n}-{len(rows)}.html"
            path.write_text(html, encoding="utf-8")
            r = run_case(browser, path.as_uri(), payload, args.repeat)
            r.update(label=label, firms=payload["kpis"]["enterprises"], ties=payload["kpis"][
                "supply_ties"], build=build_s, mib=len(html.encode()) / 2**20)
            rows.append(r)
        if args.served:
            rows += served_cases(browser, sizes, args.repeat, Path(tmp))
        browser.close()

    base = rows[0]["wall"]
    print(f"chain map in headless chromium ({CHROMIUM}), median of {args.repeat} runs; "
          f"ratio = wall time / wall time of the {rows[0]['label']} case")
    print(f"{'case':<18}{'firms':>7}{'ties':>7}{'drawn':>7}{'MiB':>6}{'build s':>9}"
          f"{'ready s':>9}{'in-page s':>10}{'ratio':>7}{'expand s (n)':>16}")
    for r in rows:
        exp = f"{r['expand']:.3f} ({r['expand_n']})" if r["expand"] is not None else "-"
        print(f"{r['label']:<18}{r['firms']:>7}{r['ties']:>7}{r['drawn']:>7}{r['mib']:>6.1f}"
              f"{r['build']:>9.3f}{r['wall']:>9.3f}{r['in_page']:>10.3f}"
              f"{r['wall'] / base:>7.2f}{exp:>16}")


def served_cases(browser: Any, sizes: list[int], repeat: int, tmp: Path) -> list[dict[str, Any]]:
    """Time ``/explore?chain=ID`` on the real app and store for each size."""
    from graph.store import open_store
    from tests.api_support import make_app
    from tests.browser.support import load_chain, serve
    from viz.data import load_map

    out = []
    with open_store(f"embedded://{tmp / 'store'}") as store:
        store.apply_schema()
        for n in sizes:
            detail, _g, supplies = sample_chain(n, chain_id=f"bench-{n}", id_prefix=f"B{n}-")
            t0 = time.perf_counter()
            load_chain(store, detail, supplies)
            loaded = time.perf_counter() - t0
            t0 = time.perf_counter()
            payload = load_map(store, f"bench-{n}")
            build = time.perf_counter() - t0
            print(f"loaded bench-{n} into the embedded store in {loaded:.1f}s", file=sys.stderr)
            with serve(make_app(store, tmp / f"app-{n}", anonymous_read=True)) as url:
                r = run_case(browser, f"{url}/explore?chain=bench-{n}", payload, repeat)
            r.update(label=f"{n:,} served", firms=payload["kpis"]["enterprises"],
                     ties=payload["kpis"]["supply_ties"], build=build, mib=0.0)
            out.append(r)
    return out


if __name__ == "__main__":
    main()
