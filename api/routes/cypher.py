"""``POST /api/v1/cypher``: read-only Cypher for researchers (reader, editor or admin keys).

Read-only is enforced by the ENGINE, not by parsing: the query runs through
``store.read()``, i.e. a Neo4j read transaction or FalkorDB ``GRAPH.RO_QUERY``, and
the engine refuses any write (``CREATE``, ``MERGE``, ``SET``, ``DELETE``, writing
procedures) with :class:`~graph.errors.ReadOnlyViolation` → 403. One extra guard
on top: ``LOAD CSV`` is refused (403) because, even without writing, it would let a
caller read server-side files or make the server fetch URLs.

Each query has a time limit (``settings.cypher_timeout_s``, lower per request if
asked) and a row cap (``settings.cypher_row_cap``); rows past the cap are dropped
and ``truncated`` says so. Engine errors caused by the query (bad syntax, runtime
type errors, unknown procedures) answer 400, never 5xx; only an unreachable store
is 503. Results are JSON rows: nodes and relationships come back as property
maps, values JSON cannot carry (NaN, temporal types, bytes) as strings.

Must not live here: any attempt to decide read-only-ness by parsing the query (the
engine is the authority), or any product query (those are ``queries/*.cypher``).
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Body
from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.deps import ReaderKey, SettingsDep, StoreDep
from api.problems import problem_responses
from graph.errors import (
    CypherSyntaxError,
    InvalidInput,
    QueryTimeout,
    ReadOnlyViolation,
    StoreAuthError,
    StoreError,
    StoreUnavailable,
)

router = APIRouter(prefix="/api/v1", tags=["cypher 研究查询"])

MAX_QUERY_CHARS = 20_000
_PARAM_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
# Comments and string literals removed before looking for LOAD CSV, so a name like
# 'LOAD CSV' inside a string does not trip the guard and a comment cannot hide it.
_STRINGS_AND_COMMENTS = re.compile(
    r"//[^\n]*|/\*.*?\*/|'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"", re.DOTALL
)
_LOAD_CSV = re.compile(r"\bLOAD\s+CSV\b", re.IGNORECASE)


class CypherQueryFailed(StoreError):
    """The engine refused the query for a reason of the query's own (not the store's)."""

    code = "E117"
    status = 400
    title_zh = "Cypher 查询执行失败"
    title_en = "Cypher query failed"


class CypherIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{
            "query": "MATCH (e:Enterprise) WHERE e.region_code STARTS WITH $region "
                     "RETURN e.id AS id, e.name AS name LIMIT 10",
            "params": {"region": "1302"},
        }]},
    )

    query: str = Field(min_length=1, max_length=MAX_QUERY_CHARS,
                       description="A read-only openCypher query; values as $parameters.")
    params: dict[str, Any] = Field(default_factory=dict,
                                   description="Query parameters by name (JSON values).")
    timeout_s: float | None = Field(
        None, gt=0, le=600,
        description="Time limit in seconds; capped by the server's cypher_timeout_s.",
    )
    limit: int | None = Field(
        None, ge=1, description="Most rows wanted; capped by the server's cypher_row_cap."
    )

    @field_validator("params")
    @classmethod
    def _names(cls, v: dict[str, Any]) -> dict[str, Any]:
        for name in v:
            if not _PARAM_NAME.match(name):
                raise ValueError(f"parameter name {name!r} is not an identifier")
        return v


class CypherOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "columns": ["id", "name"],
        "rows": [{"id": "E000123", "name": "唐山某钢铁有限公司"}],
        "row_count": 1,
        "truncated": False,
        "elapsed_ms": 3.2,
        "engine": "falkordb",
    }]})

    columns: list[str] = Field(description="Column names (empty when no row came back).")
    rows: list[dict[str, Any]] = Field(description="Result rows as JSON objects.")
    row_count: int = Field(description="Rows returned (after the cap).")
    truncated: bool = Field(description="More rows existed than the cap allowed.")
    elapsed_ms: float = Field(description="Time the engine took, milliseconds.")
    engine: str = Field(description="falkordb or neo4j (dialects differ slightly).")


def jsonable(v: Any) -> Any:
    """``v`` as something JSON can carry without loss of safety (never raises)."""
    if v is None or isinstance(v, bool | int | str):
        return v
    if isinstance(v, float):
        if math.isfinite(v):
            return v
        return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
    if isinstance(v, Mapping):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple | set | frozenset):
        return [jsonable(x) for x in v]
    if isinstance(v, bytes | bytearray):
        return v.hex()
    iso = getattr(v, "iso_format", None) or getattr(v, "isoformat", None)
    if callable(iso):
        try:
            return str(iso())
        except Exception:
            pass
    return str(v)


def refuse_load_csv(query: str) -> None:
    if _LOAD_CSV.search(_STRINGS_AND_COMMENTS.sub(" ", query)):
        raise ReadOnlyViolation(
            "LOAD CSV is not allowed through the API (it reads server files or URLs)",
            field="query",
        )


@router.post(
    "/cypher",
    summary="Read-only Cypher",
    # A POST that writes nothing: the auth test of write endpoints skips it.
    openapi_extra={"x-read-only": True},
    responses=problem_responses(400, 401, 403, 408, 422, 429, 503),
)
def run_cypher(
    body: Annotated[CypherIn, Body(description="The query, its parameters and limits.")],
    store: StoreDep,
    settings: SettingsDep,
    key: ReaderKey,
) -> CypherOut:
    """Run a read-only Cypher query (the engine refuses writes: 403) and return JSON rows."""
    refuse_load_csv(body.query)
    timeout = min(body.timeout_s or settings.cypher_timeout_s, settings.cypher_timeout_s)
    cap = min(body.limit or settings.cypher_row_cap, settings.cypher_row_cap)
    t0 = time.perf_counter()
    try:
        rows = store.read(body.query, body.params, timeout=timeout)
    except (ReadOnlyViolation, QueryTimeout, CypherSyntaxError, StoreUnavailable,
            StoreAuthError, InvalidInput):
        raise
    except StoreError as e:
        # Anything else the engine says about a user's query is the query's fault.
        raise CypherQueryFailed(e.message, field="query") from e
    except (TypeError, ValueError) as e:  # a driver refusing a parameter value
        raise CypherQueryFailed(f"query or parameters refused: {e}", field="params") from e
    elapsed = (time.perf_counter() - t0) * 1000
    truncated = len(rows) > cap
    rows = rows[:cap]
    out_rows = [{str(k): jsonable(v) for k, v in r.items()} for r in rows]
    return CypherOut(
        columns=list(out_rows[0]) if out_rows else [],
        rows=out_rows,
        row_count=len(out_rows),
        truncated=truncated,
        elapsed_ms=round(elapsed, 2),
        engine=store.dialect,
    )
