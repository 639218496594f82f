"""Service records (服务记录): the write side of matchmaking requests, from request to evaluation.

A :class:`ServiceRequest` is what an enterprise asks the platform for in one of the six
collaboration areas. This module creates requests (idempotently, keyed on a client id),
moves them through the allowed statuses, records the partners offered and the requester's
decisions, and the final feedback and satisfaction; each change is appended to the
request's ``history_json`` (time, actor, note), which is the service's timeline.

Status machine (see :data:`TRANSITIONS`)::

    submitted 已受理 → matching 匹配中 → matched 已对接 → in_progress 合作中
        → completed 已完成 → evaluated 已评价
    submitted / matching → rejected 不予受理; anything open → cancelled 已取消;
    matched → matching again (the partner fell through)

Writes are compare-and-set on (status, updated_at), so two concurrent changes cannot
both win. ``demo_service_requests`` writes a deterministic synthetic set over the demo
enterprises through these same functions.

It lives in ``queries/`` beside the read side (``queries/services.py``), not in ``ingest/``:
its writes read first (the request's state for the compare-and-set, enterprise look-ups)
and ask the recommender for partners, and only ``queries/`` and the front doors may build on
the query services (DESIGN.md's one-way flow; ``tests/test_layers.py``).

Must not live here: Cypher text (``graph/cypher/service_*.cypher``), read services and
KPIs (``queries/services.py``), HTTP or CLI concerns.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import re
import uuid
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from graph.errors import InvalidInput, NotFound, RonglianError
from graph.schema import q
from graph.store import GRAPH_CYPHER, Store
from queries import run
from queries.common import resolve_enterprise
from queries.recommend import RELATIONS, clear_cache, recommend_partners
from queries.services import AREAS, STATUS_ZH, STATUSES, check_chars, get_request

log = logging.getLogger("ronglian.services")

#: Allowed next statuses. ``matched → matching`` re-opens matching when a partner falls
#: through; ``evaluated``, ``rejected`` and ``cancelled`` are final.
TRANSITIONS: dict[str, frozenset[str]] = {
    "submitted": frozenset({"matching", "rejected", "cancelled"}),
    "matching": frozenset({"matched", "rejected", "cancelled"}),
    "matched": frozenset({"in_progress", "matching", "cancelled"}),
    "in_progress": frozenset({"completed", "cancelled"}),
    "completed": frozenset({"evaluated"}),
    "evaluated": frozenset(),
    "rejected": frozenset(),
    "cancelled": frozenset(),
}
#: Statuses at or past a successful match (counted by the match rate).
MATCHED_OR_BEYOND: frozenset[str] = frozenset({"matched", "in_progress", "completed",
                                               "evaluated"})
#: The recommender relation used by default for each area: buying and making look for
#: suppliers, marketing for buyers, the rest for cooperation partners.
AREA_RELATION: dict[str, str] = {
    "物资采购": "SUPPLIES", "生产制造": "SUPPLIES", "市场营销": "SUPPLIED_BY",
    "创新创意": "COOPERATES_WITH", "设计研发": "COOPERATES_WITH", "资金融通": "COOPERATES_WITH",
}
ABOUT_LABELS: tuple[str, ...] = ("Need", "Product", "Capability")
#: The reason a person's offer opens with: offered by the desk (offer_matches), or matched
#: directly with a firm nobody had offered (advance to matched with a partner).
MANUAL_OFFER, MANUAL_MATCH = "人工推荐", "人工对接"
MANUAL_REASONS: frozenset[str] = frozenset({MANUAL_OFFER, MANUAL_MATCH})
MAX_TEXT = 2000
_REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
#: How far in the future a recorded time may lie (clock skew between a client and us).
_FUTURE_SLACK = timedelta(minutes=5)
#: Off only while the demo writes its fixed calendar (2026), whatever today's date is.
_CHECK_FUTURE: ContextVar[bool] = ContextVar("ronglian_services_check_future", default=True)


class ServiceConflict(RonglianError):
    """The request changed under the caller, or its id was used for another request."""

    code = "E409"
    status = 409
    title_zh = "服务记录冲突"
    title_en = "Service record conflict"


@dataclass(frozen=True)
class Created:
    """What :func:`create_request` did: the request id and whether this call made it."""

    id: str
    created: bool


# --- times ----------------------------------------------------------------------------


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def iso(t: datetime) -> str:
    """The stored time format: ISO-8601 UTC to the second, so strings sort as times."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: str | datetime | None, *, field: str = "at") -> datetime | None:
    """A datetime (naive = UTC) or ISO string (date only = midnight UTC); ``None`` stays."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        t = value
    else:
        text = str(value).strip()
        try:
            t = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidInput(f"{field} 不是有效的时间 / is not an ISO-8601 time: {text!r}",
                               field=field) from None
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return t.astimezone(UTC).replace(microsecond=0)


def _at(value: str | datetime | None, not_before: str | None) -> datetime:
    t = parse_time(value) or now_utc()
    if _CHECK_FUTURE.get() and t > now_utc() + _FUTURE_SLACK:
        raise InvalidInput("时间不能晚于当前时间 / at must not lie in the future", field="at")
    if not_before and iso(t) < not_before:
        raise InvalidInput(f"时间早于上一条记录（{not_before}） / at is earlier than the last "
                           f"change ({not_before})", field="at")
    return t


# --- validation -----------------------------------------------------------------------


def _text(value: str | None, field: str, *, required: bool = False,
          limit: int = MAX_TEXT) -> str | None:
    text = (check_chars(value, field) or "").strip()
    if not text:
        if required:
            raise InvalidInput(f"{field} 不能为空 / {field} is required", field=field)
        return None
    if len(text) > limit:
        raise InvalidInput(f"{field} 超过 {limit} 字 / {field} is longer than {limit} characters",
                           field=field)
    return text


def _actor(actor: str | None) -> str:
    return _text(actor, "actor", limit=200) or "system"


def check_area(area: str | None) -> str:
    a = (area or "").strip()
    if a not in AREAS:
        raise InvalidInput(f"服务领域须为 {'、'.join(AREAS)} 之一 / area must be one of the six "
                           f"collaboration areas: {a!r}", field="area")
    return a


def check_status(status: str | None, field: str = "status") -> str:
    s = (status or "").strip().lower()
    if s not in STATUSES:
        raise InvalidInput(f"状态须为 {', '.join(STATUSES)} 之一 / unknown status {status!r}",
                           field=field)
    return s


def check_transition(current: str, to: str) -> None:
    """Raise :class:`InvalidInput` (HTTP 422) unless ``current → to`` is allowed."""
    if to not in TRANSITIONS.get(current, frozenset()):
        allowed = sorted(TRANSITIONS.get(current, frozenset()))
        zh = "、".join(f"{STATUS_ZH[a]}({a})" for a in allowed) or "无（已结束）"
        raise InvalidInput(
            f"不允许从{STATUS_ZH.get(current, current)}({current})转为{STATUS_ZH.get(to, to)}"
            f"({to})，可转为：{zh} / transition {current} → {to} is not allowed; allowed: "
            f"{', '.join(allowed) or 'none (final status)'}",
            field="status", current=current, allowed=allowed)


def _fingerprint(enterprise: str, area: str, title: str, description: str | None,
                 about: str | None, relation: str) -> str:
    raw = json.dumps([enterprise, area, title, description or "", about or "", relation],
                     ensure_ascii=False)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


# --- reads the write path needs ---------------------------------------------------------


def _state(store: Store, request_id: str) -> dict[str, Any]:
    rows = run(store, "service_get", {"id": request_id})
    if not rows:
        raise NotFound(f"服务请求不存在 / no service request {request_id!r}",
                       entity="ServiceRequest", key=request_id)
    return {**rows[0]["request"], "enterprise_id": rows[0]["enterprise_id"]}


def _history(state: Mapping[str, Any]) -> list[dict[str, Any]]:
    try:
        out = json.loads(state.get("history_json") or "[]")
    except ValueError:
        out = []
    return out if isinstance(out, list) else []


def _resolve_enterprise(store: Store, key: str, field: str) -> dict[str, Any]:
    check_chars(key, field)
    try:
        return resolve_enterprise(store, key)
    except InvalidInput as e:
        raise InvalidInput(e.message, field=field) from None


# --- writes -------------------------------------------------------------------------------


def create_request(store: Store, *, enterprise: str, area: str, title: str,
                   description: str | None = None, about: str | None = None,
                   relation: str | None = None, request_id: str | None = None,
                   actor: str | None = None, at: str | datetime | None = None,
                   source: str = "api", synthetic: bool = False) -> Created:
    """Record a new request (status ``submitted``); a repeat with the same ``request_id``
    and the same content returns the stored one (``created=False``), different content
    raises :class:`ServiceConflict`."""
    area = check_area(area)
    title_ = _text(title, "title", required=True, limit=200)
    assert title_ is not None
    desc = _text(description, "description")
    rel = (relation or AREA_RELATION[area]).strip().upper()
    if rel not in RELATIONS:
        raise InvalidInput(f"relation must be one of {', '.join(RELATIONS)}", field="relation")
    if request_id is not None:
        request_id = request_id.strip()
        if not _REQUEST_ID.match(request_id):
            raise InvalidInput("request_id 须为 1–128 位字母、数字或 ._:- / request_id must be "
                               "1–128 letters, digits or ._:-", field="request_id")
    rid = request_id or f"sr-{uuid.uuid4().hex[:16]}"
    ent = _resolve_enterprise(store, enterprise, "enterprise")
    about_label = None
    check_chars(about, "about")
    if about:
        rows = store.run("service_target_kind", {"about": about.strip()})
        if not rows:
            raise InvalidInput(f"关联对象不存在 / no Need, Product or Capability {about!r}",
                               field="about")
        about_label = str(rows[0]["label"])
        about = about.strip()
    fp = _fingerprint(ent["id"], area, title_, desc, about, rel)
    t = _at(at, None)
    who = _actor(actor)
    props: dict[str, Any] = {
        "area": area, "title": title_, "description": desc, "status": "submitted",
        "relation": rel, "created_at": iso(t), "updated_at": iso(t), "fingerprint": fp,
        "history_json": json.dumps([{"at": iso(t), "actor": who, "event": "status",
                                     "from": None, "to": "submitted", "note": None}],
                                    ensure_ascii=False),
        "source": source, "method": "seed" if synthetic else "manual", "confidence": 1.0,
        "ingested_at": iso(now_utc()),
    }
    if synthetic:
        props["synthetic"] = True
    props = {k: v for k, v in props.items() if v is not None}
    prov = {k: props[k] for k in ("source", "method", "ingested_at", "confidence")}
    out = store.run("service_create", {"enterprise": ent["id"], "id": rid, "props": props,
                                       "prov": prov}, write=True)
    if not out:  # the MATCH on the enterprise found nothing (deleted in between)
        raise NotFound(f"no enterprise {enterprise!r}", entity="Enterprise", key=enterprise)
    created = bool(out[0]["created"])
    if not created and out[0]["fingerprint"] != fp:
        raise ServiceConflict(f"request_id {rid!r} 已用于另一项请求 / was already used for a "
                              "different request", field="request_id")
    if about_label is not None:
        text = GRAPH_CYPHER.get("service_link_about", store.dialect).replace(
            "{label}", q(about_label))
        store.write(text, {"id": rid, "about": about, "prov": prov})
    if created:
        log.info("service request %s created for %s (%s)", rid, ent["id"], area)
    return Created(rid, created)


def _write_state(store: Store, state: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    rows = store.run("service_transition", {
        "id": state["id"], "from_status": state["status"],
        "expected_updated_at": state["updated_at"], "props": dict(props)}, write=True)
    if not rows:
        raise ServiceConflict(f"服务请求 {state['id']} 已被他人修改，请重试 / the request changed "
                              "meanwhile; read it again and retry", field="status")


def advance(store: Store, request_id: str, to: str, *, actor: str | None = None,
            note: str | None = None, at: str | datetime | None = None,
            partner: str | None = None, recommend: bool = False, top: int = 5,
            satisfaction: int | None = None, feedback: str | None = None) -> dict[str, Any]:
    """Move a request to status ``to``; returns the new state (as :func:`queries.services
    .get_request` answers it).

    - ``matching`` with ``recommend``: the partner recommender proposes up to ``top``
      partners, stored as ``MATCHED`` offers with score and reasons;
    - ``matched`` needs an accepted partner: ``partner`` (offered or not) is accepted
      now, else one accepted earlier must exist; sets ``response_hours`` the first time;
    - ``matched → matching`` (the match fell through) declines the accepted partners;
    - ``evaluated`` needs ``satisfaction`` 1–5 (see :func:`record_feedback`);
    - ``rejected`` needs a ``note`` saying why.
    """
    to = check_status(to)
    state = _state(store, request_id)
    current = str(state["status"])
    check_transition(current, to)
    who, note_ = _actor(actor), _text(note, "note")
    t = _at(at, state.get("updated_at"))
    props: dict[str, Any] = {"status": to, "updated_at": iso(t)}
    history = _history(state)
    if to == "rejected" and not note_:
        raise InvalidInput("不予受理须说明理由 / a rejection needs a note saying why",
                           field="note")
    if to == "evaluated":
        props.update(_evaluation(satisfaction, feedback))
    elif satisfaction is not None or feedback:
        raise InvalidInput("满意度仅在评价时填写 / satisfaction and feedback belong to the "
                           "evaluation (status evaluated)", field="satisfaction")
    accept: str | None = None  # written after the state, so a lost race writes nothing
    offer_manual = False
    fell_through: list[str] = []
    if current == "matched" and to == "matching":  # the match fell through: re-match
        fell_through = sorted(m["partner"] for m in _matches(store, request_id)
                              if m["accepted"] is True)
        history.extend(_event(t, who, "declined", partner=p, note=note_) for p in fell_through)
    if to == "matched":
        matches = _matches(store, request_id)
        accepted = {m["partner"] for m in matches if m["accepted"] is True}
        if partner:
            pid = _resolve_enterprise(store, partner, "partner")["id"]
            if pid == state.get("enterprise_id"):
                raise InvalidInput("不能与自身对接 / a request cannot be matched with its own "
                                   "enterprise", field="partner")
            # keep the recommender's score and reasons when it offered this partner
            offer_manual = pid not in {m["partner"] for m in matches}
            accept = pid
            history.append(_event(t, who, "accepted", partner=pid))
            accepted.add(pid)
        if not accepted:
            raise InvalidInput("转为已对接须指定已接受的对接企业 / matched needs an accepted "
                               "partner: give partner", field="partner")
        if state.get("response_hours") is None:
            created = parse_time(state["created_at"])
            assert created is not None
            props["response_hours"] = round((t - created).total_seconds() / 3600, 2)
    history.append({"at": iso(t), "actor": who, "event": "status", "from": current, "to": to,
                    "note": note_})
    offers: list[dict[str, Any]] = []
    if to == "matching" and recommend:
        offers = _recommend(store, state, top)
        if offers:
            history.append(_event(t, who, "offered", partners=[o["partner"] for o in offers]))
    props["history_json"] = json.dumps(history, ensure_ascii=False)
    _write_state(store, state, props)
    if offers:
        _offer(store, request_id, offers, t)
    for p in fell_through:
        store.run("service_decide_match", {"id": request_id, "partner": p,
                                           "accepted": False, "at": iso(t)}, write=True)
    if accept is not None:
        if offer_manual:
            _offer(store, request_id, [{"partner": accept, "score": None,
                                        "reasons": [MANUAL_MATCH], "method": "manual"}], t)
        store.run("service_decide_match", {"id": request_id, "partner": accept,
                                           "accepted": True, "at": iso(t)}, write=True)
    log.info("service request %s: %s → %s by %s", request_id, current, to, who)
    return get_request(store, request_id)


def record_feedback(store: Store, request_id: str, *, satisfaction: int,
                    feedback: str | None = None, actor: str | None = None,
                    at: str | datetime | None = None) -> dict[str, Any]:
    """The requester's evaluation of a completed service (→ ``evaluated``)."""
    return advance(store, request_id, "evaluated", actor=actor, at=at,
                   satisfaction=satisfaction, feedback=feedback)


