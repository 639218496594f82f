"""Relation rules: who supplies, cooperates with, invests in, controls or produces what.

Lives here: the trigger patterns and :func:`extract_relations`. A sentence is
rewritten as a *template* in which every party (``ENTERPRISE``/``ORG``) becomes
``⟦E<i>⟧`` and every ``PRODUCT``/``CAPABILITY`` becomes ``⟦P<i>⟧`` (``i`` indexes
the document's entity list); regular expressions over the template bind
adjacent entities around a trigger word, so a pattern never reaches across
another entity. Lists (甲、乙和丙) bind as a whole. Direction is part of each
pattern: 甲向乙采购 → 乙 SUPPLIES 甲; 甲为乙供货 → 甲 SUPPLIES 乙; 乙中标甲的项目 →
乙 SUPPLIES 甲; 乙被甲收购 → 甲 CONTROLS 乙. Negated statements (未、终止、否认…)
are dropped; hedged ones (拟、计划、有望…) keep a lower confidence, so ingest
stores them as candidates. A sentence that starts with 公司/该公司/其 takes the
document's current subject enterprise as its party.

Must not live here: entity recognition (``components.py``) or graph writes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

PARTY_LABELS = frozenset({"ENTERPRISE", "ORG"})
OBJECT_LABELS = frozenset({"PRODUCT", "CAPABILITY"})
REL_TYPES = ("SUPPLIES", "COOPERATES_WITH", "INVESTS_IN", "CONTROLS", "PRODUCES")

_E = r"⟦E\d+⟧"
_P = r"⟦P\d+⟧"
_SEP = r"(?:、|和|及|以及|与|或|，|,)"
_LIST_SEP = r"(?:、|和|及|以及|与)"


def _party(name: str) -> str:
    return rf"(?P<{name}>{_E}(?:{_LIST_SEP}{_E})*)"


def _obj(name: str) -> str:
    return rf"(?P<{name}>{_P}(?:{_SEP}{_P})*)"


# Fillers may pass over products (⟦P…⟧) but never over another party (⟦E…⟧).
F = r"(?:⟦P\d+⟧|[^⟦⟧。；！？!?;，,\n]){0,14}?"   # filler inside a clause
F0 = r"(?:⟦P\d+⟧|[^⟦⟧。；！？!?;，,\n]){0,6}?"   # short filler
FC = r"(?:⟦P\d+⟧|[^⟦⟧。；！？!?;\n]){0,30}?"      # may cross commas (subject carried over)
A, B, C, PR = _party("a"), _party("b"), _party("c"), _obj("p")


@dataclass(frozen=True)
class Pattern:
    id: str
    type: str
    regex: re.Pattern[str]
    head: str  # group name of the head party
    tail: str
    confidence: float
    symmetric: bool = False
    fallback: bool = False  # only if the pair has no other relation


def _p(id_: str, type_: str, rx: str, head: str, tail: str, conf: float,
       symmetric: bool = False, fallback: bool = False) -> Pattern:
    # Wrapped in a look-ahead so matches may overlap (one entity in two relations).
    return Pattern(id_, type_, re.compile(f"(?=({rx}))"), head, tail, conf, symmetric, fallback)


BUY = r"(?P<t>采购|购买|订购|购进|进口|采买|订货|购入|买入|采用|选购)"
SUPPLY = r"(?P<t>供应|供货|供给|提供|配套|交付|交货|发货|输送|销售|出售)"
COOP = (r"(?P<t>战略合作|合作|签约|战略协议|框架协议|联合研发|共同研发|联合开发|合作研发|共建|"
        r"联合实验室|携手|联手|对接|结成|产学研|联盟|伙伴关系)")
INVEST = r"(?P<t>战略投资|投资|入股|参股|增资|注资|出资|领投|跟投|参投)"
CONTROL = r"(?P<t>全资收购|全面收购|收购|并购|兼并|吸收合并|控股(?!股东)|控制(?!人|权))"
PRODUCE = r"(?P<t>生产|主营|研发|制造|主产|出产|研制|冶炼|开发|加工|专注于|从事)"

PATTERNS: tuple[Pattern, ...] = (
    # ---- SUPPLIES: head = supplier, tail = buyer
    _p("S1", "SUPPLIES", rf"{A}{F}(?:向|从){B}{F}{BUY}", "b", "a", 0.85),
    _p("S2", "SUPPLIES", rf"{A}{F}(?:为|给|向|对){B}{F}{SUPPLY}", "a", "b", 0.85),
    _p("S3", "SUPPLIES", rf"{A}{F}(?:成为|是|为|系|作为|入选|跻身|进入){B}(?:的)?{F0}"
       r"(?P<t>供应商|供货商|配套商|配套企业|配套厂|合格供方|供方|供应体系|采购体系|承包商)",
       "a", "b", 0.85),
    _p("S4", "SUPPLIES", rf"{B}(?:的)?{F0}(?P<t>供应商|供货商|配套商){F0}"
       rf"(?:是|为|包括|有|主要有|主要是|来自|包含){F0}{A}", "a", "b", 0.8),
    _p("S5", "SUPPLIES", rf"{A}{F}(?P<t>中标|中选|入围){F}{B}", "a", "b", 0.8),
    _p("S6", "SUPPLIES", rf"{B}{F}(?:项目|招标|订单|标段|采购){F}(?:由|被){A}{F0}"
       r"(?P<t>中标|承接|获得|拿下|斩获|承建|中选)", "a", "b", 0.8),
    _p("S7", "SUPPLIES", rf"{B}{F}{BUY}(?:了)?{F0}{A}(?:的|生产的|提供的|制造的|研发的)",
       "a", "b", 0.75),
    _p("S8", "SUPPLIES", rf"{A}{F0}{SUPPLY}(?:给|于)?{B}", "a", "b", 0.75),
    _p("S9", "SUPPLIES", rf"{B}{F}由{A}{F0}{SUPPLY}", "a", "b", 0.8),
    _p("S10", "SUPPLIES", rf"{A}{F}(?:获得|拿下|斩获|签下|赢得|收到|承接|接获){B}(?:的)?{F0}"
       r"(?P<t>订单|采购合同|供货合同|采购订单|大单|合同|招标)", "a", "b", 0.8),
    _p("S11", "SUPPLIES", rf"{A}{F}(?:与|和|同){B}{F}签(?:订|署|下)?(?:了)?{F0}"
       r"(?P<t>采购|购销|购买)(?:合同|协议|订单|框架协议)", "b", "a", 0.5),
    _p("S12", "SUPPLIES", rf"{A}{F}(?:与|和|同){B}{F}签(?:订|署|下)?(?:了)?{F0}"
       r"(?P<t>供货|供应|销售|配套)(?:合同|协议|订单|框架协议)", "a", "b", 0.5),
    _p("S13", "SUPPLIES",
       rf"{B}{F}(?:将|把){F0}(?:订单|合同|项目){F}(?P<t>授予|交给|交由|委托给){A}",
       "a", "b", 0.75),
    # ---- COOPERATES_WITH (symmetric)
    _p("C1", "COOPERATES_WITH", rf"{A}{F}(?:与|和|同|跟){B}{F}{COOP}", "a", "b", 0.8, True),
    _p("C2", "COOPERATES_WITH", rf"{A}{F0}(?P<t>携手|牵手|联手|联合|协同|握手){B}",
       "a", "b", 0.75, True),
    _p("C3", "COOPERATES_WITH", rf"{A}{F}(?:与|和|同){B}{F}(?P<t>签约|签订|签署|签下)",
       "a", "b", 0.6, True, True),
    _p("C4", "COOPERATES_WITH", rf"{A}{F}(?:成为|是|为|互为){B}(?:的)?{F0}"
       r"(?P<t>合作伙伴|战略伙伴|战略合作伙伴)", "a", "b", 0.8, True),
    # ---- INVESTS_IN: head = investor
    _p("I1", "INVESTS_IN", rf"{A}{F}{INVEST}(?:了)?{B}", "a", "b", 0.8),
    _p("I2", "INVESTS_IN", rf"{A}{F}(?:向|对|为){B}{F}{INVEST}", "a", "b", 0.85),
    _p("I3", "INVESTS_IN", rf"{B}{F}(?:获得|获|完成|引入|引进|接受|迎来){F0}{A}(?:的)?{F0}"
       r"(?P<t>战略投资|投资|注资|增资|入股|领投|融资)", "a", "b", 0.8),
    _p("I4", "INVESTS_IN", rf"{B}{F}(?:完成|获得){F}融资{FC}由{A}{F0}(?P<t>领投|独家投资|投资)",
       "a", "b", 0.75),
    _p("I5", "INVESTS_IN",
       rf"{A}{F}(?P<t>认购|受让|购入|买入){F0}{B}{F0}(?:的)?{F0}(?:股权|股份|股票)",
       "a", "b", 0.75),
    _p("I6", "INVESTS_IN", rf"{A}{F}(?:与|和|同){B}{F}(?:共同|联合|合资)?{F0}"
       rf"(?P<t>出资|投资|合资){F0}(?:设立|成立|组建|创办|注册)(?:了)?{F0}{C}", "a", "c", 0.8),
    _p("I7", "INVESTS_IN", rf"{A}{F}(?:与|和|同){B}{F}(?:共同|联合|合资)?{F0}"
       rf"(?P<t>出资|投资|合资){F0}(?:设立|成立|组建|创办|注册)(?:了)?{F0}{C}", "b", "c", 0.8),
    _p("I8", "INVESTS_IN", rf"{A}{F}(?P<t>出资|投资|合资){F0}(?:设立|成立|组建|创办)(?:了)?{F0}{C}",
       "a", "c", 0.75),
    # ---- CONTROLS: head = controller
    _p("K1", "CONTROLS", rf"{A}{F}{CONTROL}(?:了)?{F0}{B}", "a", "b", 0.85),
    _p("K2", "CONTROLS", rf"{B}{F}被{A}{F0}(?P<t>收购|并购|控股|兼并|吸收合并)", "a", "b", 0.85),
    _p("K2b", "CONTROLS", rf"{B}{F}由{A}{F0}(?P<t>全资控股|控股|收购|并购|兼并)", "a", "b", 0.85),
    _p("K7", "INVESTS_IN", rf"{A}{F}(?P<t>持有|持股|持){B}{F0}(?:的)?{F0}\d+(?:\.\d+)?\s*[%％]",
       "a", "b", 0.8),
    _p("K3", "CONTROLS", rf"{A}{F}(?:是|为|系|成为){B}(?:的)?{F0}"
       r"(?P<t>控股股东|母公司|实际控制人|第一大股东|控股方)", "a", "b", 0.85),
    _p("K4", "CONTROLS", rf"{B}(?:的)?{F0}(?P<t>控股股东|母公司|实际控制人|第一大股东){F0}"
       rf"(?:是|为|系|变更为|变为){A}", "a", "b", 0.85),
    _p("K5", "CONTROLS", rf"{B}{F}(?:是|为|系|成为){A}(?:的)?{F0}"
       r"(?P<t>全资子公司|控股子公司|子公司|旗下企业|旗下公司|下属企业|下属公司|孙公司|成员企业)",
       "a", "b", 0.85),
    _p("K6", "CONTROLS", rf"{A}(?:的)?{F0}(?P<t>旗下|下属|控股子公司|全资子公司)(?:的)?{F0}{B}",
       "a", "b", 0.75),
    # ---- PRODUCES: head = enterprise, tail = product
    _p("P1", "PRODUCES", rf"{A}{FC}(?:主要|专业|致力于|专门)?{PRODUCE}"
       rf"(?:和|及|、|与)?(?:生产|销售|制造|研发)?{F0}{PR}", "a", "p", 0.8),
    _p("P2", "PRODUCES", rf"{A}{FC}(?P<t>主要产品|主导产品|核心产品|拳头产品|产品){F0}"
       rf"(?:为|是|包括|有|涵盖|覆盖|主要有|包含){F0}{PR}", "a", "p", 0.8),
    _p("P3", "PRODUCES", rf"{PR}{F0}由{A}{F0}(?P<t>生产|制造|研发|研制|出品)", "a", "p", 0.8),
)


def _trigger_words(patterns: Sequence[Pattern]) -> list[str]:
    """Every literal trigger word of the patterns' ``t`` groups."""
    words: set[str] = set()
    for pat in patterns:
        src = pat.regex.pattern
        for m in re.finditer(r"\(\?P<t>", src):
            depth, i = 1, m.end()
            while depth and i < len(src):
                depth += {"(": 1, ")": -1}.get(src[i], 0)
                i += 1
            body = re.sub(r"\(\?!.*?\)", "", src[m.end():i - 1])
            words.update(w for w in body.split("|") if w and "(" not in w)
    return sorted(words, key=len, reverse=True)


