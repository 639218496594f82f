"""企业划型: code-to-sector mapping, missing inputs and bad input."""

from __future__ import annotations

import math

import pytest

from graph.errors import InvalidInput
from ingest.sizeclass import classify, rule_text, sector_for


@pytest.mark.parametrize(
    ("code", "sector"),
    [
        pytest.param("0111", "农、林、牧、渔业", id="A-crop"),
        pytest.param("0511", "农、林、牧、渔业", id="A-05-services"),
        pytest.param("0610", "工业", id="B-mining"),
        pytest.param("C3130", "工业", id="C-steel-with-letter"),
        pytest.param("4411", "工业", id="D-power"),
        pytest.param("4320", "工业", id="C43-repair"),
        pytest.param("E", "建筑业", id="E-section"),
        pytest.param("51", "批发业", id="51"),
        pytest.param("52", "零售业", id="52"),
        pytest.param("5431", "交通运输业", id="54-road"),
        pytest.param("5821", "交通运输业", id="58-forwarding"),
        pytest.param("5910", "交通运输业", id="591-loading"),
        pytest.param("5920", "仓储业", id="592-warehousing"),
        pytest.param("5941", "仓储业", id="594-dangerous-goods"),
        pytest.param("60", "邮政业", id="60"),
        pytest.param("6110", "住宿业", id="61"),
        pytest.param("6210", "餐饮业", id="62"),
        pytest.param("6312", "信息传输业", id="63"),
        pytest.param("6432", "信息传输业", id="64"),
        pytest.param("I65", "软件和信息技术服务业", id="65"),
        pytest.param("7010", "房地产开发经营", id="7010"),
        pytest.param("K7020", "物业管理", id="7020"),
        pytest.param("7030", "其他未列明行业", id="7030-agency"),
        pytest.param("7090", "其他未列明行业", id="7090-other-real-estate"),
        pytest.param("7111", "租赁和商务服务业", id="71"),
        pytest.param("7224", "租赁和商务服务业", id="72"),
        pytest.param("M", "其他未列明行业", id="M"),
        pytest.param("7820", "其他未列明行业", id="N"),
        pytest.param("8010", "其他未列明行业", id="O"),
        pytest.param("8512", "其他未列明行业", id="85-social-work"),
        pytest.param("R", "其他未列明行业", id="R"),
    ],
)
def test_sizeclass_sector_mapping(code: str, sector: str) -> None:
    assert sector_for(code)[1] == sector


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        pytest.param("5320", "铁路", id="railway-excluded"),
        pytest.param("J", "银发〔2015〕309号", id="finance"),
        pytest.param("6610", "金融", id="bank"),
        pytest.param("7040", "自有房地产", id="own-property"),
        pytest.param("9221", "公共管理", id="government"),
        pytest.param("9700", "国际组织", id="international"),
        pytest.param("G", "跨越多个", id="section-G-spans"),
        pytest.param("59", "跨越多个", id="division-59-spans"),
        pytest.param("70", "跨越多个", id="division-70-spans"),
    ],
)
def test_sizeclass_uncovered_codes_are_undetermined(code: str, fragment: str) -> None:
    r = classify(code, employees=10, revenue=10, total_assets=10)
    assert r.size_class == "未划型"
    assert r.size_class_en == "undetermined"
    assert fragment in r.reason
    assert r.rule == ""


def test_sizeclass_missing_input_is_undetermined_with_reason() -> None:
    r = classify("3130", employees=320)
    assert r.size_class == "未划型"
    assert "营业收入" in r.reason and "revenue" in r.reason
    assert "至多为中型" in r.reason
    assert r.inputs_missing == ["revenue"]
    assert r.inputs_used == {"employees": 320}


def test_sizeclass_nothing_given_is_undetermined() -> None:
    r = classify("3130")
    assert r.size_class == "未划型"
    assert r.inputs_missing == ["employees", "revenue"]


def test_sizeclass_missing_input_but_micro_already_decided() -> None:
    r = classify("3130", revenue=299.99)
    assert r.size_class == "微型"
    assert "或" in r.rule and "缺少从业人员" in r.rule
    assert r.inputs_missing == ["employees"]


def test_sizeclass_large_on_known_input_is_not_guessed() -> None:
    r = classify("4811", revenue=1_000_000)
    assert r.size_class == "未划型"
    assert "资产总额" in r.reason


def test_sizeclass_unused_inputs_are_ignored() -> None:
    r = classify("0111", employees=5, revenue=600, total_assets=1)
    assert r.size_class == "中型"
    assert r.inputs_used == {"revenue": 600}


def test_sizeclass_rule_text_example() -> None:
    assert rule_text("工业", "大型") == "工业：从业人员≥1000 且 营业收入≥40000万元 → 大型"
    assert rule_text("建筑业", "微型") == "建筑业：营业收入<300万元 或 资产总额<300万元 → 微型"


def test_sizeclass_issue_example_explains_the_class_above() -> None:
    r = classify("3130", employees=320, revenue=25000)
    assert r.size_class == "中型"
    assert r.rule.startswith("工业：从业人员≥300 且 营业收入≥2000万元 → 中型")
    assert "未达大型" in r.rule
    assert r.industry_name == "钢压延加工"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        pytest.param({"employees": -1, "revenue": 10}, "employees", id="negative-employees"),
        pytest.param({"employees": 1, "revenue": -0.01}, "revenue", id="negative-revenue"),
        pytest.param({"total_assets": -5}, "total_assets", id="negative-assets"),
        pytest.param({"revenue": math.nan}, "revenue", id="nan"),
        pytest.param({"revenue": math.inf}, "revenue", id="inf"),
        pytest.param({"employees": True}, "employees", id="bool"),
        pytest.param({"employees": "300"}, "employees", id="string"),
    ],
)
def test_sizeclass_rejects_bad_numbers(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as e:
        classify("3130", **kwargs)  # type: ignore[arg-type]
    assert e.value.field == field


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("9999", id="unknown-class"),
        pytest.param("3135", id="unknown-in-known-division"),
        pytest.param("D3130", id="wrong-section-letter"),
        pytest.param("31300", id="too-long"),
        pytest.param("", id="empty"),
        pytest.param("steel", id="text"),
        pytest.param("Z", id="unknown-section"),
    ],
)
def test_sizeclass_rejects_unknown_codes(code: str) -> None:
    with pytest.raises(InvalidInput) as e:
        classify(code, employees=10, revenue=10)
    assert e.value.field == "industry_code"


def test_sizeclass_accepts_full_width_and_lowercase_code() -> None:
    assert classify("ｃ３１３０", employees=320, revenue=25000).size_class == "中型"


def test_sizeclass_single_indicator_sector_needs_its_indicator() -> None:
    r = classify("0111", employees=5000)
    assert r.size_class == "未划型"
    assert r.inputs_missing == ["revenue"]
    assert r.inputs_used == {}
    r = classify("7320", revenue=1_000_000)
    assert r.size_class == "未划型" and r.inputs_missing == ["employees"]
