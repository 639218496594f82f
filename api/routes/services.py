"""Service records over HTTP: ``/api/v1/services/requests`` and ``/api/v1/services/kpis``.

Enterprises' requests for matchmaking in the six collaboration areas, recorded from
submission to evaluation, and the platform's service KPIs (服务评价与改进). Writes (POST,
PATCH) need an editor key; reads any reader. Thin: every route is one call of
:mod:`queries.service_writes` (writes) or :mod:`queries.services` (reads).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from api import examples as ex
from api.deps import EditorKey, StoreDep
from api.problems import problem_responses
from queries import service_writes as sv
from queries import services as qs

router = APIRouter(prefix="/api/v1", tags=["services"])

Area = Literal["创新创意", "设计研发", "生产制造", "物资采购", "市场营销", "资金融通"]
Status = Literal["submitted", "matching", "matched", "in_progress", "completed", "evaluated",
                 "rejected", "cancelled"]

_REQUEST_EXAMPLE: dict[str, Any] = {
    "id": "sr-2026-0001", "area": "物资采购", "title": "采购船用钢板",
    "description": "年需求约 2 万吨，交货地唐山港", "relation": "SUPPLIES",
    "status": "matched", "status_zh": "已对接", "allowed_next": ["in_progress", "matching",
                                                               "cancelled"],
    "created_at": "2026-03-01T08:00:00Z", "updated_at": "2026-03-02T10:00:00Z",
    "response_hours": 26.0, "satisfaction": None, "feedback": None, "source": "api",
    "synthetic": False,
    "enterprise": {"id": "E000123", "name": "唐山某钢铁集团有限公司", "size_class": "大型",
                   "tiers": ["链主企业"], "region_code": "130203"},
    "about": [{"id": "E000123-N2", "name": "采购船用钢板", "label": "Need"}],
    "matches": [{"partner": "E000456", "name": "唐山某船板有限公司", "size_class": "小型",
                 "tiers": ["专精特新中小企业"], "region_code": "130207", "score": 3.4,
                 "reasons": ["匹配需求：采购船用钢板"], "accepted": True,
                 "method": "recommender", "offered_at": "2026-03-01T10:00:00Z",
                 "decided_at": "2026-03-02T10:00:00Z"}],
    "timeline": [
        {"at": "2026-03-01T08:00:00Z", "actor": "portal", "event": "status", "from": None,
         "to": "submitted", "to_zh": "已受理", "note": None},
        {"at": "2026-03-01T10:00:00Z", "actor": "service-desk", "event": "status",
         "from": "submitted", "to": "matching", "to_zh": "匹配中", "note": None},
        {"at": "2026-03-01T10:00:00Z", "actor": "service-desk", "event": "offered",
         "partners": ["E000456"]},
        {"at": "2026-03-02T10:00:00Z", "actor": "service-desk", "event": "accepted",
         "partner": "E000456"},
        {"at": "2026-03-02T10:00:00Z", "actor": "service-desk", "event": "status",
         "from": "matching", "to": "matched", "to_zh": "已对接", "note": None}],
}
_ITEM_EXAMPLE: dict[str, Any] = {
    "id": "sr-2026-0001", "area": "物资采购", "title": "采购船用钢板", "status": "matched",
    "status_zh": "已对接", "created_at": "2026-03-01T08:00:00Z",
    "updated_at": "2026-03-02T10:00:00Z", "response_hours": 26.0, "satisfaction": None,
    "enterprise": {"id": "E000123", "name": "唐山某钢铁集团有限公司"}, "offered": 3,
    "accepted": 1,
}
_KPI_EXAMPLE: dict[str, Any] = {
    "filters": {"region": "1302", "area": None, "since": "2026-01-01T00:00:00Z",
                "until": None},
    "total": 60,
    "by_status": {"submitted": 4, "matching": 6, "matched": 6, "in_progress": 8,
                  "completed": 6, "evaluated": 22, "rejected": 4, "cancelled": 4},
    "by_area": {"创新创意": 2, "设计研发": 5, "生产制造": 9, "物资采购": 38, "市场营销": 3,
                "资金融通": 3},
    "open": 10, "match_rate": 0.7143, "completion_rate": 0.5, "rejection_rate": 0.0714,
    "response_hours": {"n": 42, "mean": 61.3, "median": 52.0},
    "satisfaction": {"n": 22, "mean": 4.05, "distribution": {"1": 1, "2": 1, "3": 3, "4": 7,
                                                             "5": 10},
                     "satisfied_share": 0.7727},
    "rongtong": {"matched": 42, "sme_with_leading": 17, "share": 0.4048},
    "by_month": [{"month": "2026-01", "total": 6, "by_status": {"evaluated": 4, "matched": 2},
                  "match_rate": 1.0, "completion_rate": 0.6667,
                  "response_hours": {"n": 6, "mean": 40.5, "median": 38.0},
                  "satisfaction_mean": 4.25, "satisfaction_n": 4, "rongtong_share": 0.5}],
    "follow_up": {"as_of": "2026-11-27T10:00:00Z", "stale_hours": 72, "stale_count": 1,
                  "stale": [{"id": "sr-2026-0042", "title": "寻找陶瓷色釉料本地供应商",
                             "status": "matching", "since": "2026-11-20T09:00:00Z"}],
                  "poor_count": 1,
                  "poor": [{"id": "sr-2026-0007", "title": "联合开发新型耐火材料",
                            "satisfaction": 2, "feedback": "对接企业不够匹配"}]},
}


class RequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "request_id": "sr-2026-0001", "enterprise": "E000123", "area": "物资采购",
        "title": "采购船用钢板", "description": "年需求约 2 万吨，交货地唐山港",
        "about": "E000123-N2"}]})

    request_id: str | None = Field(
        None, max_length=128, description="Client-chosen id (letters, digits, ._:-): sending "
        "the same request again with it creates nothing new (idempotent). Generated if absent.")
    enterprise: str = Field(max_length=200, description="Requesting enterprise: id, USCC or name.")
    area: Area = Field(description="One of the six collaboration areas.")
    title: str = Field(max_length=200, description="What is asked for, in a line.")
    description: str | None = Field(None, max_length=2000, description="Details.")
    about: str | None = Field(None, max_length=200,
                              description="Id of the Need, Product or Capability it concerns.")
    relation: Literal["SUPPLIES", "SUPPLIED_BY", "COOPERATES_WITH", "INVESTS_IN"] | None = Field(
        None, description="Kind of partner sought (default by area: 物资采购/生产制造 → "
        "SUPPLIES, 市场营销 → SUPPLIED_BY, else COOPERATES_WITH).")
    at: str | None = Field(None, max_length=40, description="When it was received (ISO-8601; "
                           "default now). For recording requests taken offline.")


class AdvanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"status": "matching", "recommend": True, "note": "已转对接专员"},
        {"status": "matched", "partner": "E000456"}]})

    status: Status = Field(description="The next status (only allowed transitions succeed).")
    note: str | None = Field(None, max_length=2000, description="Why (required to reject).")
    partner: str | None = Field(None, max_length=200, description="For matched: the partner "
                                "accepted (id, USCC or name).")
    recommend: bool = Field(False, description="For matching: let the partner recommender "
                            "propose partners, stored with score and reasons.")
    top: int = Field(5, ge=1, le=20, description="How many partners to propose.")
    satisfaction: int | None = Field(None, ge=1, le=5, description="For evaluated: 1–5.")
    feedback: str | None = Field(None, max_length=2000, description="For evaluated: comments.")
    at: str | None = Field(None, max_length=40, description="When it happened (ISO-8601; "
                           "default now; not before the last change).")


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"satisfaction": 5, "feedback": "对接高效，合作顺利"}]})

    satisfaction: int = Field(ge=1, le=5, description="Satisfaction 1 (poor) to 5 (excellent).")
    feedback: str | None = Field(None, max_length=2000, description="Comments.")
    at: str | None = Field(None, max_length=40, description="When (ISO-8601; default now).")


class OffersIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"partners": ["E000456", "唐山某船板有限公司"], "note": "专员线下推荐"}]})

    partners: list[str] = Field(min_length=1, max_length=20,
                                description="Partner enterprises (id, USCC or name).")
    note: str | None = Field(None, max_length=2000, description="Why these.")
    at: str | None = Field(None, max_length=40, description="When (ISO-8601; default now).")


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"accepted": True, "note": "已电话确认"}]})

    accepted: bool = Field(description="Whether the requester accepts this partner.")
    note: str | None = Field(None, max_length=2000, description="Why.")
    at: str | None = Field(None, max_length=40, description="When (ISO-8601; default now).")


class ServiceRequestOut(BaseModel):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [_REQUEST_EXAMPLE]})

    id: str = Field(description="Request id.")
    area: str | None = Field(None, description="Collaboration area.")
    title: str | None = Field(None, description="Title.")
    status: str = Field(description="Current status; status_zh is its Chinese name.")
    timeline: list[dict[str, Any]] = Field(
        default_factory=list, description="Every change in order: status changes, partners "
        "offered, accepted or declined (time, actor, note).")
    matches: list[dict[str, Any]] = Field(
        default_factory=list, description="Partners offered, with score, reasons, decision "
        "and method: recommender, or manual when a person offered the firm (reasons open with "
        "人工推荐; the recommender's score and reasons are kept when it had proposed the firm).")


class RequestPage(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"items": [_ITEM_EXAMPLE], "next_cursor": "WyIyMDI2LTAzLTAxVDA4OjAwOjAwWiIsInNyLTEiXQ"}]})

    items: list[dict[str, Any]] = Field(description="Requests, newest first.")
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page.")


class KpisOut(BaseModel):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [_KPI_EXAMPLE]})

    filters: dict[str, Any] = Field(description="The filters applied (normalised).")
    total: int = Field(description="Requests matching the filters.")


RequestId = Annotated[str, Path(description="Service request id.", examples=["sr-2026-0001"],
                                max_length=128)]
Since = Annotated[str | None, Query(max_length=40, description="Requests submitted on or after "
                                   "this date/time (ISO-8601).", examples=["2026-01-01"])]
Until = Annotated[str | None, Query(max_length=40, description="Submitted before this time, or "
                                    "on or before this date.", examples=["2026-12-31"])]
RegionQ = Annotated[str | None, Query(max_length=60, description="Requester's region (division "
                                      "code or name).", examples=["1302"])]
AreaQ = Annotated[Area | None, Query(description="Collaboration area.", examples=["物资采购"])]


@router.post("/services/requests", summary="Submit a service request", status_code=201,
             response_model=ServiceRequestOut, responses={
                 **ex.response(_REQUEST_EXAMPLE, 200,
                               "Already recorded under this request_id (replay)."),
                 **problem_responses(401, 403, 404, 409, 422)})
def create_request(body: RequestIn, store: StoreDep, key: EditorKey,
                   response: Response) -> dict[str, Any]:
    """Record an enterprise's request (status submitted); idempotent on request_id."""
    out = sv.create_request(store, enterprise=body.enterprise, area=body.area, title=body.title,
                            description=body.description, about=body.about,
                            relation=body.relation, request_id=body.request_id,
                            actor=key.name, at=body.at, source="api")
    if not out.created:
        response.status_code = 200
    return qs.get_request(store, out.id)


