"""USCC (GB 32100-2015) validation, explanation and generation."""

from __future__ import annotations

import pytest

from graph.errors import InvalidInput
from ingest.uscc import CHARSET, check_char, make_uscc, validate

# Published codes of well-known companies (from their business licences).
REAL_CODES = [
    pytest.param("91350100M000100Y43", id="gb32100-example"),
    pytest.param("9144030071526726XG", id="tencent-shenzhen"),
    pytest.param("914403001922038216", id="huawei"),
]


@pytest.mark.parametrize("code", REAL_CODES)
def test_uscc_validate_accepts_real_codes(code: str) -> None:
    r = validate(code)
    assert r.valid, r.reason
    assert r.reason_code == "OK"
    assert r.authority_code == "9"
    assert r.entity_type_name == "企业"
    assert r.region_code == code[2:8]
    assert r.org_code == code[8:17]
    assert r.notes == []


def test_uscc_check_char_matches_known_value() -> None:
    assert check_char("91350100M000100Y4") == "3"


def test_uscc_check_char_31_maps_to_zero() -> None:
    # Find a prefix whose weighted sum is 0 mod 31: all zeros.
    assert check_char("0" * 17) == "0"


@pytest.mark.parametrize(
    ("code", "reason_code", "fragment"),
    [
        pytest.param("91350100M000100Y4", "LENGTH", "17", id="too-short"),
        pytest.param("91350100M000100Y433", "LENGTH", "19", id="too-long"),
        pytest.param("", "LENGTH", "0", id="empty"),
        pytest.param("9135010OM000100Y43", "ILLEGAL_CHAR", "第8位", id="letter-O"),
        pytest.param("91350100M000100I43", "ILLEGAL_CHAR", "第16位", id="letter-I"),
        pytest.param("91350100M00010#Y43", "ILLEGAL_CHAR", "#", id="symbol"),
        pytest.param("91350100M000100Y44", "CHECK_DIGIT", "应为“3”", id="bad-check"),
    ],
)
def test_uscc_validate_rejects_with_reason(code: str, reason_code: str, fragment: str) -> None:
    r = validate(code)
    assert not r.valid
    assert r.reason_code == reason_code
    assert fragment in r.reason


def test_uscc_validate_check_mismatch_reports_expected_and_got() -> None:
    r = validate("91350100M000100Y44")
    assert (r.check_char_expected, r.check_char_got) == ("3", "4")
    assert "expected '3', got '4'" in r.reason


def test_uscc_validate_normalises_and_says_so() -> None:
    r = validate(" ９１３５０１００ｍ０００ １００ｙ４３ ")
    assert r.valid
    assert r.code == "91350100M000100Y43"
    joined = " ".join(r.notes)
    assert "全角" in joined and "大写" in joined and "空格" in joined


def test_uscc_validate_undefined_authority_is_invalid() -> None:
    first17 = "B1130207000123457"
    r = validate(first17 + check_char(first17))
    assert not r.valid
    assert r.reason_code == "AUTHORITY"


@pytest.mark.parametrize(
    ("authority", "kind", "authority_name", "kind_name"),
    [
        pytest.param("1", "1", "机构编制", "机关", id="organ"),
        pytest.param("1", "2", "机构编制", "事业单位", id="public-institution"),
        pytest.param("5", "1", "民政", "社会团体", id="social-org"),
        pytest.param("5", "3", "民政", "基金会", id="foundation"),
        pytest.param("9", "2", "工商（市场监管）", "个体工商户", id="individual"),
        pytest.param("9", "3", "工商（市场监管）", "农民专业合作社", id="coop"),
        pytest.param("N", "2", "农业", "村级集体经济组织", id="village-collective"),
    ],
)
def test_uscc_make_and_explain_authorities(authority: str, kind: str, authority_name: str,
                                           kind_name: str) -> None:
    code = make_uscc("130207", 4242, authority=authority, kind=kind)
    r = validate(code)
    assert r.valid, r.reason
    assert r.authority_name == authority_name
    assert r.entity_type_name == kind_name
    assert r.region_code == "130207"
    assert r.org_code_check_ok is True


@pytest.mark.parametrize("serial", [0, 1, 99_999_999, 123_456_789, "MA0ABCDE", "MA0ABCDEX"])
def test_uscc_make_produces_valid_codes(serial: int | str) -> None:
    code = make_uscc("130209", serial)
    assert len(code) == 18
    assert set(code) <= set(CHARSET)
    assert validate(code).valid


def test_uscc_make_many_serials_all_valid_and_distinct() -> None:
    codes = {make_uscc("130202", n) for n in range(2000)}
    assert len(codes) == 2000
    assert all(validate(c).valid for c in codes)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        pytest.param({"region_code": "1302", "serial": 1}, "region_code", id="short-region"),
        pytest.param({"region_code": "13020A", "serial": 1}, "region_code", id="alpha-region"),
        pytest.param({"region_code": "130207", "serial": -1}, "serial", id="negative-serial"),
        pytest.param({"region_code": "130207", "serial": "ABC"}, "serial", id="short-serial"),
        pytest.param({"region_code": "130207", "serial": 1, "authority": "B"}, "authority",
                     id="bad-authority"),
        pytest.param({"region_code": "130207", "serial": 1, "kind": "7"}, "kind", id="bad-kind"),
    ],
)
def test_uscc_make_rejects_bad_arguments(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as e:
        make_uscc(**kwargs)  # type: ignore[arg-type]
    assert e.value.field == field


def test_uscc_check_char_rejects_wrong_length() -> None:
    with pytest.raises(InvalidInput):
        check_char("123")


def test_uscc_validate_names_the_region() -> None:
    r = validate(make_uscc("130207", 7))
    assert r.region_code == "130207"
    assert r.region_name == "河北省唐山市丰南区"
    assert validate("91350100M000100Y43").region_name == "福建省福州市"


def test_uscc_validate_unknown_region_still_valid() -> None:
    r = validate(make_uscc("999999", 7))
    assert r.valid
    assert r.region_name is None
    assert any("999999" in n for n in r.notes)


def test_uscc_every_single_substitution_is_detected() -> None:
    code = make_uscc("130207", 31415)
    for i in range(18):
        for ch in CHARSET:
            if ch != code[i]:
                bad = code[:i] + ch + code[i + 1:]
                assert not validate(bad).valid, bad


def test_uscc_every_adjacent_transposition_is_detected() -> None:
    code = make_uscc("130283", "MA0XYW12")
    # Weights are 3^i mod 31 (31 prime), so swapping two different characters among the
    # first 17 always changes the weighted sum; the check character itself is not covered.
    for i in range(16):
        if code[i] != code[i + 1]:
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2:]
            assert not validate(swapped).valid, swapped


def test_uscc_hyphens_are_removed_and_noted() -> None:
    r = validate("913501-00M000-100Y43")
    assert r.valid and any("连字符" in n for n in r.notes)


def test_uscc_undefined_entity_type_is_noted() -> None:
    first17 = "95130207000123457"
    r = validate(first17 + check_char(first17))
    assert r.valid
    assert r.entity_type_name == "未定义"
    assert any("机构类别" in n for n in r.notes)
