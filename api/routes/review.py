"""The review queue over HTTP: ``/api/v1/review/candidates`` (editor or admin keys).

Candidates are facts extracted from text below the confidence threshold and
ambiguous entity matches left by ingest; a reviewer confirms (the payload is
written: a merge of two enterprises or a relationship), rejects, or splits (keeps
a proposed merge apart). Thin: every route is one call of :mod:`ingest.review`.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from api.deps import EditorKey, StoreDep
from api.problems import problem_responses
from graph.errors import InvalidInput
from ingest import review

router = APIRouter(prefix="/api/v1/review", tags=["review 审核队列"])

_CANDIDATE_EXAMPLE: dict[str, Any] = {
    "id": "cand-5e1c2d3b4a5f6e7d", "kind": "relation", "status": "pending",
    "confidence": 0.55, "reason": "confidence 0.55 below 0.70",
    "payload": {"rel": "SUPPLIES", "start": "E000123", "end": "E000456",
                "props": {"product": "热轧板卷", "sentence": "甲公司向乙公司供应热轧板卷。"}},
    "source": "news-2026-11.jsonl", "run_id": "run-20261127T100001-1a2b3c4d",
}


class CandidateOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_CANDIDATE_EXAMPLE]})

    id: str = Field(description="Candidate id.")
    kind: str | None = Field(None, description="relation, merge, … (what it proposes).")
    status: str | None = Field(None, description="pending, confirmed or rejected.")
    confidence: float | None = Field(None, description="The extractor's or matcher's confidence.")
    reason: str | None = Field(None, description="Why it needs a reviewer.")
    payload: dict[str, Any] = Field(default_factory=dict,
                                    description="What confirming writes ({merge} or {rel…}).")
    source: str | None = Field(None, description="Source file of the fact.")
    run_id: str | None = Field(None, description="Ingest run that proposed it.")


class CandidatePage(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"items": [_CANDIDATE_EXAMPLE], "next_cursor": "bzo1MA"}]})

    items: list[CandidateOut] = Field(description="Candidates, most confident first.")
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page.")


class ConfirmIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"choice": "E000456"}]})

    choice: str | None = Field(
        None, max_length=200,
        description="For a merge: the id to keep; for a relation with an open end: the id "
                    "of that end (one of the payload's options).")


class DecisionOut(BaseModel):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [
        {"id": "cand-5e1c2d3b4a5f6e7d", "status": "confirmed", "rel": "SUPPLIES",
         "start": "E000123", "end": "E000456"}]})

    id: str = Field(description="Candidate id.")
    status: str = Field(description="confirmed or rejected.")


CandidateId = Annotated[str, Path(description="Candidate id.", examples=["cand-5e1c2d3b4a5f6e7d"],
                                  max_length=200)]
_OFFSET = re.compile(r"o:(\d{1,7})")


def _decode(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (ValueError, UnicodeError, binascii.Error):
        raw = ""
    m = _OFFSET.fullmatch(raw)
    if m is None:
        raise InvalidInput("cursor is not one of ours", field="cursor")
    return int(m.group(1))


def _encode(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


@router.get("/candidates", summary="List review candidates",
            responses=problem_responses(401, 403, 422))
def list_candidates(
    store: StoreDep, key: EditorKey,
    status: Annotated[Literal["pending", "confirmed", "rejected"],
                      Query(description="Which candidates.", examples=["pending"])] = "pending",
    limit: Annotated[int, Query(ge=1, le=500, description="Candidates per page.",
                                examples=[50])] = 50,
    cursor: Annotated[str | None, Query(max_length=64, description="Opaque cursor from "
                                        "`next_cursor`.", examples=[None])] = None,
) -> CandidatePage:
    """Candidate facts and ambiguous matches waiting for (or past) review, most confident first."""
    offset = _decode(cursor)
    rows = review.list_candidates(store, status, limit=offset + limit + 1)
    page = rows[offset:offset + limit]
    nxt = _encode(offset + limit) if len(rows) > offset + limit else None
    return CandidatePage(items=[CandidateOut(**r) for r in page], next_cursor=nxt)


@router.get("/candidates/{candidate_id}", summary="One review candidate",
            responses=problem_responses(401, 403, 404))
def get_candidate(candidate_id: CandidateId, store: StoreDep, key: EditorKey) -> CandidateOut:
    """One candidate with its payload (what confirming would write)."""
    return CandidateOut(**review.get_candidate(store, candidate_id))


@router.post("/candidates/{candidate_id}/confirm", summary="Confirm a candidate",
             responses=problem_responses(401, 403, 404, 422))
def confirm_candidate(
    candidate_id: CandidateId, store: StoreDep, key: EditorKey,
    body: Annotated[ConfirmIn | None, Body(description="Optional choice of id.")] = None,
) -> DecisionOut:
    """Apply a pending candidate: write its relationship or merge its two enterprises."""
    out = review.confirm(store, candidate_id, choice=body.choice if body else None)
    return DecisionOut(**out)


@router.post("/candidates/{candidate_id}/reject", summary="Reject a candidate",
             responses=problem_responses(401, 403, 404, 422))
def reject_candidate(candidate_id: CandidateId, store: StoreDep, key: EditorKey) -> DecisionOut:
    """Reject a pending candidate; nothing is written to the graph."""
    return DecisionOut(**review.reject(store, candidate_id))


@router.post("/candidates/{candidate_id}/split", summary="Keep a proposed merge apart",
             responses=problem_responses(401, 403, 404, 422))
def split_candidate(candidate_id: CandidateId, store: StoreDep, key: EditorKey) -> DecisionOut:
    """Record that the two enterprises of a merge candidate are different firms."""
    return DecisionOut(**review.split(store, candidate_id))
