"""The character tokenizer with jieba features, and the numpy matmul backend."""

from __future__ import annotations

import numpy
import pytest
import spacy
from thinc.api import NumpyOps

from ingest.text.ops import NumpyGemmOps
from ingest.text.tokenizer import WORDS_KEY, CharWordTokenizer


@pytest.fixture(scope="module")
def tok() -> CharWordTokenizer:
    return CharWordTokenizer(spacy.blank("zh").vocab)


@pytest.mark.parametrize("text", [
    pytest.param("唐山钢铁集团有限公司向河北省采购", id="plain"),
    pytest.param("  前后 有\t空白  和\n换行 ", id="whitespace"),
    pytest.param("Tangshan Steel Co.的子公司", id="mixed"),
    pytest.param("", id="empty"),
    pytest.param("\u3000", id="ideographic-space"),
])
def test_text_tokenizer_keeps_text_exactly(tok: CharWordTokenizer, text: str) -> None:
    doc = tok(text)
    assert doc.text == text
    assert all(len(t.text) == 1 or t.is_space for t in doc)


def test_text_tokenizer_word_features(tok: CharWordTokenizer) -> None:
    doc = tok("唐山钢铁集团有限公司")
    norms = [t.norm_ for t in doc]
    assert norms[-4:] == ["有B", "限I", "公I", "司E"]
    assert {t.lemma_ for t in doc[-4:]} == {"有限公司"}
    assert doc[0].tag_ == "唐山" and doc[-1].tag_ == "司$"
    assert doc.user_data[WORDS_KEY][len(doc) - 4] == "有限公司"


@pytest.mark.parametrize(("t1", "t2"), [(False, False), (False, True), (True, False)])
def test_text_ops_gemm_matches_thinc(t1: bool, t2: bool) -> None:
    rng = numpy.random.default_rng(7)
    x = rng.random((5, 7), dtype="float32")
    y = rng.random((5, 7) if t1 or t2 else (7, 3), dtype="float32")
    if t1 and not t2:
        y = rng.random((5, 4), dtype="float32")
    got = NumpyGemmOps().gemm(x, y, trans1=t1, trans2=t2)
    want = NumpyOps().gemm(x, y, trans1=t1, trans2=t2)
    assert numpy.allclose(got, want, atol=1e-5)
