"""Service KPIs and the request list on both engines, against six hand-built requests
whose figures are worked out below (sample graph of tests/queries_sample.py).

    id  requester (size)     area  submitted   path                          resp.h  sat.
    A   E1 唐钢 大型 链主     物资采购 2026-01-10  → matched E6 小型 → evaluated  10      5
    B   E6 小型 (1302)       生产制造 2026-01-20  → matched E1 链主 → in_progress 30     –
    C   E4 中型 (1301)       设计研发 2026-02-05  → matched E5 大型 → evaluated  50      2
    D   E3 微型 (1302)       物资采购 2026-02-10  → cancelled                    –       –
    E   E8 小型 (1304)       市场营销 2026-02-15  → matching → rejected           –       –
    F   E2 中型 (1302)       资金融通 2026-03-01  submitted                      –       –

Not cancelled: 5; matched or beyond: A B C → match rate 0.6; done: A C → 0.4; rejected 0.2.
融通 (small/micro ↔ leading): A and B of the three with a partner → 2/3. C pairs a 中型
firm with a 大型 one, which is not 融通 by the standard's reading (小型/微型 only).
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from graph.errors import InvalidInput
from graph.store import Store
from queries import service_writes as sv
from queries.services import get_request, kpis, list_requests
from tests.queries_sample import build_sample


def _h(t: str, hours: float) -> str:
    return sv.iso(datetime.fromisoformat(t.replace("Z", "+00:00")) + timedelta(hours=hours))


@pytest.fixture
def six(store: Store) -> Store:
    build_sample(store)

    def new(rid: str, ent: str, area: str, at: str) -> None:
        sv.create_request(store, enterprise=ent, area=area, title=f"请求{rid}", request_id=rid,
                          at=at)

    def matched(rid: str, at: str, partner: str, hours: float) -> None:
        sv.advance(store, rid, "matching", at=_h(at, 1))
        sv.advance(store, rid, "matched", partner=partner, at=_h(at, hours))

    a, b, c = "2026-01-10T08:00:00Z", "2026-01-20T08:00:00Z", "2026-02-05T08:00:00Z"
    new("A", "E1", "物资采购", a)
    matched("A", a, "E6", 10)
    for i, step in enumerate(("in_progress", "completed")):
        sv.advance(store, "A", step, at=_h(a, 20 + i))
    sv.record_feedback(store, "A", satisfaction=5, at=_h(a, 30))
    new("B", "E6", "生产制造", b)
    matched("B", b, "E1", 30)
    sv.advance(store, "B", "in_progress", at=_h(b, 40))
    new("C", "E4", "设计研发", c)
    matched("C", c, "E5", 50)
    for i, step in enumerate(("in_progress", "completed")):
        sv.advance(store, "C", step, at=_h(c, 60 + i))
    sv.record_feedback(store, "C", satisfaction=2, feedback="不够匹配", at=_h(c, 70))
    new("D", "E3", "物资采购", "2026-02-10T08:00:00Z")
    sv.advance(store, "D", "cancelled", at="2026-02-11T08:00:00Z")
    new("E", "E8", "市场营销", "2026-02-15T08:00:00Z")
    sv.advance(store, "E", "matching", at="2026-02-15T09:00:00Z")
    sv.advance(store, "E", "rejected", note="超出服务范围", at="2026-02-16T09:00:00Z")
    new("F", "E2", "资金融通", "2026-03-01T08:00:00Z")
    return store


def test_services_kpis_overall(six: Store) -> None:
    k = kpis(six)
    assert k["total"] == 6 and k["open"] == 1
    assert k["by_status"] == {"submitted": 1, "matching": 0, "matched": 0, "in_progress": 1,
                              "completed": 0, "evaluated": 2, "rejected": 1, "cancelled": 1}
    assert k["by_area"] == {"创新创意": 0, "设计研发": 1, "生产制造": 1, "物资采购": 2,
                            "市场营销": 1, "资金融通": 1}
    assert (k["match_rate"], k["completion_rate"], k["rejection_rate"]) == (0.6, 0.4, 0.2)
    assert k["response_hours"] == {"n": 3, "mean": 30.0, "median": 30.0}
    assert k["satisfaction"] == {"n": 2, "mean": 3.5, "satisfied_share": 0.5,
                                 "distribution": {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1}}
    assert k["rongtong"] == {"matched": 3, "sme_with_leading": 2, "share": 0.6667}
    assert k["filters"] == {"region": None, "area": None, "since": None, "until": None}


def test_services_kpis_follow_up(six: Store) -> None:
    f = kpis(six)["follow_up"]  # as of now: F has waited since March
    assert f["stale_count"] == 1 and f["stale"][0]["id"] == "F"
    assert f["stale"][0]["status"] == "submitted" and f["stale_hours"] == 72
    assert f["poor_count"] == 1
    assert f["poor"] == [{"id": "C", "title": "请求C", "satisfaction": 2, "feedback": "不够匹配"}]
    assert kpis(six, as_of="2026-03-02")["follow_up"]["stale_count"] == 0  # 16 h idle
    assert kpis(six, as_of="2026-03-02", stale_hours=12)["follow_up"]["stale_count"] == 1
    feb = kpis(six, since="2026-02-01", until="2026-02-28")["follow_up"]
    assert feb["as_of"] == "2026-03-01T00:00:00Z" and feb["stale_count"] == 0
    with pytest.raises(InvalidInput):
        kpis(six, stale_hours=0)


def test_services_kpis_by_month(six: Store) -> None:
    months = {m["month"]: m for m in kpis(six)["by_month"]}
    assert list(months) == ["2026-01", "2026-02", "2026-03"]
    jan, feb, mar = months["2026-01"], months["2026-02"], months["2026-03"]
    assert (jan["total"], jan["match_rate"], jan["completion_rate"]) == (2, 1.0, 0.5)
    assert jan["response_hours"] == {"n": 2, "mean": 20.0, "median": 20.0}
    assert (jan["satisfaction_mean"], jan["rongtong_share"]) == (5.0, 1.0)
    assert (feb["total"], feb["match_rate"], feb["completion_rate"]) == (3, 0.5, 0.5)
    assert (feb["satisfaction_mean"], feb["rongtong_share"]) == (2.0, 0.0)
    assert feb["by_status"]["cancelled"] == 1 and feb["by_status"]["rejected"] == 1
    assert (mar["total"], mar["match_rate"], mar["rongtong_share"]) == (1, 0.0, None)
    assert mar["response_hours"] == {"n": 0, "mean": None, "median": None}


def test_services_kpis_filters(six: Store) -> None:
    tangshan = kpis(six, region="1302")  # requesters E1, E6, E3, E2
    assert tangshan["total"] == 4 and tangshan["filters"]["region"] == "1302"
    assert tangshan["rongtong"] == {"matched": 2, "sme_with_leading": 2, "share": 1.0}
    with pytest.raises(InvalidInput):  # a region name must name a loaded Region
        kpis(six, region="不存在区")
    buying = kpis(six, area="物资采购")
    assert buying["total"] == 2 and buying["by_status"]["cancelled"] == 1
    assert buying["match_rate"] == 1.0  # A of the one not cancelled
    feb = kpis(six, since="2026-02-01", until="2026-02-15")  # a date includes its day
    assert feb["total"] == 3 and feb["filters"]["until"] == "2026-02-16T00:00:00Z"
    assert kpis(six, since="2026-02-01", until="2026-02-15T08:00:00Z")["total"] == 2
    assert kpis(six, since="2027-01-01")["total"] == 0
    empty = kpis(six, since="2027-01-01")
    assert empty["match_rate"] is None and empty["by_month"] == []
    with pytest.raises(InvalidInput):
        kpis(six, area="咨询")
    with pytest.raises(InvalidInput):
        kpis(six, since="last week")


def test_services_list_pages_newest_first(six: Store) -> None:
    seen: list[str] = []
    cursor = None
    for _ in range(5):
        page = list_requests(six, limit=2, cursor=cursor)
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["F", "E", "D", "C", "B", "A"]
    first = list_requests(six, limit=2)
    # a request arriving between pages does not shift the next page
    sv.create_request(six, enterprise="E9", area="创新创意", title="新请求", request_id="G",
                      at="2026-03-05T08:00:00Z")
    second = list_requests(six, limit=2, cursor=first["next_cursor"])
    assert [i["id"] for i in second["items"]] == ["D", "C"]
    item = {i["id"]: i for i in list_requests(six, limit=10)["items"]}["A"]
    assert item["status_zh"] == "已评价" and item["offered"] == 1 and item["accepted"] == 1
    assert item["enterprise"] == {"id": "E1", "name": "唐山钢铁集团有限责任公司"}
    assert item["response_hours"] == 10.0 and item["satisfaction"] == 5


def test_services_list_filters(six: Store) -> None:
    def ids(**kw: Any) -> list[str]:
        return [i["id"] for i in list_requests(six, limit=50, **kw)["items"]]

    assert ids(status="evaluated") == ["C", "A"]
    assert ids(status="in_progress,submitted") == ["F", "B"]
    assert ids(status=["rejected", "cancelled"]) == ["E", "D"]
    assert ids(area="物资采购") == ["D", "A"]
    assert ids(enterprise="唐钢") == ["A"]
    assert ids(region="1302") == ["F", "D", "B", "A"]
    assert ids(since="2026-02-10", until="2026-02-15") == ["E", "D"]
    with pytest.raises(InvalidInput) as e:
        list_requests(six, status="lost")
    assert e.value.field == "status"
    with pytest.raises(InvalidInput) as e:
        list_requests(six, cursor="not-a-cursor")
    assert e.value.field == "cursor"
    with pytest.raises(InvalidInput):
        list_requests(six, limit=0)
    with pytest.raises(InvalidInput) as e:
        list_requests(six, enterprise="\x00")
    assert e.value.field == "enterprise"
    forged = base64.urlsafe_b64encode(json.dumps(["2026-01-01\x00", "A"]).encode()).decode()
    with pytest.raises(InvalidInput) as e:
        list_requests(six, cursor=forged)
    assert e.value.field == "cursor"


@pytest.mark.neo4j
def test_services_kpis_same_on_both_engines(embedded_store: Store, neo4j_store: Store) -> None:
    answers = []
    for s in (embedded_store, neo4j_store):
        s.clear()
        build_sample(s)
        sv.demo_service_requests(s, n=24)
        items = list_requests(s, limit=500)["items"]
        answers.append((kpis(s, as_of="2026-11-01"),
                        kpis(s, region="1302", since="2026-03-01", until="2026-06-30"), items,
                        [get_request(s, i["id"]) for i in items[:5]]))
        s.clear()
    assert answers[0] == answers[1]
    assert answers[0][0]["total"] == 24 and answers[0][0]["by_month"]


@pytest.mark.parametrize("since,until", [
    pytest.param("2026-02-01", "2026-01-01", id="dates"),
    pytest.param("2026-02-15T08:00:00Z", "2026-02-15T08:00:00Z", id="no-time-between"),
    pytest.param("2026-02-16", "2026-02-15", id="day-after-the-inclusive-until"),
])
def test_services_kpis_since_after_until_is_refused(six: Store, since: str, until: str) -> None:
    # audit L6: since=2025-02-01&until=2025-01-01 answered an empty result, as if no request
    # had been made, instead of saying the period is reversed
    for call in (kpis, list_requests):
        with pytest.raises(InvalidInput) as e:
            call(six, since=since, until=until)
        assert e.value.field == "since" and e.value.status == 422
        assert e.value.message == (f"起始 since（{since}）须早于截止 until（{until}） / "
                                   f"since ({since}) must come before until ({until})")
    assert kpis(six, since="2026-02-15", until="2026-02-15")["filters"]["until"] == (
        "2026-02-16T00:00:00Z")  # a date-only until includes its day: one day, allowed
