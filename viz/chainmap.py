"""The chain map's data model: turns a chain detail, its gaps and supply ties into the
vis-network payload that ``viz/static/chainmap.js`` draws.

Pure Python and deterministic (no store, no HTTP): the layout is computed here once,
server-side, so the browser never runs physics. Segments are columns left to right
(上游 → 中游 → 下游); each product node heads a band of its column and its enterprises sit
in a grid to its right. Above a threshold (more than ``per_product_limit`` enterprises on
one product, or more than ``total_limit`` in the chain) enterprises start collapsed into
their product node, which shows the count and expands on click; the browser restacks the
bands with the same constants (``LAYOUT``), so keep the two in step.

What must not live here: database access (``viz/data.py``), HTML (``viz/render.py``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graph import vocab

SEGMENT_ORDER: tuple[str, ...] = ("上游", "中游", "下游")
SEGMENT_EN: dict[str, str] = {"上游": "Upstream", "中游": "Midstream", "下游": "Downstream"}

SIZE_CLASSES: tuple[str, ...] = (*vocab.SIZE_CLASSES, vocab.UNDETERMINED)
SIZE_EN: dict[str, str] = {"大型": "Large", "中型": "Medium", "小型": "Small", "微型": "Micro",
                           "未划型": "Unclassified"}
SIZE_COLOURS: dict[str, str] = {"大型": "#1f4e9c", "中型": "#2e86c1", "小型": "#45b39d",
                                "微型": "#a3d9b1", "未划型": "#b0b7bf"}

#: Tier families the map marks; a firm's tiers are matched by substring.
TIER_LEADER = "leader"  # 链主企业 / 龙头: diamond with a gold border
TIER_SPECIAL = "special"  # 专精特新 / 小巨人 / 单项冠军: star
TIER_NONE = "none"

GAP_STYLE: dict[str, dict[str, Any]] = {
    "补链": {"background": "#e53935", "border": "#8e0000"},
    "强链": {"background": "#ffb300", "border": "#c56000"},
    "延链": {"background": "#ffffff", "border": "#7e57c2"},
}
PRODUCT_COLOUR = {"background": "#90a4ae", "border": "#455a64"}
#: A node without a gap whose extensions (``extensible``) show a way to grow the chain: drawn
#: as a gapless node with 延链's colour on a solid border, and not counted among the gaps.
EXTENSIBLE_COLOUR = {"background": "#90a4ae", "border": "#7e57c2"}

#: Layout constants shared with chainmap.js (``payload["layout"]``).
LAYOUT: dict[str, int] = {
    "col_width": 1000,  # x distance between segment columns
    "grid_dx": 110,  # x offset of the first enterprise column from its product node
    "cell_w": 125,  # enterprise grid cell
    "cell_h": 42,
    "grid_cols": 6,
    "band_min": 120,  # height of a product band with no (visible) enterprise grid
    "band_pad": 36,
    "label_room": 56,  # below a product dot: its name and count
}


@dataclass(frozen=True)
class MapOptions:
    """How a map is built. ``lang`` is the initial display language (zh or en)."""

    lang: str = "zh"
    per_product_limit: int = 40
    total_limit: int = 600
    label_chars: int = 9


def tier_family(tiers: Iterable[str] | None) -> str:
    """The strongest tier family of a firm (leader > special > none)."""
    tiers = list(tiers or [])
    if any("链主" in t or "龙头" in t for t in tiers):
        return TIER_LEADER
    if any("专精特新" in t or "小巨人" in t or "单项冠军" in t for t in tiers):
        return TIER_SPECIAL
    return TIER_NONE


def gap_class(node: Mapping[str, Any] | None) -> str | None:
    """补链 / 强链 / 延链 / None: the gap service's own class of a node, never another."""
    cls = (node or {}).get("class", (node or {}).get("class_"))
    return str(cls) if cls in GAP_STYLE else None


def extensible(node: Mapping[str, Any] | None) -> bool:
    """A node with no gap that lists 延链 extensions (products outside the chain, up- or
    downstream, that no local firm makes yet): a direction to grow from, not a gap."""
    return bool(node) and gap_class(node) is None and bool((node or {}).get("extensions"))


