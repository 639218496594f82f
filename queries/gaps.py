"""Chain gap analysis (补链 / 强链 / 延链) for a chain and a region.

For every product node of the chain: local producers counted by size class and
tier, single-supplier dependence, local leading firms' open needs about the
product that no local producer meets, a gap score and a class:

- ``补链`` exactly when the node has no local producer — unless the chain marks the
  product as an extension target (``extension: true`` in the chain file), which is
  then ``延链``: a direction to grow the chain, not a break in it;
- ``强链`` when it has some but is weak: a single local producer, only micro
  firms, or a leading firm's need unmet locally;
- ``None`` otherwise — and such strong nodes list ``延链`` extensions: products
  directly up- or downstream (``UPSTREAM_OF``) outside the chain that no local
  firm makes yet.

Score (0–1, higher = bigger gap) = 0.65 × (1 − local strength) + 0.35 × unmet
demand, where strength sums size weights (大型 1, 中型 0.5, 小型 0.25, 微型 0.1,
else 0.15) plus 0.25 per tiered producer, capped at 1, and unmet demand is
min(1, unmet needs / 2). Candidates are producers outside the region: the 20
biggest per node (size class, tiers) re-ranked by size, tiers and the ties they
already have with local firms (0.5 × size weight + 0.2 × tiered + 0.3 × ties/3).
Cypher: ``chain_meta``, ``gap_nodes`` (grouped per node, place, size class and tiers in
the engine, summed per node here),
``gap_needs``, ``gap_candidates``, ``gap_extensions`` (a product's search for a local
producer stops at the first: an EXISTS subquery on Neo4j, a CALL subquery on FalkorDB); the
node, needs and extension scans run side by side.
"""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context
from typing import Any

from graph.errors import InvalidInput
from graph.store import Store
from graph.vocab import SIZE_CLASSES, TIERS, UNDETERMINED
from queries import run
from queries.chains import as_tiers, chain_meta, chain_region
from queries.common import is_local, region_label

SIZE_WEIGHT = {"大型": 1.0, "中型": 0.5, "小型": 0.25, "微型": 0.1}
LEADING_TIER = "链主企业"
TOP_CANDIDATES = 5


def is_leading(size_class: Any, tiers: list[str]) -> bool:
    """A leading firm: tier 链主企业 or size class 大型."""
    return size_class == "大型" or LEADING_TIER in tiers


def _size_w(size_class: Any) -> float:
    return SIZE_WEIGHT.get(str(size_class), 0.15)


def _candidate(ent: dict[str, Any], product_name: str, local_partners: int) -> dict[str, Any]:
    tiers = as_tiers(ent.get("tiers"))
    score = (0.5 * _size_w(ent.get("size_class")) + 0.2 * (1.0 if tiers else 0.0)
             + 0.3 * min(1.0, local_partners / 3))
    reasons = [f"生产{product_name}"]
    if ent.get("size_class"):
        reasons.append(f"{ent['size_class']}企业")
    reasons.extend(tiers)
    if local_partners:
        reasons.append(f"已与本地 {local_partners} 家企业有供应或合作关系")
    return {"id": ent["id"], "name": ent.get("name"), "region_code": ent.get("region_code"),
            "size_class": ent.get("size_class"), "tiers": tiers, "score": round(score, 3),
            "reasons": reasons}


def _rank(cands: list[dict[str, Any]], top: int = TOP_CANDIDATES) -> list[dict[str, Any]]:
    return sorted(cands, key=lambda c: (-c["score"], str(c["id"])))[:top]


