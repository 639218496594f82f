"""HTTP self-check tools: enterprise size class (企业划型) and USCC check (统一社会信用代码).

Thin: each route calls :func:`ingest.sizeclass.classify` or
:func:`ingest.uscc.validate`; neither touches the store. Bad input
(``InvalidInput``: unknown industry code, negative numbers) becomes problem+json
in the app. An invalid USCC is an answer, not an error: HTTP 200 with ``valid: false``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from api.problems import problem_responses
from ingest.sizeclass import classify
from ingest.uscc import validate

router = APIRouter(prefix="/api/v1/tools", tags=["tools"])


class SizeClassRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"industry_code": "3130", "employees": 320, "revenue": 25000, "total_assets": None},
    ]})
    industry_code: str = Field(
        description="GB/T 4754-2017 code (any level), with or without its section letter.",
        min_length=1, max_length=16, examples=["3130", "C3130"])
    employees: int | None = Field(
        None, ge=0, description="从业人员 (persons); null when unknown.", examples=[320])
    revenue: float | None = Field(
        None, ge=0, allow_inf_nan=False, description="营业收入 in 万元; null when unknown.",
        examples=[25000])
    total_assets: float | None = Field(
        None, ge=0, allow_inf_nan=False, description="资产总额 in 万元; null when unknown.",
        examples=[None])


class SizeClassResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "size_class": "中型", "size_class_en": "medium", "sector": "工业",
        "rule": "工业：从业人员≥300 且 营业收入≥2000万元 → 中型（未达大型：从业人员<1000、"
                "营业收入<40000万元）",
        "reason": "", "industry_code": "3130", "industry_name": "钢压延加工",
        "inputs_used": {"employees": 320, "revenue": 25000}, "inputs_missing": [],
    }]})
    size_class: str = Field(description="大型/中型/小型/微型, or 未划型 when undetermined.",
                            examples=["中型"])
    size_class_en: str = Field(description="large/medium/small/micro/undetermined.",
                               examples=["medium"])
    sector: str | None = Field(description="Sector of the rules the code falls in; null when "
                               "the rules do not cover it.", examples=["工业"])
    rule: str = Field(description="The rule that decided (Chinese); empty when undetermined.",
                      examples=["工业：从业人员≥300 且 营业收入≥2000万元 → 中型"])
    reason: str = Field(description="Why undetermined (Chinese, then English); empty when "
                        "decided.", examples=[""])
    industry_code: str = Field(description="Normalised industry code.", examples=["3130"])
    industry_name: str = Field(description="Industry name.", examples=["钢压延加工"])
    inputs_used: dict[str, float] = Field(description="The inputs the sector's rule used.",
                                          examples=[{"employees": 320, "revenue": 25000}])
    inputs_missing: list[str] = Field(description="Inputs the sector needs that were not "
                                      "given.", examples=[[]])


class UsccResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "input": "91350100M000100Y43", "valid": True, "code": "91350100M000100Y43",
        "reason_code": "OK", "reason": "校验通过 (valid)", "notes": [],
        "authority_code": "9", "authority_name": "工商（市场监管）", "entity_type_code": "1",
        "entity_type_name": "企业", "region_code": "350100", "region_name": "福建省福州市",
        "org_code": "M000100Y4", "org_code_check_ok": True,
        "check_char_expected": "3", "check_char_got": "3",
    }]})
    input: str = Field(description="The code as given.", examples=["91350100M000100Y43"])
    valid: bool = Field(description="Whether the code passes GB 32100-2015.", examples=[True])
    code: str = Field(description="Normalised code (half-width, upper case, no spaces).",
                      examples=["91350100M000100Y43"])
    reason_code: str = Field(description="OK, LENGTH, ILLEGAL_CHAR, CHECK_DIGIT or AUTHORITY.",
                             examples=["OK"])
    reason: str = Field(description="Result in Chinese, then English.",
                        examples=["校验码不符：应为“3”，实际为“4” (check character mismatch: "
                                  "expected '3', got '4')"])
    notes: list[str] = Field(description="Normalisations applied and other remarks.",
                             examples=[["小写字母已转为大写 (lowercase converted to uppercase)"]])
    authority_code: str | None = Field(None, description="登记管理部门代码 (position 1).",
                                       examples=["9"])
    authority_name: str | None = Field(None, description="Registration authority.",
                                       examples=["工商（市场监管）"])
    entity_type_code: str | None = Field(None, description="机构类别代码 (position 2).",
                                         examples=["1"])
    entity_type_name: str | None = Field(None, description="Entity type.", examples=["企业"])
    region_code: str | None = Field(None, description="登记管理机关行政区划码 (positions 3–8).",
                                    examples=["130207"])
    region_name: str | None = Field(None, description="Full name of that region.",
                                    examples=["河北省唐山市丰南区"])
    org_code: str | None = Field(None, description="主体标识码/组织机构代码 (positions 9–17).",
                                 examples=["M000100Y4"])
    org_code_check_ok: bool | None = Field(
        None, description="Whether positions 9–17 pass the GB 11714 check (informative).",
        examples=[True])
    check_char_expected: str | None = Field(None, description="Computed check character.",
                                            examples=["3"])
    check_char_got: str | None = Field(None, description="Check character given (position "
                                       "18).", examples=["3"])


@router.post("/size-class", summary="企业划型 size class", responses=problem_responses(422),
             openapi_extra={"x-read-only": True})  # computes, writes nothing
def size_class(body: SizeClassRequest) -> SizeClassResponse:
    """Classify an enterprise as 大型/中型/小型/微型 by the 2011 SME rules (money in 万元)."""
    r = classify(body.industry_code, employees=body.employees, revenue=body.revenue,
                 total_assets=body.total_assets)
    return SizeClassResponse(**r.to_dict())


@router.get("/uscc/{code}", summary="统一社会信用代码校验 USCC check",
            responses=problem_responses(422))
def uscc(
    code: Annotated[str, Path(description="The code to check (18 characters; spaces, "
                              "lower case and full width are normalised).", max_length=64,
                              examples=["91350100M000100Y43"])],
) -> UsccResponse:
    """Check a unified social credit code (GB 32100-2015) and explain its parts."""
    return UsccResponse(**validate(code).to_dict())
