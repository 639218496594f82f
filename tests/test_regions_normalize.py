"""Region normalisation (names, short names, codes, Tangshan zones) and Region rows."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from ingest.regions import (
    get_region,
    normalize_region,
    region_full_name,
    region_links,
    region_rows,
    resolve_region,
    short_name,
)

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "regions"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("丰南", id="short"),
        pytest.param("丰南区", id="name"),
        pytest.param("唐山市丰南区", id="city+county"),
        pytest.param("河北省唐山市丰南区", id="full"),
        pytest.param("河北唐山丰南", id="all-short"),
        pytest.param("唐山丰南区", id="short-city"),
        pytest.param(" 河北省 唐山市 丰南区 ", id="spaces"),
        pytest.param("130207", id="code"),
        pytest.param("130207000000", id="12-digit-code"),
        pytest.param("中国河北省唐山市丰南区", id="country-prefix"),
    ],
)
def test_regions_normalize_fengnan_variants(text: str) -> None:
    r = normalize_region(text)
    assert r is not None
    assert (r.code, r.name, r.full_name, r.level, r.parent_code) == (
        "130207", "丰南区", "河北省唐山市丰南区", "county", "1302")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        pytest.param("高新区", "130273", id="gaoxin"),
        pytest.param("唐山高新区", "130273", id="tangshan-gaoxin"),
        pytest.param("唐山高新技术产业开发区", "130273", id="gaoxin-official"),
        pytest.param("曹妃甸", "130209", id="caofeidian"),
        pytest.param("曹妃甸区", "130209", id="caofeidian-district"),
        pytest.param("唐海县", "130209", id="tanghai-former-name"),
        pytest.param("芦台", "130271", id="lutai"),
        pytest.param("芦台经济开发区", "130271", id="lutai-zone"),
        pytest.param("河北唐山芦台经济开发区", "130271", id="lutai-official"),
        pytest.param("汉沽", "130272", id="hangu"),
        pytest.param("汉沽管理区", "130272", id="hangu-zone"),
        pytest.param("海港", "130274", id="haigang"),
        pytest.param("海港开发区", "130274", id="haigang-zone"),
        pytest.param("乐亭", "130225", id="laoting"),
        pytest.param("滦县", "130284", id="luanxian-former-name"),
        pytest.param("迁安", "130283", id="qianan"),
        pytest.param("开平", "130205", id="kaiping-tangshan-first"),
        pytest.param("唐山", "1302", id="city"),
        pytest.param("130200", "1302", id="city-6-digit"),
        pytest.param("胥各庄镇", "130207100", id="town"),
        pytest.param("丰南区胥各庄镇", "130207100", id="county+town"),
        pytest.param("唐山市丰南区胥各庄镇幸福路12号", "130207100", id="address"),
        pytest.param("柳树酄镇", "130207110", id="fixed-garbled-town"),
        pytest.param("曹妃甸工业区", "130209451", id="town-level-zone"),
    ],
)
def test_regions_normalize_tangshan(text: str, code: str) -> None:
    r = normalize_region(text)
    assert r is not None, resolve_region(text).reason
    assert r.code == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        pytest.param("北京市东城区", "110101", id="municipality"),
        pytest.param("东城区", "110101", id="unique-county"),
        pytest.param("海港区", "130302", id="qinhuangdao-exact"),
        pytest.param("开平市", "440783", id="kaiping-guangdong-exact"),
        pytest.param("延边", "2224", id="autonomous-prefecture"),
        pytest.param("海南", "46", id="province-over-prefecture"),
        pytest.param("内蒙古", "15", id="autonomous-region"),
        pytest.param("石家庄高新区", "130171", id="other-city-zone"),
        pytest.param("重庆市城口县", "500229", id="chongqing-county"),
        pytest.param("13", "13", id="province-code"),
        pytest.param("130000", "13", id="province-6-digit"),
    ],
)
def test_regions_normalize_rest_of_china(text: str, code: str) -> None:
    r = normalize_region(text)
    assert r is not None, resolve_region(text).reason
    assert r.code == code


def test_regions_ambiguous_name_without_context_is_not_guessed() -> None:
    m = resolve_region("高新区", context=None)
    assert m.region is None
    assert "歧义" in m.reason
    assert {"130273", "130171"} <= {c.code for c in m.candidates}


def test_regions_context_picks_among_same_names() -> None:
    assert normalize_region("高新区", context="1301").code == "130171"  # type: ignore[union-attr]
    assert normalize_region("高新区", context="石家庄").code == "130171"  # type: ignore[union-attr]
    assert normalize_region("文化路街道") is None  # two in Tangshan
    r = normalize_region("文化路街道", context="130281")
    assert r is not None and r.full_name == "河北省唐山市遵化市文化路街道"


def test_regions_ambiguous_outside_context() -> None:
    m = resolve_region("鼓楼区")
    assert m.region is None
    assert len(m.candidates) >= 4


@pytest.mark.parametrize("text", ["", "   ", "火星", "999999", "abc"])
def test_regions_unknown_gives_none_with_reason(text: str) -> None:
    m = resolve_region(text)
    assert m.region is None
    assert m.reason


@pytest.mark.parametrize(
    ("name", "short"),
    [("河北省", "河北"), ("丰宁满族自治县", "丰宁"), ("延边朝鲜族自治州", "延边"),
     ("胥各庄镇", "胥各庄"), ("城区", "城区"), ("新疆维吾尔自治区", "新疆"),
     ("西下营满族乡", "西下营")],
)
def test_regions_short_name(name: str, short: str) -> None:
    assert short_name(name) == short


def test_regions_full_name_for_uscc_codes() -> None:
    assert region_full_name("130207") == "河北省唐山市丰南区"
    assert region_full_name("440300") == "广东省深圳市"
    assert region_full_name("000000") is None
    assert get_region("1101") is not None


def test_regions_rows_cover_china_and_tangshan_towns() -> None:
    rows = list(region_rows())
    levels = Counter(r["level"] for r in rows)
    with (SHARED / "areas.csv").open(encoding="utf-8") as f:
        n_areas = sum(1 for _ in csv.DictReader(f))
    assert levels["province"] == 31
    assert levels["city"] == 342
    assert levels["county"] == n_areas == 2978
    assert levels["town"] == 251
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    assert all(set(r) == {"id", "code", "name", "full_name", "level", "parent_code"}
               for r in rows)
    assert all(r["id"] == r["code"] for r in rows)


def test_regions_links_point_to_existing_parents() -> None:
    codes = {r["code"] for r in region_rows()}
    links = list(region_links())
    assert len(links) == len(codes) - 31
    assert all(parent in codes for _, parent in links)
    assert ("130207", "1302") in links and ("1302", "13") in links


def _twin_or_placeholder(r: object) -> bool:
    from ingest.regions import get_region

    parent = get_region(r.parent_code) if r.parent_code else None  # type: ignore[attr-defined]
    return r.name in {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"} or (  # type: ignore[attr-defined]
        parent is not None and parent.name == r.name)  # type: ignore[attr-defined]


def test_regions_every_full_name_resolves_to_itself() -> None:
    from ingest.regions import all_regions

    wrong = [(r.code, r.full_name) for r in all_regions()
             if not _twin_or_placeholder(r)
             and getattr(normalize_region(r.full_name, context=None), "code", None) != r.code]
    assert wrong == []


def test_regions_every_name_resolves_within_its_parent() -> None:
    from ingest.regions import all_regions

    wrong = [(r.code, r.name) for r in all_regions()
             if r.level != "province" and not _twin_or_placeholder(r)
             and getattr(normalize_region(r.name, context=r.parent_code), "code", None) != r.code]
    assert wrong == []


def test_regions_county_keeps_its_own_place_name() -> None:
    assert get_region("210521").full_name == "辽宁省本溪市本溪满族自治县"  # type: ignore[union-attr]
    assert get_region("130271").full_name == "河北省唐山市芦台经济开发区"  # type: ignore[union-attr]
    assert get_region("441900").full_name == "广东省东莞市"  # type: ignore[union-attr]


def test_regions_generic_zone_name_only_for_main_zone() -> None:
    # 长春 has 高新技术产业开发区 (220173) and 净月高新技术产业开发区 (220172).
    assert normalize_region("长春高新区").code == "220173"  # type: ignore[union-attr]
    assert normalize_region("高新区", context="2201").code == "220173"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("code", "short"),
    [("130271", "河北唐山芦台经济开发区"), ("130272", "唐山市汉沽管理区"), ("310115", "浦东"),
     ("130207", "丰南")],
)
def test_regions_zone_names_are_not_truncated(code: str, short: str) -> None:
    assert get_region(code).short_name == short  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        pytest.param("邹平县", "371681", id="renamed-county-type"),
        pytest.param("山南地区", "5405", id="renamed-prefecture-type"),
        pytest.param("上海外滩", "31", id="city-short-then-place"),
        pytest.param("唐山丰南幸福路88号", "130207", id="parent-then-short-then-street"),
        pytest.param("丰南区幸福路88号", "130207", id="full-name-then-street"),
    ],
)
def test_regions_address_tails(text: str, code: str) -> None:
    r = normalize_region(text, context=None)
    assert r is not None and r.code == code


@pytest.mark.parametrize("text", ["泗水街", "长兴路", "罗湖桥", "丰南幸福路"])
def test_regions_county_short_name_inside_a_longer_name_is_not_a_region(text: str) -> None:
    assert normalize_region(text, context=None) is None
