"""Name normalisation for entity resolution: the keys names are compared on.

Lives here: width folding (NFKC), Traditional→Simplified (OpenCC), bracket
handling, legal-form suffixes (有限公司/股份有限公司/集团…), region prefixes
(河北省/唐山市/北京…) and securities decorations of listed companies' short
names (*ST, trailing A/B). Must not live here: any I/O besides the region names
taken from H2's reference tables, or any scoring (that is :mod:`ingest.resolve`).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from opencc import OpenCC

#: Legal-form suffixes, longest first so that 股份有限公司 wins over 有限公司.
LEGAL_SUFFIXES: tuple[str, ...] = tuple(sorted(
    {
        "集团股份有限公司", "集团有限责任公司", "集团有限公司", "股份有限公司",
        "有限责任公司", "股份合作公司", "有限公司", "股份公司", "集团公司", "总公司",
        "公司", "集团", "股份", "有限合伙", "普通合伙", "合伙企业", "企业", "控股集团",
        "co.,ltd.", "co.,ltd", "co.ltd", "ltd.", "ltd", "inc.", "inc", "corp.", "corp",
        "corporation", "limited", "company", "group", "llc", "plc",
    },
    key=len, reverse=True,
))

#: Bracketed words dropped entirely (they do not tell firms apart).
_DROP_IN_BRACKETS = {"集团", "中国", "控股", "有限合伙", "普通合伙", "特殊普通合伙", "股份"}

#: Province-level names and their short forms; city and county names are added
#: from H2's region table (``ingest.regions``) (see :func:`region_prefixes`).
_PROVINCES = (
    "北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省",
    "黑龙江省", "上海市", "江苏省", "浙江省", "安徽省", "福建省", "江西省",
    "山东省", "河南省", "湖北省", "湖南省", "广东省", "广西壮族自治区", "海南省",
    "重庆市", "四川省", "贵州省", "云南省", "西藏自治区", "陕西省", "甘肃省",
    "青海省", "宁夏回族自治区", "新疆维吾尔自治区", "台湾省", "香港特别行政区", "澳门特别行政区",
)

_SUFFIX_RE = re.compile(r"(省|市|自治区|壮族自治区|回族自治区|维吾尔自治区|特别行政区)$")
_BRACKETS = re.compile(r"[(\[{【〔［]([^()\[\]{}【】〔〕［］]*)[)\]}】〕］]")
_SECURITIES_PREFIX = re.compile(
    r"^(?:s\*st|\*st|sst|st|pt|xd|xr|dr|退市|n|c|s)(?=[\u4e00-\u9fff])")
_SHARE_CLASS = re.compile(r"(?<=[\u4e00-\u9fff])(?:[ab]|b股|退)$")

#: Province-level names with and without their suffix (河北省, 河北): a name that
#: opens with one of them and then says only its trade (河北钢铁集团) names a
#: province-wide firm, not a shortening of a local one's name (see ingest.resolve).
PROVINCE_NAMES: frozenset[str] = frozenset(
    {p for p in _PROVINCES} | {_SUFFIX_RE.sub("", p) for p in _PROVINCES})

#: One-character province abbreviations (粤高速 = 广东…高速); used when scoring.
PROVINCE_ABBR: dict[str, str] = {
    "京": "北京", "津": "天津", "冀": "河北", "晋": "山西", "蒙": "内蒙古", "辽": "辽宁",
    "吉": "吉林", "黑": "黑龙江", "沪": "上海", "苏": "江苏", "浙": "浙江", "皖": "安徽",
    "闽": "福建", "赣": "江西", "鲁": "山东", "豫": "河南", "鄂": "湖北", "湘": "湖南",
    "粤": "广东", "桂": "广西", "琼": "海南", "渝": "重庆", "川": "四川", "蜀": "四川",
    "黔": "贵州", "滇": "云南", "藏": "西藏", "陕": "陕西", "秦": "陕西", "甘": "甘肃",
    "陇": "甘肃", "青": "青海", "宁": "宁夏", "新": "新疆", "港": "香港", "澳": "澳门",
}
_SPACE = re.compile(r"[\s\u3000·•・\-_.,，。、'\"“”‘’&]+")


@cache
def _t2s() -> OpenCC:
    return OpenCC("t2s")


@cache
def _traditional_chars() -> frozenset[str]:
    """Every character that OpenCC's t2s character table changes.

    Checking for one of them first skips the (slow, pure-Python) conversion for
    the great majority of names, which are already Simplified.
    """
    import opencc

    base = Path(opencc.__file__).parent / "dictionary"
    path = base / "TSCharacters.txt"
    if not path.is_file():
        return frozenset()
    chars: set[str] = set()
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            key, _, values = line.rstrip("\n").partition("\t")
            if key and key not in values.split():
                chars.add(key)  # characters that t2s really changes
    return frozenset(chars)


def to_simplified(text: str) -> str:
    """Traditional → Simplified Chinese (no-op on Simplified text)."""
    if not text:
        return text
    trad = _traditional_chars()
    if trad and trad.isdisjoint(text):
        return text
    return str(_t2s().convert(text))


def fold(text: str) -> str:
    """Width-fold, convert to Simplified, lower-case ASCII and unify brackets."""
    t = unicodedata.normalize("NFKC", text or "").strip()
    t = to_simplified(t)
    return t.lower().replace("【", "(").replace("】", ")").replace("〔", "(").replace("〕", ")")


def _short_region(name: str) -> str:
    stripped = _SUFFIX_RE.sub("", name)
    return stripped if len(stripped) >= 2 else name


_extra_regions: set[str] = set()


def add_region_names(names: list[str] | set[str] | tuple[str, ...]) -> None:
    """Teach the normaliser more region names (e.g. from the graph's Region nodes)."""
    _extra_regions.update(n for n in names if n)
    region_prefixes.cache_clear()
    _prefix_table.cache_clear()
    name_keys.cache_clear()


@lru_cache(maxsize=1)
def region_prefixes() -> tuple[str, ...]:
    """Region names that may open an enterprise name, longest first.

    Province and city names count with and without their suffix (河北省/河北);
    county-level names only with it (丰南区, not 丰南, since short county names
    collide with brand words such as 东方).
    """
    names: set[str] = set()
    for p in _PROVINCES:
        names.add(p)
        names.add(_short_region(p))
    for city in _reference_cities():
        names.add(city)
        names.add(_short_region(city))
    names.update(_reference_counties())
    names.update(_extra_regions)
    names.discard("市辖区")
    names.discard("县")
    return tuple(sorted((n for n in names if len(n) >= 2), key=len, reverse=True))


def _reference_cities() -> list[str]:
    return [n for n, level in _reference_regions() if level == "city"]


def _reference_counties() -> list[str]:
    return [n for n, level in _reference_regions() if level == "county"]


@cache
def _reference_regions() -> list[tuple[str, str]]:
    """(name, level) from H2's region table; empty when it is not there yet."""
    out: list[tuple[str, str]] = []
    try:
        from ingest.regions import region_rows  # H2's table

        for row in region_rows():
            name = str(row.get("name") or "")
            level = str(row.get("level") or "")
            if name and level in {"city", "county"}:
                out.append((name, level))
    except Exception:
        out = []
    if out:
        return out
    # H2's reference loader not there (yet): read its shipped seed tables directly.
    base = Path(__file__).resolve().parents[1] / "seeds" / "regions"
    for fname, level in (("cities.csv", "city"), ("areas.csv", "county")):
        path = base / fname
        if path.is_file():
            with path.open(encoding="utf-8") as fh:
                out.extend((r["name"], level) for r in csv.DictReader(fh) if r.get("name"))
    return out


_LEGAL_RE = re.compile("(?:" + "|".join(re.escape(x) for x in LEGAL_SUFFIXES) + ")$")


def strip_legal_suffix(name: str) -> str:
    """Drop trailing legal forms repeatedly: 唐山钢铁集团有限责任公司 → 唐山钢铁."""
    t = name
    while True:
        m = _LEGAL_RE.search(t)
        if not m or m.start() < 2:
            return t
        t = t[: m.start()]


@lru_cache(maxsize=1)
def _prefix_table() -> tuple[dict[str, tuple[str, ...]], frozenset[str]]:
    """Region prefixes grouped by their first character (longest first), and as a set."""
    table: dict[str, list[str]] = {}
    for p in region_prefixes():
        table.setdefault(p[0], []).append(p)
    return {k: tuple(v) for k, v in table.items()}, frozenset(region_prefixes())


def strip_region_prefix(name: str) -> tuple[str, str]:
    """Drop leading region names repeatedly; return (rest, the region text removed)."""
    t, removed = name, ""
    table = _prefix_table()[0]
    changed = True
    while changed and t:
        changed = False
        for p in table.get(t[0], ()):
            if t.startswith(p) and len(t) - len(p) >= 2:
                t, removed = t[len(p):], removed + p
                changed = True
                break
    return t, removed


def _brackets(name: str) -> str:
    """Drop brackets whose content is a region or a legal word, keep other contents."""
    regions = _prefix_table()[1]

    def repl(m: re.Match[str]) -> str:
        inner = m.group(1).strip()
        if not inner or inner in _DROP_IN_BRACKETS or inner in regions:
            return ""
        return inner

    prev = None
    t = name
    while prev != t:
        prev, t = t, _BRACKETS.sub(repl, t)
    return t


@dataclass(frozen=True)
class NameKeys:
    """The keys one name is compared on.

    ``full``: folded, brackets resolved, legal suffix removed, region kept
    (唐山三友化工); ``core``: the same without region prefixes (三友化工);
    ``region``: the prefix removed (唐山); ``form``: the legal form removed
    (集团有限责任公司), empty for a short name.
    """

    full: str
    core: str
    region: str
    form: str = ""


@lru_cache(maxsize=200_000)
def name_keys(name: str) -> NameKeys:
    t = fold(name)
    t = _SECURITIES_PREFIX.sub("", t)
    t = _SHARE_CLASS.sub("", t)
    t = _brackets(t)
    t = _SPACE.sub("", t)
    whole = t
    t = strip_legal_suffix(t)
    core, region = strip_region_prefix(t)
    core = strip_legal_suffix(core)
    return NameKeys(full=t, core=core, region=region, form=whole[len(t):])


def norm_name(name: str) -> str:
    """The stored ``norm_name`` of an Enterprise or Product (region kept)."""
    return name_keys(name).full
