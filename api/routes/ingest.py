"""Ingest uploads as background jobs: ``/api/v1/ingest/...`` (editor or admin keys).

``POST /ingest/tables|chains|text`` take one file (``multipart/form-data``), save it in
a new job folder, queue it and answer ``202`` with the job and a ``Location`` to poll.
``GET /ingest/jobs``, ``/ingest/jobs/{id}``, ``/summary`` and ``/quarantine`` follow
the job and download its results. The key is checked BEFORE the body is read, so an
unauthenticated client cannot make the server spool an upload; the size limit
(``max_upload_mb``) is enforced while reading by :mod:`api.app`.

Thin: the runners below adapt :mod:`ingest` functions (``ingest.tables.ingest_table``,
``ingest.chains.ingest_chain``, ``ingest.text.ingest.ingest_text``) to the job manager
in :mod:`api.jobs`. No parsing or Cypher here.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import UploadFile

from api import examples as ex
from api.deps import EditorKey, SettingsDep, StoreDep
from api.jobs import JobManager, JobStatus, Runner, safe_filename
from api.problems import PayloadTooLarge, UnsupportedMediaType, problem_responses
from graph.errors import InvalidInput, NotFound
from graph.store import Store

router = APIRouter(prefix="/api/v1/ingest", tags=["ingest 数据导入"])

TABLE_SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx", ".xls", ".jsonl", ".json"}
CHAIN_SUFFIXES = {".json"}
TEXT_SUFFIXES = {".txt", ".md", ".jsonl", ".json", ".ndjson"}


# --- runners: adapt ingest functions to (store, upload, options, job folder) ------------


def _run_table(store: Store, upload: Path, options: Mapping[str, Any], folder: Path) -> Any:
    from ingest.tables import ingest_table

    mapping = None
    if options.get("mapping"):
        mapping = folder / "mapping.json"
        mapping.write_text(json.dumps(options["mapping"], ensure_ascii=False), encoding="utf-8")
    return ingest_table(store, upload, kind=options.get("kind"), mapping=mapping,
                        prune=bool(options.get("prune")), run_dir=folder,
                        source=options.get("source") or upload.name)


def _run_chains(store: Store, upload: Path, options: Mapping[str, Any], folder: Path) -> Any:
    from ingest.chains import ingest_chain

    return ingest_chain(store, upload, region=options.get("region"), run_dir=folder,
                        source=options.get("source") or upload.name)


def _run_text(store: Store, upload: Path, options: Mapping[str, Any], folder: Path) -> Any:
    from ingest.text.ingest import DEFAULT_THRESHOLD, ingest_text

    summary = ingest_text(store, upload, run_dir=folder,
                          source=options.get("source") or upload.name,
                          threshold=float(options.get("threshold", DEFAULT_THRESHOLD)))
    out = dict(summary.as_dict())
    # The text summary flattens the run's counts; keep its side files downloadable.
    out["quarantine_path"] = summary.result.quarantine_path
    out["decisions_path"] = summary.result.decisions_path
    return out


RUNNERS: dict[str, Runner] = {"tables": _run_table, "chains": _run_chains, "text": _run_text}

_jobs_lock = threading.Lock()


def get_jobs(request: Request, store: StoreDep, settings: SettingsDep) -> JobManager:
    """The app's job manager, made on first use (and stopped by the app's lifespan)."""
    jobs: JobManager | None = getattr(request.app.state, "jobs", None)
    if jobs is None:
        with _jobs_lock:
            jobs = getattr(request.app.state, "jobs", None)
            if jobs is None:
                jobs = JobManager(settings.job_dir, store, RUNNERS)
                request.app.state.jobs = jobs
    return jobs


JobsDep = Annotated[JobManager, Depends(get_jobs)]


# --- models ---------------------------------------------------------------------------------

_JOB_EXAMPLE: dict[str, Any] = {
    "id": "job-3f2b9c1e0a7d", "kind": "tables", "status": "succeeded",
    "filename": "enterprises.csv", "size_bytes": 18234, "created_at": "2026-11-27T10:00:00+00:00",
    "started_at": "2026-11-27T10:00:01+00:00", "finished_at": "2026-11-27T10:00:03+00:00",
    "options": {"kind": "enterprises", "prune": False},
    "summary": {"run_id": "run-20261127T100001-1a2b3c4d", "read": 120, "created": 117,
                "updated": 0, "unchanged": 0, "quarantined": 3},
    "error": None, "files": ["summary.json", "quarantine.csv"],
    "links": {"self": "/api/v1/ingest/jobs/job-3f2b9c1e0a7d",
              "summary": "/api/v1/ingest/jobs/job-3f2b9c1e0a7d/summary",
              "quarantine": "/api/v1/ingest/jobs/job-3f2b9c1e0a7d/quarantine"},
}


class JobOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_JOB_EXAMPLE]})

    id: str = Field(description="Job id.")
    kind: str = Field(description="tables, chains or text.")
    status: str = Field(description="queued, running, succeeded, failed or interrupted.")
    filename: str = Field(description="The uploaded file's (sanitised) name.")
    size_bytes: int = Field(description="Uploaded bytes.")
    created_at: str = Field(description="When the upload was accepted (UTC).")
    started_at: str | None = Field(None, description="When the run started.")
    finished_at: str | None = Field(None, description="When the run ended.")
    options: dict[str, Any] = Field(default_factory=dict, description="Options of the upload.")
    summary: dict[str, Any] | None = Field(
        None, description="The ingest run's counts (read, created, updated, unchanged, "
        "merged, quarantined, skipped, candidates…) once finished.")
    error: dict[str, Any] | None = Field(None, description="Code and message when it failed.")
    files: list[str] = Field(default_factory=list, description="Downloadable result files.")
    links: dict[str, str] = Field(default_factory=dict, description="Where to poll and download.")


class JobPage(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"items": [_JOB_EXAMPLE], "next_cursor": None}]})

    items: list[JobOut] = Field(description="Jobs, newest first.")
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page.")


def _out(st: JobStatus) -> JobOut:
    base = f"{router.prefix}/jobs/{st.id}"
    links = {"self": base}
    if "summary.json" in st.files:
        links["summary"] = base + "/summary"
    if "quarantine.csv" in st.files:
        links["quarantine"] = base + "/quarantine"
    d = st.as_dict()
    for k in ("key_id", "pid", "request_id"):
        d.pop(k, None)
    return JobOut(**d, links=links)


# --- upload ---------------------------------------------------------------------------------


def _multipart(extra: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    props = {"file": {"type": "string", "format": "binary",
                      "description": "The file to load (UTF-8 or GBK)."},
             "source": {"type": "string", "description": "Provenance name recorded on every "
                        "fact (default: the file name).", "example": "2026年园区企业名录.xlsx"},
             **extra}
    return {"requestBody": {
        "required": True,
        "description": "multipart/form-data with the file and its options.",
        "content": {"multipart/form-data": {
            "schema": {"type": "object", "required": required or ["file"], "properties": props},
            "example": {"file": "(binary)", **{k: v.get("example") for k, v in extra.items()}},
        }},
    }}


async def _accept(request: Request, jobs: JobManager, kind: str, suffixes: set[str],
                  key_id: str, options_from: Callable[[Mapping[str, Any]], dict[str, Any]],
                  ) -> JSONResponse:
    try:
        form = await request.form(max_files=1, max_fields=20)
    except Exception as e:  # a malformed multipart body is the client's fault
        if getattr(e, "status_code", None) == 413:
            raise PayloadTooLarge(str(getattr(e, "detail", e))) from e
        raise InvalidInput(f"could not read the multipart body: {e}", field="file") from e
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidInput("send the file as multipart field 'file'", field="file")
        filename = safe_filename(upload.filename)
        if Path(filename).suffix.lower() not in suffixes:
            raise UnsupportedMediaType(
                f"{filename}: expected one of {', '.join(sorted(suffixes))}", field="file")
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        options = options_from(fields)
        if fields.get("source"):
            options["source"] = fields["source"][:300]
        job_id, folder = jobs.new_job_folder()
        target = folder / "upload" / filename
        target.parent.mkdir(parents=True)

        def save() -> None:
            upload.file.seek(0)
            with target.open("wb") as out:
                shutil.copyfileobj(upload.file, out, 1 << 20)

        await anyio.to_thread.run_sync(save)
        if target.stat().st_size == 0:
            shutil.rmtree(folder, ignore_errors=True)
            raise InvalidInput(f"{filename} is empty", field="file")
        st = jobs.submit(job_id, kind, target, filename=filename, options=options,
                         key_id=key_id, request_id=request.scope["state"].get("request_id"))
    finally:
        await form.close()
    out = _out(st)
    return JSONResponse(out.model_dump(), status_code=202,
                        headers={"Location": out.links["self"]})


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


def _table_options(fields: Mapping[str, Any]) -> dict[str, Any]:
    prune = str(fields.get("prune", "false")).strip().lower()
    if prune not in _TRUE | _FALSE:
        # a typo (prune=是, prune=maybe) must not quietly mean "keep everything"
        raise InvalidInput("prune 应为 true 或 false / prune must be true or false", field="prune")
    opts: dict[str, Any] = {"prune": prune in _TRUE}
    if fields.get("kind"):
        from ingest.columns import KINDS

        if fields["kind"] not in KINDS:
            raise InvalidInput(f"kind must be one of {', '.join(KINDS)}", field="kind")
        opts["kind"] = fields["kind"]
    if fields.get("mapping"):
        try:
            mapping = json.loads(fields["mapping"])
        except ValueError as e:
            raise InvalidInput(f"mapping is not JSON: {e}", field="mapping") from e
        if not isinstance(mapping, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
            raise InvalidInput('mapping must be {"source header": "canonical column"}',
                               field="mapping")
        opts["mapping"] = mapping
    return opts


def _chain_options(fields: Mapping[str, Any]) -> dict[str, Any]:
    region = str(fields.get("region") or "").strip()
    if len(region) > 60:
        raise InvalidInput("region is too long", field="region")
    return {"region": region} if region else {}


def _text_options(fields: Mapping[str, Any]) -> dict[str, Any]:
    raw = fields.get("threshold")
    if raw in (None, ""):
        return {}
    try:
        t = float(raw)
    except ValueError as e:
        raise InvalidInput("threshold must be a number between 0 and 1",
                           field="threshold") from e
    if not 0.0 <= t <= 1.0:
        raise InvalidInput("threshold must be between 0 and 1", field="threshold")
    return {"threshold": t}


_ACCEPTED = ex.response({**_JOB_EXAMPLE, "status": "queued"}, 202,
                        "Accepted: the job is queued; poll `Location`.")
_UPLOAD_ERRORS = problem_responses(401, 403, 413, 415, 422, 429)


@router.post(
    "/tables", status_code=202, summary="Upload a table", response_model=JobOut,
    responses={**_ACCEPTED, **_UPLOAD_ERRORS},
    openapi_extra=_multipart({
        "kind": {"type": "string", "description": "Table kind (see ingest/README.md); "
                 "detected from the headers when omitted.", "example": "enterprises"},
        "mapping": {"type": "string", "description": 'JSON {"source header": "canonical '
                    'column"} for headers the alias table does not know.',
                    "example": '{"企业全称": "name"}'},
        "prune": {"type": "boolean", "description": "Delete this source's facts that the "
                  "file no longer has.", "example": False},
    }),
)
async def upload_table(request: Request, key: EditorKey, jobs: JobsDep) -> JSONResponse:
    """Upload a CSV/XLSX/JSON Lines table of enterprises, products, supply ties…; runs as a job."""
    return await _accept(request, jobs, "tables", TABLE_SUFFIXES, key.id, _table_options)


@router.post(
    "/chains", status_code=202, summary="Upload a chain definition", response_model=JobOut,
    responses={**_ACCEPTED, **_UPLOAD_ERRORS},
    openapi_extra=_multipart({
        "region": {"type": "string", "description": "Region (code or name) where the file's "
                   "domestic firms are placed.", "example": "唐山市"},
    }),
)
async def upload_chains(request: Request, key: EditorKey, jobs: JobsDep) -> JSONResponse:
    """Upload a chain definition (JSON: segments, products, upstream links); runs as a job."""
    return await _accept(request, jobs, "chains", CHAIN_SUFFIXES, key.id, _chain_options)


@router.post(
    "/text", status_code=202, summary="Upload Chinese text", response_model=JobOut,
    responses={**_ACCEPTED, **_UPLOAD_ERRORS},
    openapi_extra=_multipart({
        "threshold": {"type": "number", "description": "Confidence at or above which an "
                      "extracted relation is written; below it becomes a review candidate.",
                      "example": 0.7},
    }),
)
async def upload_text(request: Request, key: EditorKey, jobs: JobsDep) -> JSONResponse:
    """Upload Chinese text (news, reports); extracted facts become review candidates; a job."""
    return await _accept(request, jobs, "text", TEXT_SUFFIXES, key.id, _text_options)


# --- follow a job ---------------------------------------------------------------------------

JobId = Annotated[str, PathParam(description="Job id from the upload's answer.",
                                 examples=["job-3f2b9c1e0a7d"], max_length=40)]


@router.get("/jobs", summary="List ingest jobs", responses=problem_responses(401, 403, 422))
def list_jobs(
    key: EditorKey, jobs: JobsDep,
    limit: Annotated[int, Query(ge=1, le=200, description="Jobs per page.", examples=[20])] = 20,
    cursor: Annotated[str | None, Query(max_length=200, description="Opaque cursor from "
                                        "`next_cursor`.", examples=[None])] = None,
) -> JobPage:
    """Ingest jobs, newest first, with their status and counts."""
    before = None
    if cursor:
        import binascii
        import re
        from base64 import urlsafe_b64decode

        try:
            before = urlsafe_b64decode(cursor.encode("ascii")).decode("utf-8")
        except (ValueError, UnicodeError, binascii.Error):
            before = ""
        if not re.fullmatch(r"[0-9T:+\-]{10,40}\|job-[0-9a-f]{12}", before):
            raise InvalidInput("cursor is not one of ours", field="cursor")
    page = jobs.list(limit + 1, before)
    nxt = None
    if len(page) > limit:
        from base64 import urlsafe_b64encode

        last = page[limit - 1]
        nxt = urlsafe_b64encode(f"{last.created_at}|{last.id}".encode()).decode()
    return JobPage(items=[_out(s) for s in page[:limit]], next_cursor=nxt)


@router.get("/jobs/{job_id}", summary="One ingest job", responses=problem_responses(404))
def get_job(job_id: JobId, key: EditorKey, jobs: JobsDep) -> JobOut:
    """Status of one job; once finished, its counts and result files."""
    return _out(jobs.get(job_id))


@router.get(
    "/jobs/{job_id}/summary", summary="Download a job's summary",
    response_class=FileResponse,
    responses={200: {"description": "The summary as a JSON file.", "content": {
        "application/json": {"example": {"status": "succeeded",
                                         "summary": _JOB_EXAMPLE["summary"], "error": None}}}},
               **problem_responses(404)},
)
def job_summary(job_id: JobId, key: EditorKey, jobs: JobsDep) -> FileResponse:
    """The job's summary file (status, counts, error) as a download."""
    path = jobs.file(job_id, "summary.json")
    return FileResponse(path, media_type="application/json",
                        filename=f"{job_id}.summary.json")


@router.get(
    "/jobs/{job_id}/quarantine", summary="Download a job's quarantined rows",
    response_class=FileResponse,
    responses={200: {"description": "CSV of refused rows: source,row,column,code,reason.",
                     "content": {"text/csv": {"example": "source,row,column,code,reason\n"
                                 "enterprises.csv,17,uscc,E211,统一社会信用代码校验位错误\n"}}},
               **problem_responses(404)},
)
def job_quarantine(job_id: JobId, key: EditorKey, jobs: JobsDep) -> FileResponse:
    """The rows the job refused, each with a coded reason (404 when it refused none)."""
    try:
        path = jobs.file(job_id, "quarantine.csv")
    except NotFound:
        jobs.get(job_id)  # unknown job → its own 404
        raise NotFound(f"job {job_id} quarantined no rows", field="job_id") from None
    return FileResponse(path, media_type="text/csv; charset=utf-8",
                        filename=f"{job_id}.quarantine.csv")
