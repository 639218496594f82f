"""Chain gap analysis (补链 / 强链 / 延链) for a chain and a region.

For every product node of the chain: local producers counted by size class and
tier, single-supplier dependence, local leading firms' open needs about the
product that no local producer meets, a gap score and a class:

- ``补链`` exactly when the node has no local producer;
- ``强链`` when it has some but is weak: a single local producer, only micro
  firms, or a leading firm's need unmet locally;
- ``None`` otherwise — and such strong nodes list ``延链`` extensions: products
  directly up- or downstream (``UPSTREAM_OF``) outside the chain that no local
  firm makes yet.

Score (0–1, higher = bigger gap) = 0.65 × (1 − local strength) + 0.35 × unmet
demand, where strength sums size weights (大型 1, 中型 0.5, 小型 0.25, 微型 0.1,
else 0.15) plus 0.25 per tiered producer, capped at 1, and unmet demand is
min(1, unmet needs / 2). Candidates are producers outside the region ranked by
size, tiers and the ties they already have with local firms.
Cypher: ``chain_nodes``, ``gap_needs``, ``gap_outside_ties``, ``gap_extensions``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from graph.store import Store
from queries import run
from queries.chains import as_tiers, chain_rows
from queries.common import is_local, region_label, resolve_region

SIZE_WEIGHT = {"大型": 1.0, "中型": 0.5, "小型": 0.25, "微型": 0.1}
LEADING_TIER = "链主企业"
TOP_CANDIDATES = 5


def is_leading(size_class: Any, tiers: list[str]) -> bool:
    """A leading firm: tier 链主企业 or size class 大型."""
    return size_class == "大型" or LEADING_TIER in tiers


def _size_w(size_class: Any) -> float:
    return SIZE_WEIGHT.get(str(size_class), 0.15)


def _candidate(ent: dict[str, Any], product_name: str, local_partners: int) -> dict[str, Any]:
    tiers = ent["tiers"]
    score = (0.5 * _size_w(ent["size_class"]) + 0.2 * (1.0 if tiers else 0.0)
             + 0.3 * min(1.0, local_partners / 3))
    reasons = [f"生产{product_name}"]
    if ent["size_class"]:
        reasons.append(f"{ent['size_class']}企业")
    reasons.extend(tiers)
    if local_partners:
        reasons.append(f"已与本地 {local_partners} 家企业有供应或合作关系")
    return {"id": ent["id"], "name": ent["name"], "region_code": ent["region_code"],
            "size_class": ent["size_class"], "tiers": tiers, "score": round(score, 3),
            "reasons": reasons}


def _rank(cands: list[dict[str, Any]], top: int = TOP_CANDIDATES) -> list[dict[str, Any]]:
    return sorted(cands, key=lambda c: (-c["score"], str(c["id"])))[:top]


def chain_gaps(store: Store, chain_id: str, region: str | None = None) -> dict[str, Any]:
    """``{chain, name, region, nodes: [...]}`` — see the module docstring for the rules."""
    rows = chain_rows(store, chain_id)
    first = rows[0]
    shown = region if region else first["home_region"]
    prefix = resolve_region(store, shown) or ""

    # product -> (segment, name, producers)
    nodes: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r["product_id"] is None:
            continue
        node = nodes.setdefault(r["product_id"], {
            "id": r["product_id"], "name": r["product_name"], "segment": r["segment"],
            "segment_order": r["segment_order"], "producers": {}})
        if r["enterprise_id"] is not None:
            node["producers"][r["enterprise_id"]] = {
                "id": r["enterprise_id"], "name": r["enterprise_name"],
                "region_code": r["region_code"], "size_class": r["size_class"],
                "tiers": as_tiers(r["tiers"]),
                "local": is_local(r["region_code"], prefix)}

    ties = {r["enterprise_id"]: int(r["local_partners"] or 0)
            for r in run(store, "gap_outside_ties", {"chain_id": chain_id, "prefix": prefix})}

    unmet: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in run(store, "gap_needs", {"chain_id": chain_id}):
        tiers = as_tiers(r["tiers"])
        if not is_local(r["region_code"], prefix) or not is_leading(r["size_class"], tiers):
            continue
        if any(is_local(code, prefix) for code in (r["supplier_regions"] or [])):
            continue  # a local producer already supplies this firm
        unmet[r["product_id"]].append({"need_id": r["need_id"], "need": r["need_name"],
                                       "enterprise_id": r["enterprise_id"],
                                       "enterprise": r["enterprise_name"]})

    ext_rows = run(store, "gap_extensions", {"chain_id": chain_id})

    out = []
    for node in nodes.values():
        producers = list(node["producers"].values())
        local = [p for p in producers if p["local"]]
        external = [p for p in producers if not p["local"]]
        needs = sorted(unmet.get(node["id"], []), key=lambda n: str(n["need_id"]))
        by_size = Counter(str(p["size_class"] or "未划型") for p in local)
        by_tier = Counter(t for p in local for t in p["tiers"])
        strength = min(1.0, sum(_size_w(p["size_class"]) + (0.25 if p["tiers"] else 0.0)
                                for p in local))
        score = round(0.65 * (1 - strength) + 0.35 * min(1.0, len(needs) / 2), 3)
        reasons: list[str] = []
        cls: str | None
        if not local:
            cls = "补链"
            reasons.append("本地无生产企业")
        else:
            if len(local) == 1:
                reasons.append("仅有一家本地生产企业，依赖单一供应商")
            if all(p["size_class"] == "微型" for p in local):
                reasons.append("本地生产企业均为微型企业")
            if needs:
                reasons.append(f"本地龙头企业有 {len(needs)} 项需求未在本地得到满足")
            cls = "强链" if reasons else None
        if needs and not local:
            reasons.append(f"本地龙头企业有 {len(needs)} 项相关需求")
        candidates = [] if cls is None else _rank(
            [_candidate(p, node["name"], ties.get(p["id"], 0)) for p in external])
        extensions = _extensions(node, ext_rows, nodes, prefix) if cls is None else []
        out.append({
            "id": node["id"], "name": node["name"], "segment": node["segment"],
            "local_count": len(local), "external_count": len(external), "class": cls,
            "score": score, "local_by_size": dict(sorted(by_size.items())),
            "local_by_tier": dict(sorted(by_tier.items())), "single_supplier": len(local) == 1,
            "unmet_needs": needs, "reasons": reasons, "candidates": candidates,
            "extensions": extensions, "_order": node["segment_order"]})
    out.sort(key=lambda n: (-n["score"], n["_order"] if n["_order"] is not None else 99,
                            str(n["id"])))
    for n in out:
        del n["_order"]
    return {"chain": first["chain_id"], "name": first["chain_name"],
            "region": region_label(shown, prefix), "nodes": out}


def _extensions(node: dict[str, Any], ext_rows: list[dict[str, Any]],
                chain_nodes: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
    """Neighbouring products outside the chain that no local firm makes yet."""
    others: dict[str, dict[str, Any]] = {}
    for r in ext_rows:
        if r["product_id"] != node["id"] or r["other_id"] in chain_nodes:
            continue
        o = others.setdefault(r["other_id"], {"id": r["other_id"], "name": r["other_name"],
                                              "direction": r["direction"], "producers": {}})
        if r["enterprise_id"] is not None:
            o["producers"][r["enterprise_id"]] = {
                "id": r["enterprise_id"], "name": r["enterprise_name"],
                "region_code": r["region_code"], "size_class": r["size_class"],
                "tiers": as_tiers(r["tiers"])}
    out = []
    for o in sorted(others.values(), key=lambda o: str(o["id"])):
        local_count = sum(is_local(p["region_code"], prefix) for p in o["producers"].values())
        if local_count:
            continue
        cands = _rank([_candidate(p, o["name"], 0) for p in o["producers"].values()], 3)
        out.append({"id": o["id"], "name": o["name"], "direction": o["direction"],
                    "local_count": 0, "candidates": cands})
    return out