def _evaluation(satisfaction: int | None, feedback: str | None) -> dict[str, Any]:
    if satisfaction is None or isinstance(satisfaction, bool) or not isinstance(
            satisfaction, int) or not 1 <= satisfaction <= 5:
        raise InvalidInput("满意度须为 1–5 的整数 / satisfaction must be an integer from 1 to 5",
                           field="satisfaction")
    out: dict[str, Any] = {"satisfaction": satisfaction}
    fb = _text(feedback, "feedback")
    if fb:
        out["feedback"] = fb
    return out


def offer_matches(store: Store, request_id: str, partners: Sequence[str], *,
                  actor: str | None = None, note: str | None = None,
                  at: str | datetime | None = None) -> dict[str, Any]:
    """Offer partners chosen by a person (method ``manual``) to a request in ``matching``; a
    partner the recommender proposed keeps its score and reasons, after 人工推荐."""
    state = _state(store, request_id)
    if state["status"] != "matching":
        raise InvalidInput(f"仅匹配中的请求可推荐对接企业 / partners are offered while the request "
                           f"is matching (it is {state['status']})", field="status")
    if not partners:
        raise InvalidInput("请至少给出一家企业 / give at least one partner", field="partners")
    ids = []
    for p in partners:
        pid = _resolve_enterprise(store, p, "partners")["id"]
        if pid == state.get("enterprise_id"):
            raise InvalidInput("不能推荐请求方自身 / the requester cannot be its own partner",
                               field="partners")
        if pid not in ids:
            ids.append(pid)
    t = _at(at, state.get("updated_at"))
    history = _history(state)
    history.append(_event(t, _actor(actor), "offered", partners=ids, note=_text(note, "note")))
    _write_state(store, state, {"updated_at": iso(t),
                                "history_json": json.dumps(history, ensure_ascii=False)})
    _offer(store, request_id, [{"partner": i, "score": None, "reasons": [MANUAL_OFFER],
                                "method": "manual"} for i in ids], t)
    return get_request(store, request_id)


