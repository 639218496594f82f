"""GB/T 4754-2017 lookup, ancestors and Industry rows."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from graph.errors import InvalidInput
from ingest.industry import (
    ancestors,
    descendants,
    get_industry,
    industry_links,
    industry_rows,
    normalize_code,
    require_industry,
)

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "industry"


@pytest.mark.parametrize("code", ["3130", "C3130", "c3130", "C 3130", "３１３０", "Ｃ３１３０"])
def test_industry_lookup_with_or_without_section(code: str) -> None:
    ind = get_industry(code)
    assert ind is not None
    assert (ind.code, ind.name, ind.level, ind.section) == ("3130", "钢压延加工", 4, "C")
    assert ind.qualified_code == "C3130"


@pytest.mark.parametrize(
    ("code", "level", "name"),
    [("C", 1, "制造业"), ("31", 2, "黑色金属冶炼和压延加工业"),
     ("C31", 2, "黑色金属冶炼和压延加工业"), ("011", 3, "谷物种植"), ("0111", 4, "稻谷种植")],
)
def test_industry_levels(code: str, level: int, name: str) -> None:
    ind = require_industry(code)
    assert (ind.level, ind.name) == (level, name)


def test_industry_ancestors_through_rebuilt_group() -> None:
    # 313 is a single-class group missing from the source table.
    chain = [a.code for a in ancestors("3130")]
    assert chain == ["313", "31", "C"]
    g = require_industry("313")
    assert g.derived and g.name == "钢压延加工" and g.level == 3


def test_industry_ancestors_of_regular_class() -> None:
    assert [a.code for a in ancestors("0111")] == ["011", "01", "A"]
    assert ancestors("A") == []


def test_industry_descendants() -> None:
    assert [d.code for d in descendants("31", level=4)] == ["3110", "3120", "3130", "3140"]


def test_industry_counts_match_official_structure() -> None:
    levels = Counter(r["level"] for r in industry_rows())
    with (SHARED / "gbt4754_2017.csv").open(encoding="utf-8") as f:
        source = list(csv.DictReader(f))
    source_classes = sum(1 for r in source if r["level"] == "4")
    # GB/T 4754-2017: 20 门类, 97 大类, 473 中类; the source's classes plus the repaired 3741.
    assert levels == {1: 20, 2: 97, 3: 473, 4: source_classes + 1}
    assert {r["code"] for r in source} <= {r["code"] for r in industry_rows()}


def test_industry_source_defect_repaired() -> None:
    assert require_industry("374").name == "航空、航天器及设备制造"
    plane = require_industry("C3741")
    assert (plane.name, plane.level, plane.parent_code) == ("飞机制造", 4, "374")


def test_industry_links_form_a_tree() -> None:
    codes = {r["code"] for r in industry_rows()}
    links = dict(industry_links())
    assert len(links) == len(codes) - 20
    assert set(links.values()) <= codes
    for child, parent in links.items():
        assert len(parent) < len(child) or parent.isalpha()
        assert child.startswith(parent) or parent.isalpha()


@pytest.mark.parametrize(
    "code",
    [pytest.param("", id="empty"), pytest.param("31300", id="five-digits"),
     pytest.param("3", id="one-digit"), pytest.param("steel", id="text"),
     pytest.param("D3130", id="wrong-letter")],
)
def test_industry_bad_codes(code: str) -> None:
    with pytest.raises(InvalidInput):
        normalize_code(code)
    assert get_industry(code) is None


def test_industry_unknown_code_raises_with_reason() -> None:
    assert get_industry("9999") is None
    with pytest.raises(InvalidInput, match="未知的行业代码"):
        require_industry("9999")
