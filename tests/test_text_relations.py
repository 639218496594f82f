"""Relation rules: types and directions on full legal names (rules-only pipeline, fast)."""

from __future__ import annotations

import pytest

from ingest.text.pipeline import TextExtractor, load_nlp


@pytest.fixture(scope="module")
def rules() -> TextExtractor:
    return TextExtractor(load_nlp(None))


def _rels(ex: TextExtractor, text: str) -> set[tuple[str, str, str]]:
    out = ex.extract_text(text)
    return {(out.entities[r.head].text, r.type, out.entities[r.tail].text)
            for r in out.relations}


A, B, C = "唐山甲钢铁有限公司", "河北乙矿业有限公司", "唐山丙物流有限公司"


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param(f"{A}向{B}采购铁精粉。", (B, "SUPPLIES", A), id="buy-from"),
    pytest.param(f"{A}从{B}进口铁矿石。", (B, "SUPPLIES", A), id="import-from"),
    pytest.param(f"{B}为{A}供货。", (B, "SUPPLIES", A), id="supply-for"),
    pytest.param(f"{B}中标{A}的烧结项目。", (B, "SUPPLIES", A), id="tender"),
    pytest.param(f"{B}成为{A}的合格供应商。", (B, "SUPPLIES", A), id="becomes-supplier"),
    pytest.param(f"{A}的铁精粉由{B}供应。", (B, "SUPPLIES", A), id="passive-supply"),
    pytest.param(f"{A}收购{B}。", (A, "CONTROLS", B), id="acquire"),
    pytest.param(f"{B}被{A}收购。", (A, "CONTROLS", B), id="passive-acquire"),
    pytest.param(f"{B}是{A}的全资子公司。", (A, "CONTROLS", B), id="subsidiary"),
    pytest.param(f"{A}持有{B}60%的股权。", (A, "CONTROLS", B), id="majority-stake"),
    pytest.param(f"{A}持有{B}20%的股权。", (A, "INVESTS_IN", B), id="minority-stake"),
    pytest.param(f"{A}向{B}投资5000万元。", (A, "INVESTS_IN", B), id="invest"),
    pytest.param(f"{B}获得{A}的战略投资。", (A, "INVESTS_IN", B), id="receives-investment"),
])
def test_text_relations_direction(rules: TextExtractor, text: str,
                                  expected: tuple[str, str, str]) -> None:
    assert expected in _rels(rules, text)


def test_text_relations_cooperation_is_symmetric_and_listed(rules: TextExtractor) -> None:
    got = _rels(rules, f"{A}与{B}、{C}签署战略合作协议。")
    pairs = {frozenset((h, t)) for h, typ, t in got if typ == "COOPERATES_WITH"}
    assert frozenset((A, B)) in pairs and frozenset((A, C)) in pairs


def test_text_relations_joint_venture_two_investors(rules: TextExtractor) -> None:
    got = _rels(rules, f"{A}与{B}共同出资设立{C}。")
    assert (A, "INVESTS_IN", C) in got and (B, "INVESTS_IN", C) in got


def test_text_relations_negation_dropped_hedge_lowered(rules: TextExtractor) -> None:
    assert not _rels(rules, f"{A}否认将被{B}收购。")
    out = rules.extract_text(f"{A}计划收购{B}。")
    assert out.relations and out.relations[0].confidence < 0.7
    firm = rules.extract_text(f"{A}收购{B}。")
    assert firm.relations[0].confidence >= 0.7


def test_text_relations_produces_with_pronoun_subject(rules: TextExtractor) -> None:
    got = _rels(rules, f"{A}成立于2001年。公司主要生产热轧带钢和冷轧薄板等产品。")
    assert (A, "PRODUCES", "热轧带钢") in got and (A, "PRODUCES", "冷轧薄板") in got


def test_text_relations_evidence_has_sentence_and_offsets(rules: TextExtractor) -> None:
    text = f"前言。{A}向{B}采购铁精粉。"
    out = rules.extract_text(text)
    r = out.relations[0]
    ev = r.evidence
    assert text[ev["start"]:ev["end"]] == ev["sentence"] == f"{A}向{B}采购铁精粉。"
    assert ev["trigger"] == "采购"
    for e in out.entities:
        assert text[e.start:e.end] == e.text
