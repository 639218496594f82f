"""NER model inputs and training data: lexicon features (v2 tokenizer), the name list
saved with a pipeline, mention-replacement augmentation, and how rule spans defer to
the trained model (issue 7)."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest
import spacy

from ingest.text.components import Candidate, defer_to_model
from ingest.text.tokenizer import NAMES_FILE, CharWordTokenizer, NameLexicon, word_class
from ingest.text.training import GoldSentence, augment_mentions


@pytest.fixture(scope="module")
def tok() -> CharWordTokenizer:
    return CharWordTokenizer(spacy.blank("zh").vocab, lexicon=True,
                             names=["浙商银行", "腾讯", "腾讯控股"])


def _feat(doc: spacy.tokens.Doc, key: str) -> list[str]:
    return [t.morph.to_dict()[key] for t in doc]


def test_ner_features_name_positions_longest_first(tok: CharWordTokenizer) -> None:
    doc = tok("腾讯控股与浙商银行合作")
    assert _feat(doc, "G") == ["B", "I", "I", "E", "O", "B", "I", "I", "E", "O", "O"]


def test_ner_features_word_classes(tok: CharWordTokenizer) -> None:
    doc = tok("EA与2024年的合作")
    classes = _feat(doc, "P")
    assert classes[:2] == ["eng", "eng"]
    assert classes[doc.text.index("2")] == "num"
    assert classes[doc.text.index("合")] == "vn"  # jieba's own dictionary tag
    assert word_class("，", {}) == "w" and word_class("鑫达", {}) == "oov"


@pytest.mark.parametrize("text", [
    pytest.param("腾讯 与 浙商银行 合作", id="spaces"),
    pytest.param("  前后 有\t空白 ", id="edges"),
    pytest.param("Tencent 腾讯", id="mixed"),
])
def test_ner_features_align_with_whitespace(tok: CharWordTokenizer, text: str) -> None:
    doc = tok(text)
    assert doc.text == text
    gaz = _feat(doc, "G")
    for t, g in zip(doc, gaz, strict=True):
        if t.is_space:
            assert g == "O" and t.morph.to_dict()["P"] == "sp"
    if "腾讯" in text:
        i = next(t.i for t in doc if t.text == "腾")
        assert gaz[i:i + 2] == ["B", "E"]


def test_ner_features_v1_sets_no_morph() -> None:
    doc = CharWordTokenizer(spacy.blank("zh").vocab)("腾讯与浙商银行合作")
    assert all(str(t.morph) == "" for t in doc)


def test_ner_features_name_list_travels_with_the_pipeline(tmp_path: Path,
                                                        tok: CharWordTokenizer) -> None:
    tok.to_disk(tmp_path)
    assert (tmp_path / NAMES_FILE).read_text(encoding="utf-8").split() == sorted(
        ["浙商银行", "腾讯", "腾讯控股"])
    fresh = CharWordTokenizer(spacy.blank("zh").vocab, lexicon=True).from_disk(tmp_path)
    assert fresh.names.names == tok.names.names
    assert NameLexicon([]).positions("腾讯") == ["O", "O"]


def test_ner_features_augmentation_keeps_spans_right() -> None:
    text = "腾讯与北京大学在深圳合作，阿里巴巴也来了。"
    rows = [GoldSentence(text, ((0, 2, "ENTERPRISE"), (3, 7, "ORG"), (8, 10, "REGION"),
                                (13, 17, "ENTERPRISE"))),
            GoldSentence("今天没有公司。", ())]
    out = augment_mentions(rows, ["浙商银行", "中国平安"], seed=3)
    assert len(out) == 1  # only sentences with a company are copied
    copy = out[0]
    labels = [(copy.text[s:e], lab) for s, e, lab in copy.spans]
    assert [lab for _, lab in labels] == ["ENTERPRISE", "ORG", "REGION", "ENTERPRISE"]
    assert labels[1][0] == "北京大学" and labels[2][0] == "深圳"
    assert all(name in {"浙商银行", "中国平安", "腾讯", "阿里巴巴"}
               for name, lab in labels if lab == "ENTERPRISE")
    assert copy.text.endswith("也来了。")


def _c(text: str, sub: str, label: str, source: str) -> Candidate:
    start = text.index(sub)
    return Candidate(start, start + len(sub), label, source, 0.9)


@pytest.mark.parametrize(("text", "model", "rule", "expect"), [
    # a bare suffix never moves a model span's left edge (英国必发公司, not 口状态下英国必发公司)
    pytest.param("这一盘口状态下英国必发公司亚洲盘", "英国必发公司", "口状态下英国必发公司",
                 ["英国必发公司"], id="no-left-override"),
    # …but may extend it over its suffix
    pytest.param("中粮集团和益海嘉里", "中粮", "中粮集团", ["中粮集团"], id="extend-right"),
    # a full legal form outranks the model (the model cut the name short)
    pytest.param("唐山鑫达电子科技有限公司与天津大学合作", "鑫达电子科技有限公司",
                 "唐山鑫达电子科技有限公司", ["唐山鑫达电子科技有限公司", "鑫达电子科技有限公司"],
                 id="full-legal-form"),
    # a bare suffix the model did not see: only with a place name in front
    pytest.param("充分发挥大公司在资源配置中的作用", None, "发挥大公司", [], id="generic-bare"),
    pytest.param("武汉钢铁集团正式签署协议", None, "武汉钢铁集团", ["武汉钢铁集团"],
                 id="place-bare"),
])
def test_ner_features_rules_defer_to_model(text: str, model: str | None, rule: str,
                                           expect: list[str]) -> None:
    m = [_c(text, model, "ENTERPRISE", "model")] if model else []
    r = [_c(text, rule, "ENTERPRISE", "legal_form")]
    kept, added = defer_to_model(text, m, r, frozenset({"武汉", "唐山", "天津"}))
    got = sorted({text[c.start:c.end] for c in kept + added}, key=len, reverse=True)
    assert got == sorted(expect, key=len, reverse=True)


@pytest.mark.parametrize(("model", "hit", "strength", "ok"), [
    pytest.param("三友化工", "三友", 2, False, id="inside-model-span"),
    pytest.param("唐山三友", "三友化工", 3, False, id="crosses-model-span"),
    pytest.param(None, "三友", 2, False, id="two-char-alone"),
    pytest.param("三友", "三友", 2, True, id="two-char-model-agrees"),
    pytest.param(None, "三友化工", 2, True, id="longer-short-name"),
    pytest.param("三友化工", "唐山三友化工", 3, True, id="contains-model-span"),
])
def test_ner_features_known_names_need_evidence(model: str | None, hit: str, strength: int,
                                                ok: bool) -> None:
    from ingest.text.components import known_name_is_safe
    from ingest.text.gazetteer import Entry

    text = "唐山三友化工与河北某公司合作"
    m = [_c(text, model, "ENTERPRISE", "model")] if model else []
    c = _c(text, hit, "ENTERPRISE", "graph")
    entry = Entry("ENTERPRISE", "E1", hit, strength=strength, origin="graph")
    assert known_name_is_safe(c, entry, m) is ok


def test_ner_features_shipped_model_carries_its_lexicon() -> None:
    from ingest.text.pipeline import MODEL_DIR, TextExtractor, load_nlp

    nlp = load_nlp(MODEL_DIR, rules=False)
    tokenizer = nlp.tokenizer
    assert isinstance(tokenizer, CharWordTokenizer) and tokenizer.lexicon
    assert len(tokenizer.names.names) > 9000  # read from the model directory, not ../shared
    labels = set(nlp.meta["labels"]["ner"])
    assert {"ENTERPRISE", "ORG", "REGION"} <= labels
    # anything else is an auxiliary training type the pipeline drops
    assert all(lab.startswith("X_") for lab in labels - {"ENTERPRISE", "ORG", "REGION"})
    assert nlp.config["nlp"]["tokenizer"]["names_path"] is None
    assert nlp.config["paths"]["vectors"] is None  # vectors ship inside, not from a path
    size = sum(p.stat().st_size for p in MODEL_DIR.rglob("*") if p.is_file())
    assert size <= 50 * 1024 * 1024
    text = "浙商银行与腾讯签署战略合作协议，双方将在《王者荣耀》等游戏上合作。"
    ext = TextExtractor(nlp).extract_text(text)
    assert all(e.label in {"ENTERPRISE", "ORG", "REGION", "PRODUCT", "CAPABILITY"}
               for e in ext.entities)


def test_ner_features_all_types_map_trains_aux_labels(tmp_path: Path) -> None:
    from ingest.text.training import LABEL_MAP, LABEL_MAP_ALL, read_cluener

    gold = tmp_path / "g.jsonl"
    gold.write_text('{"text": "玩家在暴雪公司的魔兽世界里", "label": {"company": {"暴雪公司": '
                    '[[3, 6]]}, "game": {"魔兽世界": [[8, 11]]}}}\n', encoding="utf-8")
    (ours,) = read_cluener(gold, label_map=LABEL_MAP)
    (every,) = read_cluener(gold, label_map=LABEL_MAP_ALL)
    assert ours.spans == ((3, 7, "ENTERPRISE"),)
    assert every.spans == ((3, 7, "ENTERPRISE"), (8, 12, "X_GAME"))


def test_ner_features_scorer_leaves_aux_labels_out() -> None:
    from spacy.tokens import Span
    from spacy.training import Example

    from ingest.text.training import score_ner_without_aux

    nlp = spacy.blank("zh")
    nlp.tokenizer = CharWordTokenizer(nlp.vocab)
    pred, ref = nlp.make_doc("腾讯和暴雪合作"), nlp.make_doc("腾讯和暴雪合作")
    pred.ents = [Span(pred, 0, 2, "ENTERPRISE"), Span(pred, 3, 5, "X_GAME")]
    ref.ents = [Span(ref, 0, 2, "ENTERPRISE"), Span(ref, 3, 5, "ENTERPRISE")]
    scores = score_ner_without_aux([Example(pred, ref)])
    assert scores["ents_p"] == 1.0 and scores["ents_r"] == 0.5
    assert set(scores["ents_per_type"]) == {"ENTERPRISE"}
    # ENTERPRISE alone, top-level so model selection can weigh it: P 1.0, R 0.5
    assert abs(scores["ents_enterprise_f"] - 2 / 3) < 1e-9


@pytest.mark.parametrize("rules", [pytest.param(True, id="with-rules"),
                                   pytest.param(False, id="model-only")])
def test_ner_features_aux_labels_never_leave_the_pipeline(rules: bool) -> None:
    from ingest.text.components import EntityMerger
    from ingest.text.gazetteer import Gazetteer
    from ingest.text.pipeline import TextExtractor

    nlp = spacy.blank("zh")
    nlp.tokenizer = CharWordTokenizer(nlp.vocab)
    # stands in for a trained model that also marks CLUENER's other types
    ruler = nlp.add_pipe("entity_ruler", name="ner")
    ruler.add_patterns([  # type: ignore[attr-defined]
        {"label": "X_GAME", "pattern": [{"ORTH": c} for c in "魔兽世界"]},
        {"label": "ENTERPRISE", "pattern": [{"ORTH": c} for c in "暴雪"]},
    ])
    if rules:
        merger = nlp.add_pipe("ronglian_entities", last=True)
        assert isinstance(merger, EntityMerger)
        merger.set_gazetteer(Gazetteer())
    ext = TextExtractor(nlp).extract_text("暴雪发布魔兽世界新版本。")
    assert [(e.text, e.label) for e in ext.entities] == [("暴雪", "ENTERPRISE")]


def test_ner_features_ickg_firms_come_from_firm_relations(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "ner_names", Path(__file__).resolve().parents[1] / "tools" / "ner" / "names.py")
    assert spec is not None and spec.loader is not None
    names = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(names)
    (tmp_path / "entity2id.txt").write_text("光伏\t0\n隆基绿能\t1\n通威股份\t2\n硅片\t3\n",
                                            encoding="utf-8")
    # 合作 (3) between two firms; 包含 (2) between an industry and a product
    (tmp_path / "train.txt").write_text("1\t3\t2\t0\n0\t2\t3\t0\n", encoding="utf-8")
    (tmp_path / "valid.txt").write_text("", encoding="utf-8")
    assert names.ickg_firms(tmp_path) == ["通威股份", "隆基绿能"]


def test_ner_features_word_cache_gives_the_same_features(tok: CharWordTokenizer) -> None:
    from spacy.attrs import LEMMA, MORPH, NORM, TAG

    attrs = [NORM, LEMMA, TAG, MORPH]
    first = tok("腾讯控股与浙商银行合作").to_array(attrs)  # words now cached
    again = tok("腾讯控股与浙商银行合作")
    assert (again.to_array(attrs) == first).all()
    fresh = CharWordTokenizer(spacy.blank("zh").vocab, lexicon=True,
                              names=["浙商银行", "腾讯", "腾讯控股"])("腾讯控股与浙商银行合作")
    assert [t.norm_ for t in fresh] == [t.norm_ for t in again]
    assert [t.lemma_ for t in fresh] == [t.lemma_ for t in again]
    assert [str(t.morph) for t in fresh] == [str(t.morph) for t in again]


def test_ner_features_local_character_vectors() -> None:
    import importlib.util

    import numpy

    spec = importlib.util.spec_from_file_location(
        "ner_vectors", Path(__file__).resolve().parents[1] / "tools" / "ner" / "vectors.py")
    assert spec is not None and spec.loader is not None
    vectors = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(vectors)
    lines = ["华为技术有限公司", "腾讯科技有限公司", "中兴通讯有限公司", "北京市海淀区",
             "上海市浦东新区", "广州市天河区"] * 5
    vocab, vecs = vectors.ppmi_svd(lines, 4)
    assert vecs.shape == (len(vocab), 4)
    assert numpy.allclose(numpy.linalg.norm(vecs, axis=1), 1.0, atol=1e-3)
    v = dict(zip(vocab, vecs, strict=True))
    # 公 and 限 share contexts (有限公司); 公 and 区 (海淀区) do not
    assert float(v["公"] @ v["限"]) > float(v["公"] @ v["区"])


def _tool(name: str) -> ModuleType:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        f"ner_{name}", Path(__file__).resolve().parents[1] / "tools" / "ner" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pb(number: int, value: int | bytes) -> bytes:
    """One protobuf field (varint or length-delimited), for a hand-made GraphDef."""
    def varint(n: int) -> bytes:
        out = b""
        while True:
            out += bytes([(n & 0x7F) | (0x80 if n > 0x7F else 0)])
            n >>= 7
            if not n:
                return out
    if isinstance(value, int):
        return varint(number << 3) + varint(value)
    return varint(number << 3 | 2) + varint(len(value)) + value


def test_ner_features_graphdef_constants_read_without_tensorflow() -> None:
    import numpy

    fool = _tool("foolnltk")
    table = numpy.arange(6, dtype=numpy.float32).reshape(3, 2) / 4
    shape = _pb(2, _pb(1, 3)) + _pb(2, _pb(1, 2))
    tensor = _pb(1, 1) + _pb(2, shape) + _pb(4, table.tobytes())
    attr = _pb(1, b"value") + _pb(2, _pb(8, tensor))
    const = _pb(1, b"char_embeding") + _pb(2, b"Const") + _pb(5, attr)
    other = _pb(1, b"lengths") + _pb(2, b"Placeholder")
    got = fool.graph_constants(_pb(1, other) + _pb(1, const))
    assert list(got) == ["char_embeding"]
    assert numpy.array_equal(got["char_embeding"], table)


def test_ner_features_lemma_keyed_vectors_survive_saving(tmp_path: Path) -> None:
    import numpy
    from spacy.attrs import LEMMA
    from spacy.vectors import Vectors

    finalize = _tool("finalize")
    nlp = spacy.blank("zh")
    nlp.vocab.vectors = Vectors(strings=nlp.vocab.strings, attr="LEMMA",
                                data=numpy.ones((1, 4), dtype="f"), keys=["腾讯"])
    nlp.to_disk(tmp_path / "m")
    # spaCy itself forgets the key attribute of a default-mode table ...
    assert spacy.load(tmp_path / "m").vocab.vectors.attr != LEMMA
    # ... which finalize.py writes back so the words are looked up by the jieba word
    finalize._keep_vectors_attr(tmp_path / "m", LEMMA)
    assert spacy.load(tmp_path / "m").vocab.vectors.attr == LEMMA


def test_ner_features_distil_export_keeps_test_text_out(tmp_path: Path) -> None:
    """The teacher's data (tools/ner/distil.py) is our split's training and dev parts
    only, plus augmented copies of training sentences; no test sentence leaks in."""
    import json

    from ingest.text.training import read_cluener, split_sentences

    distil = _tool("distil")
    src = tmp_path / "ner" / "cluener" / "train.jsonl"
    src.parent.mkdir(parents=True)
    with src.open("w", encoding="utf-8") as fh:
        for i in range(40):
            text = f"第{i}号报道：甲{i}公司与乙方签约"
            fh.write(json.dumps({"text": text, "label": {"company": {f"甲{i}公司": [[
                text.index("甲"), text.index("司")]]}}}, ensure_ascii=False) + "\n")
    names = tmp_path / "names.txt"
    names.write_text("浙商银行\n腾讯控股\n", encoding="utf-8")
    counts = distil.export(src, names, tmp_path / "out", 2)
    parts = split_sentences(list(read_cluener(src)))
    assert counts == {"train": 32, "dev": 4, "aug": 64, "local": 0}
    out = {f: distil.read_rows(tmp_path / "out" / f"{f}.jsonl") for f in ("train", "dev", "aug")}
    assert out["train"] == parts["train"] and out["dev"] == parts["dev"]
    test_texts = {r.text for r in parts["test"]}
    assert not test_texts & {r.text for rows in out.values() for r in rows}
    # augmented copies keep a well-placed company span on a replaced name
    for row in out["aug"]:
        (start, end, label), = row.spans
        assert label == "ENTERPRISE" and row.text[start:end] != ""


def test_ner_features_distil_score_follows_eval_conventions(tmp_path: Path) -> None:
    import json

    distil = _tool("distil")
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"text": "腾讯与北京大学合作", "label": {
        "company": {"腾讯": [[0, 1]]}, "organization": {"北京大学": [[3, 6]]}}},
        ensure_ascii=False) + "\n", encoding="utf-8")
    pred = tmp_path / "pred.jsonl"
    # end exclusive in our files (inclusive in CLUENER's); a boundary error is a miss
    pred.write_text(json.dumps({"text": "腾讯与北京大学合作", "spans": [
        [0, 2, "ENTERPRISE"], [3, 6, "ORG"]]}, ensure_ascii=False) + "\n", encoding="utf-8")
    scores = distil.score(pred, gold)
    assert (scores["ENTERPRISE"].tp, scores["ENTERPRISE"].fp) == (1, 0)
    assert (scores["ORG"].tp, scores["ORG"].fp, scores["ORG"].fn) == (0, 1, 1)