@router.get("/services/requests", summary="List service requests",
            responses=problem_responses(401, 404, 422))
def list_requests(
    store: StoreDep,
    status: Annotated[str | None, Query(max_length=200, description="Status, or several "
                                        "separated by commas.", examples=["matching,matched"])
                      ] = None,
    area: AreaQ = None,
    enterprise: Annotated[str | None, Query(max_length=200, description="Requesting "
                                            "enterprise (id, USCC or name).",
                                            examples=["E000123"])] = None,
    region: RegionQ = None, since: Since = None, until: Until = None,
    limit: Annotated[int, Query(ge=1, le=500, description="Requests per page.",
                                examples=[50])] = 50,
    cursor: Annotated[str | None, Query(max_length=400, description="Opaque cursor from "
                                        "`next_cursor`.", examples=[None])] = None,
) -> RequestPage:
    """Service requests, newest first, filtered, one page at a time."""
    page = qs.list_requests(store, status=status, area=area, enterprise=enterprise,
                            region=region, since=since, until=until, limit=limit, cursor=cursor)
    return RequestPage(**page)


@router.get("/services/requests/{request_id}", summary="One service request with its timeline",
            response_model=ServiceRequestOut, responses=problem_responses(401, 404))
def get_request(request_id: RequestId, store: StoreDep) -> dict[str, Any]:
    """One request from submission to evaluation: partners offered and every change."""
    return qs.get_request(store, request_id)


