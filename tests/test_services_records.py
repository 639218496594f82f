"""Service records on both engines: idempotent creation, the enforced status machine,
partners offered by the recommender or by hand, decisions, feedback, the timeline, and
compare-and-set against concurrent changes (sample graph of tests/queries_sample.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from graph.errors import InvalidInput, NotFound
from graph.store import Store
from queries import service_writes as sv
from queries.services import get_request
from tests.queries_sample import build_sample

T0 = "2026-03-01T08:00:00Z"


@pytest.fixture
def sample(store: Store) -> Store:
    build_sample(store)
    return store


def _count(store: Store, query: str) -> int:
    return int(store.read(query)[0]["c"])


def _new(store: Store, rid: str = "r1", **kw: Any) -> str:
    args: dict[str, Any] = {"enterprise": "E1", "area": "物资采购", "title": "采购船用钢板",
                               "about": "N2", "request_id": rid, "at": T0, "actor": "portal"}
    args.update(kw)
    return sv.create_request(store, **args).id


def test_services_records_create_is_idempotent(sample: Store) -> None:
    first = sv.create_request(sample, enterprise="唐钢", area="物资采购", title="采购船用钢板",
                              about="N2", request_id="r1", at=T0)
    again = sv.create_request(sample, enterprise="E1", area="物资采购", title="采购船用钢板",
                              about="N2", request_id="r1")
    assert first.created and not again.created and again.id == "r1"
    assert _count(sample, "MATCH (s:ServiceRequest) RETURN count(s) AS c") == 1
    assert _count(sample, "MATCH (:Enterprise {id: 'E1'})-[r:REQUESTED]->(:ServiceRequest) "
                          "RETURN count(r) AS c") == 1
    assert _count(sample, "MATCH (:ServiceRequest)-[r:ABOUT]->(:Need {id: 'N2'}) "
                          "RETURN count(r) AS c") == 1
    r = get_request(sample, "r1")
    assert r["status"] == "submitted" and r["status_zh"] == "已受理"
    assert r["created_at"] == T0 and r["relation"] == "SUPPLIES"
    assert r["about"] == [{"id": "N2", "name": "采购船用钢板", "label": "Need"}]
    assert r["enterprise"]["id"] == "E1" and r["allowed_next"] == ["matching", "rejected",
                                                                    "cancelled"]
    # the same id for different content is a conflict, not a silent overwrite
    with pytest.raises(sv.ServiceConflict) as e:
        sv.create_request(sample, enterprise="E1", area="物资采购", title="采购焦炭",
                          request_id="r1")
    assert e.value.status == 409
    # without a client id each call makes a new request
    a = sv.create_request(sample, enterprise="E6", area="设计研发", title="联合开发")
    b = sv.create_request(sample, enterprise="E6", area="设计研发", title="联合开发")
    assert a.id != b.id and a.id.startswith("sr-")


@pytest.mark.parametrize("kw,field", [
    pytest.param({"area": "咨询"}, "area", id="area"),
    pytest.param({"title": "  "}, "title", id="title"),
    pytest.param({"about": "nope"}, "about", id="about"),
    pytest.param({"request_id": "bad id!"}, "request_id", id="request-id"),
    pytest.param({"relation": "LIKES"}, "relation", id="relation"),
    pytest.param({"at": "yesterday"}, "at", id="at"),
    pytest.param({"at": "2099-01-01"}, "at", id="future"),
    pytest.param({"enterprise": "\x00"}, "enterprise", id="nul-enterprise"),
    pytest.param({"title": "采购\ud8c8"}, "title", id="lone-surrogate"),
    pytest.param({"about": "N2\x00"}, "about", id="nul-about"),
])
def test_services_records_create_rejects_bad_input(sample: Store, kw: dict[str, Any],
                                                   field: str) -> None:
    with pytest.raises(InvalidInput) as e:
        _new(sample, **kw)
    assert e.value.field == field
    assert _count(sample, "MATCH (s:ServiceRequest) RETURN count(s) AS c") == 0


def test_services_records_unknown_enterprise_is_not_found(sample: Store) -> None:
    with pytest.raises(NotFound):
        _new(sample, enterprise="不存在的公司名称XYZ")


def test_services_records_full_path_and_timeline(sample: Store) -> None:
    _new(sample)
    r = sv.advance(sample, "r1", "matching", recommend=True, actor="desk",
                   at="2026-03-01T10:00:00Z")
    assert r["status"] == "matching"
    offered = {m["partner"]: m for m in r["matches"]}
    # E5 makes 船用钢板, what need N2 asks for: the recommender's best, with its reasons
    assert r["matches"][0]["partner"] == "E5"
    assert offered["E5"]["method"] == "recommender" and offered["E5"]["accepted"] is None
    assert offered["E5"]["score"] > 0 and "匹配需求：采购船用钢板" in offered["E5"]["reasons"]
    assert "E1" not in offered
    r = sv.decide_match(sample, "r1", "E4", False, actor="desk", note="距离远",
                        at="2026-03-01T12:00:00Z")
    assert {m["partner"]: m["accepted"] for m in r["matches"]}["E4"] is False
    with pytest.raises(InvalidInput) as e:  # no accepted partner yet
        sv.advance(sample, "r1", "matched", at="2026-03-02T09:00:00Z")
    assert e.value.field == "partner"
    r = sv.advance(sample, "r1", "matched", partner="E5", actor="desk",
                   at="2026-03-02T10:00:00Z")
    e5 = {m["partner"]: m for m in r["matches"]}["E5"]
    assert e5["accepted"] is True and e5["method"] == "recommender"  # score kept
    assert r["response_hours"] == 26.0
    sv.advance(sample, "r1", "in_progress", at="2026-03-03T10:00:00Z")
    sv.advance(sample, "r1", "completed", at="2026-03-20T10:00:00Z")
    r = sv.record_feedback(sample, "r1", satisfaction=4, feedback="整体满意",
                           actor="portal", at="2026-03-21T10:00:00Z")
    assert r["status"] == "evaluated" and r["satisfaction"] == 4 and r["feedback"] == "整体满意"
    assert r["allowed_next"] == [] and r["response_hours"] == 26.0
    steps = [(h["event"], h.get("to") or h.get("partner")) for h in r["timeline"]]
    assert steps == [("status", "submitted"), ("status", "matching"), ("offered", None),
                     ("declined", "E4"), ("accepted", "E5"), ("status", "matched"),
                     ("status", "in_progress"), ("status", "completed"),
                     ("status", "evaluated")]
    assert [h["at"] for h in r["timeline"]] == sorted(h["at"] for h in r["timeline"])
    assert r["timeline"][3]["note"] == "距离远" and r["timeline"][1]["actor"] == "desk"
    assert r["timeline"][-1]["to_zh"] == "已评价"


@pytest.mark.parametrize("path,bad", [
    pytest.param([], "completed", id="submitted-to-completed"),
    pytest.param([], "evaluated", id="submitted-to-evaluated"),
    pytest.param(["matching"], "in_progress", id="matching-to-in-progress"),
    pytest.param(["cancelled"], "matching", id="cancelled-is-final"),
    pytest.param(["matching"], "submitted", id="no-way-back"),
])
def test_services_records_bad_transition(sample: Store, path: list[str], bad: str) -> None:
    _new(sample)
    for step in path:
        sv.advance(sample, "r1", step)
    before = get_request(sample, "r1")
    with pytest.raises(InvalidInput) as e:
        sv.advance(sample, "r1", bad)
    msg = e.value.message
    assert "不允许" in msg and "is not allowed" in msg and e.value.status == 422
    assert e.value.field == "status"
    assert get_request(sample, "r1") == before  # nothing written


def test_services_records_guards(sample: Store) -> None:
    _new(sample)
    with pytest.raises(InvalidInput) as e:
        sv.advance(sample, "r1", "rejected")  # a rejection says why
    assert e.value.field == "note"
    with pytest.raises(InvalidInput):
        sv.advance(sample, "r1", "flying")
    with pytest.raises(InvalidInput) as e:
        sv.advance(sample, "r1", "matching", at="2026-02-01T00:00:00Z")  # before creation
    assert e.value.field == "at"
    with pytest.raises(InvalidInput) as e:
        sv.advance(sample, "r1", "matching", satisfaction=5)
    assert e.value.field == "satisfaction"
    with pytest.raises(NotFound):
        sv.advance(sample, "nope", "matching")
    with pytest.raises(InvalidInput):  # offers only while matching
        sv.offer_matches(sample, "r1", ["E5"])
    sv.advance(sample, "r1", "matching", at="2026-03-01T09:00:00Z")
    with pytest.raises(InvalidInput):  # the requester is not its own partner
        sv.offer_matches(sample, "r1", ["E1"])
    with pytest.raises(NotFound):  # decisions only on offered partners
        sv.decide_match(sample, "r1", "E5", True)
    r = sv.offer_matches(sample, "r1", ["天津船板制造有限公司", "E6"], actor="desk",
                         note="线下推荐", at="2026-03-01T10:00:00Z")
    assert sorted(m["partner"] for m in r["matches"]) == ["E5", "E6"]
    assert all(m["method"] == "manual" and m["score"] is None for m in r["matches"])
    sv.advance(sample, "r1", "matched", partner="E6", at="2026-03-01T20:00:00Z")
    sv.advance(sample, "r1", "in_progress", at="2026-03-02T09:00:00Z")
    sv.advance(sample, "r1", "completed", at="2026-03-03T09:00:00Z")
    for bad in (0, 6, True):
        with pytest.raises(InvalidInput) as e:
            sv.record_feedback(sample, "r1", satisfaction=bad)
        assert e.value.field == "satisfaction"
    assert get_request(sample, "r1")["status"] == "completed"


def test_services_records_rematch_keeps_first_response_time(sample: Store) -> None:
    _new(sample)
    sv.advance(sample, "r1", "matching", at="2026-03-01T09:00:00Z")
    sv.advance(sample, "r1", "matched", partner="E5", at="2026-03-01T20:00:00Z")
    sv.advance(sample, "r1", "matching", note="对方无法供货", at="2026-03-03T08:00:00Z")
    with pytest.raises(InvalidInput) as e:  # E5 fell through: a new partner is needed
        sv.advance(sample, "r1", "matched", at="2026-03-04T08:00:00Z")
    assert e.value.field == "partner"
    r = sv.advance(sample, "r1", "matched", partner="E6", at="2026-03-04T08:00:00Z")
    assert r["response_hours"] == 12.0  # submission → first match, not the latest
    assert [(h["event"], h.get("partner")) for h in r["timeline"][-4:]] == [
        ("declined", "E5"), ("status", None), ("accepted", "E6"), ("status", None)]
    with pytest.raises(InvalidInput) as e:  # the only accepted partner left
        sv.decide_match(sample, "r1", "E6", False, at="2026-03-04T10:00:00Z")
    assert e.value.field == "accepted"
    assert [m["partner"] for m in r["matches"] if m["accepted"]] == ["E6"]


def test_services_records_compare_and_set(sample: Store) -> None:
    _new(sample)
    stale = sv._state(sample, "r1")
    sv.advance(sample, "r1", "matching", at="2026-03-01T09:00:00Z")
    with pytest.raises(sv.ServiceConflict):
        sv._write_state(sample, stale, {"status": "cancelled", "updated_at": T0})
    assert get_request(sample, "r1")["status"] == "matching"


def test_services_records_history_is_json_on_the_node(sample: Store) -> None:
    _new(sample)
    sv.advance(sample, "r1", "cancelled", note="需求变更", actor="portal",
               at="2026-03-01T09:00:00Z")
    row = sample.read("MATCH (s:ServiceRequest {id: 'r1'}) RETURN s.history_json AS h, "
                      "s.method AS m, s.confidence AS c")[0]
    history = json.loads(row["h"])
    assert history[-1] == {"at": "2026-03-01T09:00:00Z", "actor": "portal", "event": "status",
                           "from": "submitted", "to": "cancelled", "note": "需求变更"}
    assert row["m"] == "manual" and row["c"] == 1.0
    rels = sample.read("MATCH (:Enterprise)-[r:REQUESTED]->(s:ServiceRequest {id: 'r1'})"
                       "-[a:ABOUT]->(:Need) RETURN r.source AS rs, r.method AS rm, "
                       "a.source AS as_, a.ingested_at AS at")
    assert rels and rels[0]["rs"] == "api" and rels[0]["rm"] == "manual"
    assert rels[0]["as_"] == "api" and rels[0]["at"]


def test_services_records_demo_set_is_deterministic(sample: Store) -> None:
    first = sv.demo_service_requests(sample, n=16)
    snap = sample.read("MATCH (s:ServiceRequest) RETURN s.id AS id, s.status AS status, "
                       "s.updated_at AS t ORDER BY id")
    again = sv.demo_service_requests(sample, n=16)
    assert first.created == 16 and again.created == 0 and again.requests == 16
    assert sample.read("MATCH (s:ServiceRequest) RETURN s.id AS id, s.status AS status, "
                       "s.updated_at AS t ORDER BY id") == snap
    statuses = {r["status"] for r in snap}
    assert len(statuses) >= 4
    assert all(r["id"].startswith("demo-sr-") for r in snap)
    assert _count(sample, "MATCH (s:ServiceRequest) WHERE s.synthetic = true "
                          "RETURN count(s) AS c") == 16


def test_services_records_demo_needs_loaded_data(store: Store) -> None:
    with pytest.raises(InvalidInput):
        sv.demo_service_requests(store, n=5)


def test_services_records_demo_calendar_ignores_todays_date(
        sample: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sv, "now_utc", lambda: datetime(2025, 6, 1, tzinfo=UTC))
    out = sv.demo_service_requests(sample, n=6)
    assert out.created == 6 and sum((out.by_status or {}).values()) == 6
    with pytest.raises(InvalidInput) as e:  # everyone else is held to the clock
        _new(sample, at="2026-01-01T00:00:00Z")
    assert e.value.field == "at"


def test_services_records_manual_offer_keeps_recommender_evidence(sample: Store) -> None:
    # audit M6: offering by hand a firm the recommender had proposed erased its evidence
    # (score null, reasons ["人工推荐"]); the record keeps both now, and the KPIs count it
    from queries.services import kpis

    _new(sample)
    r = sv.advance(sample, "r1", "matching", recommend=True, top=3, at="2026-03-01T10:00:00Z")
    proposed = {m["partner"]: m for m in r["matches"]}
    e5 = proposed["E5"]
    assert e5["method"] == "recommender" and e5["score"] > 0 and e5["reasons"]
    other = "E6" if "E6" not in proposed else "E7"
    assert other not in proposed
    for at in ("2026-03-01T11:00:00Z", "2026-03-01T12:00:00Z"):  # a second offer: the same
        r = sv.offer_matches(sample, "r1", ["E5", other], actor="desk", at=at)
        m = {x["partner"]: x for x in r["matches"]}
        assert m["E5"]["method"] == "manual" and m["E5"]["score"] == e5["score"]
        assert m["E5"]["reasons"] == ["人工推荐", *e5["reasons"]]
        assert m["E5"]["offered_at"] == e5["offered_at"] and m["E5"]["accepted"] is None
        assert (m[other]["method"], m[other]["score"], m[other]["reasons"]) == (
            "manual", None, ["人工推荐"])
    assert r["timeline"][-1] == {"at": "2026-03-01T12:00:00Z", "actor": "desk",
                                 "event": "offered", "partners": ["E5", other]}
    r = sv.advance(sample, "r1", "matched", partner="E5", at="2026-03-02T10:00:00Z")
    m5 = {x["partner"]: x for x in r["matches"]}["E5"]
    assert (m5["accepted"], m5["method"], m5["score"]) == (True, "manual", e5["score"])
    k = kpis(sample)
    assert k["total"] == 1 and k["match_rate"] == 1.0 and k["rongtong"]["matched"] == 1


def test_services_records_recommender_keeps_a_persons_offer(sample: Store) -> None:
    # the other order: the recommender proposing a firm a person had offered refreshes its
    # evidence and keeps the person's mark
    _new(sample)
    sv.advance(sample, "r1", "matching", at="2026-03-01T09:00:00Z")
    sv.offer_matches(sample, "r1", ["E5"], actor="desk", at="2026-03-01T10:00:00Z")
    sv.advance(sample, "r1", "matched", partner="E5", at="2026-03-01T20:00:00Z")
    r = sv.advance(sample, "r1", "matching", recommend=True, note="对方无法供货",
                   at="2026-03-03T08:00:00Z")
    m5 = {x["partner"]: x for x in r["matches"]}["E5"]
    assert m5["method"] == "manual" and m5["accepted"] is False and m5["score"] > 0
    assert m5["reasons"][0] == "人工推荐" and "匹配需求：采购船用钢板" in m5["reasons"]