def _node_counts(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per node from ``gap_nodes``' groups, in the order the nodes first appear:
    ``local_count``, ``external_count``, ``tiered`` (local producers with any tier),
    ``by_size`` (local producers per size class, largest first, then 未划型 for the rest:
    no size or another one) and ``by_tier`` (per tier), the last two without zeros."""
    nodes: dict[tuple[Any, ...], dict[str, Any]] = {}
    for g in groups:
        key = (g["segment"], g["product_id"], g["extension"])
        r = nodes.get(key)
        if r is None:
            r = nodes[key] = {k: g[k] for k in ("segment", "segment_order", "product_id",
                                               "product_name", "extension")}
            r.update(local_count=0, external_count=0, tiered=0,
                     by_size=dict.fromkeys(SIZE_CLASSES, 0), by_tier=dict.fromkeys(TIERS, 0))
        n = int(g["n"] or 0)
        if not n:
            continue
        if not g["local"]:
            r["external_count"] += n
            continue
        r["local_count"] += n
        if g["size_class"] in r["by_size"]:
            r["by_size"][g["size_class"]] += n
        tiers = as_tiers(g["tiers"])
        if tiers:
            r["tiered"] += n
        for t in set(tiers) & r["by_tier"].keys():
            r["by_tier"][t] += n
    for r in nodes.values():
        unclassified = r["local_count"] - sum(r["by_size"].values())
        r["by_size"] = {k: v for k, v in r["by_size"].items() if v}
        if unclassified:
            r["by_size"][UNDETERMINED] = unclassified
        r["by_tier"] = {k: v for k, v in r["by_tier"].items() if v}
    return list(nodes.values())


def chain_gaps(store: Store, chain_id: str, region: str | None = None) -> dict[str, Any]:
    """``{chain, name, region, nodes: [...]}`` — see the module docstring for the rules."""
    meta = chain_meta(store, chain_id)
    shown, prefix = chain_region(store, region, meta["home_region"])
    if not prefix:
        raise InvalidInput("该产业链没有所属地区，请指定地区 / region is required: this chain has "
                           "no home region",
                           field="region")
    params = {"chain_id": chain_id, "prefix": prefix}
    # the three scans are independent: the engine runs them side by side (each read gets its
    # own connection), which takes the slowest of them instead of their sum; each helper runs
    # in a copy of the caller's context (the request id its log lines carry)
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="gaps") as pool:
        needs_rows = pool.submit(copy_context().run, run, store, "gap_needs", params)
        ext_rows = pool.submit(copy_context().run, run, store, "gap_extensions", params)
        rows = _node_counts(run(store, "gap_nodes", params))
        need_rows, extension_rows = needs_rows.result(), ext_rows.result()

    unmet: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in need_rows:
        tiers = as_tiers(r["tiers"])
        if not is_local(r["region_code"], prefix) or not is_leading(r["size_class"], tiers):
            continue
        if any(is_local(code, prefix) for code in (r["supplier_regions"] or [])):
            continue  # a local producer already supplies this firm
        unmet[r["product_id"]].append({"need_id": r["need_id"], "need": r["need_name"],
                                       "enterprise_id": r["enterprise_id"],
                                       "enterprise": r["enterprise_name"]})

    nodes = []
    for r in rows:
        n_local, by_size, by_tier = r["local_count"], r["by_size"], r["by_tier"]
        needs = sorted(unmet.get(r["product_id"], []), key=lambda n: str(n["need_id"]))
        strength = min(1.0, sum(_size_w(k) * v for k, v in by_size.items()) + 0.25 * r["tiered"])
        score = round(0.65 * (1 - strength) + 0.35 * min(1.0, len(needs) / 2), 3)
        reasons: list[str] = []
        cls: str | None
        if not n_local and r["extension"]:
            # The chain lists this product as a way to extend it, not as a missing link:
            # planners read 补链 as "the chain is broken here", which it is not.
            cls = "延链"
            reasons.append("延链方向：本地尚无生产企业，可引进或培育")
            if needs:
                reasons.append(f"本地龙头企业有 {len(needs)} 项相关需求")
        elif not n_local:
            cls = "补链"
            reasons.append("本地无生产企业")
            if needs:
                reasons.append(f"本地龙头企业有 {len(needs)} 项相关需求")
        else:
            if n_local == 1:
                reasons.append("仅有一家本地生产企业，依赖单一供应商")
            if by_size.get("微型", 0) == n_local:
                reasons.append("本地生产企业均为微型企业")
            if needs:
                reasons.append(f"本地龙头企业有 {len(needs)} 项需求未在本地得到满足")
            cls = "强链" if reasons else None
        nodes.append({
            "id": r["product_id"], "name": r["product_name"], "segment": r["segment"],
            "local_count": n_local, "external_count": r["external_count"],
            "class": cls, "score": score, "local_by_size": dict(sorted(by_size.items())),
            "local_by_tier": dict(sorted(by_tier.items())), "single_supplier": n_local == 1,
            "unmet_needs": needs, "reasons": reasons, "candidates": [], "extensions": [],
            "_order": r["segment_order"]})

    weak = [n["id"] for n in nodes if n["class"] is not None and n["external_count"]]
    cands: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if weak:
        names = {n["id"]: n["name"] for n in nodes}
        for c in run(store, "gap_candidates", {"product_ids": sorted(weak), "prefix": prefix}):
            cands[c["product_id"]].append(
                _candidate(c, names[c["product_id"]], int(c["local_partners"] or 0)))
    ext: dict[str, list[dict[str, Any]]] = defaultdict(list)
    chain_ids = {n["id"] for n in nodes}
    for e in extension_rows:
        if e["other_id"] in chain_ids:
            continue
        producers = [p for p in (e["producers"] or []) if p]
        ext[e["product_id"]].append({
            "id": e["other_id"], "name": e["other_name"], "direction": e["direction"],
            "local_count": 0,
            "candidates": _rank([_candidate(p, e["other_name"], 0) for p in producers], 3)})
    for n in nodes:
        if n["class"] is not None:
            n["candidates"] = _rank(cands.get(n["id"], []))
        else:
            n["extensions"] = sorted({x["id"]: x for x in ext.get(n["id"], [])}.values(),
                                     key=lambda x: (x["direction"], str(x["id"])))
    nodes.sort(key=lambda n: (-n["score"], n["_order"] if n["_order"] is not None else 99,
                              str(n["id"])))
    for n in nodes:
        del n["_order"]
    return {"chain": meta["id"], "name": meta["name"],
            "region": region_label(shown, prefix), "nodes": nodes}
