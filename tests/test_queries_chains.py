"""Chain list, chain detail and gap analysis on the hand-checked sample graph (both engines)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.errors import InvalidInput, NotFound
from graph.store import Store
from graph.writes import merge_nodes, merge_rels, node_row, rel_row
from ingest.chains import ingest_chain
from queries.chains import chain_detail, list_chains
from queries.common import region_prefix
from queries.gaps import chain_gaps
from tests.queries_sample import build_sample


def test_queries_region_prefix_drops_zero_groups() -> None:
    assert region_prefix("130200") == "1302"
    assert region_prefix("130207") == "130207"
    assert region_prefix("130000") == "13"
    assert region_prefix("130207001000") == "130207001"


def test_queries_list_chains_counts(store: Store) -> None:
    build_sample(store)
    assert list_chains(store) == [
        {"id": "appliance", "name": "家电", "segments": 1, "enterprises": 1},
        {"id": "steel", "name": "精品钢铁", "segments": 3, "enterprises": 8},
    ]


def test_queries_list_chains_empty_store(store: Store) -> None:
    assert list_chains(store) == []


def test_queries_chain_detail_default_region_is_home(store: Store) -> None:
    build_sample(store)
    d = chain_detail(store, "steel")
    assert (d["id"], d["name"], d["region"]) == ("steel", "精品钢铁", "1302")
    assert [s["name"] for s in d["segments"]] == ["上游", "中游", "下游"]
    mid = {n["name"]: n for n in d["segments"][1]["nodes"]}
    assert set(mid) == {"热轧板卷", "冷轧薄板"}
    hot = mid["热轧板卷"]["enterprises"]
    assert [(e["id"], e["local"]) for e in hot] == [("E1", True), ("E10", True)]
    assert hot[0] == {"id": "E1", "name": "唐山钢铁集团有限责任公司", "region_code": "130203",
                      "local": True, "size_class": "大型", "tiers": ["链主企业"]}
    coke = next(n for n in d["segments"][0]["nodes"] if n["id"] == "p_coke")
    # local firms first, then the outside ones
    assert [(e["id"], e["local"]) for e in coke["enterprises"]] == [("E2", True), ("E9", False)]


def test_queries_chain_detail_region_override_by_code_and_name(store: Store) -> None:
    build_sample(store)
    d = chain_detail(store, "steel", region="130207")
    flags = {e["id"]: e["local"] for s in d["segments"] for n in s["nodes"]
             for e in n["enterprises"]}
    assert {k for k, v in flags.items() if v} == {"E2"}
    assert chain_detail(store, "steel", region="丰南区")["region"] == "130207"


def test_queries_region_code_must_name_a_division_or_a_firms_region(store: Store) -> None:
    """A mistyped code is an error, not a region where nothing lies: a code is taken when a
    division of it is loaded (130207, 130200 as 1302) or some firm lies under it (1101: no
    division loaded, 北京家电外壳 is there); a blank region is the chain's home region."""
    from queries.recommend import recommend_partners
    from queries.search import search

    build_sample(store)
    for code in ("999999", "130299", "99"):
        for ask, kw in ((chain_detail, {"chain_id": "steel"}),
                        (chain_detail, {"chain_id": "steel", "limit": 0}),
                        (chain_gaps, {"chain_id": "steel"}),
                        (search, {"q": "钢铁"}),
                        (recommend_partners, {"enterprise": "E1", "relation": "SUPPLIES"})):
            with pytest.raises(InvalidInput) as e:
                ask(store, region=code, **kw)
            assert e.value.field == "region" and code in e.value.message
    assert chain_detail(store, "steel", region="130200")["region"] == "130200"
    assert chain_detail(store, "steel", region="1101", limit=0)["region"] == "1101"
    assert [e["id"] for e in search(store, "家电", region="1101")["items"]] == ["E7"]
    for blank in (" ", "\t"):
        assert chain_detail(store, "steel", region=blank)["region"] == "1302"
        assert chain_gaps(store, "steel", blank)["region"] == "1302"