def decide_match(store: Store, request_id: str, partner: str, accepted: bool, *,
                 actor: str | None = None, note: str | None = None,
                 at: str | datetime | None = None) -> dict[str, Any]:
    """Record that the requester accepted or declined an offered partner. Accepting does
    not change the status: advancing to ``matched`` is its own step."""
    state = _state(store, request_id)
    if state["status"] not in ("matching", "matched"):
        raise InvalidInput(f"仅匹配中或已对接的请求可确认对接企业 / decisions are recorded while "
                           f"matching or matched (it is {state['status']})", field="status")
    pid = _resolve_enterprise(store, partner, "partner")["id"]
    matches = _matches(store, request_id)
    if pid not in {m["partner"] for m in matches}:
        raise NotFound(f"企业 {pid} 未被推荐给该请求 / {pid} was not offered to this request",
                       entity="MATCHED", key=pid)
    still = {m["partner"] for m in matches if m["accepted"] is True} - {pid}
    if state["status"] == "matched" and not accepted and not still:
        raise InvalidInput("已对接的请求不能拒绝唯一的对接企业，请先退回匹配中 / a matched request "
                           "cannot decline its only accepted partner: advance it to matching "
                           "first", field="accepted")
    t = _at(at, state.get("updated_at"))
    history = _history(state)
    history.append(_event(t, _actor(actor), "accepted" if accepted else "declined",
                          partner=pid, note=_text(note, "note")))
    _write_state(store, state, {"updated_at": iso(t),
                                "history_json": json.dumps(history, ensure_ascii=False)})
    store.run("service_decide_match", {"id": request_id, "partner": pid,
                                       "accepted": bool(accepted), "at": iso(t)}, write=True)
    return get_request(store, request_id)


