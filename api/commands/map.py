"""``ronglian map --chain ID [--region CODE] [--lang zh|en] --out FILE.html``: write a chain's
interactive map as one standalone HTML file (all JavaScript and CSS inlined, no network).

Options only; the work is :func:`viz.data.load_map` and :func:`viz.render.render_page`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.commands._common import cannot_write
from graph.errors import InvalidInput
from graph.store import open_store


def write_map(chain: str, out: Path, *, region: str | None = None, lang: str = "zh",
              store_url: str | None = None) -> dict[str, int]:
    """Render ``chain`` into ``out``; return the counts drawn (enterprises, products, ties)."""
    from viz.chainmap import MapOptions
    from viz.data import load_map
    from viz.render import render_page

    if lang not in ("zh", "en"):
        raise InvalidInput(f"--lang must be zh or en, not {lang!r}", field="lang")
    if out.is_dir():  # said before the map is drawn, not after
        raise cannot_write(out, IsADirectoryError(21, "Is a directory"), "out")
    with open_store(store_url, create=False) as store:
        payload = load_map(store, chain, region, MapOptions(lang=lang))
    html = render_page("standalone", payload=payload, lang=lang, region=region)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(html, encoding="utf-8")
    except OSError as e:
        raise cannot_write(out, e, "out") from e
    k = payload["kpis"]
    return {"enterprises": k["enterprises"], "products": k["products"],
            "supply_ties": k["supply_ties"], "bytes": len(html.encode("utf-8"))}


def register(app: typer.Typer) -> None:
    @app.command("map")
    def map_(
        chain: Annotated[str, typer.Option("--chain", help="Chain id (see GET /api/v1/chains).")],
        out: Annotated[Path, typer.Option("--out", help="HTML file to write.")],
        region: Annotated[str | None, typer.Option(
            "--region", help="Region code that counts as local (default: the chain's home).")
        ] = None,
        lang: Annotated[str, typer.Option("--lang", help="Display language: zh or en.")] = "zh",
        store: Annotated[str | None, typer.Option("--store", help="Store URL (default: "
                                                  "RONGLIAN_STORE).")] = None,
    ) -> None:
        """Write a chain's interactive map as a standalone HTML file (works offline)."""
        n = write_map(chain, out, region=region, lang=lang, store_url=store)
        text = (f"{n['enterprises']} enterprises, {n['products']} product nodes, "
                f"{n['supply_ties']} supply ties" if lang == "en" else
                f"{n['enterprises']} 家企业, {n['products']} 个产品节点, "
                f"{n['supply_ties']} 条供应关系")
        print(f"{out}: {text} ({n['bytes'] // 1024} KiB)")
