"""Chinese administrative divisions (GB/T 2260 codes) and region-name normalisation.

Data: ``seeds/regions/`` — provinces, cities (prefecture level) and counties for
all of China, plus Tangshan's (唐山, city ``1302``) townships; see
``seeds/README.md`` for source and terms. Codes are kept at their natural
length: province ``13``, city ``1302``, county ``130207``, town ``130207100``.

:func:`normalize_region` maps names, short names, hierarchical names, codes
(also zero-padded 6/12-digit forms) and well-known local names of Tangshan's
development zones to one :class:`Region`. A bare name that exists in several
places (``高新区``, ``鼓楼区``) is resolved toward a context region (default
Tangshan) and otherwise left unresolved rather than guessed;
:func:`resolve_region` shows the candidates. :func:`region_rows` and
:func:`region_links` give the rows for ``Region`` nodes and their ``PART_OF``
links (graph/MODEL.md).

Nothing here touches a database.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

SEED_DIR = Path(__file__).resolve().parents[1] / "seeds" / "regions"
DEFAULT_CONTEXT = "1302"  # 唐山市: the platform's home region

Level = Literal["province", "city", "county", "town"]
_LEVEL_RANK: dict[str, int] = {"province": 0, "city": 1, "county": 2, "town": 3}

# Placeholder units of the statistics bureau's table: real nodes (they hold counties),
# but never part of a display name and never matched by name.
_PLACEHOLDER_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})

# Known defects of the source table (a character split in two by an encoding round-trip).
_NAME_FIXES: dict[str, str] = {"130207110": "柳树酄镇"}

# Local names of Tangshan's districts, development zones and former names (public knowledge).
_EXTRA_ALIASES: dict[str, tuple[str, ...]] = {
    "1302": ("唐山",),
    "130273": ("高新区", "唐山高新区", "高新开发区", "高新技术开发区", "唐山高新技术开发区",
               "唐山高新技术产业园区"),
    "130209": ("曹妃甸", "曹妃甸新区", "曹妃甸开发区", "唐海县"),
    "130271": ("芦台", "芦台开发区", "芦台经济开发区", "芦台经济技术开发区", "芦台农场"),
    "130272": ("汉沽", "汉沽管理区", "汉沽农场", "唐山汉沽管理区"),
    "130274": ("海港", "海港开发区", "海港经济开发区", "唐山海港开发区", "唐山海港经济开发区",
               "京唐港"),
    "130284": ("滦县",),  # renamed 滦州市 in 2018
    "130225": ("乐亭",),
    "130207110": ("柳树瞿阝镇", "柳树酄"),
}

# The 55 minority nationalities, to shorten autonomous names (延边朝鲜族自治州 → 延边).
_ETHNIC = (
    "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜",
    "满", "侗", "瑶", "白", "土家", "哈尼", "哈萨克", "傣", "黎",
    "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇",
    "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬",
    "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂",
    "保安", "裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴",
    "基诺", "各",
)
_ETHNIC_TAIL = re.compile("(?:" + "|".join(sorted(_ETHNIC, key=len, reverse=True)) + ")族?$")
_ZONE_SUFFIXES = ("开发区", "管理区", "园区", "工业区", "管委会", "示范区", "合作区", "实验区")
_SUFFIXES = (
    "特别行政区", "自治区", "自治州", "自治县", "自治旗", "街道办事处", "街道", "地区", "林区",
    "新区", "特区", "民族乡", "省", "市", "盟", "区", "县", "旗", "镇", "乡",
)
_ZONE_ALIASES = (
    ("高新技术产业开发区", ("高新区", "高新技术产业开发区", "高新技术开发区")),
    ("高新技术开发区", ("高新区", "高新技术开发区")),
    ("经济技术开发区", ("经开区", "经济技术开发区", "经济开发区", "开发区")),
    ("经济开发区", ("经济开发区", "开发区")),
)
_GENERIC_ZONE_NAMES = frozenset(a for _, aliases in _ZONE_ALIASES for a in aliases)
_RENAMED_SUFFIXES = frozenset({"县", "市", "区", "地区", "盟", "旗", "州", "自治州", "自治县"})
_PREFIXES_TO_DROP = ("中华人民共和国", "中国")


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    full_name: str
    level: Level
    parent_code: str | None
    short_name: str = ""

    def row(self) -> dict[str, Any]:
        """Properties of the ``Region`` node (graph/MODEL.md); ``id`` is the code."""
        return {"id": self.code, "code": self.code, "name": self.name,
                "full_name": self.full_name, "level": self.level,
                "parent_code": self.parent_code}


@dataclass(frozen=True)
class RegionMatch:
    """Outcome of :func:`resolve_region`: the region, or why not, with the candidates."""

    query: str
    region: Region | None
    candidates: list[Region] = field(default_factory=list)
    reason: str = ""


def short_name(name: str) -> str:
    """Shorten a division name: 河北省 → 河北, 丰宁满族自治县 → 丰宁, 胥各庄镇 → 胥各庄."""
    s = name
    if name.endswith(_ZONE_SUFFIXES):
        return name  # 芦台经济开发区 has no safe short form; known ones are in _EXTRA_ALIASES
    for suf in _SUFFIXES:
        if s.endswith(suf) and len(s) - len(suf) >= 2:
            s = s[: -len(suf)]
            break
    while True:
        m = _ETHNIC_TAIL.search(s)
        if not m or m.start() < 2:
            break
        s = s[: m.start()]
    return s


class _Table:
    def __init__(self, seed_dir: Path) -> None:
        self.by_code: dict[str, Region] = {}
        self.children: dict[str, list[str]] = defaultdict(list)
        self.index: dict[str, dict[str, int]] = defaultdict(dict)  # alias → {code: exactness}
        self._load(seed_dir)
        self._build_index()

    def _load(self, d: Path) -> None:
        def rows(name: str) -> Iterator[dict[str, str]]:
            with (d / name).open(encoding="utf-8", newline="") as f:
                yield from csv.DictReader(f)

        for r in rows("provinces.csv"):
            self._add(r["code"], r["name"], "province", None)
        for r in rows("cities.csv"):
            self._add(r["code"], r["name"], "city", r["provinceCode"])
        for r in rows("areas.csv"):
            self._add(r["code"], r["name"], "county", r["cityCode"])
        for r in rows("towns_1302.csv"):
            self._add(r["code"], r["name"], "town", r["areaCode"])

    def _add(self, code: str, name: str, level: Level, parent: str | None) -> None:
        name = _NAME_FIXES.get(code, name)
        parent_region = self.by_code.get(parent) if parent else None
        prefix = parent_region.full_name if parent_region else ""
        if name in _PLACEHOLDER_NAMES:
            full = prefix + name if level == "city" else prefix
        else:
            # 北京市 + 市辖区 + 东城区 reads 北京市东城区: drop the placeholder from the path.
            if parent_region and parent_region.name in _PLACEHOLDER_NAMES:
                grand = self.by_code.get(parent_region.parent_code or "")
                prefix = grand.full_name if grand else ""
            # 东莞市 (441900) under 东莞市 (4419): the county-level twin reads like its city.
            same = parent_region is not None and name == parent_region.name
            # Only development zones (county codes xx7x) repeat place names in their own name;
            # 本溪满族自治县 must keep its 本溪.
            zone = level == "county" and code[4] == "7"
            local = self._without_ancestor_names(name, parent_region) if zone else name
            full = prefix if same else prefix + local
        short = name if name in _PLACEHOLDER_NAMES else short_name(name)
        self.by_code[code] = Region(code, name, full, level, parent, short)
        if parent:
            self.children[parent].append(code)

    def _without_ancestor_names(self, name: str, parent: Region | None) -> str:
        """河北唐山芦台经济开发区 under 河北省唐山市 reads 芦台经济开发区 in a full name."""
        chain = [parent, *self.ancestors(parent.code)] if parent else []
        rest = name
        for anc in reversed(chain):
            for p in (anc.name, anc.short_name):
                if p and p not in _PLACEHOLDER_NAMES and rest.startswith(p) \
                        and len(rest) - len(p) >= 2:
                    rest = rest[len(p):]
                    break
        return rest

    def _build_index(self) -> None:
        for code, r in self.by_code.items():
            if r.name in _PLACEHOLDER_NAMES:
                continue
            self._alias(r.name, code, 3)
            self._alias(r.short_name, code, 2)
            if r.level == "county" and code[4] == "7":
                self._zone_aliases(r)
            # 河北唐山芦台经济开发区 / 唐山市汉沽管理区: also without the leading place names.
            for anc in self.ancestors(code):
                for p in (anc.name, anc.short_name):
                    if p and p not in _PLACEHOLDER_NAMES:
                        rest = r.name.removeprefix(p)
                        if rest != r.name and len(rest) >= 2:
                            self._alias(rest, code, 1)
                            rest2 = rest
                            for anc2 in self.ancestors(code):
                                rest2 = rest2.removeprefix(anc2.short_name)
                            if len(rest2) >= 2:
                                self._alias(rest2, code, 1)
        for code, aliases in _EXTRA_ALIASES.items():
            if code in self.by_code:
                for a in aliases:
                    # A generic zone name (高新区) stays as weak as every other city's.
                    self._alias(a, code, 1 if a in _GENERIC_ZONE_NAMES else 2)

    def _zone_aliases(self, r: Region) -> None:
        # Only a city's main zone (唐山高新技术产业开发区) answers to the generic 高新区, not
        # 长春净月高新技术产业开发区: the name must be just place names plus the marker.
        parent = self.by_code.get(r.parent_code or "")
        rest = self._without_ancestor_names(r.name, parent).removesuffix("市")
        for marker, aliases in _ZONE_ALIASES:
            if rest.lstrip("市") == marker or rest == marker:
                city = self.by_code.get(r.parent_code or "")
                for a in aliases:
                    self._alias(a, r.code, 1)
                    if city:
                        self._alias(city.short_name + a, r.code, 1)
                break

    def _alias(self, alias: str, code: str, exactness: int) -> None:
        if alias and exactness > self.index[alias].get(code, -1):
            self.index[alias][code] = exactness

    def ancestors(self, code: str) -> list[Region]:
        out: list[Region] = []
        r = self.by_code.get(code)
        while r and r.parent_code:
            r = self.by_code.get(r.parent_code)
            if r:
                out.append(r)
        return out

    def is_within(self, code: str, ancestor: str) -> bool:
        return code == ancestor or any(a.code == ancestor for a in self.ancestors(code))


@lru_cache(maxsize=1)
def _table() -> _Table:
    return _Table(SEED_DIR)


def get_region(code: str) -> Region | None:
    """The region with this code; 6- and 12-digit zero-padded forms are accepted."""
    t = _table()
    code = code.strip()
    if code in t.by_code:
        return t.by_code[code]
    if not code.isdigit():
        return None
    # Zero-padded statistical forms: 130207100000 → 130207100, 130200 → 1302, 130000 → 13.
    for length, pad in ((12, 3), (9, 3), (6, 2), (4, 2)):
        if len(code) == length and code.endswith("0" * pad):
            return get_region(code[: length - pad])
    return None


def region_full_name(code: str) -> str | None:
    """Full name (河北省唐山市丰南区) for a code, or None when unknown."""
    r = get_region(code)
    return r.full_name if r else None


def _clean(text: str) -> str:
    s = unicodedata.normalize("NFKC", text)
    s = "".join(ch for ch in s if not ch.isspace())
    for p in _PREFIXES_TO_DROP:
        s = s.removeprefix(p)
    return s


def _affinity(code: str, context: str | None) -> int:
    """How many leading code digits, at division boundaries, a candidate shares with context."""
    if not context:
        return 0
    best = 0
    for n in (2, 4, 6, 9):
        if len(code) >= n and len(context) >= n and code[:n] == context[:n]:
            best = n
    return best


def _parse(t: _Table, rest: str, parent: str | None) -> list[tuple[str, int, bool]]:
    """Segment ``rest`` into nested division names; (code, exactness of last part, complete)."""
    if not rest:
        return []
    for length in range(len(rest), 0, -1):
        hits = t.index.get(rest[:length])
        if not hits:
            continue
        found: list[tuple[str, int, bool]] = []
        for code, exactness in hits.items():
            if parent is not None and not t.is_within(code, parent):
                continue
            tail = rest[length:]
            deeper = _parse(t, tail, code) if tail else []
            if deeper:
                found.extend(deeper)
            elif tail in _RENAMED_SUFFIXES:
                # 邹平县 (now 邹平市), 山南地区 (now 山南市): the unit under its former type.
                found.append((code, min(exactness, 2), True))
            elif (not tail or exactness == 3 or parent is not None
                  or t.by_code[code].level in ("province", "city")):
                # Text after a lone county or town short name is more likely a longer name
                # (泗水街 is a street, not 泗水县; 中山四路) than an address; after a full
                # name, a parent or a province/city name it is an address (丰南区幸福路12号,
                # 唐山丰南幸福路, 上海外滩).
                found.append((code, exactness, not tail))
        if found:
            return found
    return []


def resolve_region(text_or_code: str, context: str | None = DEFAULT_CONTEXT) -> RegionMatch:
    """Resolve a region name or code, with the candidates when the name is ambiguous.

    Ranking among candidates: closeness to ``context`` (a region code or name), then a
    full name over a short name or alias, then the higher level (city over county over
    town). Text after the deepest recognised division (an address) is ignored, but a
    complete match beats a partial one. Ties are not guessed.
    """
    query = text_or_code
    s = _clean(str(text_or_code))
    t = _table()
    if not s:
        return RegionMatch(query, None, [], "空输入 (empty input)")
    if s.isdigit():
        r = get_region(s)
        return RegionMatch(query, r, [r] if r else [],
                           "" if r else f"未知的行政区划代码 (unknown region code {s})")
    ctx = context
    if ctx and not ctx.isdigit():
        ctx_region = resolve_region(ctx, None).region
        ctx = ctx_region.code if ctx_region else None
    elif ctx:
        ctx_region = get_region(ctx)
        ctx = ctx_region.code if ctx_region else None
    parsed = _parse(t, s, None)
    if not parsed:
        return RegionMatch(query, None, [], f"无法识别的地区 (unknown region {s!r})")
    best: dict[str, tuple[int, int, int, int]] = {}
    for code, exactness, complete in parsed:
        r = t.by_code[code]
        key = (int(complete), _affinity(code, ctx), exactness, -_LEVEL_RANK[r.level])
        if key > best.get(code, (-1, -1, -1, -9)):
            best[code] = key
    ranked = sorted(best, key=lambda c: best[c], reverse=True)
    candidates = [t.by_code[c] for c in ranked]
    if len(ranked) > 1 and best[ranked[0]] == best[ranked[1]]:
        tied = [c for c in ranked if best[c] == best[ranked[0]]]
        names = "、".join(f"{t.by_code[c].full_name}({c})" for c in tied[:5])
        return RegionMatch(query, None, candidates,
                           f"地区名称有歧义：{names} (ambiguous region name)")
    return RegionMatch(query, candidates[0], candidates, "")


def normalize_region(text_or_code: str, context: str | None = DEFAULT_CONTEXT) -> Region | None:
    """The one region meant by a name, short name, hierarchical name or code, else None."""
    return resolve_region(text_or_code, context).region


def all_regions() -> list[Region]:
    """Every region, parents before children."""
    return list(_table().by_code.values())


def region_rows() -> Iterator[dict[str, Any]]:
    """Rows for ``Region`` nodes: all of China to county level plus Tangshan's towns."""
    for r in _table().by_code.values():
        yield r.row()


def region_links() -> Iterator[tuple[str, str]]:
    """(child code, parent code) pairs for ``(Region)-[:PART_OF]->(Region)``."""
    for r in _table().by_code.values():
        if r.parent_code:
            yield r.code, r.parent_code
