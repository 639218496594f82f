"""spaCy components of the text pipeline: rule entities and the merge with the model.

Lives here: the ``ronglian_entities`` factory. It takes the statistical model's
entities (if a model ran before it), adds

- legal-form names found by pattern (…股份有限公司, …有限公司, …集团, …厂; and
  …研究院, …大学, …协会 as ``ORG``), their left edge taken from the model's
  entity when one touches the suffix, else from jieba word boundaries,
- gazetteer matches (:mod:`ingest.text.gazetteer`): known enterprises and aliases
  (``ENTERPRISE``), products, capabilities, regions,

and keeps one non-overlapping set: stronger source first (graph names and
legal forms over the model over product/region word lists), longer first.
Per-entity metadata (source, confidence, gazetteer id) goes to
``doc.user_data["ronglian"]`` keyed by ``(start_char, end_char)``.

Must not live here: relation rules (``relations.py``) or linking.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from ingest.text.gazetteer import Entry, Gazetteer
from ingest.text.tokenizer import WORDS_KEY

META_KEY = "ronglian"
#: label prefix of the model's auxiliary training types (``ingest/text/training.py``)
AUX_PREFIX = "X_"
_WORDS_BY_CHAR = "ronglian_words_by_char"

LABELS = ("ENTERPRISE", "ORG", "PRODUCT", "CAPABILITY", "REGION")

# Longest first so 股份有限公司 wins over 有限公司 at the same end.
_ENTERPRISE_SUFFIXES = (
    "集团股份有限公司", "集团有限责任公司", "股份有限公司", "有限责任公司", "集团有限公司",
    "集团公司", "有限公司", "股份公司", "分公司", "集团", "公司", "总厂", "工厂", "厂",
    "专业合作社", "合作社",
)
_ORG_SUFFIXES = (
    "人民政府", "管理委员会", "管委会", "委员会", "研究院", "研究所", "设计院", "实验室",
    "大学", "学院", "协会", "商会", "联合会", "产业联盟", "工信局", "发改委",
)
_SUFFIX_RE = re.compile(
    "(" + "|".join(sorted(_ENTERPRISE_SUFFIXES + _ORG_SUFFIXES, key=len, reverse=True)) + ")"
)
_SUFFIX_LABEL = {**{s: "ENTERPRISE" for s in _ENTERPRISE_SUFFIXES},
                 **{s: "ORG" for s in _ORG_SUFFIXES}}

#: Function words and time words: never inside a name.
HARD_BOUNDARY = frozenset([
    "与", "和", "同", "跟", "向", "为", "给", "对", "由", "被", "将", "把", "从", "在", "及",
    "以及", "是", "系", "即", "称", "等", "或", "其", "了", "的", "并", "且", "也", "都", "已",
    "已经", "今天", "今日", "近日", "日前", "昨日", "昨天", "此前", "目前", "随后", "同时", "年",
    "月", "日", "向其", "为其", "与其", "拟", "计划", "将要", "正式", "已于", "于", "至", "到",
    "所", "由其", "首先", "最终", "以", "约", "共", "均", "分别", "仅", "还", "又", "再", "更",
    "最", "很", "互为", "作为", "含", "如", "宣布", "表示", "公告", "显示", "通过", "其中",
    "双方", "该", "本", "这家", "一家", "多家", "属于", "隶属", "位于", "来自", "包括",
])
#: Words that end a name when scanning left from a legal suffix: the function words
#: plus the verbs of our relation patterns (some of which, like 投资 or 控股, also
#: occur inside names; the model's span can vouch for those).
BOUNDARY_WORDS = HARD_BOUNDARY | frozenset([
    "签约", "签订", "签署", "收购", "控股", "投资", "入股", "参股", "合作", "携手", "联合",
    "联手", "中标", "采购", "供应", "供货", "成为", "旗下", "子公司", "股东", "选择", "引入",
    "获得", "完成", "领投", "共同", "企业", "出资", "设立", "成立", "组建", "注册", "创办",
    "供给", "提供", "配套", "交付", "购买", "订购", "进口", "购进", "并购", "兼并", "增资",
    "注资", "牵手", "生产", "主营", "研发", "制造", "选用", "采用", "入选", "授予", "交给",
    "打造", "开展", "建立", "达成", "共建", "发布", "承建", "承接", "拿下", "斩获", "协同",
    "服务", "支持", "帮助", "带动", "吸引", "落户", "引进", "招标", "订单", "合同", "协议",
    "项目", "工程", "持有", "持股", "认购", "受让",
])
# Single characters that never start a name (checked on the name's first character).
_BAD_FIRST = frozenset("的了和与及或是在将被把向为对从由该本其这那此各每等")
_GENERIC_HEADS = frozenset({"该", "本", "其", "子", "母", "分", "总", "一家", "这家", "两家",
                            "多家",
                            "上市", "合资", "全资", "控股", "股份", "集团", "各", "我", "贵",
                            "这个", "那家", "某", "相关", "有关", "下属", "旗下", "新", "原"})
_GENERIC_TAILS = ("等", "上市", "合资", "全资", "下属", "旗下", "某", "大型", "一家",
                  "这家",
                  "各家", "多家", "该", "本")
_SHORT_SUFFIXES = frozenset({"公司", "厂", "工厂", "总厂", "集团", "分公司"})
_ROLE_MARKERS = ("控制人", "股东", "供应商", "供货商", "配套商", "经销商", "子公司", "母公司",
                 "合作伙伴", "客户", "投资方", "投资人")
_NAME_RUN = re.compile(r"[\u3400-\u9fffA-Za-z0-9（）()·&]*")


def _is_name(s: str) -> bool:
    """True if every character of ``s`` may be part of a name."""
    return _NAME_RUN.fullmatch(s) is not None


MAX_NAME = 30
_GENERIC_NAMES = frozenset({"公司", "子公司", "母公司", "分公司", "集团", "该公司", "本公司",
                            "企业",
                            "全资子公司", "控股子公司", "上市公司", "合资公司", "总公司", "厂家",
                            "工厂", "股份公司", "有限公司", "集团公司", "供应商", "客户"})

#: (priority, confidence) per source; higher priority wins an overlap.
SOURCE_RANK: dict[str, tuple[int, float]] = {
    "graph": (4, 0.95),
    "legal_form": (3, 0.95),
    "model": (2, 0.85),
    "gazetteer": (1, 0.9),
}


@dataclass(frozen=True)
class Candidate:
    start: int  # char offsets into doc.text
    end: int
    label: str
    source: str
    confidence: float
    entry_id: str | None = None
    entry_origin: str | None = None


def _words(doc: Doc) -> Mapping[int, str]:
    """Char offset where a jieba word starts -> the word (set by the tokenizer).
    Read-only: the mapping is cached on the doc (it is asked for once per word)."""
    cached: Mapping[int, str] | None = doc.user_data.get(_WORDS_BY_CHAR)
    if cached is not None:
        return cached
    by_token: dict[int, str] | None = doc.user_data.get(WORDS_KEY)
    out: dict[int, str] = {}
    if by_token is not None:
        for i, w in by_token.items():
            out[doc[i].idx] = w
    else:  # a Doc from another tokenizer: every token is a word
        for tok in doc:
            out[tok.idx] = tok.text
    doc.user_data[_WORDS_BY_CHAR] = out
    return out


def _word_starts(doc: Doc) -> list[int]:
    return sorted(_words(doc))


def _word_at(doc: Doc, char: int) -> str:
    return _words(doc).get(char, "")


def legal_form_candidates(doc: Doc, model_ents: list[Candidate],
                          places: frozenset[str] = frozenset()) -> list[Candidate]:
    text = doc.text
    out: list[Candidate] = []
    word_starts: list[int] | None = None
    prev_end = 0  # a name never reaches back over the previous name's legal suffix
    for m in _SUFFIX_RE.finditer(text):
        suffix = m.group(1)
        s_start, s_end = m.start(), m.end()
        floor = prev_end
        prev_end = s_end
        # The suffix must end the name: 公司 in 公司法 or 集团化 is not a name end.
        if s_end < len(text) and suffix in {"集团", "公司", "厂", "学院"} and \
                text[s_end] in "化法内外部里长级性式型方":
            continue
        label = _SUFFIX_LABEL[suffix]
        if word_starts is None:
            word_starts = _word_starts(doc)
        # jieba word boundaries extend the name left until a function word or verb
        scan = _scan_left(text, s_start, word_starts, doc, places, floor)
        start = scan
        for ent in model_ents:
            # the model's entity touches the suffix, or ends a few name characters before
            # it (首钢京唐钢铁 + 联合 + 有限责任公司): its left edge counts, unless the
            # stretch it adds holds a function word or verb (实际控制人为…, 8亿元收购…)
            gap = text[ent.end:s_start]
            if floor <= ent.start < s_start and (
                ent.end >= s_start or (len(gap) <= 4 and _is_name(gap))
            ) and ent.end <= s_end:
                if scan is None or ent.start >= scan or _clean_stretch(
                        doc, ent.start, scan, word_starts):
                    start = ent.start if scan is None else min(scan, ent.start)
                break
        if start is None or s_start - start < 2:
            continue
        # 实际控制人为河北… / 的供应商… : a role noun ends whatever came before the name
        head = text[start:s_start]
        for marker in _ROLE_MARKERS:
            i = head.rfind(marker)
            if i >= 0:
                cut = i + len(marker)
                while cut < len(head) and head[cut] in "为是系：:":
                    cut += 1
                start += cut
                head = head[cut:]
        if s_start - start < 2:
            continue
        if head in _GENERIC_HEADS or head in BOUNDARY_WORDS or head.endswith(_GENERIC_TAILS):
            continue
        # a bare 公司/厂/集团 takes a short trade name (李某经营的家具厂 is no name);
        # full legal forms (…有限公司) may carry a long registered name
        if suffix in _SHORT_SUFFIXES and s_start - start > 8:
            start = s_start - 8
            head = text[start:s_start]
            if not _clean_stretch(doc, start, s_start, word_starts or []):
                continue
        if text[start] in _BAD_FIRST:
            continue
        out.append(Candidate(start, s_end, label, "legal_form",
                             SOURCE_RANK["legal_form"][1]))
    return out


def _clean_stretch(doc: Doc, start: int, end: int, word_starts: list[int]) -> bool:
    """True if ``text[start:end]`` is name characters without boundary words."""
    text = doc.text
    if not _is_name(text[start:end]):
        return False
    return not any(start <= w < end and _word_at(doc, w) in HARD_BOUNDARY
                   for w in word_starts)


def _scan_left(text: str, s_start: int, word_starts: list[int], doc: Doc,
               places: frozenset[str] = frozenset(), floor: int = 0) -> int | None:
    """Left edge of a name ending at ``s_start``: walk back over jieba words.

    The word next to the suffix always belongs to the name (投资 in 天使投资有限公司).
    A one-character function word (和 in 三和机械) does not end the name when a place
    name starts it a few characters further left (唐山三和机械有限公司).
    """
    ws = [w for w in word_starts if w < s_start]
    start = s_start
    for w in reversed(ws):
        if s_start - w > MAX_NAME or w < floor:
            break
        piece = text[w:start]
        if not piece or not _is_name(piece):
            break
        word = _word_at(doc, w)
        first = start == s_start
        if (piece in BOUNDARY_WORDS or word in BOUNDARY_WORDS) and not (
                first and len(piece) > 1):
            if len(piece) == 1 and places:
                left = _place_before(text, w, places)
                if left is not None and left >= floor:
                    start = left
                    continue
            break
        start = w
    return start if start < s_start else None


def _place_before(text: str, w: int, places: frozenset[str]) -> int | None:
    """Start of a place name that ends at most 3 name characters before ``w``."""
    for gap in range(0, 4):
        end = w - gap
        if end <= 0 or not _is_name(text[end:w]):
            return None
        for size in (4, 3, 2):
            if end - size >= 0 and text[end - size:end] in places:
                return end - size
    return None


class EntityMerger:
    """The ``ronglian_entities`` component (see module docstring)."""

    def __init__(self, nlp: Language, name: str, gazetteer: Gazetteer | None = None) -> None:
        self.nlp = nlp
        self.name = name
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.gazetteer = Gazetteer()
        self._model_ran: bool | None = None
        self.set_gazetteer(gazetteer or Gazetteer())

    def set_gazetteer(self, gazetteer: Gazetteer) -> None:
        """Swap in a rebuilt gazetteer (cheap: one PhraseMatcher rebuild)."""
        self.gazetteer = gazetteer
        self.places = frozenset(k for k, v in gazetteer.entries.items()
                                if any(e.label == "REGION" for e in v))
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        make = self.nlp.make_doc
        # Patterns are tokenised with the pipeline tokenizer, so they match by characters.
        patterns = [make(surface) for surface in gazetteer.entries]
        for i in range(0, len(patterns), 5000):
            self.matcher.add("GAZ", patterns[i:i + 5000])

    def __call__(self, doc: Doc) -> Doc:
        # a model ran before us when the pipeline has one (the rules-only pipeline has
        # no ``ner``); then its spans lead and the rules may only add precision-safe spans
        if self._model_ran is None:  # the pipeline is complete by its first document
            self._model_ran = "ner" in self.nlp.pipe_names
        model_ran = self._model_ran
        model: list[Candidate] = []
        # a model trained with CLUENER's other types (person, game, book…: X_* labels)
        # marks them too; such spans only keep weaker word-list matches off them and
        # are dropped below
        aux: list[Candidate] = []
        for ent in doc.ents:
            if ent.text in _GENERIC_NAMES:
                continue
            (aux if ent.label_.startswith(AUX_PREFIX) else model).append(
                Candidate(ent.start_char, ent.end_char, ent.label_, "model",
                          SOURCE_RANK["model"][1]))
        legal = legal_form_candidates(doc, model, self.places)
        if model_ran:
            model, legal = defer_to_model(doc.text, model, legal, self.places)
        cands: list[Candidate] = list(model)
        cands.extend(aux)
        cands.extend(legal)
        for _, s, e in self.matcher(doc):
            match = doc[s:e]
            best: dict[str, Entry] = {}
            for entry in self.gazetteer.lookup(match.text):
                # one candidate per label: a graph node beats a seed list, then strength
                old = best.get(entry.label)
                if old is None or (entry.origin == "graph", entry.strength) > (
                        old.origin == "graph", old.strength):
                    best[entry.label] = entry
            for entry in best.values():
                c = _gaz_candidate(match, entry)
                if not model_ran or known_name_is_safe(c, entry, model):
                    cands.append(c)
        chosen = [c for c in select(cands) if not c.label.startswith(AUX_PREFIX)]
        spans: list[Span] = []
        meta: dict[tuple[int, int], dict[str, Any]] = {}
        for c in chosen:
            span = doc.char_span(c.start, c.end, label=c.label, alignment_mode="expand")
            if span is None:
                continue
            spans.append(span)
            meta[(span.start_char, span.end_char)] = {
                "source": c.source, "confidence": c.confidence, "entry_id": c.entry_id,
                "entry_origin": c.entry_origin}
        doc.ents = _non_overlapping(spans)
        doc.user_data[META_KEY] = meta
        return doc


#: Suffixes that make a registered legal name on their own; a bare 公司/集团/厂/大学…
#: also ends generic phrases (大公司, 拍卖公司, 家具厂) and needs more evidence.
FULL_LEGAL_FORMS = ("有限公司", "有限责任公司", "股份公司", "集团公司")


def _starts_with_place(head: str, places: frozenset[str]) -> bool:
    return any(len(head) >= size and head[:size] in places for size in (4, 3, 2))


def defer_to_model(text: str, model: list[Candidate], legal: list[Candidate],
                   places: frozenset[str]) -> tuple[list[Candidate], list[Candidate]]:
    """Rules beside a trained model: add only precision-safe rule spans.

    A full legal form (…有限公司, …股份公司) is a registered name and keeps its rank
    over the model (in business text the model may cut a long name short). A bare
    suffix (…公司, …集团, …厂, …大学) is weaker evidence: such a name never splits
    or moves the left edge of a model span; it may extend one to the right over
    its suffix (model 中粮 + 集团 -> 中粮集团), its suffix deciding the label. Where
    the model found nothing, a bare-suffix name is added only when it starts with
    a known place (唐山…集团), since on news text most bare-suffix phrases are
    generic (大公司, 博彩公司, 家具厂).
    Returns the model spans (some replaced by their extension) and the rule spans.
    """
    kept_model = list(model)
    added: list[Candidate] = []
    for c in legal:
        name = text[c.start:c.end]
        if name.endswith(FULL_LEGAL_FORMS):
            added.append(c)  # outranks overlapping model spans in ``select``
            continue
        over = [m for m in kept_model if m.start < c.end and c.start < m.end]
        if over:
            m = over[0]
            if len(over) == 1 and m.start == c.start and c.end >= m.end:
                kept_model.remove(m)
                added.append(c)
            continue
        m_suffix = _SUFFIX_RE.search(name)
        head = name[:m_suffix.start()] if m_suffix else name
        if c.label == "ORG" or _starts_with_place(head, places):
            added.append(c)
    return kept_model, added


def known_name_is_safe(c: Candidate, entry: Entry, model: list[Candidate]) -> bool:
    """Beside a model, a known enterprise name is added only on strong evidence.

    It never cuts into a model span (the graph's short name 三友 inside the model's
    三友化工 keeps the longer name), and a two-character short name or alias is
    taken only where the model marks exactly that span: on its own it is too often
    an ordinary word. Full names and longer short names stand on their own.
    Other labels (products, regions) rank below the model anyway.
    """
    if c.label != "ENTERPRISE":
        return True
    for m in model:
        if m.start < c.end and c.start < m.end and not (c.start <= m.start and m.end <= c.end):
            return False
    if entry.strength < 3 and c.end - c.start < 3:
        return any(m.start == c.start and m.end == c.end for m in model)
    return True


def _gaz_candidate(span: Span, entry: Entry) -> Candidate:
    source = "graph" if entry.label == "ENTERPRISE" else "gazetteer"
    conf = {3: 0.95, 2: 0.9, 1: 0.8}.get(entry.strength, 0.8)
    return Candidate(span.start_char, span.end_char, entry.label, source, conf, entry.id,
                     entry.origin)


def select(cands: list[Candidate]) -> list[Candidate]:
    """Greedy non-overlapping choice: higher source priority, then longer, then earlier."""
    def key(c: Candidate) -> tuple[int, int, int]:
        prio = SOURCE_RANK[c.source][0]
        # a known enterprise name only beats a longer legal-form name if it is as long
        return (prio, c.end - c.start, -c.start)

    taken: list[Candidate] = []
    occupied: list[tuple[int, int]] = []
    for c in sorted(cands, key=key, reverse=True):
        if any(c.start < e and s < c.end for s, e in occupied):
            continue
        taken.append(c)
        occupied.append((c.start, c.end))
    # a REGION right before an ENTERPRISE is part of its name (唐山 + 三友化工有限公司)
    taken.sort(key=lambda c: c.start)
    merged: list[Candidate] = []
    for c in taken:
        if merged and merged[-1].label == "REGION" and c.label == "ENTERPRISE" and \
                merged[-1].end == c.start and c.source == "legal_form":
            prev = merged.pop()
            c = Candidate(prev.start, c.end, c.label, c.source, c.confidence)
        merged.append(c)
    return merged


def _non_overlapping(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    end = -1
    for s in sorted(spans, key=lambda s: s.start):
        if s.start >= end:
            out.append(s)
            end = s.end
    return out


@Language.factory("ronglian_entities", default_config={})
def make_entity_merger(nlp: Language, name: str) -> EntityMerger:
    return EntityMerger(nlp, name)


def entity_meta(doc: Doc, span: Span) -> dict[str, Any]:
    meta: dict[tuple[int, int], dict[str, Any]] = doc.user_data.get(META_KEY, {})
    return meta.get((span.start_char, span.end_char),
                    {"source": "model", "confidence": SOURCE_RANK["model"][1], "entry_id": None,
                     "entry_origin": None})