@router.patch("/services/requests/{request_id}", summary="Advance a service request",
              response_model=ServiceRequestOut,
              responses=problem_responses(401, 403, 404, 409, 422))
def advance_request(request_id: RequestId, body: AdvanceIn, store: StoreDep,
                    key: EditorKey) -> dict[str, Any]:
    """Move a request to its next status; a transition not allowed answers 422."""
    return sv.advance(store, request_id, body.status, actor=key.name, note=body.note,
                      at=body.at, partner=body.partner, recommend=body.recommend, top=body.top,
                      satisfaction=body.satisfaction, feedback=body.feedback)


@router.post("/services/requests/{request_id}/matches", summary="Offer partners",
             response_model=ServiceRequestOut,
             responses=problem_responses(401, 403, 404, 409, 422))
def offer_matches(request_id: RequestId, body: OffersIn, store: StoreDep,
                  key: EditorKey) -> dict[str, Any]:
    """Offer partners chosen by the service desk to a request that is matching."""
    return sv.offer_matches(store, request_id, body.partners, actor=key.name, note=body.note,
                            at=body.at)


@router.post("/services/requests/{request_id}/matches/{partner}/decision",
             summary="Accept or decline an offered partner", response_model=ServiceRequestOut,
             responses=problem_responses(401, 403, 404, 409, 422))