@pytest.mark.parametrize("region", [None, "130207", "13", "1101"])
def test_queries_chain_detail_counts_with_or_without_the_producers(store: Store,
                                                                   region: str | None) -> None:
    build_sample(store)
    full = chain_detail(store, "steel", region)
    nodes = [n for s in full["segments"] for n in s["nodes"]]
    assert [(n["enterprise_count"], n["local_count"]) for n in nodes] == \
        [(len(n["enterprises"]), sum(e["local"] for e in n["enterprises"])) for n in nodes]
    assert sum(n["enterprise_count"] for n in nodes) > 0
    # limit=0 reads counts alone, from another query: the same answer without the producers
    bare = chain_detail(store, "steel", region, limit=0)
    strip = {**full, "segments": [{**s, "nodes": [{**n, "enterprises": []} for n in s["nodes"]]}
                                  for s in full["segments"]]}
    assert bare == strip
    # limit=1: the first producer of each node (local first), the counts whole
    one = chain_detail(store, "steel", region, limit=1)
    assert one == {**full, "segments": [
        {**s, "nodes": [{**n, "enterprises": n["enterprises"][:1]} for n in s["nodes"]]}
        for s in full["segments"]]}


def test_queries_chain_detail_counts_in_the_sample(store: Store) -> None:
    build_sample(store)
    coke = next(n for n in chain_detail(store, "steel", limit=0)["segments"][0]["nodes"]
                if n["id"] == "p_coke")
    assert (coke["enterprise_count"], coke["local_count"], coke["enterprises"]) == (2, 1, [])
    # a product node nobody makes still shows, with zero counts, in both ways
    merge_nodes(store, "Product", [node_row("p_slag", {"name": "钢渣", "chain_id": "steel"})])
    merge_rels(store, "IN_SEGMENT", "Product", "Segment", [rel_row("p_slag", "steel:下游")])
    for limit in (0, None):
        slag = next(n for n in chain_detail(store, "steel", limit=limit)["segments"][2]["nodes"]
                    if n["id"] == "p_slag")
        assert (slag["enterprise_count"], slag["local_count"], slag["enterprises"]) == (0, 0, [])
    with pytest.raises(InvalidInput):
        chain_detail(store, "steel", limit=-1)


def test_queries_chain_detail_unknown_id_raises_not_found(store: Store) -> None:
    build_sample(store)
    with pytest.raises(NotFound):
        chain_detail(store, "nope")
    with pytest.raises(NotFound):
        chain_detail(store, "nope", limit=0)
    with pytest.raises(NotFound):
        chain_gaps(store, "nope", "1302")


def test_queries_chain_gaps_classes(store: Store) -> None:
    build_sample(store)
    g = chain_gaps(store, "steel", "1302")
    assert (g["chain"], g["region"]) == ("steel", "1302")
    nodes = {n["id"]: n for n in g["nodes"]}
    assert {k: n["class"] for k, n in nodes.items()} == {
        "p_ore": "强链",     # one local supplier, a micro firm
        "p_coke": "强链",    # single local supplier
        "p_hot": None,       # 唐钢 + 迁安钢铁
        "p_cold": None,      # 唐钢 + 唐山冷轧
        "p_auto": "补链",    # made only in 石家庄
        "p_ship": "补链",    # made only in 天津, and 唐钢 needs it
    }
    assert (nodes["p_auto"]["local_count"], nodes["p_auto"]["external_count"]) == (0, 1)
    assert nodes["p_coke"]["single_supplier"] and nodes["p_coke"]["local_by_size"] == {"中型": 1}
    assert nodes["p_hot"]["local_by_tier"] == {"链主企业": 1}
    # 唐钢's need for ship plate is unmet locally; its coke and ore needs are met by local suppliers
    assert [n["need_id"] for n in nodes["p_ship"]["unmet_needs"]] == ["N2"]
    assert nodes["p_coke"]["unmet_needs"] == [] and nodes["p_ore"]["unmet_needs"] == []
    # N4 comes from a small firm, not a leading one: it does not count
    assert nodes["p_hot"]["unmet_needs"] == []
    # biggest gap first: ship plate (missing + unmet need) outranks auto parts (missing)
    assert g["nodes"][0]["id"] == "p_ship"
    assert nodes["p_ship"]["score"] > nodes["p_auto"]["score"] > nodes["p_ore"]["score"]
    assert nodes["p_ore"]["score"] > nodes["p_hot"]["score"]
    assert [c["id"] for c in nodes["p_ship"]["candidates"]] == ["E5"]
    assert "已与本地 1 家企业有供应或合作关系" in nodes["p_ship"]["candidates"][0]["reasons"]
    assert [c["id"] for c in nodes["p_coke"]["candidates"]] == ["E9"]


