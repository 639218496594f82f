"""Linking extracted entities through the ingest resolver, and long mixed input."""

from __future__ import annotations

import pytest

from ingest.resolve import Resolver
from ingest.text.linking import Linker
from ingest.text.pipeline import TextExtractor, load_nlp
from ingest.text.relations import Ent


@pytest.fixture(scope="module")
def rules() -> TextExtractor:
    return TextExtractor(load_nlp(None))


def test_text_linking_through_resolver(rules: TextExtractor) -> None:
    resolver = Resolver()
    resolver.add("E-SANYOU", "唐山三友化工股份有限公司", short_name="三友化工")
    rules.linker = Linker(resolver)
    try:
        out = rules.extract_text("唐山三友化工股份有限公司向唐山新星纯碱有限公司采购原盐，"
                                 "项目位于唐山市南堡开发区。")
    finally:
        rules.linker = None
    links = {e.text: (e.label, link.id, link.kind)
             for e, link in zip(out.entities, out.links, strict=True)}
    assert links["唐山三友化工股份有限公司"][1] == "E-SANYOU"
    assert links["唐山新星纯碱有限公司"][1] is None  # unknown: a proposal, not a link
    assert links["唐山新星纯碱有限公司"][2] == "new"
    assert links["唐山市"] == ("REGION", "1302", "same")


def test_text_linking_remembers_nodes_created_in_a_run() -> None:
    resolver = Resolver()
    linker = Linker(resolver)
    ent = Ent(0, 10, "ENTERPRISE", "唐山新星纯碱有限公司")
    assert linker.link(ent).id is None
    linker.remember(ent, "ent-new")
    assert linker.link(ent).id == "ent-new"
    assert resolver.resolve(name="唐山新星纯碱有限公司").id == "ent-new"


def test_text_linking_without_store_links_nothing(rules: TextExtractor) -> None:
    out = rules.extract_text("唐山三友化工股份有限公司位于唐山市。")
    assert all(link.id is None for link in out.links)


def test_text_long_document_is_processed_to_the_end(rules: TextExtractor) -> None:
    filler = "这是一段很长的说明文字，没有句号" * 40  # one 'sentence' of ~600 characters
    tail = "唐山甲钢铁有限公司向河北乙矿业有限公司采购铁精粉。"
    text = (filler + "。") * 50 + "English words mixed in. " + tail
    out = rules.extract_text(text)
    assert len(text) > 30_000
    sup = [r for r in out.relations if r.type == "SUPPLIES"]
    assert sup and out.entities[sup[0].head].text == "河北乙矿业有限公司"
    assert out.entities[sup[0].head].start > 30_000
    assert all(s.end - s.start <= 160 for s in out.sentences)


def test_text_linking_region_and_trade_word_is_not_another_firm(rules: TextExtractor) -> None:
    """The audit's sentence: 河北钢铁集团 (a province and a trade word) was linked "same" to
    the micro firm 河北芦台德安钢铁有限公司; a group named by its trade name still links."""
    resolver = Resolver()
    resolver.add("E0000684", "河北芦台德安钢铁有限公司", short_name="德安钢铁")
    resolver.add("E-SANYOU", "唐山三友化工股份有限公司", short_name="三友化工")
    rules.linker = Linker(resolver)
    try:
        out = rules.extract_text("河北钢铁集团向首钢集团供应热轧板卷。"
                                 "唐山三友集团向唐山丰南恒通钢铁有限公司采购钢坯。")
    finally:
        rules.linker = None
    links = {e.text: (link.id, link.kind) for e, link in zip(out.entities, out.links,
                                                                strict=True)}
    assert links["河北钢铁集团"] == (None, "ambiguous")  # a review item, not a link
    assert links["唐山三友集团"] == ("E-SANYOU", "same")
    assert links["唐山丰南恒通钢铁有限公司"] == (None, "new")