def decide_match(
    request_id: RequestId,
    partner: Annotated[str, Path(max_length=200, description="Offered partner (enterprise id).",
                                 examples=["E000456"])],
    body: DecisionIn, store: StoreDep, key: EditorKey,
) -> dict[str, Any]:
    """Record the requester's decision on one offered partner."""
    return sv.decide_match(store, request_id, partner, body.accepted, actor=key.name,
                           note=body.note, at=body.at)


@router.post("/services/requests/{request_id}/feedback", summary="Evaluate a completed service",
             response_model=ServiceRequestOut,
             responses=problem_responses(401, 403, 404, 409, 422))
def feedback(request_id: RequestId, body: FeedbackIn, store: StoreDep,
             key: EditorKey) -> dict[str, Any]:
    """Record satisfaction (1–5) and feedback; the request becomes evaluated."""
    return sv.record_feedback(store, request_id, satisfaction=body.satisfaction,
                              feedback=body.feedback, actor=key.name, at=body.at)


@router.get("/services/kpis", summary="Service KPIs", response_model=KpisOut,
            responses=problem_responses(401, 422))
def kpis(
    store: StoreDep, region: RegionQ = None, area: AreaQ = None, since: Since = None,
    until: Until = None,
    stale_hours: Annotated[int, Query(ge=1, le=8760, description="Open requests idle this "
                                      "long are listed for follow-up.", examples=[72])] = 72,
    as_of: Annotated[str | None, Query(max_length=40, description="Follow-up as of this time "
                                       "(default: end of the period, or now).",
                                       examples=["2026-11-27T10:00:00Z"])] = None,
) -> dict[str, Any]:
    """Counts, match and completion rates, response hours, satisfaction, 融通 share, by month."""
    return qs.kpis(store, region=region, area=area, since=since, until=until,
                   stale_hours=stale_hours, as_of=as_of)
