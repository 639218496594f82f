"""Enterprise size classification (企业划型) by the 2011 SME rules, 工信部联企业〔2011〕300号.

Source: 《中小企业划型标准规定》 (工信部联企业〔2011〕300号), with the sector-to-code
mapping of 国家统计局《统计上大中小微型企业划分办法（2017）》 (国统字〔2017〕213号),
which restates the same thresholds on GB/T 4754-2017 codes.

Thresholds (X 从业人员 人, Y 营业收入 万元, Z 资产总额 万元; each is the lower bound):

==========================  ========  ========  ========  ============================
sector (行业)                大型       中型       小型       微型
==========================  ========  ========  ========  ============================
农、林、牧、渔业 A             Y≥20000   Y≥500     Y≥50      Y<50
工业 B、C、D                  X≥1000    X≥300     X≥20      X<20 或
                            Y≥40000   Y≥2000    Y≥300     Y<300
建筑业 E                     Y≥80000   Y≥6000    Y≥300     Y<300 或
                            Z≥80000   Z≥5000    Z≥300     Z<300
批发业 51                    X≥200     X≥20      X≥5       X<5 或
                            Y≥40000   Y≥5000    Y≥1000    Y<1000
零售业 52                    X≥300     X≥50      X≥10      X<10 或
                            Y≥20000   Y≥500     Y≥100     Y<100
交通运输业 54–58、591         X≥1000    X≥300     X≥20      X<20 或
  (不含铁路运输 53)            Y≥30000   Y≥3000    Y≥200     Y<200
仓储业 592–599               X≥200     X≥100     X≥20      X<20 或
                            Y≥30000   Y≥1000    Y≥100     Y<100
邮政业 60                    X≥1000    X≥300     X≥20      X<20 或
                            Y≥30000   Y≥2000    Y≥100     Y<100
住宿业 61                    X≥300     X≥100     X≥10      X<10 或
                            Y≥10000   Y≥2000    Y≥100     Y<100
餐饮业 62                    X≥300     X≥100     X≥10      X<10 或
                            Y≥10000   Y≥2000    Y≥100     Y<100
信息传输业 63、64             X≥2000    X≥100     X≥10      X<10 或
                            Y≥100000  Y≥1000    Y≥100     Y<100
软件和信息技术服务业 65        X≥300     X≥100     X≥10      X<10 或
                            Y≥10000   Y≥1000    Y≥50      Y<50
房地产开发经营 7010           Y≥200000  Y≥1000    Y≥100     Y<100 或
                            Z≥10000   Z≥5000    Z≥2000    Z<2000
物业管理 7020                 X≥1000    X≥300     X≥100     X<100 或
                            Y≥5000    Y≥1000    Y≥500     Y<500
租赁和商务服务业 71、72        X≥300     X≥100     X≥10      X<10 或
                            Z≥120000  Z≥8000    Z≥100     Z<100
其他未列明行业                X≥300     X≥100     X≥10      X<10
==========================  ========  ========  ========  ============================

Semantics (the rules' text and the 2017 办法's note 1): 大型、中型、小型 must meet the
lower bound of *every* indicator the sector lists ("且"), otherwise the enterprise
drops one class; 微型 needs only one indicator below the 小型 floor ("或"). So the
class is the lowest of the classes each indicator reaches on its own.

其他未列明行业 covers 科学研究和技术服务业 M, 水利、环境和公共设施管理业 N, 居民服务、
修理和其他服务业 O, 社会工作 85, 文化、体育和娱乐业 R, 房地产中介服务 7030 and 其他
房地产业 7090 "等"; we also place 教育 P and 卫生 84 there, since the list ends in
"等" and they are not listed elsewhere (our decision). Not covered, hence 未划型 with
the reason: 铁路运输业 53 (excluded by the rules), 金融业 J (its own 2015 rules,
银发〔2015〕309号), 房地产租赁经营 7040 (自有房地产经营活动, excluded), and the
public bodies of sections S and T.

Missing inputs: never guessed. When an indicator the sector needs is missing, the
result is 未划型 with the reason — unless a known indicator is already below the
小型 floor, which makes the enterprise 微型 whatever the missing one would be
(the rules' "或"); that case is decided and the rule says so.

Only pure functions live here; no database.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any, Literal

from graph.errors import InvalidInput
from graph.vocab import SIZE_CLASSES, UNDETERMINED, SizeClass
from ingest.industry import Industry, descendants, require_industry

CLASS_EN: dict[str, str] = {"大型": "large", "中型": "medium", "小型": "small",
                            "微型": "micro", "未划型": "undetermined"}

Indicator = Literal["employees", "revenue", "total_assets"]
INDICATOR_ZH: dict[str, str] = {"employees": "从业人员", "revenue": "营业收入",
                                "total_assets": "资产总额"}
INDICATOR_UNIT: dict[str, str] = {"employees": "人", "revenue": "万元", "total_assets": "万元"}


@dataclass(frozen=True)
class Sector:
    name: str
    name_en: str
    # indicator → lower bounds for (大型, 中型, 小型)
    thresholds: dict[str, tuple[float, float, float]]


def _s(name: str, en: str, **th: tuple[float, float, float]) -> Sector:
    return Sector(name, en, th)


SECTORS: dict[str, Sector] = {s.name: s for s in (
    _s("农、林、牧、渔业", "Agriculture, forestry, animal husbandry and fishery",
       revenue=(20000, 500, 50)),
    _s("工业", "Industry (mining, manufacturing, utilities)",
       employees=(1000, 300, 20), revenue=(40000, 2000, 300)),
    _s("建筑业", "Construction", revenue=(80000, 6000, 300), total_assets=(80000, 5000, 300)),
    _s("批发业", "Wholesale", employees=(200, 20, 5), revenue=(40000, 5000, 1000)),
    _s("零售业", "Retail", employees=(300, 50, 10), revenue=(20000, 500, 100)),
    _s("交通运输业", "Transport (excluding railways)",
       employees=(1000, 300, 20), revenue=(30000, 3000, 200)),
    _s("仓储业", "Warehousing", employees=(200, 100, 20), revenue=(30000, 1000, 100)),
    _s("邮政业", "Postal services", employees=(1000, 300, 20), revenue=(30000, 2000, 100)),
    _s("住宿业", "Accommodation", employees=(300, 100, 10), revenue=(10000, 2000, 100)),
    _s("餐饮业", "Catering", employees=(300, 100, 10), revenue=(10000, 2000, 100)),
    _s("信息传输业", "Information transmission",
       employees=(2000, 100, 10), revenue=(100000, 1000, 100)),
    _s("软件和信息技术服务业", "Software and IT services",
       employees=(300, 100, 10), revenue=(10000, 1000, 50)),
    _s("房地产开发经营", "Real-estate development",
       revenue=(200000, 1000, 100), total_assets=(10000, 5000, 2000)),
    _s("物业管理", "Property management", employees=(1000, 300, 100), revenue=(5000, 1000, 500)),
    _s("租赁和商务服务业", "Leasing and business services",
       employees=(300, 100, 10), total_assets=(120000, 8000, 100)),
    _s("其他未列明行业", "Other industries not listed", employees=(300, 100, 10)),
)}

# Why a class code is outside the rules (sector None).
_NOT_COVERED: dict[str, str] = {
    "53": "铁路运输业不在划型规定范围内（交通运输业不含铁路运输业） "
          "(railway transport is excluded by the rules)",
    "J": "金融业适用《金融业企业划型标准规定》（银发〔2015〕309号），不适用本规定 "
         "(finance has its own 2015 rules)",
    "7040": "房地产租赁经营属自有房地产经营活动，不在划型规定范围内 "
            "(own-property leasing is excluded by the rules)",
    "S": "公共管理、社会保障和社会组织不是企业，不在划型规定范围内 "
         "(public administration is not covered)",
    "T": "国际组织不在划型规定范围内 (international organisations are not covered)",
}


def sector_of_class(ind: Industry) -> tuple[str | None, str]:
    """Sector name (or None) and, when None, why — for a level-4 class."""
    c, sec = ind.code, ind.section
    div = c[:2]
    if sec == "A":
        return "农、林、牧、渔业", ""
    if sec in "BCD":
        return "工业", ""
    if sec == "E":
        return "建筑业", ""
    if div == "51":
        return "批发业", ""
    if div == "52":
        return "零售业", ""
    if div == "53":
        return None, _NOT_COVERED["53"]
    if div in {"54", "55", "56", "57", "58"} or c[:3] == "591":
        return "交通运输业", ""
    if div == "59":
        return "仓储业", ""
    if div == "60":
        return "邮政业", ""
    if div == "61":
        return "住宿业", ""
    if div == "62":
        return "餐饮业", ""
    if div in {"63", "64"}:
        return "信息传输业", ""
    if div == "65":
        return "软件和信息技术服务业", ""
    if sec == "J":
        return None, _NOT_COVERED["J"]
    if c == "7010":
        return "房地产开发经营", ""
    if c == "7020":
        return "物业管理", ""
    if c == "7040":
        return None, _NOT_COVERED["7040"]
    if div in {"71", "72"}:
        return "租赁和商务服务业", ""
    if sec in {"S", "T"}:
        return None, _NOT_COVERED[sec]
    # K 7030/7090, M, N, O, P, Q, R
    return "其他未列明行业", ""


@lru_cache(maxsize=4096)
def sector_for(industry_code: str) -> tuple[Industry, str | None, str]:
    """(industry, sector or None, reason when None) for a code at any level.

    A section, division or group maps to a sector only when all its classes do. Cached:
    the scale generator classifies millions of firms over a few hundred codes.
    """
    ind = require_industry(industry_code)
    classes = [ind] if ind.level == 4 else descendants(ind.code, level=4)
    found = {sector_of_class(c) for c in classes}
    if len(found) == 1:
        sector, why = found.pop()
        return ind, sector, why
    names = "、".join(sorted({s or "不适用" for s, _ in found}))
    return ind, None, (f"行业代码 {ind.code}（{ind.name}）跨越多个划型行业（{names}），"
                       f"请提供更细的行业代码 (code spans several sectors; give a finer code)")


@dataclass(frozen=True)
class SizeResult:
    size_class: SizeClass
    size_class_en: str
    sector: str | None
    rule: str  # the rule that decided, in Chinese; empty when undetermined
    reason: str  # why undetermined (Chinese and English); empty when decided
    industry_code: str
    industry_name: str
    inputs_used: dict[str, float] = field(default_factory=dict)
    inputs_missing: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _check_number(name: str, value: float | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(f"{INDICATOR_ZH[name]}必须是数字 ({name} must be a number)",
                           field=name)
    if math.isnan(value) or math.isinf(value):
        raise InvalidInput(f"{INDICATOR_ZH[name]}不是有限数字 ({name} must be finite)",
                           field=name)
    if value < 0:
        raise InvalidInput(f"{INDICATOR_ZH[name]}不能为负数：{value} ({name} must not be negative)",
                           field=name)
    return float(value)


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


@lru_cache(maxsize=1024)
def _bound(ind: str, op: str, v: float) -> str:
    unit = "万元" if INDICATOR_UNIT[ind] == "万元" else ""
    return f"{INDICATOR_ZH[ind]}{op}{_fmt(v)}{unit}"


def _tier(value: float, bounds: tuple[float, float, float]) -> int:
    """0 大型 … 3 微型 for one indicator on its own."""
    for i, b in enumerate(bounds):
        if value >= b:
            return i
    return 3


@lru_cache(maxsize=128)
def rule_text(sector_name: str, size_class: str) -> str:
    """The regulation's rule for one class.

    Example: ``工业：从业人员≥1000 且 营业收入≥40000万元 → 大型``.
    """
    sector = SECTORS[sector_name]
    if size_class == "微型":
        parts = [_bound(k, "<", b[2]) for k, b in sector.thresholds.items()]
        return f"{sector.name}：{' 或 '.join(parts)} → 微型"
    i = SIZE_CLASSES.index(size_class)
    parts = [_bound(k, "≥", b[i]) for k, b in sector.thresholds.items()]
    return f"{sector.name}：{' 且 '.join(parts)} → {size_class}"


def classify(industry_code: str, employees: float | None = None, revenue: float | None = None,
             total_assets: float | None = None) -> SizeResult:
    """Classify an enterprise; money in 万元. Raises :class:`InvalidInput` on bad input."""
    values = {"employees": _check_number("employees", employees),
              "revenue": _check_number("revenue", revenue),
              "total_assets": _check_number("total_assets", total_assets)}
    ind, sector_name, why = sector_for(industry_code)

    def result(size: SizeClass, rule: str = "", reason: str = "",
               used: dict[str, float] | None = None,
               missing: list[str] | None = None) -> SizeResult:
        return SizeResult(size, CLASS_EN[size], sector_name, rule, reason, ind.code, ind.name,
                          used or {}, missing or [])

    if sector_name is None:
        return result(UNDETERMINED, reason=why)
    sector = SECTORS[sector_name]
    used = {k: v for k in sector.thresholds if (v := values[k]) is not None}
    missing = [k for k in sector.thresholds if values[k] is None]
    tiers = {k: _tier(v, sector.thresholds[k]) for k, v in used.items()}

    micro = [k for k, t in tiers.items() if t == 3]
    if micro:
        decisive = "、".join(f"{INDICATOR_ZH[k]} {_fmt(used[k])}{INDICATOR_UNIT[k]} < "
                            f"{_fmt(sector.thresholds[k][2])}{INDICATOR_UNIT[k]}" for k in micro)
        note = ""
        if missing:
            note = (f"；缺少{'、'.join(INDICATOR_ZH[m] for m in missing)}，"
                    f"但已有指标低于小型下限，按“或”即为微型")
        return result("微型", rule=f"{rule_text(sector_name, '微型')}（{decisive}{note}）",
                      used=used, missing=missing)
    if missing:
        need = "、".join(f"{INDICATOR_ZH[m]}" for m in missing)
        need_en = ", ".join(missing)
        known = ""
        if tiers:
            best = SIZE_CLASSES[max(tiers.values())]
            known = f"；按已有指标至多为{best}"
        return result(UNDETERMINED, used=used, missing=missing,
                      reason=f"{sector.name}划型需要{need}，未提供{known} "
                             f"(missing input needed by the sector: {need_en})")
    size = SIZE_CLASSES[max(tiers.values())]
    rule = rule_text(sector_name, size)
    if size != "大型":
        # Say which indicator kept it from the class above.
        above = SIZE_CLASSES.index(size) - 1
        short = [_bound(k, "<", sector.thresholds[k][above])
                 for k, t in tiers.items() if t > above]
        rule += f"（未达{SIZE_CLASSES[above]}：{'、'.join(short)}）"
    return result(size, rule=rule, used=used)
