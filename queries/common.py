"""Helpers shared by the query services: region codes and enterprise look-up.

Region matching rule (used everywhere): an enterprise is local to region R when
its ``region_code`` starts with R's code with trailing zero groups removed, so
``1302``/``130200`` (唐山市) covers ``130207`` (丰南区) and its townships.
No Cypher text here: queries live in ``queries/*.cypher``.
"""

from __future__ import annotations

import re
from typing import Any

from graph.errors import InvalidInput, NotFound
from graph.store import Store
from queries import run

_DIGITS = re.compile(r"^\d{2,12}$")


def region_prefix(code: str) -> str:
    """The prefix that identifies a region's enterprises: ``130200`` → ``1302``.

    Six-digit county-level codes drop trailing ``00`` pairs; nine- and twelve-digit
    township codes drop trailing ``000`` groups first.
    """
    code = code.strip()
    if len(code) > 6:
        while len(code) > 6 and code.endswith("000"):
            code = code[:-3]
    if len(code) <= 6:
        while len(code) > 2 and code.endswith("00"):
            code = code[:-2]
    return code


def holding_codes(code: Any) -> list[str]:
    """The codes under which the division holding ``code`` may be filed, nearest first:
    ``130203001`` → ``130203001``, ``130203``, ``1302``, ``13``; ``130200`` → ``130200``,
    ``1302``, ``13``. Empty for no code."""
    if not code or not str(code).strip():
        return []
    code = str(code).strip()
    ladder = (code, region_prefix(code), *(code[:n] for n in (9, 6, 4, 2) if len(code) > n))
    return list(dict.fromkeys(ladder))


def is_local(region_code: Any, prefix: str | None) -> bool:
    """Whether an enterprise with ``region_code`` lies in the region with ``prefix``."""
    if not prefix or not region_code:
        return False
    return str(region_code).startswith(prefix)


def resolve_region(store: Store, region: str | None) -> str | None:
    """Turn a region code or name into a code prefix; ``None`` (or blank) stays ``None``.

    A code must name a loaded division or the region of some enterprise (firms may carry
    codes whose divisions were not loaded); a name must match a Region. Anything else is
    an error: a mistyped code would otherwise answer as a region where nothing lies.
    """
    if region is None or not str(region).strip():
        return None
    text = str(region).strip()
    if _DIGITS.match(text):
        prefix = region_prefix(text)
        if (not run(store, "region_known", {"prefix": prefix})
                and not run(store, "region_firms", {"prefix": prefix})):
            raise InvalidInput(f"未知的行政区划代码 {text} / unknown region code {text!r}: no "
                               "division or enterprise has it", field="region")
        return prefix
    rows = run(store, "region_lookup", {"text": text})
    if not rows:
        raise InvalidInput(f"未知的地区 {text} / unknown region {text!r}: give a division "
                           "code such as 1302 or a name such as 唐山市", field="region")
    # Prefer the broadest region of that name (a city over a town of the same name).
    best = min(rows, key=lambda r: len(str(r["code"])))
    return region_prefix(str(best["code"]))


def region_label(given: str | None, prefix: str | None) -> str | None:
    """The region as answered to the user: the code they gave, else the resolved code."""
    if given is not None and _DIGITS.match(str(given).strip()):
        return str(given).strip()
    return prefix


def resolve_enterprise(store: Store, key: str, field: str = "enterprise") -> dict[str, Any]:
    """Find one enterprise by id, USCC or exact name (indexed), else by a unique exact short
    name or alias, or a unique best search hit; raise NotFound. ``field``: the parameter the
    key came in, as errors name it."""
    text = (key or "").strip()
    if not text:
        raise InvalidInput(f"{field} 不能为空 / {field} is required", field=field)
    rows = run(store, "enterprise_lookup", {"key": text, "upper": text.upper()})
    if rows:
        best = min(rows, key=lambda r: (r["rank"], str(r["id"])))
        return {"id": best["id"], "name": best["name"]}
    from queries.search import search  # local import: search imports this module

    hits = search(store, text, limit=2)["items"]
    if hits and (len(hits) == 1 or hits[0]["score"] > hits[1]["score"]) and hits[0]["score"] >= 90:
        return {"id": hits[0]["id"], "name": hits[0]["name"]}
    raise NotFound(f"未找到企业 {text} / no enterprise matches {text!r}", code="E404",
                   entity="Enterprise", key=text, field=field)
