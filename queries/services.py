"""Service records, read side: list requests (keyset cursor), one request's timeline, KPIs.

The KPIs measure the platform's own service (服务评价与改进) over the requests that match
a filter (area, requester region, creation time):

- counts by status and by area;
- match rate: requests at or past ``matched`` / all requests that were not cancelled;
- completion rate: ``completed`` or ``evaluated`` / all requests that were not cancelled;
- response hours (submission → first ``matched``): mean and median;
- satisfaction (1–5): mean, distribution and the share rated 4 or 5;
- 融通 share: of the requests with an accepted partner, those pairing a small or micro
  firm (小型/微型) with a leading firm (tier 链主企业 or size 大型), either way round;
- the same figures per month of submission;
- what to follow up (改进): open requests (submitted or matching) with no change for
  ``stale_hours`` (default 72) as of the end of the period, and evaluations rated 1 or 2
  with their feedback.

Rows come from one query (``service_kpi_rows.cypher``) and are aggregated here, so both
engines give the same medians and shares. Writes live in :mod:`queries.service_writes`; no
Cypher text here.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from graph.errors import InvalidInput, NotFound
from graph.store import Row, Store
from queries import run
from queries.chains import as_tiers
from queries.common import region_label, resolve_enterprise, resolve_region
from queries.gaps import is_leading

AREAS: tuple[str, ...] = ("创新创意", "设计研发", "生产制造", "物资采购", "市场营销", "资金融通")
STATUSES: tuple[str, ...] = ("submitted", "matching", "matched", "in_progress", "completed",
                             "evaluated", "rejected", "cancelled")
STATUS_ZH: dict[str, str] = {
    "submitted": "已受理", "matching": "匹配中", "matched": "已对接", "in_progress": "合作中",
    "completed": "已完成", "evaluated": "已评价", "rejected": "不予受理", "cancelled": "已取消",
}
NEXT: dict[str, tuple[str, ...]] = {
    "submitted": ("matching", "rejected", "cancelled"),
    "matching": ("matched", "rejected", "cancelled"),
    "matched": ("in_progress", "matching", "cancelled"),
    "in_progress": ("completed", "cancelled"),
    "completed": ("evaluated",),
}
MATCHED_OR_BEYOND = frozenset({"matched", "in_progress", "completed", "evaluated"})
DONE = frozenset({"completed", "evaluated"})
SMALL = frozenset({"小型", "微型"})
MAX_PAGE = 500


# --- filters --------------------------------------------------------------------------

_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")


def check_chars(value: str | None, field: str) -> str | None:
    """Refuse control characters and lone surrogates (no engine stores them faithfully)."""
    if value is not None and _BAD_CHARS.search(value):
        raise InvalidInput(f"{field} 含有控制字符 / contains control characters", field=field)
    return value



def _bound(value: str | datetime | None, field: str, *, upper: bool) -> str | None:
    """An ISO-8601 UTC bound on ``created_at``. A date-only ``until`` includes that day."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        t = value
    else:
        text = value.strip()
        try:
            t = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidInput(f"{field} 不是有效的日期 / is not an ISO-8601 date or time: "
                               f"{text!r}", field=field) from None
        if upper and len(text) == 10:
            try:
                t += timedelta(days=1)
            except OverflowError:  # 9999-12-31: no upper bound at all
                return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _period(since: str | datetime | None,
            until: str | datetime | None) -> tuple[str | None, str | None]:
    """The bounds of ``since`` … ``until``; a period that ends before it begins is refused
    rather than answered as if no request had been made in it."""
    lo, hi = _bound(since, "since", upper=False), _bound(until, "until", upper=True)
    if lo is not None and hi is not None and lo >= hi:
        raise InvalidInput(f"起始 since（{since}）须早于截止 until（{until}） / since ({since}) "
                           f"must come before until ({until})", field="since")
    return lo, hi


def _area(area: str | None) -> str | None:
    if area is None or not area.strip():
        return None
    if area.strip() not in AREAS:
        raise InvalidInput(f"服务领域须为 {'、'.join(AREAS)} 之一 / area must be one of the six "
                           f"collaboration areas: {area!r}", field="area")
    return area.strip()


def _statuses(status: str | Sequence[str] | None) -> list[str] | None:
    if status is None:
        return None
    items = [status] if isinstance(status, str) else list(status)
    out = [s.strip().lower() for part in items for s in part.split(",") if s.strip()]
    for s in out:
        if s not in STATUSES:
            raise InvalidInput(f"未知状态 / unknown status {s!r}; use one of "
                               f"{', '.join(STATUSES)}", field="status")
    return out or None


def _encode_cursor(created_at: str, id_: str) -> str:
    raw = json.dumps([created_at, id_], ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _decode_cursor(cursor: str | None) -> tuple[str | None, str | None]:
    if not cursor:
        return None, None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeError, binascii.Error):
        value = None
    if not (isinstance(value, list) and len(value) == 2
            and all(isinstance(v, str) for v in value)
            and _ISO.match(value[0]) and _ID.match(value[1])):
        raise InvalidInput("cursor 无效 / cursor is not one of ours", field="cursor")
    return value[0], value[1]