#: A sentence without any of these words cannot match a pattern: skip it cheaply.
_ANY_TRIGGER = re.compile("|".join(re.escape(w) for w in _trigger_words(PATTERNS)))

# Product phrases after a PRODUCES trigger when no known product follows (主要生产X、Y等).
_PRODUCE_OBJ = re.compile(
    rf"(?P<a>{_E}){FC}(?:主要|专业|致力于|专门)?"
    r"(?P<t>生产|主营|研发|制造|主产|研制|主要产品为|主要产品包括|主导产品为|产品包括|产品涵盖)"
    r"(?:和|及|、|与)?(?:生产|销售|制造|研发|加工)?(?:业务)?(?:为|是|包括)?"
    r"(?P<obj>(?:⟦P\d+⟧|[^⟦⟧。；！？!?;，,\n]){2,40})")
_PRODUCE_HINT = re.compile(r"生产|主营|研发|制造|主产|研制|产品")
_OBJ_SPLIT = re.compile(r"、|和|及|以及|与|/|或")
_OBJ_BAD_START = ("基地", "线", "车间", "规模", "能力", "经营", "过程", "工艺", "许可", "企业",
                  "厂",
                  "中心", "的", "了", "出", "和", "人员", "团队", "项目", "成本", "效率", "领域",
                  "设备的", "管理", "水平", "方面", "环节", "工作")
