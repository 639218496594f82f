"""The review queue: list, confirm, reject or split :class:`Candidate` nodes.

Candidates are written by ingest jobs (ambiguous entity-resolution decisions,
relationships whose end was ambiguous) and by text ingest (facts under the
confidence threshold). ``payload_json`` says what confirming writes:

* ``{"merge": [id_a, id_b]}`` — enterprise ``id_a`` is the same as ``id_b``:
  ``id_a``'s relationships move to ``id_b``, its name becomes an alias, it is
  deleted;
* ``{"rel": TYPE, "start": id, "end": id, "props": {...}, "key": "",
  "start_label"?: "Enterprise", "end_label"?: ...}`` — write that relationship
  (a null end takes the first of ``start_options``/``end_options`` unless the
  reviewer names one).

``split`` keeps the two apart (a merge candidate) and is otherwise a reject.
These functions are what the CLI (``ronglian review``) and the API call. Must
not live here: Cypher text or output formatting.
"""

from __future__ import annotations

import json
from typing import Any

from graph.errors import InvalidInput, NotFound
from graph.schema import REL_TYPES, q_rel
from graph.store import GRAPH_CYPHER, Store
from graph.writes import merge_rels, note_ties_deleted, rel_row
from ingest.job import utc_now

STATUSES = ("pending", "confirmed", "rejected")


def list_candidates(store: Store, status: str = "pending", limit: int = 100
                    ) -> list[dict[str, Any]]:
    if status not in STATUSES:
        raise InvalidInput(f"status 应为 {'、'.join(STATUSES)} 之一 (status must be one of "
                           f"{', '.join(STATUSES)})", field="status")
    rows = store.read(GRAPH_CYPHER.get("ingest_candidates_list", store.dialect),
                      {"status": status, "limit": int(limit)})
    for r in rows:
        r["payload"] = json.loads(r.pop("payload_json") or "{}")
    return rows


def get_candidate(store: Store, cid: str) -> dict[str, Any]:
    rows = store.read(GRAPH_CYPHER.get("ingest_candidate_get", store.dialect), {"id": cid})
    if not rows:
        raise NotFound(f"候选 {cid} 不存在 (no such candidate)", code="E404")
    r = rows[0]
    r["payload"] = json.loads(r.pop("payload_json") or "{}")
    return r


def _set_status(store: Store, cid: str, status: str, resolution: str) -> None:
    store.write(GRAPH_CYPHER.get("ingest_candidate_set_status", store.dialect),
                {"id": cid, "status": status, "resolution": resolution, "at": utc_now()})


def _pending(store: Store, cid: str) -> dict[str, Any]:
    c = get_candidate(store, cid)
    if c["status"] != "pending":
        raise InvalidInput(f"候选 {cid} 已处理（{c['status']}） (already reviewed)",
                           field="id")
    return c


def merge_enterprises(store: Store, from_id: str, to_id: str) -> str:
    """Fold enterprise ``from_id`` into ``to_id`` (relationships move, name kept as alias)."""
    if from_id == to_id:
        raise InvalidInput("不能与自身合并 (cannot merge a node into itself)", field="merge")
    params = {"from": from_id, "to": to_id}
    for rel in sorted(REL_TYPES):
        for name in ("ingest_move_out_rels", "ingest_move_in_rels"):
            store.write(GRAPH_CYPHER.get(name, store.dialect).replace("{rel}", q_rel(rel)),
                        params)
    rows = store.write(GRAPH_CYPHER.get("ingest_merge_finish", store.dialect),
                       {**params, "at": utc_now()})
    if not rows:
        raise NotFound(f"企业 {from_id} 或 {to_id} 不存在 (enterprise missing)", code="E404")
    note_ties_deleted(store)  # ties moved: deleted and created, the count unchanged
    return to_id


def confirm(store: Store, cid: str, *, choice: str | None = None,
            choice_name: str = "choice") -> dict[str, Any]:
    """Apply a pending candidate's payload; ``choice`` picks the id for an open end.
    ``choice_name`` is what the caller's user calls it (the API's field ``choice``, the
    command's ``--choice``), for the message of an end left open."""
    c = _pending(store, cid)
    p = c["payload"]
    if "merge" in p:
        a, b = p["merge"][0], choice or p["merge"][1]
        merge_enterprises(store, a, b)
        _set_status(store, cid, "confirmed", f"merged {a} into {b}")
        return {"id": cid, "status": "confirmed", "merged": [a, b]}
    if "rel" in p:
        start = p.get("start") or choice or (p.get("start_options") or [None])[0]
        end = p.get("end") or (choice if p.get("start") else None) \
            or (p.get("end_options") or [None])[0]
        if not start or not end:
            raise InvalidInput(f"候选关系缺少端点，请用 {choice_name} 给出该端点的 id "
                               f"(relation end missing: give its id as {choice_name})",
                               field="choice")
        props = {**(p.get("props") or {}), "method": "manual", "confidence": 1.0,
                 "source": c.get("source") or "review", "run_id": c.get("run_id"),
                 "ingested_at": utc_now(), "candidate_id": cid}
        props = {k: v for k, v in props.items() if v is not None}
        n = merge_rels(store, p["rel"], p.get("start_label", "Enterprise"),
                       p.get("end_label", "Enterprise"),
                       [rel_row(start, end, props, key=p.get("key", ""))])
        if not n:
            raise NotFound(f"关系端点不存在 {start} → {end} (relation ends missing)",
                           code="E404")
        _set_status(store, cid, "confirmed", f"wrote {p['rel']} {start}->{end}")
        return {"id": cid, "status": "confirmed", "rel": p["rel"], "start": start, "end": end}
    raise InvalidInput(f"候选 {cid} 的内容无法应用 (payload has neither merge nor rel)",
                       field="payload")


def reject(store: Store, cid: str) -> dict[str, Any]:
    _pending(store, cid)
    _set_status(store, cid, "rejected", "rejected")
    return {"id": cid, "status": "rejected"}


def split(store: Store, cid: str) -> dict[str, Any]:
    """Keep the entities of a merge candidate apart (recorded as a rejection)."""
    c = _pending(store, cid)
    resolution = "split: kept apart" if "merge" in c["payload"] else "rejected"
    _set_status(store, cid, "rejected", resolution)
    return {"id": cid, "status": "rejected", "resolution": resolution}