# --- list and detail -------------------------------------------------------------------------


def list_requests(store: Store, *, status: str | Sequence[str] | None = None,
                  area: str | None = None, enterprise: str | None = None,
                  region: str | None = None, since: str | datetime | None = None,
                  until: str | datetime | None = None, limit: int = 50,
                  cursor: str | None = None) -> dict[str, Any]:
    """``{items: [...], next_cursor}``: requests newest first, one page at a time.

    The cursor is the last row's (created_at, id), so pages stay stable while new
    requests arrive (they sort before the first page).
    """
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}", field="limit")
    after_created, after_id = _decode_cursor(cursor)
    check_chars(enterprise, "enterprise")
    check_chars(region, "region")
    lo, hi = _period(since, until)
    params = {
        "statuses": _statuses(status), "area": _area(area),
        "enterprise": resolve_enterprise(store, enterprise)["id"] if enterprise else None,
        "prefix": resolve_region(store, region), "since": lo, "until": hi,
        "after_created": after_created, "after_id": after_id, "limit": limit + 1,
    }
    rows = run(store, "service_list", params)
    page = rows[:limit]
    nxt = (_encode_cursor(str(page[-1]["created_at"]), str(page[-1]["id"]))
           if len(rows) > limit and page else None)
    items = [{
        "id": r["id"], "area": r["area"], "title": r["title"], "status": r["status"],
        "status_zh": STATUS_ZH.get(str(r["status"]), r["status"]),
        "created_at": r["created_at"], "updated_at": r["updated_at"],
        "response_hours": r["response_hours"], "satisfaction": r["satisfaction"],
        "enterprise": {"id": r["enterprise_id"], "name": r["enterprise_name"]},
        "offered": int(r["offered"] or 0), "accepted": int(r["accepted"] or 0),
    } for r in page]
    return {"items": items, "next_cursor": nxt}


def get_request(store: Store, request_id: str) -> dict[str, Any]:
    """One request from submission to evaluation: its fields, requester, what it is
    about, the partners offered (with decisions) and the timeline of every change."""
    rows = run(store, "service_get", {"id": request_id})
    if not rows:
        raise NotFound(f"服务请求不存在 / no service request {request_id!r}",
                       entity="ServiceRequest", key=request_id)
    r = rows[0]
    s = dict(r["request"])
    try:
        history = json.loads(s.get("history_json") or "[]")
    except ValueError:
        history = []
    timeline = []
    for h in history if isinstance(history, list) else []:
        entry = dict(h)
        if entry.get("event") == "status":
            entry["to_zh"] = STATUS_ZH.get(str(entry.get("to")), entry.get("to"))
        timeline.append(entry)
    matches = [{
        "partner": m["partner"], "name": m["name"], "size_class": m["size_class"],
        "tiers": as_tiers(m["tiers"]), "region_code": m["region_code"], "score": m["score"],
        "reasons": [str(x) for x in (m["reasons"] or [])], "accepted": m["accepted"],
        "method": m["method"], "offered_at": m["offered_at"], "decided_at": m["decided_at"],
    } for m in run(store, "service_matches", {"id": request_id})]
    status = str(s.get("status"))
    return {
        "id": s["id"], "area": s.get("area"), "title": s.get("title"),
        "description": s.get("description"), "relation": s.get("relation"),
        "status": status, "status_zh": STATUS_ZH.get(status, status),
        "allowed_next": list(NEXT.get(status, ())),
        "created_at": s.get("created_at"), "updated_at": s.get("updated_at"),
        "response_hours": s.get("response_hours"), "satisfaction": s.get("satisfaction"),
        "feedback": s.get("feedback"), "source": s.get("source"),
        "synthetic": bool(s.get("synthetic", False)),
        "enterprise": {"id": r["enterprise_id"], "name": r["enterprise_name"],
                       "size_class": r["size_class"], "tiers": as_tiers(r["tiers"]),
                       "region_code": r["region_code"]},
        "about": [{"id": a["id"], "name": a["name"], "label": a["label"]}
                  for a in run(store, "service_about", {"id": request_id})],
        "matches": matches,
        "timeline": timeline,
    }


# --- KPIs -------------------------------------------------------------------------------------


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _small(size: Any, tiers: list[str]) -> bool:
    return size in SMALL and not is_leading(size, tiers)


def rongtong(row: Row) -> bool:
    """Whether the request paired a small/micro firm with a leading firm (either way)."""
    me_tiers = as_tiers(row["tiers"])
    me_small, me_lead = _small(row["size_class"], me_tiers), is_leading(row["size_class"],
                                                                        me_tiers)
    for p in row["partners"] or []:
        if not p or p.get("id") is None:
            continue
        tiers = as_tiers(p.get("tiers"))
        if (me_small and is_leading(p.get("size_class"), tiers)) or (
                me_lead and _small(p.get("size_class"), tiers)):
            return True
    return False