def product_size(count: int) -> float:
    """Radius of a product dot: grows with the square root of its enterprise count."""
    return round(min(60.0, 16.0 + 5.0 * math.sqrt(max(0, count))), 1)


def grid_rows(n: int) -> int:
    return math.ceil(n / LAYOUT["grid_cols"]) if n else 0


def band_height(n_visible: int, size: float = 0.0) -> float:
    """Vertical room of one product band whose grid holds ``n_visible`` slots, for a product
    dot of radius ``size`` (its label below it needs ``label_room``)."""
    return float(max(LAYOUT["band_min"], 2 * size + LAYOUT["label_room"],
                     grid_rows(n_visible) * LAYOUT["cell_h"] + LAYOUT["band_pad"]))


def slot_offset(k: int, n: int) -> tuple[float, float]:
    """(dx, dy) of the k-th of ``n`` grid slots, relative to its product node."""
    cols = LAYOUT["grid_cols"]
    rows = grid_rows(n)
    row, col = divmod(k, cols)
    return (LAYOUT["grid_dx"] + col * LAYOUT["cell_w"],
            (row - (rows - 1) / 2) * LAYOUT["cell_h"])


def _short(name: str, limit: int) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _segment_key(name: str, index: int) -> tuple[int, int]:
    return (SEGMENT_ORDER.index(name) if name in SEGMENT_ORDER else len(SEGMENT_ORDER), index)