def _event(t: datetime, who: str, event: str, **extra: Any) -> dict[str, Any]:
    return {"at": iso(t), "actor": who, "event": event,
            **{k: v for k, v in extra.items() if v is not None}}


def _matches(store: Store, request_id: str) -> list[dict[str, Any]]:
    return run(store, "service_matches", {"id": request_id})


def _offer(store: Store, request_id: str, rows: list[dict[str, Any]], t: datetime) -> int:
    offered = {m["partner"]: m for m in _matches(store, request_id)}
    rows = [{**_with_evidence(r, offered.get(r["partner"])), "offered_at": iso(t)}
            for r in rows]
    out = store.run("service_offer_matches", {"id": request_id, "rows": rows}, write=True)
    return int(out[0]["offered"]) if out else 0


def _with_evidence(row: dict[str, Any], offered: Mapping[str, Any] | None) -> dict[str, Any]:
    """The offer ``row`` as it is stored over the earlier offer of the same partner: the
    record keeps both that a person offered the firm (method ``manual``, reasons opening
    with 人工推荐 or 人工对接) and the recommender's evidence (its score and reasons), whichever
    came first."""
    if offered is None:
        return row
    if row["method"] == "manual":
        if offered["score"] is None:  # nothing but a person's offer to keep
            return row
        evidence = [r for r in offered["reasons"] if r not in MANUAL_REASONS]
        return {**row, "score": offered["score"], "reasons": row["reasons"] + evidence}
    if offered["method"] == "manual":  # the recommender proposes a firm a person offered
        marks = [r for r in offered["reasons"] if r in MANUAL_REASONS] or [MANUAL_OFFER]
        return {**row, "method": "manual", "reasons": marks + row["reasons"]}
    return row


