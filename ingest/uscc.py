"""Unified social credit code (统一社会信用代码, GB 32100-2015): check, explain, make.

A code has 18 characters from ``0-9A-Z`` without I, O, S, V, Z::

    position 1      登记管理部门代码 (registration authority: 1 机构编制, 5 民政, 9 工商 …)
    position 2      机构类别代码 (entity type, defined per authority)
    positions 3–8   登记管理机关行政区划码 (GB/T 2260 region code)
    positions 9–17  主体标识码 (组织机构代码, GB 11714, itself ending in a check character)
    position 18     校验码 (check character, weighted sum mod 31)

:func:`validate` never raises for bad input: it returns a :class:`UsccResult`
saying why the code fails (length, illegal character and where, check character
expected vs got). Input is normalised first (full-width to half-width,
lowercase to uppercase, spaces and hyphens removed) and the result says so.
:func:`make_uscc` builds valid codes (used by the synthetic demo generator).

Only pure functions live here: no database, no I/O beyond the region lookup
(:mod:`ingest.regions`, reading ``seeds/regions``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

from graph.errors import InvalidInput

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(CHARSET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# GB 11714 organisation code (positions 9–17): digits and A–Z (value 10–35).
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_VALUE = {c: int(c, 36) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}

# 登记管理部门代码 → (Chinese, English, {机构类别代码: (Chinese, English)}), from GB 32100-2015
# appendix A plus the later assignments (A 中央军委改革和编制办公室, N 农业).
AUTHORITIES: dict[str, tuple[str, str, dict[str, tuple[str, str]]]] = {
    "1": ("机构编制", "Institutional establishment (编办)", {
        "1": ("机关", "Government organ"),
        "2": ("事业单位", "Public institution"),
        "3": ("中央编办直接管理机构编制的群众团体", "Mass organisation under the central 编办"),
        "9": ("其他", "Other"),
    }),
    "2": ("外交", "Foreign affairs", {
        "1": ("外国常驻新闻机构", "Resident foreign news agency"),
        "9": ("其他", "Other"),
    }),
    "3": ("司法行政", "Justice administration", {
        "1": ("律师执业机构", "Law firm"),
        "2": ("公证处", "Notary office"),
        "3": ("基层法律服务所", "Grassroots legal service office"),
        "4": ("司法鉴定机构", "Forensic appraisal institution"),
        "5": ("仲裁委员会", "Arbitration commission"),
        "9": ("其他", "Other"),
    }),
    "4": ("文化", "Culture", {
        "1": ("外国在华文化中心", "Foreign cultural centre in China"),
        "9": ("其他", "Other"),
    }),
    "5": ("民政", "Civil affairs", {
        "1": ("社会团体", "Social organisation"),
        "2": ("民办非企业单位", "Private non-enterprise unit"),
        "3": ("基金会", "Foundation"),
        "9": ("其他", "Other"),
    }),
    "6": ("旅游", "Tourism", {
        "1": ("外国旅游部门常驻代表机构", "Resident office of a foreign tourism authority"),
        "2": ("港澳台地区旅游部门常驻内地（大陆）代表机构",
              "Resident office of a Hong Kong/Macao/Taiwan tourism authority"),
        "9": ("其他", "Other"),
    }),
    "7": ("宗教", "Religious affairs", {
        "1": ("宗教活动场所", "Place of religious activity"),
        "2": ("宗教院校", "Religious college"),
        "9": ("其他", "Other"),
    }),
    "8": ("工会", "Trade union", {
        "1": ("基层工会", "Grassroots trade union"),
        "9": ("其他", "Other"),
    }),
    "9": ("工商（市场监管）", "Industry and commerce (market regulation)", {
        "1": ("企业", "Enterprise"),
        "2": ("个体工商户", "Individual business"),
        "3": ("农民专业合作社", "Farmers' specialised cooperative"),
    }),
    "A": ("中央军委改革和编制办公室", "CMC reform and establishment office", {
        "1": ("军队事业单位", "Military public institution"),
        "9": ("其他", "Other"),
    }),
    "N": ("农业", "Agriculture", {
        "1": ("组级集体经济组织", "Group-level collective economic organisation"),
        "2": ("村级集体经济组织", "Village-level collective economic organisation"),
        "3": ("乡镇级集体经济组织", "Township-level collective economic organisation"),
        "9": ("其他", "Other"),
    }),
    "Y": ("其他", "Other", {}),
}


@dataclass(frozen=True)
class UsccResult:
    """What a USCC says, or why it is not one. ``reason_code`` is ``OK`` when valid."""

    input: str
    valid: bool
    code: str  # normalised form (may be invalid)
    reason_code: str
    reason: str  # Chinese first, then English
    notes: list[str] = field(default_factory=list)
    authority_code: str | None = None
    authority_name: str | None = None
    entity_type_code: str | None = None
    entity_type_name: str | None = None
    region_code: str | None = None
    region_name: str | None = None
    org_code: str | None = None
    org_code_check_ok: bool | None = None
    check_char_expected: str | None = None
    check_char_got: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_char(first17: str) -> str:
    """Return the 18th (check) character for the first 17 characters of a USCC."""
    if len(first17) != 17:
        raise InvalidInput(f"need 17 characters, got {len(first17)}", field="first17")
    try:
        total = sum(_VALUE[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    except KeyError:
        i = next(i for i, ch in enumerate(first17) if ch not in _VALUE)
        raise InvalidInput(f"illegal character {first17[i]!r} at position {i + 1}",
                           field="first17") from None
    c = 31 - total % 31
    return CHARSET[0 if c == 31 else c]


def org_check_char(first8: str) -> str:
    """Return the GB 11714 check character for an 8-character organisation code body."""
    try:
        total = sum(_ORG_VALUE[ch] * w for ch, w in zip(first8, _ORG_WEIGHTS, strict=True))
    except KeyError as e:
        raise InvalidInput(f"illegal organisation code character {e.args[0]!r}",
                           field="org_code") from None
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def normalize(code: str) -> tuple[str, list[str]]:
    """Fold full-width, case and separators; return the folded code and what was changed."""
    notes: list[str] = []
    s = unicodedata.normalize("NFKC", code)
    if s != code:
        notes.append("全角字符已转为半角 (full-width characters converted)")
    stripped = "".join(ch for ch in s if not ch.isspace() and ch not in "-_")
    if stripped != s:
        notes.append("已去除空格或连字符 (spaces/hyphens removed)")
    upper = stripped.upper()
    if upper != stripped:
        notes.append("小写字母已转为大写 (lowercase converted to uppercase)")
    return upper, notes


def _region_name(region_code: str) -> str | None:
    try:
        from ingest.regions import region_full_name
    except ImportError:  # regions module not available: explain without a name
        return None
    return region_full_name(region_code)


def validate(code: str) -> UsccResult:
    """Check ``code`` (length, character set, check character) and explain its parts."""
    raw = code if isinstance(code, str) else str(code)
    norm, notes = normalize(raw)

    def fail(reason_code: str, zh: str, en: str, **extra: Any) -> UsccResult:
        return UsccResult(input=raw, valid=False, code=norm, reason_code=reason_code,
                          reason=f"{zh} ({en})", notes=notes, **extra)

    if len(norm) != 18:
        return fail("LENGTH", f"长度应为18位，实际为{len(norm)}位",
                    f"length must be 18, got {len(norm)}")
    for i, ch in enumerate(norm):
        if ch not in _VALUE:
            hint = "（I、O、S、V、Z 不使用）" if ch in "IOSVZ" else ""
            return fail("ILLEGAL_CHAR", f"第{i + 1}位字符“{ch}”不合法{hint}",
                        f"illegal character {ch!r} at position {i + 1}")
    parts = _explain(norm)
    expected = check_char(norm[:17])
    if expected != norm[17]:
        return fail("CHECK_DIGIT", f"校验码不符：应为“{expected}”，实际为“{norm[17]}”",
                    f"check character mismatch: expected {expected!r}, got {norm[17]!r}",
                    check_char_expected=expected, check_char_got=norm[17], **parts)
    if parts["authority_name"] is None:
        return fail("AUTHORITY", f"登记管理部门代码“{norm[0]}”未定义",
                    f"undefined registration authority code {norm[0]!r}",
                    check_char_expected=expected, check_char_got=norm[17], **parts)
    if parts["entity_type_name"] == "未定义":
        notes.append(f"机构类别代码“{norm[1]}”在该登记管理部门下未定义 "
                     f"(entity type {norm[1]!r} undefined for authority {norm[0]!r})")
    if parts["region_name"] is None:
        # Historic or special codes (e.g. 100000 for national bodies) are still legal.
        notes.append(f"登记机关行政区划码 {parts['region_code']} 不在现行区划表中 "
                     f"(region code not in the current division table)")
    return UsccResult(input=raw, valid=True, code=norm, reason_code="OK",
                      reason="校验通过 (valid)", notes=notes,
                      check_char_expected=expected, check_char_got=norm[17], **parts)


def is_valid_normalised(code: str) -> bool:
    """True when ``code`` is an already-normalised valid USCC (``validate`` would say OK
    and return it unchanged): the cheap check that lets bulk loads skip ``validate``."""
    return (len(code) == 18 and _CODE.fullmatch(code) is not None
            and code[0] in AUTHORITIES and check_char(code[:17]) == code[17])


_CODE = re.compile(f"[{CHARSET}]{{18}}")


def _explain(norm: str) -> dict[str, Any]:
    """Decode the parts of an 18-character code over the legal charset."""
    auth = AUTHORITIES.get(norm[0])
    kind_name: str | None = None
    if auth is not None:
        kinds = auth[2]
        kind = kinds.get(norm[1])
        kind_name = kind[0] if kind else ("未定义" if kinds else None)
    region_code = norm[2:8]
    org = norm[8:17]
    try:
        org_ok: bool | None = org_check_char(org[:8]) == org[8]
    except InvalidInput:
        org_ok = False
    return {
        "authority_code": norm[0],
        "authority_name": auth[0] if auth else None,
        "entity_type_code": norm[1],
        "entity_type_name": kind_name,
        "region_code": region_code,
        "region_name": _region_name(region_code) if region_code.isdigit() else None,
        "org_code": org,
        "org_code_check_ok": org_ok,
    }


def make_uscc(region_code: str, serial: int | str, authority: str = "9", kind: str = "1") -> str:
    """Build a valid USCC for a 6-digit ``region_code`` and a serial number.

    An int ``serial`` becomes the 8-digit body of the organisation code (mod 10^8), followed
    by its GB 11714 check character; a str ``serial`` must be the 8- or 9-character
    organisation code itself.
    """
    region_code = str(region_code)
    if len(region_code) != 6 or not region_code.isdigit():
        raise InvalidInput(f"region_code must be 6 digits, got {region_code!r}",
                           field="region_code")
    if authority not in AUTHORITIES:
        raise InvalidInput(f"unknown registration authority {authority!r}", field="authority")
    kinds = AUTHORITIES[authority][2]
    if len(kind) != 1 or kind not in _VALUE or (kinds and kind not in kinds):
        raise InvalidInput(f"unknown entity type {kind!r} for authority {authority!r}",
                           field="kind")
    if isinstance(serial, int):
        if serial < 0:
            raise InvalidInput("serial must not be negative", field="serial")
        body = f"{serial % 100_000_000:08d}"
        org = body + org_check_char(body)
    else:
        s = serial.upper()
        if len(s) == 8:
            org = s + org_check_char(s)
        elif len(s) == 9:
            org = s
        else:
            raise InvalidInput("serial string must be 8 or 9 characters", field="serial")
        bad = [ch for ch in org if ch not in _VALUE]
        if bad:
            raise InvalidInput(f"serial contains illegal character {bad[0]!r}", field="serial")
    first17 = authority + kind + region_code + org
    return first17 + check_char(first17)
