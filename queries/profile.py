"""Enterprise profiles: products, capabilities, needs, resources, partners, chain
positions, tiers and region — each fact with its provenance.

Reads ``profile_enterprise.cypher`` and ``profile_facts.cypher``; grouping and
ordering happen here so both engines answer identically. Provenance is the
``source``/``run_id``/``ingested_at``/``method``/``confidence`` fields that ingest
writes on every node and relationship (graph/MODEL.md).
"""

from __future__ import annotations

from typing import Any

from graph.store import Store
from queries import run
from queries.chains import as_tiers
from queries.common import holding_codes, resolve_enterprise

PROVENANCE = ("source", "run_id", "ingested_at", "method", "confidence")
REL_ZH = {"SUPPLIES": "供应", "COOPERATES_WITH": "合作", "INVESTS_IN": "投资",
          "CONTROLS": "控股", "COMPETES_WITH": "竞争"}
FIELDS = ("uscc", "name", "short_name", "size_class", "region_code", "industry_code",
          "founded", "employees", "revenue", "total_assets", "description")


def provenance(props: dict[str, Any] | None) -> dict[str, Any]:
    """The provenance fields of a node's or relationship's properties (missing → None)."""
    props = props or {}
    out = {k: props.get(k) for k in PROVENANCE}
    if props.get("synthetic"):
        out["synthetic"] = True
    return out


def _sort(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda x: tuple(str(x.get(k) or "") for k in
                                             ("relation", "direction", "name", "id", "chain_id")))


def enterprise_profile(store: Store, key: str) -> dict[str, Any]:
    """The profile of the enterprise with id, USCC or name ``key``; NotFound when absent."""
    eid = resolve_enterprise(store, key)["id"]
    props = run(store, "profile_enterprise", {"id": eid})[0]["props"]
    out: dict[str, Any] = {"id": eid}
    out.update({k: props.get(k) for k in FIELDS})
    out["aliases"] = as_tiers(props.get("aliases"))
    out["tiers"] = as_tiers(props.get("tiers"))
    out["synthetic"] = bool(props.get("synthetic"))
    out["provenance"] = provenance(props)
    products: dict[str, dict[str, Any]] = {}
    caps, needs, resources, partners, chains = [], [], [], [], []
    region = None
    for r in run(store, "profile_facts", {"id": eid}):
        other, rel_props, kind = r["other"] or {}, r["props"] or {}, r["kind"]
        if kind == "product":
            p = products.setdefault(str(other.get("id")), {
                "id": other.get("id"), "name": other.get("name"),
                "industry_code": other.get("industry_code"),
                "provenance": provenance(rel_props)})
            if r["chain_id"]:
                chains.append({"chain_id": r["chain_id"], "chain": r["chain_name"],
                               "segment": r["segment"], "product_id": p["id"],
                               "product": p["name"]})
        elif kind == "capability":
            caps.append({"id": other.get("id"), "name": other.get("name"),
                         "area": other.get("area"), "provenance": provenance(rel_props)})
        elif kind == "need":
            needs.append({"id": other.get("id"), "name": other.get("name"),
                          "area": other.get("area"), "status": other.get("status"),
                          "about": r["about"], "quantity": other.get("quantity"),
                          "deadline": other.get("deadline"), "provenance": provenance(other)})
        elif kind == "resource":
            resources.append({"id": other.get("id"), "name": other.get("name"),
                              "type": other.get("type"), "provenance": provenance(rel_props)})
        elif kind == "partner":
            partners.append({
                "id": other.get("id"), "name": other.get("name"), "relation": r["rel"],
                "direction": r["direction"], "relation_zh": REL_ZH.get(r["rel"], r["rel"]),
                "product": rel_props.get("product"), "since": rel_props.get("since"),
                "share": rel_props.get("share"), "provenance": provenance(rel_props)})
        elif kind == "region":
            region = {"code": other.get("code"), "name": other.get("name"),
                      "full_name": other.get("full_name")}
    if region is None and out["region_code"]:
        region = _region_by_code(store, str(out["region_code"]))
    out.update({
        "region": region,
        "products": _sort(list(products.values())),
        "capabilities": _sort(caps),
        "needs": _sort(needs),
        "resources": _sort(resources),
        "partners": _sort(partners),
        "chain_positions": sorted({(c["chain_id"], c["segment"] or "", c["product_id"]): c
                                   for c in chains}.values(),
                                  key=lambda c: (str(c["chain_id"]), str(c["segment"]),
                                                 str(c["product_id"]))),
    })
    return out


def _region_by_code(store: Store, code: str) -> dict[str, Any]:
    """The loaded division holding ``code``: its own, else the nearest above it (as search's
    ``region_name``: a township's county, a county's city); the bare code when none is."""
    ladder = holding_codes(code)
    found = {str(r["id"]): r for r in run(store, "region_holding", {"codes": ladder})}
    for c in ladder:
        if c in found:
            r = found[c]
            return {"code": r["code"] or r["id"], "name": r["name"], "full_name": r["full_name"]}
    return {"code": code, "name": None, "full_name": None}
