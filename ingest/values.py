"""Cell parsers of the tabular ingest: numbers with units, money, dates, lists, shares.

Each parser takes a raw cell and returns a clean value or raises
:class:`CellError` with an ``E2xx`` code; the table job turns that into a
quarantine line. Must not live here: anything that reads files or the graph.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime
from typing import Any

from ingest import codes


class CellError(ValueError):
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


_LIST_SPLIT = re.compile(r"[|、;；]")
_NUM = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")
#: Money units → factor to 万元 (the unit of the size rules).
_MONEY_UNITS = (("亿元", 10_000.0), ("万元", 1.0), ("千元", 0.1), ("元", 0.0001),
                ("亿", 10_000.0), ("万", 1.0))


_BLANKS = frozenset({"", "-", "—", "--", "null", "None", "nan", "NaN", "无", "N/A"})


def blank(value: Any) -> bool:
    if type(value) is str:  # the common case first: cells are read as strings
        return value.strip() in _BLANKS
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, list | tuple):
        return len(value) == 0
    return str(value).strip() in _BLANKS


def text(value: Any) -> str | None:
    """A trimmed, width-folded string, or None when blank."""
    if type(value) is str:  # the common case, inlined: this runs for every cell
        s = value.strip()
        if s in _BLANKS:
            return None
        # NFKC leaves ASCII unchanged; skip the call for the (most) cells that are ASCII
        return s if value.isascii() else unicodedata.normalize("NFKC", value).strip()
    if blank(value):
        return None
    return unicodedata.normalize("NFKC", str(value)).strip()


def _clean_number(raw: str) -> str:
    return raw.replace(",", "").replace("，", "").replace(" ", "")


def number(value: Any, *, field: str, allow_negative: bool = False) -> float | None:
    """A plain number (units other than money are stripped: 320人 → 320)."""
    if blank(value):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        out = float(value)
    else:
        s = _clean_number(text(value) or "")
        s = re.sub(r"(人|名|个|家|台|套|吨|件)$", "", s)
        factor = 1.0
        if s.endswith(("万", "亿")):  # 1.2万人: counts are written so too
            s, factor = s[:-1], (10_000.0 if s.endswith("万") else 100_000_000.0)
        if not _NUM.match(s):
            raise CellError(codes.E214_NUMBER, f"{field}: 不是数字 {value!r} (not a number)")
        out = round(float(s) * factor, 6) if factor != 1.0 else float(s)
    if not allow_negative and out < 0:
        raise CellError(codes.E214_NUMBER, f"{field}: 不能为负数 {value!r} (negative)")
    return out


def integer(value: Any, *, field: str) -> int | None:
    n = number(value, field=field)
    if n is None:
        return None
    if n != int(n):
        raise CellError(codes.E214_NUMBER, f"{field}: 应为整数 {value!r} (not an integer)")
    return int(n)


def money(value: Any, *, field: str) -> float | None:
    """An amount in 万元; the cell may say 亿元/万元/元 (no unit: 万元)."""
    if blank(value):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number(value, field=field)
    s = _clean_number(text(value) or "")
    s = s.removeprefix("¥").removeprefix("￥").removeprefix("RMB").removeprefix("rmb")
    factor = 1.0
    for unit, f in _MONEY_UNITS:
        if s.endswith(unit):
            s, factor = s[: -len(unit)], f
            break
    if not _NUM.match(s):
        raise CellError(codes.E214_NUMBER, f"{field}: 金额无效 {value!r} (not an amount)")
    out = float(s) * factor
    if out < 0:
        raise CellError(codes.E214_NUMBER, f"{field}: 金额不能为负 {value!r} (negative)")
    return round(out, 6)


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:T.*)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_MONTH = (re.compile(r"^(\d{4})[-/.](\d{1,2})$"), re.compile(r"^(\d{4})年(\d{1,2})月$"))
_YEAR = re.compile(r"^(\d{4})年?$")
#: A time of day after the date, as pandas writes a date cell ("2010-05-06 00:00:00") and
#: Excel exports one to CSV ("2010/5/6 0:00"); it is dropped, the date kept.
_TIME_OF_DAY = re.compile(r"(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*"
                          r"(?:Z|[+-]\d{2}:?\d{2})?$")


def iso_date(value: Any, *, field: str) -> str | None:
    """``YYYY-MM-DD`` (or ``YYYY-MM`` / ``YYYY`` when the cell is that precise)."""
    if blank(value):
        return None
    if isinstance(value, date):  # a spreadsheet's date cell (datetime, pandas Timestamp)
        return (value.date() if isinstance(value, datetime) else value).isoformat()
    # the time of day goes before the spaces (2010 年 5 月 6 日 is still a date)
    s = _TIME_OF_DAY.sub("", text(value) or "").replace(" ", "")
    try:
        for pat in _DATE_PATTERNS:
            m = pat.match(s)
            if m:
                return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        for pat in _MONTH:
            m = pat.match(s)
            if m:
                if not 1 <= int(m[2]) <= 12:
                    raise ValueError(s)
                return f"{int(m[1]):04d}-{int(m[2]):02d}"
        m = _YEAR.match(s)
        if m:
            return m[1]
    except ValueError as e:
        raise CellError(codes.E215_DATE, f"{field}: 日期无效 {value!r} (bad date)") from e
    raise CellError(codes.E215_DATE, f"{field}: 日期格式无法识别 {value!r} (not a date)")


def share(value: Any, *, field: str) -> float | None:
    """A share in 0–1; ``30%`` and ``30`` (>1) mean 0.3: a bare number up to 1 is a
    fraction (``1`` is the whole), one above 1 a percentage (``1.5`` is 1.5 %)."""
    if blank(value):
        return None
    s = text(value) or ""
    pct = s.endswith(("%", "％"))
    n = number(s.rstrip("%％") if pct else value, field=field)
    if n is None:
        return None
    if pct or n > 1:
        n = n / 100
    if not 0 <= n <= 1:
        raise CellError(codes.E216_RANGE,
                        f"{field}: 比例应在0–1之间 {value!r} (share out of range)")
    return round(n, 6)


def str_list(value: Any) -> list[str]:
    """Multi-valued cell: ``a|b``, ``a、b``, ``a;b`` or a JSON list."""
    if blank(value):
        return []
    if isinstance(value, list | tuple):
        items = [text(v) for v in value]
    else:
        items = [text(v) for v in _LIST_SPLIT.split(str(value))]
    return [i for i in items if i]


def choice(value: Any, allowed: dict[str, str], *, field: str) -> str | None:
    """Map a cell onto one allowed value (``allowed`` maps synonyms to canonical)."""
    if blank(value):
        return None
    s = text(value) or ""
    key = s.lower()
    if key in allowed:
        return allowed[key]
    raise CellError(codes.E217_ENUM, f"{field}: 不允许的取值 {s!r} (not one of "
                    f"{sorted(set(allowed.values()))})")
