"""The review queue over HTTP on both engines: list with cursor paging, confirm
writes the relationship, reject and split write nothing, repeats and unknown ids 4xx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graph.store import Store
from ingest.job import Job
from tests.api_support import auth, make_app, new_token

BASE = "/api/v1/review/candidates"


@pytest.fixture
def queue(store: Store, tmp_path: Path) -> dict[str, str]:
    job = Job(store, "review-test.jsonl", "test", run_dir=tmp_path / "runs")
    job.node("Enterprise", "E1", {"name": "唐山甲钢铁有限公司"})
    job.node("Enterprise", "E2", {"name": "唐山乙机械有限公司"})
    job.node("Enterprise", "E3", {"name": "唐山丙化工有限公司"})
    ids = {
        "supply": job.candidate("relation", {"rel": "SUPPLIES", "start": "E1", "end": "E2",
                                             "props": {"product": "热轧板卷"}},
                                confidence=0.6, reason="below threshold"),
        "coop": job.candidate("relation", {"rel": "COOPERATES_WITH", "start": "E2",
                                           "end": "E3"}, confidence=0.5, reason="low"),
        "merge": job.candidate("merge", {"merge": ["E3", "E1"]}, confidence=0.4,
                               reason="ambiguous name"),
    }
    job.finish()
    return ids


@pytest.fixture
def client(store: Store, tmp_path: Path, queue: dict[str, str]) -> Iterator[TestClient]:
    app = make_app(store, tmp_path)
    with TestClient(app) as c:
        c.headers.update(auth(new_token(app, "editor")))
        c.app_ = app  # type: ignore[attr-defined]
        yield c


def _rels(store: Store, rel: str) -> int:
    return int(store.read(f"MATCH (:Enterprise)-[r:{rel}]->(:Enterprise) RETURN count(r) AS c")
               [0]["c"])


def test_api_review_lists_and_pages(client: TestClient, queue: dict[str, str]) -> None:
    r = client.get(BASE)
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [i["id"] for i in items] == [queue["supply"], queue["coop"], queue["merge"]]
    assert items[0]["payload"]["rel"] == "SUPPLIES" and items[0]["confidence"] == 0.6
    first = client.get(BASE, params={"limit": 2}).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = client.get(BASE, params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [i["id"] for i in second["items"]] == [queue["merge"]]
    assert second["next_cursor"] is None
    assert client.get(BASE, params={"cursor": "garbage"}).status_code == 422
    assert client.get(BASE, params={"status": "bogus"}).status_code == 422


def test_api_review_confirm_writes_the_relationship(client: TestClient, store: Store,
                                                    queue: dict[str, str]) -> None:
    assert _rels(store, "SUPPLIES") == 0
    r = client.post(f"{BASE}/{queue['supply']}/confirm")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "confirmed"
    assert _rels(store, "SUPPLIES") == 1
    assert client.get(f"{BASE}/{queue['supply']}").json()["status"] == "confirmed"
    again = client.post(f"{BASE}/{queue['supply']}/confirm")
    assert again.status_code == 422 and again.json()["code"] == "E400"
    confirmed = client.get(BASE, params={"status": "confirmed"}).json()["items"]
    assert [i["id"] for i in confirmed] == [queue["supply"]]


def test_api_review_reject_and_split_write_nothing(client: TestClient, store: Store,
                                                   queue: dict[str, str]) -> None:
    r = client.post(f"{BASE}/{queue['coop']}/reject")
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    r = client.post(f"{BASE}/{queue['merge']}/split")
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert _rels(store, "COOPERATES_WITH") == 0
    n = store.read("MATCH (e:Enterprise) RETURN count(e) AS c")[0]["c"]
    assert n == 3


def test_api_review_unknown_candidate_is_404(client: TestClient) -> None:
    for verb in ("", "/confirm", "/reject", "/split"):
        method = "GET" if not verb else "POST"
        r = client.request(method, f"{BASE}/cand-nope{verb}")
        assert r.status_code == 404, (verb, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")


def test_api_review_confirm_body_is_validated(client: TestClient, queue: dict[str, str]) -> None:
    r = client.post(f"{BASE}/{queue['supply']}/confirm", json={"choice": 5, "x": 1})
    assert r.status_code == 422


def test_api_review_needs_an_editor(client: TestClient, queue: dict[str, str]) -> None:
    reader = auth(new_token(client.app_, "reader"))  # type: ignore[attr-defined]
    assert client.get(BASE, headers=reader).status_code == 403
    assert client.post(f"{BASE}/{queue['supply']}/confirm", headers=reader).status_code == 403


def _open_end(store: Store, tmp_path: Path) -> str:
    """A supply fact whose buyer the linker could not name (no options to fall back on)."""
    job = Job(store, "open-end.jsonl", "test", run_dir=tmp_path / "runs-open")
    cid = job.candidate("relation", {"rel": "SUPPLIES", "start": "E1", "end": None},
                        confidence=0.5, reason="end not linked")
    job.finish()
    return cid


def test_api_review_open_end_names_the_field(client: TestClient, store: Store,
                                             tmp_path: Path) -> None:
    # audit M8: the API answered "请用 --choice 指定", a command-line flag
    cid = _open_end(store, tmp_path)
    r = client.post(f"{BASE}/{cid}/confirm")
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["field"] == "choice" and "--choice" not in problem["detail"]
    assert problem["detail"] == ("候选关系缺少端点，请用 choice 给出该端点的 id "
                                 "(relation end missing: give its id as choice)")
    r = client.post(f"{BASE}/{cid}/confirm", json={"choice": "E2"})
    assert r.status_code == 200 and r.json()["end"] == "E2"