def _has_partner(row: Row) -> bool:
    return any(p and p.get("id") is not None for p in row["partners"] or [])


def summarise(rows: Iterable[Row]) -> dict[str, Any]:
    """The KPI figures of a set of ``service_kpi_rows`` rows."""
    rows = list(rows)
    status = Counter(str(r["status"]) for r in rows)
    area = Counter(str(r["area"]) for r in rows)
    live = len(rows) - status["cancelled"]
    matched = sum(status[s] for s in MATCHED_OR_BEYOND)
    done = sum(status[s] for s in DONE)
    hours = [float(r["response_hours"]) for r in rows if r["response_hours"] is not None]
    sat = [int(r["satisfaction"]) for r in rows if r["satisfaction"] is not None]
    paired = [r for r in rows if _has_partner(r)]
    rt = sum(1 for r in paired if rongtong(r))
    return {
        "total": len(rows),
        "by_status": {s: status[s] for s in STATUSES},
        "by_area": {a: area[a] for a in AREAS},
        "open": status["submitted"] + status["matching"],
        "match_rate": _rate(matched, live),
        "completion_rate": _rate(done, live),
        "rejection_rate": _rate(status["rejected"], live),
        "response_hours": {
            "n": len(hours),
            "mean": round(statistics.fmean(hours), 2) if hours else None,
            "median": round(statistics.median(hours), 2) if hours else None,
        },
        "satisfaction": {
            "n": len(sat),
            "mean": round(statistics.fmean(sat), 2) if sat else None,
            "distribution": {str(k): sat.count(k) for k in range(1, 6)},
            "satisfied_share": _rate(sum(1 for x in sat if x >= 4), len(sat)),
        },
        "rongtong": {"matched": len(paired), "sme_with_leading": rt,
                     "share": _rate(rt, len(paired))},
    }


def follow_up(rows: Iterable[Row], as_of: str, stale_hours: int,
              limit: int = 20) -> dict[str, Any]:
    """Open requests idle for ``stale_hours`` as of ``as_of``, and poor evaluations."""
    t = datetime.fromisoformat(as_of.replace("Z", "+00:00")) - timedelta(hours=stale_hours)
    cutoff = t.strftime("%Y-%m-%dT%H:%M:%SZ")
    rows = list(rows)
    stale = sorted((r for r in rows if r["status"] in ("submitted", "matching")
                    and str(r["updated_at"] or r["created_at"]) < cutoff),
                   key=lambda r: (str(r["updated_at"] or r["created_at"]), str(r["id"])))
    poor = sorted((r for r in rows if r["satisfaction"] is not None
                   and int(r["satisfaction"]) <= 2),
                  key=lambda r: (int(r["satisfaction"]), str(r["id"])))
    return {
        "as_of": as_of, "stale_hours": stale_hours, "stale_count": len(stale),
        "stale": [{"id": r["id"], "title": r["title"], "status": r["status"],
                   "since": r["updated_at"] or r["created_at"]} for r in stale[:limit]],
        "poor_count": len(poor),
        "poor": [{"id": r["id"], "title": r["title"], "satisfaction": r["satisfaction"],
                  "feedback": r["feedback"]} for r in poor[:limit]],
    }


def kpis(store: Store, *, region: str | None = None, area: str | None = None,
         since: str | datetime | None = None, until: str | datetime | None = None,
         stale_hours: int = 72, as_of: str | datetime | None = None) -> dict[str, Any]:
    """Service KPIs over the requests matching the filters, overall and per month of
    submission (months with no request are left out), and what to follow up as of
    ``as_of`` (default: the end of the period, or now when it is open)."""
    if not 1 <= stale_hours <= 24 * 365:
        raise InvalidInput("stale_hours must be between 1 and 8760", field="stale_hours")
    lo, hi = _period(since, until)
    prefix = resolve_region(store, check_chars(region, "region"))
    params = {"area": _area(area), "prefix": prefix, "since": lo, "until": hi}
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = _bound(as_of, "as_of", upper=False) or min(params["until"] or now, now)
    rows = run(store, "service_kpi_rows", params)
    months: dict[str, list[Row]] = {}
    for r in rows:
        months.setdefault(str(r["created_at"])[:7], []).append(r)
    by_month = []
    for month in sorted(months):
        fig = summarise(months[month])
        by_month.append({
            "month": month, "total": fig["total"], "by_status": fig["by_status"],
            "match_rate": fig["match_rate"], "completion_rate": fig["completion_rate"],
            "response_hours": fig["response_hours"],
            "satisfaction_mean": fig["satisfaction"]["mean"],
            "satisfaction_n": fig["satisfaction"]["n"],
            "rongtong_share": fig["rongtong"]["share"],
        })
    return {
        "filters": {"region": region_label(region, prefix), "area": params["area"],
                    "since": params["since"], "until": params["until"]},
        **summarise(rows),
        "by_month": by_month,
        "follow_up": follow_up(rows, end, stale_hours),
    }
