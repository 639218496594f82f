"""Gazetteers from seeds and from the graph, refreshed when the graph changes."""

from __future__ import annotations

from graph.store import Store
from graph.writes import merge_nodes, node_row
from ingest.resolve import Resolver
from ingest.text.gazetteer import GazetteerCache, build_gazetteer, seed_gazetteer
from ingest.text.linking import Linker
from ingest.text.pipeline import TextExtractor, load_nlp


def test_text_gazetteer_seeds_have_products_and_regions() -> None:
    g = seed_gazetteer()
    assert g.best("铁精粉", "PRODUCT") is not None
    tangshan = g.best("唐山市", "REGION")
    assert tangshan is not None and tangshan.id == "1302"
    assert not g.lookup("合作", "REGION")  # a region name that is an ordinary word


def test_text_gazetteer_graph_names_and_refresh(store: Store) -> None:
    merge_nodes(store, "Enterprise", [node_row("E1", {"name": "唐山瑞丰钢铁集团有限公司",
                                                      "short_name": "瑞丰钢铁"})])
    g = build_gazetteer(store)
    e = g.best("瑞丰钢铁", "ENTERPRISE")
    assert e is not None and e.id == "E1" and e.origin == "graph"

    cache = GazetteerCache(store)
    ex = TextExtractor(load_nlp(None), linker=Linker(Resolver.from_store(store)),
                       gazetteers=cache)
    out = ex.extract_text("瑞丰钢铁与冀东智造签署战略合作协议。")
    linked = {e.text: link.id for e, link in zip(out.entities, out.links, strict=True)}
    assert linked.get("瑞丰钢铁") == "E1"
    assert "冀东智造" not in linked  # unknown short name, no legal form: not found yet

    # the graph changes: the next extraction sees the new name without a restart
    merge_nodes(store, "Enterprise", [node_row("E2", {"name": "冀东智造装备有限公司",
                                                      "aliases": ["冀东智造"]})])
    out = ex.extract_text("瑞丰钢铁与冀东智造签署战略合作协议。")
    linked = {e.text: link.id for e, link in zip(out.entities, out.links, strict=True)}
    assert linked.get("冀东智造") == "E2"
    assert any(r.type == "COOPERATES_WITH" for r in out.relations)


def test_text_gazetteer_graph_product_beats_seed_entry(store: Store) -> None:
    merge_nodes(store, "Product", [node_row("P-ORE", {"name": "铁精粉"})])
    ex = TextExtractor(load_nlp(None), linker=Linker(Resolver.from_store(store)),
                       gazetteers=GazetteerCache(store))
    out = ex.extract_text("唐山甲钢铁有限公司主要生产铁精粉。")
    linked = {e.text: link.id for e, link in zip(out.entities, out.links, strict=True)}
    assert linked["铁精粉"] == "P-ORE"