_OBJ_STRIP_HEAD = ("各类", "各种", "多种", "一系列", "系列", "高品质的", "高品质", "优质", "主要",
                   "包括", "以")
_OBJ_STRIP_TAIL = ("等系列产品", "等产品", "系列产品", "等业务", "等", "产品", "的生产", "的研发",
                   "的研发和生产", "的生产和销售", "业务")

_NEG = re.compile(r"未|没有|并未|尚未|不再|拒绝|否认|终止|取消|中止|暂停|停止|不会|无意|不是|并非|"
                  r"辟谣")
_HEDGE = re.compile(r"拟|计划|有望|或将|可能|意向|传闻|据传|考虑|洽谈|商谈|磋商|谈判|筹划|预计|"
                    r"打算")
_PRONOUN = re.compile(r"^(?:[^，。]{0,8}，)?(该公司|该企业|该集团|公司|企业|集团|其)")
_PCT = re.compile(r"(?:持有|持股|持|收购|受让|认购)[^。；，]{0,24}?(\d+(?:\.\d+)?)\s*[%％]")


@dataclass
class Ent:
    """An entity of the document (char offsets into the document text)."""

    start: int
    end: int
    label: str
    text: str
    confidence: float = 0.85
    source: str = "model"
    entry_id: str | None = None