def build_map(detail: Mapping[str, Any], gaps: Mapping[str, Any] | None = None,
              supplies: Iterable[Mapping[str, Any]] = (), *,
              options: MapOptions | None = None) -> dict[str, Any]:
    """The map payload of one chain.

    ``detail`` is ``queries.chains.chain_detail``'s answer, ``gaps`` ``queries.gaps.chain_gaps``'s
    (optional), ``supplies`` rows ``{source, target, product?}`` of ``SUPPLIES`` ties between
    the chain's enterprises (others are ignored). Returns ``{chain, lang, layout, segments,
    products, enterprises, nodes, edges, kpis, collapsed, thresholds}``: ``nodes``/``edges`` are
    vis-network items with fixed positions for the initial (possibly collapsed) state.
    """
    opts = options or MapOptions()
    gap_by_id = {str(n["id"]): n for n in (gaps or {}).get("nodes", [])}

    segs = sorted(enumerate(detail.get("segments", [])),
                  key=lambda t: _segment_key(str(t[1].get("name")), t[0]))
    segments: list[dict[str, Any]] = []
    products: list[dict[str, Any]] = []
    ents: dict[str, dict[str, Any]] = {}
    for col, (_, seg) in enumerate(segs):
        name = str(seg.get("name") or "")
        segments.append({"name": name, "name_en": SEGMENT_EN.get(name, name), "index": col,
                         "x": col * LAYOUT["col_width"]})
        for node in seg.get("nodes", []):
            pid = str(node["id"])
            gap = gap_by_id.get(pid)
            slots: list[str] = []
            in_slots: set[str] = set()
            local = 0
            for e in node.get("enterprises", []):
                eid = str(e["id"])
                if eid in in_slots:
                    continue
                slots.append(eid)
                in_slots.add(eid)
                local += bool(e.get("local"))
                rec = ents.get(eid)
                if rec is None:
                    tiers = [str(t) for t in (e.get("tiers") or [])]
                    rec = ents[eid] = {
                        "id": eid, "name": str(e.get("name") or eid),
                        "region_code": e.get("region_code"), "local": bool(e.get("local")),
                        "size_class": e.get("size_class") or "未划型", "tiers": tiers,
                        "tier": tier_family(tiers), "products": [],
                    }
                rec["products"].append(pid)
            products.append({
                "id": pid, "name": str(node.get("name") or pid), "segment": name, "column": col,
                "count": len(slots), "local_count": local, "external_count": len(slots) - local,
                "gap_class": gap_class(gap), "extensible": extensible(gap),
                "gap_score": (gap or {}).get("score"),
                "gap_reasons": list((gap or {}).get("reasons") or []),
                "candidates": list((gap or {}).get("candidates") or [])[:5],
                "extensions": [{"name": x.get("name"), "direction": x.get("direction")}
                               for x in (gap or {}).get("extensions") or []][:5],
                "slots": slots, "size": product_size(len(slots)),
            })

    total = len(ents)
    collapse_all = total > opts.total_limit
    for p in products:
        p["expanded"] = not (collapse_all or p["count"] > opts.per_product_limit)

    # Supply ties between enterprises drawn on the map only; emphasise those touching a leader.
    supply_edges: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for s in supplies:
        a, b = str(s.get("source")), str(s.get("target"))
        if a not in ents or b not in ents or a == b or (a, b) in seen:
            continue
        seen.add((a, b))
        lead = TIER_LEADER in (ents[a]["tier"], ents[b]["tier"])
        supply_edges.append({"from": "e:" + a, "to": "e:" + b, "product": s.get("product"),
                             "lead": lead})

    # Supply ties summed per pair of products (each firm counted at its first product): the
    # only ties visible while firms are collapsed.
    agg: dict[tuple[str, str], int] = {}
    for s in supply_edges:
        pa, pb = ents[s["from"][2:]]["products"][0], ents[s["to"][2:]]["products"][0]
        if pa != pb:
            agg[(pa, pb)] = agg.get((pa, pb), 0) + 1

    _place(segments, products, ents)
    nodes = [_product_node(p, opts) for p in products]
    nodes += [_enterprise_node(e, opts) for e in ents.values()]
    edges: list[dict[str, Any]] = []
    for e in ents.values():
        for pid in e["products"]:
            edges.append({"id": f"m:{e['id']}>{pid}", "from": "e:" + e["id"], "to": "p:" + pid,
                          "kind": "produces",
                          "color": {"color": "#c9d3da", "highlight": "#78909c",
                                    "hover": "#78909c", "opacity": 0.8},
                          "width": 1})
    for s in supply_edges:
        colour = "#d35400" if s["lead"] else "#8e6fb3"
        edges.append({
            "id": f"s:{s['from']}>{s['to']}", "from": s["from"], "to": s["to"], "kind": "supplies",
            "lead": s["lead"], "arrows": "to", "title": s["product"] or "",
            "width": 2.5 if s["lead"] else 1.2,
            "color": {"color": colour, "highlight": colour, "hover": colour,
                      "opacity": 0.75 if s["lead"] else 0.6},
        })

    for (pa, pb), n in sorted(agg.items()):
        edges.append({
            "id": f"a:{pa}>{pb}", "from": "p:" + pa, "to": "p:" + pb, "kind": "agg", "count": n,
            "arrows": "to", "title": f"{n} 条供应关系 / {n} supply ties",
            "width": round(min(8.0, 1.0 + 1.5 * math.log2(1 + n)), 2),
            "color": {"color": "#8e6fb3", "highlight": "#5e35b1", "hover": "#5e35b1",
                      "opacity": 0.55},
        })

    return {
        "chain": {"id": detail.get("id"), "name": detail.get("name"),
                  "region": detail.get("region"),
                  "synthetic": bool(detail.get("synthetic", False))},
        "lang": opts.lang if opts.lang in ("zh", "en") else "zh",
        "layout": LAYOUT,
        "thresholds": {"per_product": opts.per_product_limit, "total": opts.total_limit},
        "collapsed": any(not p["expanded"] for p in products),
        "segments": segments,
        "products": products,
        "enterprises": list(ents.values()),
        "nodes": nodes,
        "edges": edges,
        "kpis": kpis(products, ents, supply_edges),
    }


def _place(segments: list[dict[str, Any]], products: list[dict[str, Any]],
           ents: dict[str, dict[str, Any]]) -> None:
    """Stack product bands per column (centred on y=0) and put each visible enterprise in a
    grid slot of its home product: the first expanded product it serves, in chain order."""
    home: dict[str, str] = {}
    for p in products:
        p["visible_slots"] = []
        if not p["expanded"]:
            continue
        for eid in p["slots"]:
            if eid not in home:
                home[eid] = p["id"]
                p["visible_slots"].append(eid)
    for seg in segments:
        col = [p for p in products if p["column"] == seg["index"]]
        heights = [band_height(len(p["slots"]) if p["expanded"] else 0, p["size"]) for p in col]
        y = -sum(heights) / 2
        for p, h in zip(col, heights, strict=True):
            p["x"], p["y"] = seg["x"], y + h / 2
            y += h
    by_id = {p["id"]: p for p in products}
    slot_of = {(p["id"], eid): k for p in products for k, eid in enumerate(p["slots"])}
    for e in ents.values():
        e["home"] = home.get(e["id"])
        if e["home"] is None:
            e["x"] = e["y"] = None
            continue
        p = by_id[e["home"]]
        dx, dy = slot_offset(slot_of[(p["id"], e["id"])], len(p["slots"]))
        e["x"], e["y"] = p["x"] + dx, p["y"] + dy
    for p in products:
        del p["visible_slots"]


