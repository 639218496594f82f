"""Ingest uploads over HTTP: a table becomes a background job whose status, summary and
quarantine file can be fetched; bad uploads are 4xx problems; auth before the body."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.jobs import JobManager
from graph.store import Store
from ingest.uscc import make_uscc
from tests.api_support import auth, make_app, new_token

BASE = "/api/v1/ingest"


@pytest.fixture
def app_client(store: Store, tmp_path: Path) -> Iterator[tuple[FastAPI, TestClient]]:
    app = make_app(store, tmp_path, max_upload_mb=0.05)
    with TestClient(app) as c:
        c.headers.update(auth(new_token(app, "editor")))
        yield app, c


@pytest.fixture
def emb_client(embedded_store: Store, tmp_path: Path) -> Iterator[tuple[FastAPI, TestClient]]:
    """Engine-independent checks run on the embedded engine only."""
    app = make_app(embedded_store, tmp_path, max_upload_mb=0.05)
    with TestClient(app) as c:
        c.headers.update(auth(new_token(app, "editor")))
        yield app, c


def _table() -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["企业名称", "统一社会信用代码", "region_code"])
    w.writerow(["唐山甲钢铁有限公司", make_uscc("130203", 1), "130203"])
    w.writerow(["唐山乙机械有限公司", make_uscc("130204", 2), "130204"])
    w.writerow(["唐山丙化工有限公司", "91130200MA0XXXXXX1", "130205"])  # bad check digit
    return buf.getvalue().encode("utf-8")


def _wait(c: TestClient, job_id: str, timeout: float = 60) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body: dict[str, object] = c.get(f"{BASE}/jobs/{job_id}").json()
        if body["status"] in ("succeeded", "failed", "interrupted"):
            return body
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish")


def test_api_ingest_table_upload_runs_as_a_job(app_client: tuple[FastAPI, TestClient],
                                               store: Store) -> None:
    _, c = app_client
    r = c.post(f"{BASE}/tables", files={"file": ("企业名录.csv", _table(), "text/csv")},
               data={"kind": "enterprises"})
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["status"] in ("queued", "running", "succeeded")
    assert r.headers["location"] == f"{BASE}/jobs/{job['id']}"
    done = _wait(c, job["id"])
    assert done["status"] == "succeeded", done
    summary = done["summary"]
    assert isinstance(summary, dict)
    assert summary["read"] == 3 and summary["quarantined"] == 1
    names = {row["n"] for row in store.read("MATCH (e:Enterprise) RETURN e.name AS n")}
    assert {"唐山甲钢铁有限公司", "唐山乙机械有限公司"} <= names
    assert "唐山丙化工有限公司" not in names

    s = c.get(f"{BASE}/jobs/{job['id']}/summary")
    assert s.status_code == 200 and s.json()["summary"]["quarantined"] == 1
    assert "attachment" in s.headers["content-disposition"]
    q = c.get(f"{BASE}/jobs/{job['id']}/quarantine")
    assert q.status_code == 200 and q.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(q.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["source", "row"] and len(rows) == 2

    listed = c.get(f"{BASE}/jobs", params={"limit": 5}).json()
    assert job["id"] in [j["id"] for j in listed["items"]]

    # uploaded again (another job folder): the same source, nothing new
    upload = {"file": ("企业名录.csv", _table(), "text/csv")}
    again = _wait(c, c.post(f"{BASE}/tables", files=upload,
                            data={"kind": "enterprises"}).json()["id"])
    assert isinstance(again["summary"], dict)
    assert again["summary"]["source"] == "企业名录.csv" and again["summary"]["created"] == 0


def test_api_ingest_unreadable_table_fails_the_job_not_the_server(
        emb_client: tuple[FastAPI, TestClient]) -> None:
    _, c = emb_client
    r = c.post(f"{BASE}/tables", files={"file": ("x.csv", b"foo,bar\n1,2\n", "text/csv")},
               data={"kind": "enterprises"})
    assert r.status_code == 202
    done = _wait(c, r.json()["id"])
    assert done["status"] == "failed"
    err = done["error"]
    assert isinstance(err, dict) and str(err["code"]).startswith("E2")
    assert c.get(f"{BASE}/jobs/{r.json()['id']}/quarantine").status_code == 404


@pytest.mark.parametrize(("files", "data", "status", "field"), [
    pytest.param(None, {"kind": "enterprises"}, 422, "file", id="no-file"),
    pytest.param({"file": ("a.exe", b"MZ", "application/octet-stream")}, {}, 415, "file",
                 id="wrong-type"),
    pytest.param({"file": ("a.csv", b"", "text/csv")}, {}, 422, "file", id="empty"),
    pytest.param({"file": ("a.csv", b"name\nx\n", "text/csv")}, {"kind": "nonsense"}, 422,
                 "kind", id="bad-kind"),
    pytest.param({"file": ("a.csv", b"name\nx\n", "text/csv")}, {"mapping": "{not json"}, 422,
                 "mapping", id="bad-mapping"),
    pytest.param({"file": ("a.csv", b"name\nx\n", "text/csv")}, {"prune": "是"}, 422,
                 "prune", id="bad-prune"),
    pytest.param({"file": ("a.csv", b"name\nx\n", "text/csv")}, {"prune": "maybe"}, 422,
                 "prune", id="bad-prune-word"),
])
def test_api_ingest_bad_uploads_are_problems(emb_client: tuple[FastAPI, TestClient],
                                             files: object, data: dict[str, str], status: int,
                                             field: str) -> None:
    _, c = emb_client
    r = c.post(f"{BASE}/tables", files=files, data=data)  # type: ignore[arg-type]
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["field"] == field


def test_api_ingest_upload_size_limit(emb_client: tuple[FastAPI, TestClient]) -> None:
    _, c = emb_client
    big = b"name\n" + b"x" * 60_000  # the limit here is 0.05 MB
    r = c.post(f"{BASE}/tables", files={"file": ("big.csv", big, "text/csv")})
    assert r.status_code == 413, r.text
    assert r.json()["code"] == "E413"


def test_api_ingest_unknown_job_is_404(emb_client: tuple[FastAPI, TestClient]) -> None:
    _, c = emb_client
    for jid in ("job-000000000000", "../../etc/passwd", "x"):
        r = c.get(f"{BASE}/jobs/{jid}")
        assert r.status_code == 404, (jid, r.text)
    assert c.get(f"{BASE}/jobs", params={"cursor": "!!!"}).status_code == 422


def test_api_ingest_reader_cannot_upload_or_read_jobs(emb_client: tuple[FastAPI, TestClient]
                                                      ) -> None:
    app, c = emb_client
    reader = auth(new_token(app, "reader"))
    r = c.post(f"{BASE}/tables", files={"file": ("a.csv", b"name\nx\n", "text/csv")},
               headers=reader)
    assert r.status_code == 403
    assert c.get(f"{BASE}/jobs", headers=reader).status_code == 403


def test_api_ingest_jobs_of_a_dead_process_are_interrupted(embedded_store: Store,
                                                           tmp_path: Path) -> None:
    jobs = JobManager(tmp_path / "jobs", embedded_store, {"tables": lambda *a: {}})
    job_id, folder = jobs.new_job_folder()
    (folder / "upload").mkdir()
    (folder / "upload" / "a.csv").write_text("name\nx\n")
    st = jobs.submit(job_id, "tables", folder / "upload" / "a.csv", filename="a.csv")
    jobs.wait_idle(10)
    jobs.shutdown()
    # Pretend a process that died had left a job running.
    st = jobs.get(job_id)
    st.status, st.pid = "running", 2 ** 22 + 12345
    jobs._save(st)
    again = JobManager(tmp_path / "jobs", embedded_store, {"tables": lambda *a: {}})
    assert again.get(job_id).status == "interrupted"
    again.shutdown()


SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def test_api_ingest_chain_file_upload(emb_client: tuple[FastAPI, TestClient],
                                      embedded_store: Store) -> None:
    _, c = emb_client
    src = SEEDS / "chains" / "ts-hydrogen.json"
    r = c.post(f"{BASE}/chains", files={"file": (src.name, src.read_bytes(), "application/json")})
    assert r.status_code == 202, r.text
    done = _wait(c, r.json()["id"])
    assert done["status"] == "succeeded", done
    summary = done["summary"]
    assert isinstance(summary, dict) and summary["chain_ids"]
    chain = summary["chain_ids"][0]
    rows = embedded_store.read("MATCH (c:Chain {id: $id}) RETURN c.name AS name", {"id": chain})
    assert rows and rows[0]["name"]


def test_api_ingest_text_upload(emb_client: tuple[FastAPI, TestClient]) -> None:
    _, c = emb_client
    text = "唐山甲钢铁有限公司向唐山乙机械有限公司供应热轧板卷。\n".encode()
    r = c.post(f"{BASE}/text", files={"file": ("news.txt", text, "text/plain")},
               data={"threshold": "0.7"})
    assert r.status_code == 202, r.text
    done = _wait(c, r.json()["id"], timeout=120)
    if not (SEEDS / "models" / "zh_ner").exists():
        # Without the trained model the job fails cleanly with the ingest's code.
        assert done["status"] == "failed", done
        assert isinstance(done["error"], dict) and done["error"]["code"] == "E240"
    else:
        assert done["status"] == "succeeded", done
        summary = done["summary"]
        assert isinstance(summary, dict) and summary["read"] == 1
        # audit H4: the source is the uploaded file's name, not the job's folder on the
        # server, and uploading the file again adds no Document or candidate
        assert summary["source"] == "news.txt"
        again = _wait(c, c.post(f"{BASE}/text", files={"file": ("news.txt", text, "text/plain")
                                                       }).json()["id"], timeout=120)
        assert isinstance(again["summary"], dict) and again["summary"]["created"] == 0, again
    r = c.post(f"{BASE}/text", files={"file": ("n.txt", text, "text/plain")},
               data={"threshold": "2"})
    assert r.status_code == 422 and r.json()["field"] == "threshold"
