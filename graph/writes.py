"""Batched upserts of nodes and relationships, the write path of every ingest job.

Labels and types are allow-listed and quoted by :mod:`graph.schema`; the Cypher
templates live in ``graph/cypher/merge_*.cypher``. Every batch is its own
committed transaction and MERGEs on keys, so a rerun after a crash makes no
duplicates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from graph.schema import q, q_rel
from graph.settings import get_settings
from graph.store import GRAPH_CYPHER, Store, chunks


def node_row(id_: str, props: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": id_, "props": {k: v for k, v in props.items() if k != "id"}}


def rel_row(start: str, end: str, props: Mapping[str, Any] | None = None,
            key: str = "") -> dict[str, Any]:
    return {"start": start, "end": end, "key": key, "props": dict(props or {})}


def merge_nodes(store: Store, label: str, rows: Iterable[dict[str, Any]], *,
                batch_size: int | None = None,
                on_batch: Callable[[int], None] | None = None) -> int:
    """Upsert ``rows`` (from :func:`node_row`) as ``label`` nodes; return how many were new."""
    text = GRAPH_CYPHER.get("merge_nodes", store.dialect).replace("{label}", q(label))
    created = 0
    for batch_rows in _batches(rows, batch_size):
        created += store.write_summary(text, {"rows": batch_rows}).nodes_created
        if on_batch:
            on_batch(len(batch_rows))
    return created


def merge_rels(store: Store, rel: str, start: str, end: str, rows: Iterable[dict[str, Any]], *,
               batch_size: int | None = None,
               on_batch: Callable[[int], None] | None = None) -> int:
    """Upsert ``rows`` (from :func:`rel_row`); return how many found both endpoints."""
    text = (GRAPH_CYPHER.get("merge_rels", store.dialect)
            .replace("{start}", q(start)).replace("{end}", q(end)).replace("{rel}", q_rel(rel)))
    matched = 0
    for batch_rows in _batches(rows, batch_size):
        out = store.write(text, {"rows": batch_rows})
        matched += int(out[0]["matched"] or 0) if out else 0
        if on_batch:
            on_batch(len(batch_rows))
    return matched


def _batches(rows: Iterable[dict[str, Any]], size: int | None) -> Iterable[list[dict[str, Any]]]:
    return chunks(rows, size or get_settings().batch_size)


def note_ties_deleted(store: Store) -> None:
    """Record that relationships were deleted (``ties_deleted_note``): call after any write
    that deletes relationships, so caches keyed on the relationship count see a deletion
    followed by a creation (``queries/rec_generation_deleted.cypher``)."""
    store.write(GRAPH_CYPHER.get("ties_deleted_note", store.dialect))
