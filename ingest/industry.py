"""GB/T 4754-2017 national economic industry classification (国民经济行业分类), four levels.

Data: ``seeds/industry/gbt4754_2017.csv`` (see ``seeds/README.md``). Levels:
1 门类 (section letter ``C``), 2 大类 (division ``31``), 3 中类 (group ``313``),
4 小类 (class ``3130``). Codes are stored without the section letter except
for sections themselves; ``"C3130"``, ``"c 3130"`` and ``"３１３０"`` all mean
``3130``.

The source table lacks the 中类 that hold a single 小类 (the standard then
repeats the name: 311 炼铁 → 3110 炼铁). Those groups are rebuilt here from
their class (``derived=True``) so that every class has a group parent and the
``PART_OF`` tree is complete: class → group → division → section. One source row
is repaired (3741 飞机制造, recorded there as a duplicate group ``374``).

Nothing here touches a database.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from graph.errors import InvalidInput

SEED_FILE = Path(__file__).resolve().parents[1] / "seeds" / "industry" / "gbt4754_2017.csv"
LEVEL_NAMES = {1: "门类", 2: "大类", 3: "中类", 4: "小类"}

# Known defects of the source table: class 3741 飞机制造 is recorded as a second group "374".
_ROW_FIXES: dict[tuple[str, str], dict[str, str]] = {
    ("374", "飞机制造"): {"code": "3741", "level": "4", "class": "3741"},
}


@dataclass(frozen=True)
class Industry:
    code: str
    name: str
    level: int
    section: str
    parent_code: str | None
    description: str = ""
    derived: bool = False  # a single-class group rebuilt from its class

    def row(self) -> dict[str, Any]:
        """Properties of the ``Industry`` node (graph/MODEL.md); ``id`` is the code."""
        return {"id": self.code, "code": self.code, "name": self.name, "level": self.level}

    @property
    def qualified_code(self) -> str:
        """Code with its section letter (``C3130``), as printed in many forms."""
        return self.code if self.level == 1 else self.section + self.code


class _Table:
    def __init__(self, path: Path) -> None:
        self.by_code: dict[str, Industry] = {}
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        for r in rows:
            fix = _ROW_FIXES.get((r["code"], r["name"]))
            if fix:
                r.update(fix)
        groups = {r["code"] for r in rows if r["level"] == "3"}
        for r in rows:
            level = int(r["level"])
            code = r["code"]
            if level == 4 and r["group"] not in groups:
                # Single-class group: same name as its class (GB/T 4754 convention).
                g = r["group"]
                self.by_code[g] = Industry(g, r["name"], 3, r["section"], r["division"],
                                           "", derived=True)
                groups.add(g)
            parent = {1: None, 2: r["section"], 3: r["division"], 4: r["group"]}[level]
            self.by_code[code] = Industry(code, r["name"], level, r["section"], parent,
                                          r["description"])
        self.children: dict[str, list[str]] = {}
        for ind in self.by_code.values():
            if ind.parent_code:
                self.children.setdefault(ind.parent_code, []).append(ind.code)


@lru_cache(maxsize=1)
def _table() -> _Table:
    return _Table(SEED_FILE)


def normalize_code(code: str) -> str:
    """Fold width, case, spaces and an optional section letter: ``"C 3130"`` → ``"3130"``.

    Raises :class:`InvalidInput` when the text cannot be an industry code or the letter
    does not match the code's section.
    """
    s = unicodedata.normalize("NFKC", str(code)).strip().upper().replace(" ", "")
    s = s.replace(".", "")
    if not s:
        raise InvalidInput("行业代码为空 (empty industry code)", field="industry_code")
    if len(s) == 1 and s.isalpha():
        return s
    letter, digits = (s[0], s[1:]) if s[0].isalpha() else ("", s)
    if not digits.isdigit() or len(digits) not in (2, 3, 4):
        raise InvalidInput(f"行业代码格式无效：{code!r}，应为2–4位数字，可带门类字母 "
                           f"(malformed industry code {code!r})", field="industry_code")
    if letter:
        ind = _table().by_code.get(digits)
        if ind is not None and ind.section != letter:
            raise InvalidInput(f"行业代码 {digits} 属于门类 {ind.section}，不是 {letter} "
                               f"(code {digits} is in section {ind.section}, not {letter})",
                               field="industry_code")
    return digits


def get_industry(code: str) -> Industry | None:
    """The industry for a code with or without its section letter, or None when unknown."""
    try:
        norm = normalize_code(code)
    except InvalidInput:
        return None
    return _table().by_code.get(norm)


def require_industry(code: str) -> Industry:
    """Like :func:`get_industry` but raises :class:`InvalidInput` saying what is wrong."""
    norm = normalize_code(code)
    ind = _table().by_code.get(norm)
    if ind is None:
        raise InvalidInput(f"未知的行业代码 {norm}（GB/T 4754-2017 中不存在） "
                           f"(unknown industry code {norm})", field="industry_code")
    return ind


def ancestors(code: str) -> list[Industry]:
    """Parents of an industry from the nearest up to its section; empty for a section."""
    t = _table()
    ind = require_industry(code)
    out: list[Industry] = []
    while ind.parent_code:
        ind = t.by_code[ind.parent_code]
        out.append(ind)
    return out


def descendants(code: str, level: int | None = None) -> list[Industry]:
    """Every industry below ``code`` (optionally only those at ``level``)."""
    t = _table()
    start = require_industry(code)
    out: list[Industry] = []
    stack = list(reversed(t.children.get(start.code, [])))
    while stack:
        c = stack.pop()
        ind = t.by_code[c]
        if level is None or ind.level == level:
            out.append(ind)
        stack.extend(reversed(t.children.get(c, [])))
    return out


def all_industries() -> list[Industry]:
    """Every industry, including rebuilt single-class groups."""
    return list(_table().by_code.values())


def industry_rows() -> Iterator[dict[str, Any]]:
    """Rows for ``Industry`` nodes (id = code)."""
    for ind in _table().by_code.values():
        yield ind.row()


def industry_links() -> Iterator[tuple[str, str]]:
    """(child code, parent code) pairs for ``(Industry)-[:PART_OF]->(Industry)``."""
    for ind in _table().by_code.values():
        if ind.parent_code:
            yield ind.code, ind.parent_code