def _recommend(store: Store, state: Mapping[str, Any], top: int) -> list[dict[str, Any]]:
    """Partners proposed by :func:`queries.recommend.recommend_partners` for the request."""
    eid = state.get("enterprise_id")
    if not eid:
        return []
    relation = str(state.get("relation") or AREA_RELATION.get(str(state.get("area")),
                                                               "SUPPLIES"))
    need = None
    if relation in ("SUPPLIES", "COOPERATES_WITH"):
        about = run(store, "service_about", {"id": state["id"]})
        for a in about:  # the requester's own Need id, else a product's name as free text
            if a["label"] == "Need" and a["owner"] == eid:
                need = str(a["id"])
            elif a["label"] in ("Product", "Capability") and need is None:
                need = str(a["name"])
    answer = recommend_partners(store, eid, relation, need=need, top=max(1, min(top, 20)))
    return [{"partner": r["id"], "score": float(r["score"]),
             "reasons": [str(x) for x in r["reasons"]], "method": "recommender"}
            for r in answer["results"]]


# --- the synthetic demo set ----------------------------------------------------------------

#: Final statuses of the demo requests, in proportions a busy service centre might see.
_DEMO_PLAN: tuple[tuple[str, int], ...] = (
    ("evaluated", 22), ("completed", 6), ("in_progress", 8), ("matched", 6), ("matching", 6),
    ("submitted", 4), ("rejected", 4), ("cancelled", 4))