@dataclass
class Relation:
    head: int
    tail: int
    type: str
    confidence: float
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass
class SentenceView:
    """One sentence: its text (Simplified), document offsets and entity indices in it."""

    text: str
    start: int
    end: int
    original: str
    entities: list[int]


def _template(sent: SentenceView, ents: Sequence[Ent],
              subject: int | None) -> tuple[str, int | None]:
    """Sentence with entities replaced by placeholders; returns it and the pronoun subject."""
    tpl, _, used = _template_map(sent, ents, subject)
    return tpl, used


def _template_map(sent: SentenceView, ents: Sequence[Ent],
                  subject: int | None) -> tuple[str, list[int | None], int | None]:
    """Template, the sentence offset of each template character (None inside a
    placeholder) and the pronoun subject used."""
    parts: list[str] = []
    tmap: list[int | None] = []
    pos = 0
    used_subject: int | None = None
    text = sent.text

    def keep(a: int, b: int) -> None:
        parts.append(text[a:b])
        tmap.extend(range(a, b))

    def placeholder(ph: str) -> None:
        parts.append(ph)
        tmap.extend([None] * len(ph))

    m = _PRONOUN.match(text)
    first_ent = min((ents[i].start - sent.start for i in sent.entities), default=len(text))
    if m and subject is not None and m.end(1) <= first_ent:
        # 公司主要生产… : the pronoun stands for the document's subject enterprise
        keep(0, m.start(1))
        placeholder(f"⟦E{subject}⟧")
        pos = m.end(1)
        used_subject = subject
    for i in sent.entities:
        e = ents[i]
        s, t = e.start - sent.start, e.end - sent.start
        if s < pos:
            continue
        keep(pos, s)
        if e.label in PARTY_LABELS:
            placeholder(f"⟦E{i}⟧")
        elif e.label in OBJECT_LABELS:
            placeholder(f"⟦P{i}⟧")
        else:
            keep(s, t)
        pos = t
    keep(pos, len(text))
    return "".join(parts), tmap, used_subject


_IDX = re.compile(r"⟦[EP](\d+)⟧")


def _indices(group: str | None) -> list[int]:
    return [int(x) for x in _IDX.findall(group or "")]


