"""Chain services: the list of chains and one chain's segments, nodes and enterprises.

``list_chains`` answers ``GET /api/v1/chains``; ``chain_detail`` answers
``GET /api/v1/chains/{id}``. Rows come from ``list_chains.cypher`` and
``chain_nodes.cypher``; grouping and ordering happen here so both engines give
byte-identical answers. Gap analysis lives in :mod:`queries.gaps`.
"""

from __future__ import annotations

from typing import Any

from graph.errors import NotFound
from graph.store import Row, Store
from queries import run
from queries.common import is_local, region_label, resolve_region


def list_chains(store: Store) -> list[dict[str, Any]]:
    """``[{id, name, segments, enterprises}]`` for every chain, ordered by id."""
    return [
        {
            "id": r["id"],
            "name": r["name"],
            "segments": int(r["segments"] or 0),
            "enterprises": int(r["enterprises"] or 0),
        }
        for r in run(store, "list_chains")
    ]


def chain_rows(store: Store, chain_id: str) -> list[Row]:
    """The raw segment x product rows of a chain, each with its producers (``enterprises``:
    ``[id, name, region_code, size_class, tiers]`` lists); NotFound when absent."""
    rows = run(store, "chain_nodes", {"chain_id": chain_id})
    if not rows:
        raise NotFound(f"no chain with id {chain_id!r}", entity="Chain", key=chain_id)
    return rows


def as_tiers(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(t) for t in value]


def group_chain(rows: list[Row], prefix: str | None) -> list[dict[str, Any]]:
    """Group chain rows into ordered segments → nodes → enterprises (local flag by prefix)."""
    segments: dict[str, dict[str, Any]] = {}
    order: dict[str, Any] = {}
    for r in rows:
        seg = r["segment"]
        if seg is None:
            continue
        segment = segments.setdefault(seg, {"name": seg, "nodes": {}})
        order[seg] = r["segment_order"] if r["segment_order"] is not None else 99
        if r["product_id"] is None:
            continue
        node = segment["nodes"].setdefault(
            r["product_id"], {"id": r["product_id"], "name": r["product_name"], "enterprises": {}}
        )
        for eid, name, region_code, size_class, tiers in r["enterprises"] or ():
            node["enterprises"][eid] = {
                "id": eid,
                "name": name,
                "region_code": region_code,
                "local": is_local(region_code, prefix),
                "size_class": size_class,
                "tiers": as_tiers(tiers),
            }
    out = []
    for seg in sorted(segments, key=lambda s: (order[s], s)):
        nodes = []
        for node in sorted(segments[seg]["nodes"].values(), key=lambda n: str(n["id"])):
            # Local firms first, then by name: the planner reads the local ones first.
            ents = sorted(node["enterprises"].values(),
                          key=lambda e: (not e["local"], str(e["name"]), str(e["id"])))
            nodes.append({"id": node["id"], "name": node["name"], "enterprises": ents})
        out.append({"name": seg, "nodes": nodes})
    return out


def chain_detail(store: Store, chain_id: str, region: str | None = None) -> dict[str, Any]:
    """``{id, name, region, segments: [{name, nodes: [{id, name, enterprises}]}]}``.

    ``region`` defaults to the chain's ``home_region`` (the region it was imported for).
    """
    rows = chain_rows(store, chain_id)
    first = rows[0]
    shown = region if region else first["home_region"]
    prefix = resolve_region(store, shown)
    return {
        "id": first["chain_id"],
        "name": first["chain_name"],
        "region": region_label(shown, prefix),
        "segments": group_chain(rows, prefix),
    }