def test_queries_chain_gaps_extensions_on_strong_nodes(store: Store) -> None:
    build_sample(store)
    nodes = {n["id"]: n for n in chain_gaps(store, "steel", "1302")["nodes"]}
    hot = nodes["p_hot"]["extensions"]
    assert [(e["id"], e["direction"]) for e in hot] == [("p_scrap", "upstream")]
    assert [c["id"] for c in hot[0]["candidates"]] == ["E8"]
    cold = nodes["p_cold"]["extensions"]
    assert [(e["id"], e["direction"]) for e in cold] == [("p_shell", "downstream")]
    assert nodes["p_ship"]["extensions"] == [] and nodes["p_hot"]["candidates"] == []


def test_queries_chain_gaps_other_region(store: Store) -> None:
    build_sample(store)
    nodes = {n["id"]: n for n in chain_gaps(store, "steel", "13")["nodes"]}
    # the whole province: 石家庄 makes auto parts, so it is no longer missing
    assert nodes["p_auto"]["class"] == "强链"
    assert nodes["p_ship"]["class"] == "补链"


def test_queries_chain_gaps_needs_a_region(store: Store) -> None:
    build_sample(store)
    store.write("MATCH (c:Chain {id: 'steel'}) REMOVE c.home_region")
    with pytest.raises(InvalidInput):
        chain_gaps(store, "steel")
    assert chain_gaps(store, "steel", "1302")["region"] == "1302"


def test_queries_chain_gaps_extension_product_is_yanlian_not_bulian(store: Store,
                                                                    tmp_path: Path) -> None:
    """A product the chain file marks ``extension: true`` that no local firm makes is a
    direction to grow the chain (延链), not a missing link (补链); a core product in the
    same position stays 补链, and an extension product made locally is judged as usual."""
    chain = {
        "id": "ext-demo", "name": "延链示例", "home_region": "1302",
        "segments": [{"name": "中游", "order": 1, "products": [
            {"id": "x.core", "name": "热轧板卷", "upstream": [],
             "companies": [{"name": "天津示例钢铁有限公司", "is_foreign": True}]},
            {"id": "x.ext", "name": "氢基直接还原铁", "upstream": ["x.core"], "extension": True,
             "companies": [{"name": "天津示例氢能有限公司", "is_foreign": True}]},
            {"id": "x.ext-local", "name": "变压器铁芯", "upstream": ["x.core"],
             "extension": True,
             "companies": [{"name": "唐山示例电工有限公司", "is_foreign": False},
                           {"name": "唐山示例铁芯有限公司", "is_foreign": False}]},
        ]}]}
    f = tmp_path / "ext-demo.json"
    f.write_text(json.dumps(chain, ensure_ascii=False), encoding="utf-8")
    ingest_chain(store, f, region="130203", run_dir=tmp_path)
    nodes = {n["id"]: n for n in chain_gaps(store, "ext-demo", "1302")["nodes"]}
    assert nodes["x.core"]["class"] == "补链"
    assert nodes["x.ext"]["class"] == "延链"
    assert nodes["x.ext"]["reasons"][0].startswith("延链")
    # the firm outside the region is still offered as a candidate to attract
    assert [c["name"] for c in nodes["x.ext"]["candidates"]] == ["天津示例氢能有限公司"]
    assert nodes["x.ext-local"]["class"] is None and nodes["x.ext-local"]["local_count"] == 2
    # a rerun keeps the flag and the classes
    ingest_chain(store, f, region="130203", run_dir=tmp_path)
    again = {n["id"]: n["class"] for n in chain_gaps(store, "ext-demo", "1302")["nodes"]}
    assert again == {"x.core": "补链", "x.ext": "延链", "x.ext-local": None}