def object_entities(sent: SentenceView, ents: Sequence[Ent],
                    subject: int | None) -> list[Ent]:
    """Product phrases after a PRODUCES trigger that no gazetteer knew (low confidence).

    Known products in the same list (卫生陶瓷和日用陶瓷, one of them known) are skipped,
    the unknown ones become ``PRODUCT`` entities with source ``rule_object``.
    """
    out: list[Ent] = []
    if not _PRODUCE_HINT.search(sent.text):
        return out
    tpl, tmap, _ = _template_map(sent, ents, subject)
    if "⟦E" not in tpl:
        return out
    for m in _PRODUCE_OBJ.finditer(tpl):
        obj = m.group("obj")
        if obj.startswith(_OBJ_BAD_START):
            continue
        base = m.start("obj")
        cursor = 0
        for piece in _OBJ_SPLIT.split(obj):
            at = obj.find(piece, cursor)
            cursor = at + len(piece)
            if "⟦" in piece or "⟧" in piece:
                continue
            p, s = piece, at
            for h in _OBJ_STRIP_HEAD:
                if p.startswith(h):
                    p, s = p[len(h):], s + len(h)
            for t in _OBJ_STRIP_TAIL:
                if p.endswith(t) and len(p) > len(t):
                    p = p[: -len(t)]
            stripped = p.lstrip()
            s += len(p) - len(stripped)
            p = stripped.rstrip()
            if not (2 <= len(p) <= 15) or _NEG.search(p) or p.startswith(_OBJ_BAD_START):
                continue
            off = tmap[base + s] if base + s < len(tmap) else None
            if off is None:
                continue
            start = sent.start + off
            out.append(Ent(start, start + len(p), "PRODUCT", p, 0.7, "rule_object"))
    return out


def extract_relations(sent: SentenceView, ents: Sequence[Ent],
                      subject: int | None = None) -> list[Relation]:
    """Relations stated in one sentence (``ents`` is the document's entity list)."""
    if not _ANY_TRIGGER.search(sent.text):
        return []
    tpl, used_subject = _template(sent, ents, subject)
    if tpl.count("⟦") < 2:
        return []
    found: dict[tuple[str, int, int], Relation] = {}
    fallbacks: list[tuple[Pattern, int, int, float, str]] = []
    for pat in PATTERNS:
        for m in pat.regex.finditer(tpl):
            span_text = m.group(1)
            if _NEG.search(span_text):
                continue
            conf = pat.confidence
            if _HEDGE.search(span_text):
                conf *= 0.6
            trigger = m.groupdict().get("t") or ""
            rtype = pat.type
            if rtype in {"INVESTS_IN", "CONTROLS"}:
                pct = _PCT.search(span_text + tpl[m.end(1):m.end(1) + 12])
                if pct:
                    # a majority stake is control, a minority one an investment
                    rtype = "CONTROLS" if float(pct.group(1)) > 50 else "INVESTS_IN"
            for h in _indices(m.group(pat.head)):
                for t in _indices(m.group(pat.tail)):
                    if h == t or ents[h].text == ents[t].text:
                        continue
                    if rtype == "PRODUCES" and (ents[h].label != "ENTERPRISE"
                                                or ents[t].label not in OBJECT_LABELS):
                        continue
                    hh, tt = (min(h, t), max(h, t)) if pat.symmetric else (h, t)
                    c = conf * min(ents[h].confidence, ents[t].confidence) ** 0.5
                    if used_subject in (h, t):
                        c *= 0.85
                    if pat.fallback:
                        fallbacks.append((pat, hh, tt, c, trigger))
                        continue
                    _keep(found, Relation(hh, tt, rtype, round(c, 3),
                                          _evidence(sent, trigger, pat.id)))
    for pat, hh, tt, c, trigger in fallbacks:
        if any((k[1], k[2]) in {(hh, tt), (tt, hh)} for k in found):
            continue
        _keep(found, Relation(hh, tt, pat.type, round(c, 3), _evidence(sent, trigger, pat.id)))
    return list(found.values())


def _keep(found: dict[tuple[str, int, int], Relation], rel: Relation) -> None:
    key = (rel.type, rel.head, rel.tail)
    old = found.get(key)
    if old is None or rel.confidence > old.confidence:
        found[key] = rel


def _evidence(sent: SentenceView, trigger: str, rule: str) -> dict[str, Any]:
    return {"sentence": sent.original, "start": sent.start, "end": sent.end,
            "trigger": trigger, "rule": rule}
