"""Browser-test helpers: find and launch Debian's chromium (never a downloaded browser), serve
the real API app from a thread on a free 127.0.0.1 port, load a chain into a real store.

``tools/install_browser.sh`` installs chromium and Playwright's Python package. Without them a
test skips with the reason, except under CI=true where it fails: CI must run them.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.store import Store
from graph.writes import merge_nodes, merge_rels, node_row, rel_row
from viz.chainmap import SEGMENT_ORDER

CHROMIUM = os.environ.get("RONGLIAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def require_browser() -> None:
    """Skip (or, in CI, fail) unless chromium and Playwright are installed."""
    problems = []
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        problems.append(f"{CHROMIUM} not found")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("the playwright Python package is not installed")
    if problems:
        msg = "; ".join(problems) + " (run: bash tools/install_browser.sh)"
        if os.environ.get("CI") == "true":
            pytest.fail("browser tests must run in CI: " + msg)
        pytest.skip(msg)


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """A headless Debian chromium driven by Playwright (no browser download)."""
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                     timeout=30_000)
        try:
            yield browser
        finally:
            browser.close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve(app: Any, *, timeout: float = 20.0) -> Iterator[str]:
    """Run ``app`` with uvicorn in a thread on a free port; yield its base URL.

    Fails with the server's log when it does not come up within ``timeout``; never hangs.
    """
    import uvicorn

    log = io.StringIO()
    handler = logging.StreamHandler(log)
    root = logging.getLogger()
    root.addHandler(handler)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None,
                                           lifespan="on", timeout_graceful_shutdown=2))
    thread = threading.Thread(target=server.run, name="viz-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            root.removeHandler(handler)
            pytest.fail(f"test server did not start on 127.0.0.1:{port} within {timeout}s; "
                        f"log:\n{log.getvalue()}")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        root.removeHandler(handler)


def load_chain(store: Store, detail: dict[str, Any], supplies: list[dict[str, Any]],
               *, home_region: str = "1302") -> None:
    """Write a chain dict (``viz.sample`` / ``chain_detail`` shape) into ``store`` as the graph
    model stores it, flagged synthetic like the demo set."""
    prov = {"source": "tests/browser", "method": "seed", "confidence": 1.0, "run_id": "test",
            "ingested_at": "2026-01-01T00:00:00Z", "synthetic": True}
    cid = detail["id"]
    merge_nodes(store, "Region", [node_row(home_region, {"code": home_region, "name": "唐山市",
                                                         "level": "city", "parent_code": "13"})])
    merge_nodes(store, "Chain", [node_row(cid, {"name": detail["name"],
                                                "home_region": home_region, **prov})])
    segs = [s["name"] for s in detail["segments"]]
    merge_nodes(store, "Segment", [
        node_row(f"{cid}:{s}", {"chain_id": cid, "name": s,
                                "order": SEGMENT_ORDER.index(s) if s in SEGMENT_ORDER else 9})
        for s in segs])
    merge_rels(store, "PART_OF", "Segment", "Chain", [rel_row(f"{cid}:{s}", cid) for s in segs])
    products, in_seg, ents, produces = [], [], {}, []
    for seg in detail["segments"]:
        for node in seg["nodes"]:
            products.append(node_row(node["id"], {"name": node["name"], "norm_name": node["name"],
                                                  "chain_id": cid, **prov}))
            in_seg.append(rel_row(node["id"], f"{cid}:{seg['name']}"))
            for e in node["enterprises"]:
                ents[e["id"]] = node_row(e["id"], {
                    "name": e["name"], "norm_name": e["name"], "region_code": e["region_code"],
                    "size_class": e["size_class"], "tiers": e["tiers"], **prov})
                produces.append(rel_row(e["id"], node["id"], prov))
    merge_nodes(store, "Product", products)
    merge_rels(store, "IN_SEGMENT", "Product", "Segment", in_seg)
    merge_nodes(store, "Enterprise", list(ents.values()))
    merge_rels(store, "PRODUCES", "Enterprise", "Product", produces)
    merge_rels(store, "SUPPLIES", "Enterprise", "Enterprise", [
        rel_row(s["source"], s["target"], {"product": s["product"], **prov}, key=s["product"])
        for s in supplies if s["source"] in ents and s["target"] in ents])


class ConsoleWatch:
    """Collects a page's console errors and uncaught exceptions."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))

    def _console(self, msg: Any) -> None:
        if msg.type == "error":
            self.errors.append(f"console.error: {msg.text} @ {msg.location}")


def screenshot(page: Any, name: str) -> Path:
    """Save a full-viewport PNG under test-artifacts/ and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path))
    return path