_PATH = ("submitted", "matching", "matched", "in_progress", "completed", "evaluated")
_REJECT_NOTES = ("需求超出平台服务范围", "信息不完整，未补充材料", "请求方不符合受理条件")
_CANCEL_NOTES = ("企业已自行解决", "需求变更", "项目暂停")
_FEEDBACK = {5: "对接高效，合作顺利", 4: "整体满意，响应可以更快", 3: "基本满足需求",
             2: "对接企业不够匹配", 1: "响应慢，未解决问题"}


@dataclass
class DemoServicesSummary:
    requests: int = 0
    created: int = 0
    by_status: dict[str, int] | None = None


def demo_service_requests(store: Store, *, n: int = 60, seed: int = 20261127,
                          start: str = "2026-01-05T09:00:00Z",
                          recommend: bool = True) -> DemoServicesSummary:
    """Write ``n`` deterministic synthetic requests over the loaded demo enterprises.

    Requesters are firms with open needs (their Need is what the request is about); the
    partners are makers of the need's product, else firms with a capability in the
    request's area. Times follow a fixed 2026 calendar from ``start`` (about eight months
    of submissions), whatever today's date is. Idempotent: ids are ``demo-sr-001``…; a
    request already stored is left alone. ``by_status`` counts the statuses reached.
    ``recommend=False`` skips the recommender (about 0.25 s a request on the demo) and
    has the desk offer the makers or capable firms by hand.
    """
    rows = store.run("service_demo_needs", {"limit": 400})
    if not rows:
        raise InvalidInput("演示服务记录需要先加载演示数据 / load the demo first (ronglian demo): "
                           "no enterprise with an open need", field="store")
    capable = {str(r["area"]): sorted(str(i) for i in r["ids"] if i)
               for r in store.run("service_demo_capable")}
    clear_cache()  # its popularity cache may describe a graph loaded before this one
    rng = random.Random(seed)
    base = [s for s, k in _DEMO_PLAN for _ in range(k)]
    rng.shuffle(base)
    plan = (base * (n // len(base) + 1))[:n]
    t0 = parse_time(start)
    assert t0 is not None
    out = DemoServicesSummary(by_status={})
    token = _CHECK_FUTURE.set(False)
    try:
        _demo_requests(store, plan, rows, capable, seed, t0, out, recommend)
    finally:
        _CHECK_FUTURE.reset(token)
    return out


def _demo_requests(store: Store, plan: list[str], rows: list[dict[str, Any]],
                   capable: dict[str, list[str]], seed: int, t0: datetime,
                   out: DemoServicesSummary, recommend: bool) -> None:
    n = len(plan)
    for i, final in enumerate(plan, start=1):
        # one generator per request: a rerun that skips stored requests draws the same
        rng = random.Random(seed * 10_000 + i)
        need = rows[rng.randrange(len(rows))]
        rid = f"demo-sr-{i:03d}"
        area = str(need["area"]) if need["area"] in AREAS else AREAS[i % len(AREAS)]
        t = t0 + timedelta(days=i * 240 // n, hours=rng.randrange(0, 8))
        res = create_request(store, enterprise=need["enterprise"], area=area,
                             title=str(need["name"]), about=need["need"], request_id=rid,
                             actor="demo", at=t, source="demo", synthetic=True)
        out.requests += 1
        if res.created:
            out.created += 1
            # makers of what the need is about, else firms able to help in its area
            pool = sorted({str(p) for p in (need["partners"] or []) if p}
                          - {need["enterprise"]})
            if not pool:
                pool = [p for p in capable.get(area, []) if p != need["enterprise"]]
            partners = rng.sample(pool, min(3, len(pool)))
            _demo_walk(store, rid, final, partners, t, rng, recommend)
        status = str(_state(store, rid)["status"])
        assert out.by_status is not None
        out.by_status[status] = out.by_status.get(status, 0) + 1


def _demo_walk(store: Store, rid: str, final: str, partners: list[str], t: datetime,
               rng: random.Random, recommend: bool) -> None:
    """Walk one demo request to ``final`` through the public functions: the recommender
    proposes partners (the desk offers ``partners`` by hand when it finds none)."""
    if final in ("rejected", "cancelled"):
        stop_at = rng.choice(("submitted", "matching")) if final == "rejected" else rng.choice(
            ("submitted", "matching", "matched", "in_progress"))
    else:
        stop_at = final
    path = _PATH[: _PATH.index(stop_at) + 1]
    offered: list[str] = []
    for step in path[1:]:
        hours = {"matching": (2, 30), "matched": (4, 24 * 5)}.get(step, (12, 24 * 10))
        t = t + timedelta(hours=rng.randrange(*hours))
        if step == "matching":
            r = advance(store, rid, "matching", actor="demo", at=t, recommend=recommend,
                        top=3)
            offered = [m["partner"] for m in r["matches"]]
            if not offered and partners:
                t = t + timedelta(hours=rng.randrange(1, 48))
                offer_matches(store, rid, partners, actor="demo", note="专员人工推荐", at=t)
                offered = list(partners)
        elif step == "matched":
            if not offered:  # nobody to match: the request stays in matching
                stop_at = "matching"
                break
            pick = offered[0] if rng.random() < 0.6 else rng.choice(offered)
            advance(store, rid, "matched", actor="demo", at=t, partner=pick)
        elif step == "evaluated":
            score = rng.choices((5, 4, 3, 2, 1), weights=(40, 30, 15, 10, 5))[0]
            record_feedback(store, rid, satisfaction=score, feedback=_FEEDBACK[score],
                            actor="demo", at=t)
        else:
            stop_at = step
            advance(store, rid, step, actor="demo", at=t)
    if final in ("rejected", "cancelled") and final in TRANSITIONS[stop_at]:
        notes = _REJECT_NOTES if final == "rejected" else _CANCEL_NOTES
        advance(store, rid, final, actor="demo", at=t + timedelta(hours=rng.randrange(4, 72)),
                note=rng.choice(notes))