def test_queries_chain_gaps_counts_match_a_recount_of_random_producers(store: Store) -> None:
    # gap_nodes groups producers by node, place, size class and tiers in the engine and
    # gaps.py sums the groups: every count must equal a plain recount of the same firms
    # (sizes missing or unknown, tiers missing, empty, repeated or several; nodes without
    # producers), and an outside product is a 延链 extension exactly when no local firm makes it
    import random

    from graph.vocab import SIZE_CLASSES, TIERS
    from graph.writes import merge_nodes, merge_rels, node_row, rel_row

    rng = random.Random(7)
    merge_nodes(store, "Chain", [node_row("rc", {"name": "随机链", "home_region": "1302"})])
    segs = ["上游", "中游", "下游"]
    merge_nodes(store, "Segment", [node_row(f"rc:{s}", {"chain_id": "rc", "name": s, "order": i})
                                   for i, s in enumerate(segs)])
    merge_rels(store, "PART_OF", "Segment", "Chain", [rel_row(f"rc:{s}", "rc") for s in segs])
    products = [f"rp{i}" for i in range(8)]
    outside = ["ro_local", "ro_none", "ro_away"]
    merge_nodes(store, "Product", [node_row(p, {"name": f"产品{p}"}) for p in products + outside])
    merge_rels(store, "IN_SEGMENT", "Product", "Segment",
               [rel_row(p, f"rc:{segs[i % 3]}") for i, p in enumerate(products)])
    merge_rels(store, "UPSTREAM_OF", "Product", "Product",
               [rel_row(o, "rp0") for o in outside])
    sizes = ["大型", "中型", "小型", "微型", "未划型", None]
    tier_pool = [*TIERS, "其他称号"]
    firms, makes = [], []
    for i in range(120):
        tiers = rng.choice([None, [], rng.sample(tier_pool, rng.randint(1, 3))])
        if tiers and rng.random() < 0.2:
            tiers = tiers + tiers[:1]  # a tier listed twice counts once
        region = rng.choice(["130203", "130207", "1302", "120110", "110105", None])
        props = {"name": f"企业{i}", "region_code": region, "size_class": rng.choice(sizes),
                 "tiers": tiers}
        firms.append((f"rf{i}", {k: v for k, v in props.items() if v is not None}))
        for p in rng.sample(products[:6], rng.randint(0, 3)):  # rp6, rp7: no producer
            makes.append((f"rf{i}", p))
    firms += [("rl", {"name": "本地", "region_code": "130204"}),
              ("ra", {"name": "外地", "region_code": "120110"})]
    makes += [("rl", "ro_local"), ("ra", "ro_local"), ("ra", "ro_away")]
    # rp0 strong (two large local makers, no needs): it lists its extensions
    firms += [(f"rb{i}", {"name": f"大{i}", "region_code": "130203", "size_class": "大型"})
              for i in range(2)]
    makes += [(f"rb{i}", "rp0") for i in range(2)]
    merge_nodes(store, "Enterprise", [node_row(f, p) for f, p in firms])
    merge_rels(store, "PRODUCES", "Enterprise", "Product", [rel_row(f, p) for f, p in makes])

    props = dict(firms)
    nodes = {n["id"]: n for n in chain_gaps(store, "rc", "1302")["nodes"]}
    assert set(nodes) == set(products)
    for p in products:
        makers = [props[f] for f, q in makes if q == p]
        local = [m for m in makers if str(m.get("region_code", "")).startswith("1302")]
        by_size = {s: sum(m.get("size_class") == s for m in local) for s in SIZE_CLASSES}
        by_size = {s: n for s, n in by_size.items() if n}
        rest = len(local) - sum(by_size.values())
        if rest:
            by_size["未划型"] = rest
        by_tier = {t: sum(t in (m.get("tiers") or []) for m in local) for t in TIERS}
        n = nodes[p]
        assert (n["local_count"], n["external_count"]) == (len(local), len(makers) - len(local))
        assert n["local_by_size"] == dict(sorted(by_size.items())), p
        assert n["local_by_tier"] == dict(sorted((t, c) for t, c in by_tier.items() if c)), p
    assert nodes["rp0"]["class"] is None
    assert {x["id"] for x in nodes["rp0"]["extensions"]} == {"ro_none", "ro_away"}
    assert nodes["rp6"]["local_count"] == 0 and nodes["rp6"]["class"] == "补链"


def test_queries_chain_gaps_side_scans_run_in_the_callers_context(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    # the needs and extension scans run on helper threads: they see the caller's context
    # variables (the API's request id in their log lines), and the answer is unchanged
    from contextvars import ContextVar

    import queries.gaps as gaps

    build_sample(store)
    expected = chain_gaps(store, "steel", "1302")
    probe: ContextVar[str | None] = ContextVar("probe", default=None)
    probe.set("req-1")
    seen: list[tuple[str, str | None]] = []
    real = gaps.run

    def spy(st: Store, name: str, params: dict | None = None, **kw: object) -> list:
        seen.append((name, probe.get()))
        return real(st, name, params, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(gaps, "run", spy)
    assert chain_gaps(store, "steel", "1302") == expected
    assert {n for n, v in seen if v == "req-1"} >= {"gap_nodes", "gap_needs", "gap_extensions"}
