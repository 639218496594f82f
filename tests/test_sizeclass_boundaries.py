"""Every threshold of every sector of 工信部联企业〔2011〕300号, on both sides of the bound.

The expected table is restated here from the regulation's text (not imported from the
module), so a typo in either place fails a test.
"""

from __future__ import annotations

from typing import Any

import pytest

from ingest.sizeclass import classify

# sector → (a class code in it, {indicator: (大型, 中型, 小型) lower bounds})
RULES: dict[str, tuple[str, dict[str, tuple[float, float, float]]]] = {
    "农、林、牧、渔业": ("0111", {"revenue": (20000, 500, 50)}),
    "工业": ("3130", {"employees": (1000, 300, 20), "revenue": (40000, 2000, 300)}),
    "建筑业": ("4811", {"revenue": (80000, 6000, 300), "total_assets": (80000, 5000, 300)}),
    "批发业": ("5181", {"employees": (200, 20, 5), "revenue": (40000, 5000, 1000)}),
    "零售业": ("5211", {"employees": (300, 50, 10), "revenue": (20000, 500, 100)}),
    "交通运输业": ("5431", {"employees": (1000, 300, 20), "revenue": (30000, 3000, 200)}),
    "仓储业": ("5920", {"employees": (200, 100, 20), "revenue": (30000, 1000, 100)}),
    "邮政业": ("6020", {"employees": (1000, 300, 20), "revenue": (30000, 2000, 100)}),
    "住宿业": ("6110", {"employees": (300, 100, 10), "revenue": (10000, 2000, 100)}),
    "餐饮业": ("6210", {"employees": (300, 100, 10), "revenue": (10000, 2000, 100)}),
    "信息传输业": ("6312", {"employees": (2000, 100, 10), "revenue": (100000, 1000, 100)}),
    "软件和信息技术服务业": ("6513", {"employees": (300, 100, 10), "revenue": (10000, 1000, 50)}),
    "房地产开发经营": ("7010", {"revenue": (200000, 1000, 100),
                                 "total_assets": (10000, 5000, 2000)}),
    "物业管理": ("7020", {"employees": (1000, 300, 100), "revenue": (5000, 1000, 500)}),
    "租赁和商务服务业": ("7224", {"employees": (300, 100, 10),
                                   "total_assets": (120000, 8000, 100)}),
    "其他未列明行业": ("7320", {"employees": (300, 100, 10)}),
}
CLASSES = ("大型", "中型", "小型", "微型")


def _just_below(indicator: str, bound: float) -> float:
    return bound - 1 if indicator == "employees" else bound - 0.01


def _cases() -> list[Any]:
    cases = []
    for sector, (code, th) in RULES.items():
        large = {k: b[0] for k, b in th.items()}
        for k, bounds in th.items():
            for i, bound in enumerate(bounds):
                # Every other indicator sits at the 大型 bound, so this one decides.
                at = dict(large, **{k: bound})
                below = dict(large, **{k: _just_below(k, bound)})
                cases.append(pytest.param(code, at, sector, CLASSES[i],
                                          id=f"{sector}-{k}-{bound:g}-at"))
                cases.append(pytest.param(code, below, sector, CLASSES[i + 1],
                                          id=f"{sector}-{k}-{bound:g}-below"))
        for i in range(3):
            all_at = {k: b[i] for k, b in th.items()}
            cases.append(pytest.param(code, all_at, sector, CLASSES[i],
                                      id=f"{sector}-all-at-{CLASSES[i]}"))
        zeros = dict.fromkeys(th, 0)
        cases.append(pytest.param(code, zeros, sector, "微型", id=f"{sector}-zero"))
    return cases


@pytest.mark.parametrize(("code", "inputs", "sector", "expected"), _cases())
def test_sizeclass_boundary(code: str, inputs: dict[str, float], sector: str,
                            expected: str) -> None:
    r = classify(code, **inputs)
    assert r.sector == sector
    assert r.size_class == expected, r.rule
    assert r.rule.startswith(f"{sector}：")
    assert r.rule.split("（")[0].endswith(f"→ {expected}")
    assert r.reason == ""
    assert set(r.inputs_used) == set(inputs)


@pytest.mark.parametrize("sector", list(RULES))
def test_sizeclass_all_sectors_covered(sector: str) -> None:
    from ingest.sizeclass import SECTORS

    assert set(SECTORS[sector].thresholds) == set(RULES[sector][1])
    assert SECTORS[sector].thresholds == RULES[sector][1]
    assert set(SECTORS) == set(RULES)


@pytest.mark.parametrize(
    ("code", "employees", "revenue", "expected"),
    [
        # 且: one indicator below drops the class, however big the other is.
        pytest.param("3130", 5000, 1999.99, "小型", id="industry-many-staff-low-revenue"),
        pytest.param("3130", 299, 1_000_000, "小型", id="industry-huge-revenue-299-staff"),
        pytest.param("3130", 19, 1_000_000, "微型", id="industry-micro-by-staff-only"),
        pytest.param("3130", 320, 25000, "中型", id="issue-example"),
        pytest.param("5181", 4, 100_000, "微型", id="wholesale-micro-by-staff"),
    ],
)
def test_sizeclass_and_or_semantics(code: str, employees: int, revenue: float,
                                    expected: str) -> None:
    assert classify(code, employees=employees, revenue=revenue).size_class == expected


@pytest.mark.parametrize("sector", list(RULES))
def test_sizeclass_docstring_table_matches_rules(sector: str) -> None:
    import ingest.sizeclass as mod

    letters = {"employees": "X", "revenue": "Y", "total_assets": "Z"}
    lines = (mod.__doc__ or "").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(sector))
    block = " ".join(lines[start:start + 3])
    for indicator, bounds in RULES[sector][1].items():
        for b in bounds:
            assert f"{letters[indicator]}≥{b:g}" in block, (sector, indicator, b)
        assert f"{letters[indicator]}<{bounds[2]:g}" in block