def _product_node(p: dict[str, Any], opts: MapOptions) -> dict[str, Any]:
    style = GAP_STYLE.get(p["gap_class"] or "",
                          EXTENSIBLE_COLOUR if p["extensible"] else PRODUCT_COLOUR)
    node: dict[str, Any] = {
        "id": "p:" + p["id"], "kind": "product", "ref": p["id"], "segment": p["segment"],
        "label": p["name"] if p["expanded"] else f"{p['name']}\n({p['count']})",
        "shape": "dot", "size": p["size"], "x": p["x"], "y": p["y"],
        "color": {"background": style["background"], "border": style["border"],
                  "highlight": {"background": style["background"], "border": "#000000"}},
        "borderWidth": 3, "font": {"size": 20, "face": "sans-serif", "strokeWidth": 4,
                                   "strokeColor": "#ffffff", "multi": False},
        "gap": p["gap_class"], "extensible": p["extensible"], "count": p["count"],
        "expanded": p["expanded"],
    }
    if p["gap_class"] == "延链":
        node["shapeProperties"] = {"borderDashes": [6, 4]}
        node["borderWidth"] = 4
    elif p["extensible"]:
        node["borderWidth"] = 4
    return node


def _enterprise_node(e: dict[str, Any], opts: MapOptions) -> dict[str, Any]:
    colour = SIZE_COLOURS.get(e["size_class"], SIZE_COLOURS["未划型"])
    shape, size, border, bw = "dot", 9, "#ffffff", 1
    if e["tier"] == TIER_LEADER:
        shape, size, border, bw = "diamond", 16, "#c9a227", 4
    elif e["tier"] == TIER_SPECIAL:
        shape, size, border, bw = "star", 13, "#6d4c41", 1
    node: dict[str, Any] = {
        "id": "e:" + e["id"], "kind": "enterprise", "ref": e["id"], "home": e["home"],
        "label": _short(e["name"], opts.label_chars), "shape": shape, "size": size,
        "x": e["x"], "y": e["y"],
        "color": {"background": colour, "border": border,
                  "highlight": {"background": colour, "border": "#000000"}},
        "borderWidth": bw,
        "font": {"size": 14, "face": "sans-serif", "color": "#5d4300"} if e["tier"] == TIER_LEADER
        else {"size": 11, "face": "sans-serif"},
        "local": e["local"], "size_class": e["size_class"], "tier": e["tier"],
        "title": e["name"],
    }
    if not e["local"]:
        # External firms are drawn faded so the region's own footprint reads first.
        node["opacity"] = 0.5
        node["shapeProperties"] = {"borderDashes": [3, 3]}
    return node


def kpis(products: list[dict[str, Any]], ents: Mapping[str, Mapping[str, Any]],
         supply_edges: list[dict[str, Any]]) -> dict[str, Any]:
    """Header figures: enterprises, local share, products, gap counts (the gap service's
    classes, as ``GET /api/v1/chains/{id}/gaps`` counts them), gapless nodes with extension
    directions (``extensible``), leaders, supply ties."""
    total = len(ents)
    local = sum(1 for e in ents.values() if e["local"])
    gap_counts = {c: sum(1 for p in products if p["gap_class"] == c) for c in GAP_STYLE}
    return {
        "enterprises": total,
        "local": local,
        "local_share": round(local / total, 3) if total else 0.0,
        "products": len(products),
        "gaps": gap_counts,
        "extensible": sum(1 for p in products if p["extensible"]),
        "leaders": sum(1 for e in ents.values() if e["tier"] == TIER_LEADER),
        "special": sum(1 for e in ents.values() if e["tier"] == TIER_SPECIAL),
        "supply_ties": len(supply_edges),
    }
