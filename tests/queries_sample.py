"""A small, hand-checked graph for the query-service tests (both engines).

Chain ``steel`` (精品钢铁, home region 1302 唐山) with three segments and six
product nodes, plus two products outside the chain; enterprises in and out of
Tangshan with sizes, tiers, needs, supply, cooperation, investment and control
ties. Expected answers in the tests are worked out by hand from this picture:

    铁矿石 ─┐                 ┌→ 汽车零部件 (no local maker → 补链)
    焦炭 ───┼→ 热轧板卷 → 冷轧薄板 ┤
    废钢* ──┘       └→ 船用钢板 (no local maker, 唐钢 needs it → 补链)
                               冷轧薄板 → 家电外壳*      (* outside the chain)
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from graph.store import Store
from graph.writes import merge_nodes, merge_rels, node_row, rel_row

PRODUCTS = [
    ("p_ore", "铁矿石", "上游", "steel"),
    ("p_coke", "焦炭", "上游", "steel"),
    ("p_hot", "热轧板卷", "中游", "steel"),
    ("p_cold", "冷轧薄板", "中游", "steel"),
    ("p_auto", "汽车零部件", "下游", "steel"),
    ("p_ship", "船用钢板", "下游", "steel"),
    ("p_scrap", "废钢", None, None),
    ("p_shell", "家电外壳", None, "appliance"),
]
UPSTREAM = [("p_ore", "p_hot"), ("p_coke", "p_hot"), ("p_scrap", "p_hot"), ("p_hot", "p_cold"),
            ("p_cold", "p_auto"), ("p_hot", "p_ship"), ("p_cold", "p_shell")]

# id, name, short_name, aliases, uscc, region_code, size_class, tiers, industry, products
ENTERPRISES = [
    ("E1", "唐山钢铁集团有限责任公司", "唐钢", ["唐山钢铁", "唐钢集团"], "91130200104363781Q",
     "130203", "大型", ["链主企业"], "3120", ["p_hot", "p_cold"]),
    ("E2", "唐山丰南焦化有限公司", "丰南焦化", [], "91130207MA0A000001", "130207", "中型",
     [], "2520", ["p_coke"]),
    ("E3", "迁安市微型矿业有限公司", None, [], None, "130283", "微型", [], "0810", ["p_ore"]),
    ("E4", "石家庄汽车部件有限公司", "石汽部件", [], None, "130102", "中型",
     ["专精特新中小企业"], "3670", ["p_auto"]),
    ("E5", "天津船板制造有限公司", None, [], None, "120110", "大型", [], "3130", ["p_ship"]),
    ("E6", "唐山冷轧薄板有限公司", None, [], None, "130204", "小型", [], "3130", ["p_cold"]),
    ("E7", "北京家电外壳有限公司", None, [], None, "110105", "大型", [], "3851", ["p_shell"]),
    ("E8", "邯郸废钢回收有限公司", None, [], None, "130402", "小型", [], "4210", ["p_scrap"]),
    ("E9", "山西焦煤集团有限责任公司", "山西焦煤", [], None, "140100", "大型", ["链主企业"],
     "2520", ["p_coke"]),
    ("E10", "迁安钢铁有限公司", None, [], None, "130283", "中型", [], "3120", ["p_hot"]),
]
SUPPLIES = [("E2", "E1", "焦炭"), ("E3", "E1", "铁矿石"), ("E1", "E6", "热轧板卷"),
            ("E6", "E4", "冷轧薄板"), ("E9", "E2", "焦炭")]
COOPERATES = [("E1", "E5")]
INVESTS = [("E1", "E2")]
CONTROLS = [("E9", "E10")]
# need id, enterprise, name, about product, status
NEEDS = [("N1", "E1", "采购铁矿石", "p_ore", "open"),
         ("N2", "E1", "采购船用钢板", "p_ship", "open"),
         ("N3", "E1", "采购焦炭", "p_coke", "open"),
         ("N4", "E6", "采购热轧板卷", "p_hot", "open")]


def build_sample(store: Store) -> None:
    """Write the sample graph into ``store`` (idempotent)."""
    prov = {"source": "tests/queries_sample.py", "method": "manual", "confidence": 1.0,
            "run_id": "test-run", "ingested_at": "2026-01-01T00:00:00Z"}
    merge_nodes(store, "Region", [
        node_row("1302", {"code": "1302", "name": "唐山市", "full_name": "河北省唐山市",
                          "level": "city", "parent_code": "13"}),
        node_row("130207", {"code": "130207", "name": "丰南区", "full_name": "河北省唐山市丰南区",
                            "level": "county", "parent_code": "1302"}),
    ])
    merge_nodes(store, "Chain", [
        node_row("steel", {"name": "精品钢铁", "home_region": "1302", **prov}),
        node_row("appliance", {"name": "家电", "home_region": "1101", **prov}),
    ])
    merge_nodes(store, "Segment", [
        node_row(f"steel:{s}", {"chain_id": "steel", "name": s, "order": i})
        for i, s in enumerate(["上游", "中游", "下游"])
    ] + [node_row("appliance:下游", {"chain_id": "appliance", "name": "下游", "order": 2})])
    merge_rels(store, "PART_OF", "Segment", "Chain", [
        rel_row(f"steel:{s}", "steel") for s in ["上游", "中游", "下游"]
    ] + [rel_row("appliance:下游", "appliance")])
    merge_nodes(store, "Product", [
        node_row(pid, {"name": name, "norm_name": name, **({"chain_id": c} if c else {}), **prov})
        for pid, name, _seg, c in PRODUCTS
    ])
    merge_rels(store, "IN_SEGMENT", "Product", "Segment", [
        rel_row(pid, f"{c}:{seg}") for pid, _n, seg, c in PRODUCTS if seg
    ] + [rel_row("p_shell", "appliance:下游")])
    merge_rels(store, "UPSTREAM_OF", "Product", "Product",
               [rel_row(a, b, prov) for a, b in UPSTREAM])
    merge_nodes(store, "Enterprise", [
        node_row(eid, {"name": name, "norm_name": name, "short_name": short, "aliases": aliases,
                       "uscc": uscc, "region_code": region, "size_class": size, "tiers": tiers,
                       "industry_code": ind, **prov})
        for eid, name, short, aliases, uscc, region, size, tiers, ind, _p in ENTERPRISES
    ])
    merge_rels(store, "PRODUCES", "Enterprise", "Product", [
        rel_row(e[0], p, prov) for e in ENTERPRISES for p in e[9]])
    merge_rels(store, "SUPPLIES", "Enterprise", "Enterprise", [
        rel_row(a, b, {"product": prod, **prov}, key=prod) for a, b, prod in SUPPLIES])
    merge_rels(store, "COOPERATES_WITH", "Enterprise", "Enterprise",
               [rel_row(a, b, prov) for a, b in COOPERATES])
    merge_rels(store, "INVESTS_IN", "Enterprise", "Enterprise",
               [rel_row(a, b, {"share": 0.3, **prov}) for a, b in INVESTS])
    merge_rels(store, "CONTROLS", "Enterprise", "Enterprise",
               [rel_row(a, b, {"share": 0.6, **prov}) for a, b in CONTROLS])
    merge_nodes(store, "Need", [
        node_row(nid, {"name": name, "status": st, "area": "物资采购", **prov})
        for nid, _e, name, _p, st in NEEDS])
    merge_rels(store, "NEEDS", "Enterprise", "Need", [rel_row(e, n, prov) for n, e, *_ in NEEDS])
    merge_rels(store, "ABOUT", "Need", "Product", [rel_row(n, p) for n, _e, _nm, p, _s in NEEDS])
    merge_nodes(store, "Capability", [node_row("c_roll", {"name": "冷轧加工", "area": "生产制造"})])
    merge_rels(store, "HAS_CAPABILITY", "Enterprise", "Capability", [rel_row("E6", "c_roll", prov)])


def walk_sample(store: Store) -> None:
    """E supplies S; S cooperates with P; S and Q are in one industry; Z cooperates with Y,
    apart from the rest (the walk from E reaches S, P and Q, not Z or Y)."""
    prov = {"source": "test", "method": "table", "confidence": 1.0, "run_id": "t"}
    merge_nodes(store, "Industry", [node_row("I1", {"name": "芯片", **prov})])
    merge_nodes(store, "Enterprise", [node_row(k, {"name": f"企业{k}", **prov})
                                      for k in ("E", "S", "P", "Q", "Z", "Y")])
    merge_rels(store, "SUPPLIES", "Enterprise", "Enterprise", [rel_row("E", "S", dict(prov))])
    merge_rels(store, "COOPERATES_WITH", "Enterprise", "Enterprise",
               [rel_row("S", "P", dict(prov)), rel_row("Z", "Y", dict(prov))])
    merge_rels(store, "IN_INDUSTRY", "Enterprise", "Industry",
               [rel_row(k, "I1", dict(prov)) for k in ("S", "Q")])


def merge_from_another_process(store: Store, request: pytest.FixtureRequest, label: str,
                               node_id: str, props: dict[str, Any]) -> None:
    """Merge ``props`` into one node from a separate Python process on the same store, as a
    CLI ingest would: no counter of this process sees the write."""
    env = {**os.environ}
    if store.dialect == "neo4j":
        server = request.getfixturevalue("neo4j_server")
        env.update(RONGLIAN_STORE=server.uri, RONGLIAN_NEO4J_USER=server.user,
                   RONGLIAN_NEO4J_PASSWORD=server.password)
    else:
        env["RONGLIAN_STORE"] = store.url
    code = ("from graph.store import open_store\n"
            "from graph.writes import merge_nodes, node_row\n"
            "with open_store() as s:\n"
            f"    merge_nodes(s, {label!r}, [node_row({node_id!r}, {props!r})])\n")
    subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[1],
                   env=env, check=True, timeout=120)


#: The cooperation requests that the concurrency tests ask from several threads at once.
CONCURRENT_KEYS = ("E1", "E3", "E6", "E10")


def ask_concurrently(store: Store, threads: int = 8) -> dict[int, list[Any]]:
    """``{thread: results}``: ``threads`` threads, released together, each ask for the top 5
    cooperation partners of ``CONCURRENT_KEYS[thread % 4]`` (a cold cache then sees
    concurrent first requests, which single-flight builds must serve)."""
    from queries.recommend import recommend_partners

    start = threading.Barrier(threads)
    got: dict[int, list[Any]] = {}

    def ask(i: int) -> None:
        start.wait()
        eid = CONCURRENT_KEYS[i % len(CONCURRENT_KEYS)]
        got[i] = recommend_partners(store, eid, "COOPERATES_WITH", top=5)["results"]

    workers = [threading.Thread(target=ask, args=(i,)) for i in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join(timeout=120)
    assert len(got) == threads, "a request thread did not finish within 120 s"
    return got


def spy_reads(monkeypatch: pytest.MonkeyPatch, store: Store) -> list[tuple[str, float | None]]:
    """From now on, every ``store.read`` as ``(query text, timeout)``, in order; the store
    still answers each (a real engine under the spy, never a stand-in)."""
    reads: list[tuple[str, float | None]] = []
    real = store.read

    def read(query: str, params: Any = None, *, timeout: float | None = None) -> Any:
        reads.append((query, timeout))
        return real(query, params, timeout=timeout)

    monkeypatch.setattr(store, "read", read)
    return reads
