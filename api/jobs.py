"""Background ingest jobs for the HTTP API: queue, worker thread, status on disk.

An upload is saved under ``settings.job_dir/<job id>/`` and queued; one worker
thread per process runs the jobs in order (ingest writes are batched and heavy;
running them one at a time keeps the store and the 2-core budget sane). Each
job folder holds ``status.json`` (written atomically, so any worker process can
answer a status request), the uploaded file, and after the run ``summary.json``
plus the ingest's quarantine/decision files when it made any.

A job is ``queued → running → succeeded | failed``; one left ``queued`` or
``running`` by a process that died (its pid is gone) is marked ``interrupted`` at
the next start: ingest batches are committed and MERGE-idempotent, so uploading
the file again completes it. At shutdown queued jobs are marked ``interrupted``
and the running one gets ``shutdown_wait_s`` to finish; the worker thread is a
daemon so a long ingest never blocks the process from exiting.

The code that actually ingests lives in ``ingest/``; this module only receives a
runner per kind. Nothing here knows HTTP.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import re
import shutil
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from api.logging import request_id_var
from graph.errors import InvalidInput, NotFound, RonglianError
from graph.store import Store

log = logging.getLogger("ronglian.jobs")

#: runner(store, upload path, options, job folder) -> summary (dict or dataclass)
Runner = Callable[[Store, Path, Mapping[str, Any], Path], Any]

_JOB_ID = re.compile(r"^job-[0-9a-f]{12}$")
_SAFE_NAME = re.compile(r"[^\w.\-\u4e00-\u9fff]+")
FINAL = {"succeeded", "failed", "interrupted"}


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class JobStatus:
    id: str
    kind: str
    status: str  # queued, running, succeeded, failed, interrupted
    filename: str
    size_bytes: int
    created_at: str
    options: dict[str, Any] = field(default_factory=dict)
    key_id: str | None = None
    request_id: str | None = None
    pid: int = 0
    started_at: str | None = None
    finished_at: str | None = None
    summary: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    files: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def safe_filename(name: str | None, default: str = "upload") -> str:
    base = Path(name or default).name
    base = _SAFE_NAME.sub("_", base).strip("._") or default
    return base[:120]


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _to_dict(summary: Any) -> dict[str, Any]:
    if summary is None:
        return {}
    if isinstance(summary, Mapping):
        return dict(summary)
    if hasattr(summary, "as_dict"):
        return dict(summary.as_dict())
    if is_dataclass(summary) and not isinstance(summary, type):
        return asdict(summary)
    return {"result": str(summary)}


class JobManager:
    """Queue and run ingest jobs for one app (one per process)."""

    def __init__(self, job_dir: Path, store: Store, runners: Mapping[str, Runner], *,
                 max_queued: int = 20, shutdown_wait_s: float = 10.0) -> None:
        self.job_dir = Path(job_dir).expanduser()
        self.job_dir.mkdir(parents=True, exist_ok=True)
        self.store = store
        self.runners = dict(runners)
        self.max_queued = max_queued
        self.shutdown_wait_s = shutdown_wait_s
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._lock = threading.Lock()
        self._current: str | None = None
        self._stopping = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self.recover()
        self._thread = threading.Thread(target=self._work, name="ronglian-jobs", daemon=True)
        self._thread.start()

    # -- files ------------------------------------------------------------------------------
    def folder(self, job_id: str) -> Path:
        if not _JOB_ID.match(job_id):
            raise NotFound(f"no ingest job {job_id!r}", field="job_id")
        d = self.job_dir / job_id
        if not (d / "status.json").is_file():
            raise NotFound(f"no ingest job {job_id!r}", field="job_id")
        return d

    def _save(self, st: JobStatus) -> None:
        d = self.job_dir / st.id
        tmp = d / f".status.{uuid.uuid4().hex}.tmp"
        tmp.write_text(json.dumps(st.as_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, d / "status.json")

    def get(self, job_id: str) -> JobStatus:
        d = self.folder(job_id)
        try:
            data = json.loads((d / "status.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise NotFound(f"ingest job {job_id!r} has no readable status ({e})",
                           field="job_id") from e
        return JobStatus(**data)

    def list(self, limit: int = 50, before: str | None = None) -> list[JobStatus]:
        """Newest first; ``before`` is a job's ``created_at|id`` cursor to page on."""
        out = []
        for d in self.job_dir.iterdir():
            if _JOB_ID.match(d.name) and (d / "status.json").is_file():
                try:
                    out.append(JobStatus(**json.loads((d / "status.json").read_text("utf-8"))))
                except (OSError, ValueError, TypeError):
                    continue
        out.sort(key=lambda s: (s.created_at, s.id), reverse=True)
        if before:
            out = [s for s in out if f"{s.created_at}|{s.id}" < before]
        return out[:limit]

    def file(self, job_id: str, name: str) -> Path:
        st = self.get(job_id)
        if name not in st.files:
            raise NotFound(f"job {job_id} has no {name} file"
                           + ("" if st.status in FINAL else " yet (still running)"), field="job_id")
        return self.job_dir / job_id / name

    # -- submit and run --------------------------------------------------------------------
    def new_job_folder(self) -> tuple[str, Path]:
        job_id = "job-" + uuid.uuid4().hex[:12]
        d = self.job_dir / job_id
        d.mkdir(parents=True)
        return job_id, d

    def submit(self, job_id: str, kind: str, upload: Path, *, filename: str,
               options: Mapping[str, Any] | None = None, key_id: str | None = None,
               request_id: str | None = None) -> JobStatus:
        if kind not in self.runners:
            raise InvalidInput(f"unknown ingest kind {kind!r}", field="kind")
        if self._queue.qsize() >= self.max_queued:
            from api.problems import RateLimited

            shutil.rmtree(self.job_dir / job_id, ignore_errors=True)
            raise RateLimited(f"{self.max_queued} ingest jobs already queued; retry later",
                              retry_after=30)
        st = JobStatus(id=job_id, kind=kind, status="queued", filename=filename,
                       size_bytes=upload.stat().st_size, created_at=now(),
                       options=dict(options or {}), key_id=key_id, request_id=request_id,
                       pid=os.getpid())
        self._save(st)
        self._queue.put(job_id)
        log.info("ingest job queued", extra={"job_id": job_id, "kind": kind,
                                             "upload_file": filename})
        return st

    def _work(self) -> None:
        while True:
            job_id = self._queue.get()
            if job_id is None:
                return
            if self._stopping.is_set():
                self._mark(job_id, "interrupted", error={"code": "E205",
                           "message": "server shut down before the job started"})
                continue
            self._idle.clear()
            self._current = job_id
            try:
                self._run(job_id)
            except Exception:  # never let the worker thread die
                log.exception("ingest job %s crashed the runner", job_id)
            finally:
                self._current = None
                self._idle.set()

    def _mark(self, job_id: str, status: str, **changes: Any) -> JobStatus:
        with self._lock:
            st = self.get(job_id)
            st.status = status
            for k, v in changes.items():
                setattr(st, k, v)
            if status in FINAL:
                st.finished_at = now()
            self._save(st)
            return st

    def _run(self, job_id: str) -> None:
        st = self._mark(job_id, "running", started_at=now(), pid=os.getpid())
        # The job's log lines carry the id of the upload request that made it.
        request_id_var.set(st.request_id or job_id)
        folder = self.job_dir / job_id
        upload = folder / "upload" / st.filename
        log.info("ingest job started", extra={"job_id": job_id, "kind": st.kind})
        try:
            summary = _to_dict(self.runners[st.kind](self.store, upload, st.options, folder))
        except RonglianError as e:
            self._finish(job_id, "failed", None,
                         {"code": e.code, "message": e.message, "title": e.title_zh,
                          "title_en": e.title_en})
            log.warning("ingest job failed: %s", e, extra={"job_id": job_id})
            return
        except Exception as e:
            self._finish(job_id, "failed", None, {"code": "E200", "message": str(e)[:1000]})
            log.exception("ingest job failed", extra={"job_id": job_id})
            return
        self._finish(job_id, "succeeded", summary, None)
        log.info("ingest job finished", extra={"job_id": job_id})

    def _finish(self, job_id: str, status: str, summary: dict[str, Any] | None,
                error: dict[str, Any] | None) -> None:
        folder = self.job_dir / job_id
        files = []
        # Copy the ingest's own side files (their paths are in the summary) into the job.
        for key, name in (("quarantine_path", "quarantine.csv"),
                          ("decisions_path", "decisions.jsonl")):
            src = (summary or {}).get(key)
            if src and Path(src).is_file():
                if Path(src).resolve() != (folder / name).resolve():
                    shutil.copyfile(src, folder / name)
                files.append(name)
        body = {"status": status, "summary": summary, "error": error}
        (folder / "summary.json").write_text(
            json.dumps(body, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        files.insert(0, "summary.json")
        self._mark(job_id, status, summary=summary, error=error, files=files)

    # -- life cycle ------------------------------------------------------------------------
    def recover(self) -> int:
        """Mark jobs whose process died as interrupted; return how many."""
        n = 0
        for d in self.job_dir.iterdir():
            f = d / "status.json"
            if not (_JOB_ID.match(d.name) and f.is_file()):
                continue
            try:
                st = JobStatus(**json.loads(f.read_text("utf-8")))
            except (OSError, ValueError, TypeError):
                continue
            if st.status not in FINAL and not _pid_alive(st.pid):
                st.status, st.finished_at = "interrupted", now()
                st.error = {"code": "E205", "message": "the server stopped during the job; "
                            "upload the file again (ingest is idempotent)"}
                self._save(st)
                n += 1
        return n

    def wait_idle(self, timeout: float) -> bool:
        """Block until no job is queued or running (tests and shutdown)."""
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._queue.empty() and self._idle.is_set():
                return True
            self._idle.wait(0.05)
            time.sleep(0.01)
        return False

    def shutdown(self) -> None:
        self._stopping.set()
        # Queued jobs are marked interrupted by the worker as it drains the queue.
        self._queue.put(None)
        self._thread.join(self.shutdown_wait_s)
        if self._thread.is_alive() and self._current:
            log.warning("ingest job still running at shutdown", extra={"job_id": self._current})
            self._mark(self._current, "interrupted", error={
                "code": "E205", "message": "server shut down during the job; upload again"})
