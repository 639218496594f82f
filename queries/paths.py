"""Collaboration paths: up to k shortest paths between two enterprises through supply,
cooperation, investment and control ties (either direction; a hop through a common
partner is how shared-partner ties show up), each hop explained in Chinese.

"k shortest" means k paths of the shortest length: all shortest paths ordered by their
enterprise ids, the first k; longer detours are not listed.

On FalkorDB the search is a bidirectional breadth-first search run from Python, one
Cypher query per layer (``paths_expand``: node-id seeks, so no index look-up per
hop), always growing the side whose frontier is smaller, until the two meet or the
hop budget is spent. The meeting layer gives the exact distance and, with the
predecessor lists of both sides, the whole graph of shortest paths, from which the k
smallest id sequences are read off in order: exact, with no cap on paths or fan-out.
FalkorDB's own ``allShortestPaths`` (``paths.falkordb.cypher``, kept to cross-check
in tests) took 220–460 ms at 100k. On Neo4j its own ``ALL SHORTEST``
(``paths.neo4j.cypher``) is faster than a round trip per layer, so it answers there
whenever it lists every shortest path within ``NATIVE_CAP`` (else the layered search
does). Intermediate nodes are enterprises only; both engines give the same paths.
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
NATIVE_CAP = 2000  # more shortest paths than this on Neo4j: the layered search answers


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
            raise InvalidInput(f"未知的关系 {item} / relation {item!r} is not one of "
                               f"{', '.join(PATH_RELATIONS)}",
                               field="relations")
        if name not in out:
            out.append(name)
    return out


def paths(store: Store, a: str, b: str, relations: str | list[str] | None = None,
          max_hops: int = 6, k: int = 3) -> dict[str, Any]:
    """``{from, to, paths: [{length, nodes: [{id, name}], hops: [{from, to, relations,
    text}]}]}``, shortest first."""
    if not 1 <= max_hops <= MAX_HOPS_LIMIT:
        raise InvalidInput(f"max_hops 应在 1 到 {MAX_HOPS_LIMIT} 之间 / max_hops must be between 1 "
                           f"and {MAX_HOPS_LIMIT}", field="max_hops")
    if not 1 <= k <= 10:
        raise InvalidInput("k 应在 1 到 10 之间 / k must be between 1 and 10", field="k")
    types = parse_relations(relations)
    src = resolve_enterprise(store, a, field="from")
    dst = resolve_enterprise(store, b, field="to")
    out: dict[str, Any] = {"from": src, "to": dst, "relations": types, "paths": []}
    if src["id"] == dst["id"]:
        raise InvalidInput("起点和终点是同一家企业 / from and to are the same enterprise",
                           field="to")
    pattern = "|".join(q_rel(t) for t in types)
    found, names = _shortest(store, pattern, src["id"], dst["id"], max_hops, k)
    # Parallel relationships between the same firms are one hop: fetch them all, so the
    # answer does not depend on which parallel variant an engine happened to return.
    pairs = sorted({(x, y) for ids in found for x, y in itertools.pairwise(ids)})
    ties: dict[frozenset[str], set[tuple[str, str, str, str]]] = defaultdict(set)
    if pairs:
        hop_text = QUERIES.get("path_hops", store.dialect).replace("{rels}", pattern)
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


Found = tuple[list[tuple[str, ...]], dict[str, Any]]


def _shortest(store: Store, rels: str, a: str, b: str, max_hops: int, k: int) -> Found:
    """The first ``k`` shortest paths from ``a`` to ``b`` (enterprise-id sequences, in id
    order) and the names of their firms; ``([], {})`` when none is within ``max_hops``.

    Neo4j's own ``ALL SHORTEST`` is fast there (one round trip; the layered search paid
    one per layer, 4× slower at 100k): it is used when it lists every shortest path
    within ``NATIVE_CAP``, else the layered search answers. FalkorDB's
    ``allShortestPaths`` took ~220 ms a pair at 100k: the layered search always answers
    there. Both give the same paths (tests compare them on every pair of the sample)."""
    if store.dialect == "neo4j":
        found = shortest_native(store, rels, a, b, max_hops, k)
        if found is not None:
            return found
    return shortest_bfs(store, rels, a, b, max_hops, k)


def shortest_native(store: Store, rels: str, a: str, b: str, max_hops: int,
                    k: int) -> Found | None:
    """The engine's all-shortest-paths query, or ``None`` when it hit ``NATIVE_CAP`` (the
    k smallest id sequences could then be among those not fetched)."""
    text = (QUERIES.get("paths", store.dialect).replace("{rels}", rels)
            .replace("{max_hops}", str(int(max_hops))))
    rows = store.read(text, {"a": a, "b": b, "cap": NATIVE_CAP})
    if len(rows) >= NATIVE_CAP:
        return None
    names: dict[str, Any] = {}
    sequences: set[tuple[str, ...]] = set()
    for r in rows:
        ids = tuple(str(x) for x in r["ids"])
        if len(set(ids)) == len(ids):  # a walk back through a parallel tie is no path
            names.update(zip(ids, r["names"], strict=True))
            sequences.add(ids)
    return sorted(sequences)[:k], names


def shortest_bfs(store: Store, rels: str, a: str, b: str, max_hops: int, k: int) -> Found:
    """Bidirectional layered search (see the module docstring)."""
    ends = {r["id"]: r["node"] for r in store.read(
        QUERIES.get("paths_start", store.dialect), {"ids": [a, b]})}
    s, t = ends[a], ends[b]
    expand = QUERIES.get("paths_expand", store.dialect).replace("{rels}", rels)
    # Per side: the depth of every node reached and its neighbours one layer closer to
    # that side's end (all of them: every shortest path is wanted, not one).
    depth: list[dict[Any, int]] = [{s: 0}, {t: 0}]
    preds: list[dict[Any, list[Any]]] = [{s: []}, {t: []}]
    frontier: list[list[Any]] = [[s], [t]]
    level = [0, 0]
    meet: list[Any] = []
    while not meet and level[0] + level[1] < max_hops:
        side = 0 if len(frontier[0]) <= len(frontier[1]) else 1
        if not frontier[side]:
            break  # that side's component is exhausted: no path at all
        seen, new = depth[side], dict[Any, list[Any]]()
        for row in store.read(expand, {"nodes": frontier[side]}):
            u = row["node"]
            for v in row["next"]:
                if v not in seen:
                    new.setdefault(v, []).append(u)
        level[side] += 1
        for v, us in new.items():
            seen[v] = level[side]
            preds[side][v] = us
        frontier[side] = list(new)
        # the first layer that touches the other side fixes the distance; every node of
        # it that the other side reached lies on a shortest path, and only those do
        meet = [v for v in new if v in depth[1 - side]]
    if not meet:
        return [], {}
    # Nodes on some shortest path, and on the s side the forward (s → meeting layer) edges.
    forward: dict[Any, list[Any]] = {}
    on_path = set(meet)
    todo = list(meet)
    while todo:
        v = todo.pop()
        for u in preds[0][v]:
            forward.setdefault(u, []).append(v)
            if u not in on_path:
                on_path.add(u)
                todo.append(u)
    todo = list(meet)
    while todo:
        v = todo.pop()
        for u in preds[1][v]:
            if u not in on_path:
                on_path.add(u)
                todo.append(u)
    info = {r["node"]: (str(r["id"]), r["name"]) for r in store.read(
        QUERIES.get("paths_nodes", store.dialect), {"nodes": list(on_path)})}
    meet_set = set(meet)

    def children(v: Any) -> list[Any]:
        # s-side nodes lead on to the meeting layer; from there the t-side predecessors
        # lead to t (no node but the meeting ones was reached from both sides)
        nxt = forward[v] if v in depth[0] and v not in meet_set else preds[1][v]
        return sorted(set(nxt), key=lambda n: info[n][0])

    # Depth-first in id order over the graph of shortest paths: every branch reaches the
    # end, so the first k complete walks are the k smallest id sequences.
    out: list[tuple[str, ...]] = []
    stack: list[tuple[Any, ...]] = [(s,)]
    while stack and len(out) < k:
        walk = stack.pop()
        last = walk[-1]
        if last == t:
            out.append(tuple(info[n][0] for n in walk))
            continue
        stack.extend((*walk, n) for n in reversed(children(last)))
    return out, {info[n][0]: info[n][1] for n in on_path}
