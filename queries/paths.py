"""Collaboration paths: up to k shortest paths between two enterprises through supply,
cooperation, investment and control ties (either direction; a hop through a common
partner is how shared-partner ties show up), each hop explained in Chinese.

"k shortest" means k paths of the shortest length (all shortest paths, sorted by
their ids, the first k): longer detours are not listed. Enumerating paths of
several lengths (FalkorDB ``algo.SPpaths``, Neo4j ``SHORTEST k GROUPS``) was ten
times slower on generated data, beyond the latency aim.
The engines differ in syntax (FalkorDB: ``allShortestPaths`` in MATCH with bound
endpoints; Neo4j: ``ALL SHORTEST``), so ``paths.falkordb.cypher`` and
``paths.neo4j.cypher`` sit side by side. Both fetch up to ``cap`` paths; this
module dedupes by node sequence, sorts by ids and lists every tie of each hop
(``path_hops.cypher``), so both engines answer identically (a pair with more than
``cap`` shortest paths could still differ in which ones are seen).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from typing import Any

from graph.errors import InvalidInput
from graph.schema import q_rel
from graph.store import Store
from queries import QUERIES
from queries.common import resolve_enterprise

PATH_RELATIONS = ("SUPPLIES", "COOPERATES_WITH", "INVESTS_IN", "CONTROLS")
MAX_HOPS_LIMIT = 8


def explain_hop(start: str, end: str, rel: str, product: Any) -> str:
    """One stored relationship as a Chinese sentence: "甲 向 乙 供应 热轧板卷"."""
    if rel == "SUPPLIES":
        return f"{start} 向 {end} 供应 {product}" if product else f"{start} 向 {end} 供货"
    if rel == "COOPERATES_WITH":
        return f"{start} 与 {end} 合作"
    if rel == "INVESTS_IN":
        return f"{start} 投资 {end}"
    if rel == "CONTROLS":
        return f"{start} 控股 {end}"
    return f"{start} —{rel}→ {end}"


def parse_relations(relations: str | list[str] | None) -> list[str]:
    """``"SUPPLIES,COOPERATES_WITH"`` or a list → validated types (default: all four)."""
    if relations is None or relations == "" or relations == []:
        return list(PATH_RELATIONS)
    items = relations.split(",") if isinstance(relations, str) else list(relations)
    out = []
    for item in items:
        name = item.strip().upper()
        if name not in PATH_RELATIONS:
            raise InvalidInput(f"relation {item!r} is not one of {', '.join(PATH_RELATIONS)}",
                               field="relations")
        if name not in out:
            out.append(name)
    return out


def paths(store: Store, a: str, b: str, relations: str | list[str] | None = None,
          max_hops: int = 6, k: int = 3) -> dict[str, Any]:
    """``{from, to, paths: [{length, nodes: [{id, name}], hops: [{from, to, relations,
    text}]}]}``, shortest first."""
    if not 1 <= max_hops <= MAX_HOPS_LIMIT:
        raise InvalidInput(f"max_hops must be between 1 and {MAX_HOPS_LIMIT}", field="max_hops")
    if not 1 <= k <= 10:
        raise InvalidInput("k must be between 1 and 10", field="k")
    types = parse_relations(relations)
    src = resolve_enterprise(store, a)
    dst = resolve_enterprise(store, b)
    out: dict[str, Any] = {"from": src, "to": dst, "relations": types, "paths": []}
    if src["id"] == dst["id"]:
        raise InvalidInput("from and to are the same enterprise", field="to")
    text = (QUERIES.get("paths", store.dialect)
            .replace("{rels}", "|".join(q_rel(t) for t in types))
            .replace("{max_hops}", str(int(max_hops))))
    rows = store.read(text, {"a": src["id"], "b": dst["id"], "cap": max(50, 10 * k)})
    names: dict[str, Any] = {}
    sequences: set[tuple[str, ...]] = set()
    for r in rows:
        ids = tuple(str(x) for x in r["ids"])
        if len(set(ids)) != len(ids):
            continue  # a walk that comes back through a parallel tie is not a path
        names.update(zip(ids, r["names"], strict=True))
        sequences.add(ids)
    found = sorted(sequences, key=lambda ids: (len(ids), ids))[:k]
    # Parallel relationships between the same firms are one hop: fetch them all, so the
    # answer does not depend on which parallel variant an engine happened to return.
    pairs = sorted({(x, y) for ids in found for x, y in itertools.pairwise(ids)})
    ties: dict[frozenset[str], set[tuple[str, str, str, str]]] = defaultdict(set)
    if pairs:
        hop_text = QUERIES.get("path_hops", store.dialect).replace(
            "{rels}", "|".join(q_rel(t) for t in types))
        for h in store.read(hop_text, {"pairs": [list(p) for p in pairs]}):
            ties[frozenset((h["a"], h["b"]))].add(
                (h["start"], h["end"], h["type"], h["product"] or ""))
    for ids in found:
        hops = []
        for x, y in itertools.pairwise(ids):
            rels = sorted(ties[frozenset((x, y))],
                          key=lambda t: (PATH_RELATIONS.index(t[2]), t[0], t[3]))
            hops.append({
                "from": x, "to": y,
                "relations": [{"type": t, "start": s, "end": e, "product": p or None}
                              for s, e, t, p in rels],
                "text": "；".join(explain_hop(names[s], names[e], t, p) for s, e, t, p in rels),
            })
        out["paths"].append({"length": len(ids) - 1,
                             "nodes": [{"id": i, "name": names[i]} for i in ids],
                             "hops": hops})
    return out
