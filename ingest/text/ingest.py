"""``ronglian ingest text``: extracted facts written to the graph with provenance.

Lives here: :func:`ingest_text`. Per document it writes a ``Document`` node,
``MENTIONED_IN {start, end, sentence}`` from every linked or created Enterprise
and Product, and each relation at or above ``threshold`` as a graph fact
(``method`` "text", its ``confidence``, the evidence sentence and offsets).
Relations under the threshold, or whose ends are unresolved, ambiguous or not
enterprises (ORG), become ``Candidate`` nodes (kind "relation", status
"pending", payload ``{rel, start, end, props, …}``) for ``ronglian review``.
A new Enterprise is created only for a full legal-form name or for an entity
that takes part in a confident relation; other unknown mentions are counted,
not written. Writes go through :class:`ingest.job.Job` (batches, provenance,
reruns change nothing).

Must not live here: extraction (``pipeline.py``) or Cypher text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.store import Store
from ingest.job import IngestResult, Job, stable_id
from ingest.normalize import norm_name
from ingest.text.gazetteer import GazetteerCache
from ingest.text.inputs import (
    InputReport,
    has_traditional,
    read_documents,
    to_simplified_same_length,
)
from ingest.text.linking import Link, Linker
from ingest.text.pipeline import Extraction, TextExtractor, load_nlp
from ingest.text.relations import Ent

logger = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 0.7
_ENTERPRISE_RELS = frozenset({"SUPPLIES", "COOPERATES_WITH", "INVESTS_IN", "CONTROLS"})


@dataclass
class TextIngestSummary:
    """The job's counts plus what the text stage saw."""

    result: IngestResult
    input: InputReport
    entities: int = 0
    linked: int = 0
    new_enterprises: int = 0
    new_products: int = 0
    relations: int = 0
    facts_written: int = 0
    relation_candidates: int = 0
    by_type: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"run_id": self.result.run_id, "source": self.result.source,
                **self.result.counts(), "input": self.input.as_dict(),
                "entities": self.entities, "linked": self.linked,
                "new_enterprises": self.new_enterprises, "new_products": self.new_products,
                "relations": self.relations, "facts_written": self.facts_written,
                "relation_candidates": self.relation_candidates, "by_type": self.by_type}


class _DocWriter:
    def __init__(self, job: Job, linker: Linker, threshold: float,
                 summary: TextIngestSummary) -> None:
        self.job = job
        self.linker = linker
        self.threshold = threshold
        self.s = summary

    def write(self, ext: Extraction) -> None:
        job = self.job
        doc_id = document_id(ext.text)
        title = ext.text[:40].replace("\n", " ")
        job.node("Document", doc_id, {"source": job.source, "title": title, "doc_key": ext.id,
                                      "chars": len(ext.text)})
        strong = self._strong_entities(ext)
        ids: list[tuple[str, str] | None] = []
        for i, (e, link) in enumerate(zip(ext.entities, ext.links, strict=True)):
            self.s.entities += 1
            node = self._node_for(e, link, i in strong)
            ids.append(node)
            if node is None:
                continue
            label, nid = node
            sentence = _sentence_of(ext, e)
            job.rel("MENTIONED_IN", label, nid, "Document", doc_id,
                    {"start": e.start, "end": e.end, "sentence": sentence},
                    key=f"{e.start}-{e.end}", confidence=e.confidence)
        for r in ext.relations:
            self.s.relations += 1
            self.s.by_type[r.type] = self.s.by_type.get(r.type, 0) + 1
            head, tail = ext.entities[r.head], ext.entities[r.tail]
            a, b = ids[r.head], ids[r.tail]
            props = {"sentence": r.evidence.get("sentence"), "doc_id": doc_id,
                     "sent_start": r.evidence.get("start"), "sent_end": r.evidence.get("end"),
                     "head_start": head.start, "head_end": head.end,
                     "tail_start": tail.start, "tail_end": tail.end,
                     "trigger": r.evidence.get("trigger"), "rule": r.evidence.get("rule")}
            end_label = "Product" if r.type == "PRODUCES" else "Enterprise"
            if a is not None and a == b:
                # "甲向甲供应" names one firm twice (or two mentions linked to one node):
                # no fact and no review item can make a firm its own partner
                self.job.result.skipped += 1
                continue
            ok_types = (a is not None and a[0] == "Enterprise" and b is not None
                        and b[0] == end_label)
            if r.confidence >= self.threshold and ok_types and a is not None and b is not None:
                job.rel(r.type, "Enterprise", a[1], end_label, b[1], props,
                        confidence=r.confidence)
                self.s.facts_written += 1
                continue
            reason = ("置信度低于阈值 (confidence below threshold)"
                      if r.confidence < self.threshold else
                      "实体未能对应到图中节点 (an end is unresolved or not an enterprise)")
            payload = {"rel": r.type, "start": a[1] if a else None, "end": b[1] if b else None,
                       "start_label": "Enterprise", "end_label": end_label,
                       "start_text": head.text, "end_text": tail.text,
                       "start_entity_label": head.label, "end_entity_label": tail.label,
                       "props": props, "key": ""}
            job.candidate("relation", payload, confidence=r.confidence, reason=reason)
            self.s.relation_candidates += 1

    def _strong_entities(self, ext: Extraction) -> set[int]:
        out = {i for i, e in enumerate(ext.entities) if e.source in {"legal_form", "graph"}}
        for r in ext.relations:
            if r.confidence >= self.threshold:
                out.update((r.head, r.tail))
        return out

    def _node_for(self, e: Ent, link: Link, strong: bool) -> tuple[str, str] | None:
        if e.label == "ENTERPRISE":
            if link.id:
                self.s.linked += 1
                return "Enterprise", link.id
            if link.kind == "ambiguous" or not strong:
                return None
            name = _simplified(e.text)
            nid = stable_id("ent", norm_name(name))
            self.job.node("Enterprise", nid, {"name": name, "norm_name": norm_name(name)},
                          confidence=e.confidence, stub=True)
            # later mentions in this run resolve to the node just proposed
            self.linker.remember(e, nid)
            self.s.new_enterprises += 1
            return "Enterprise", nid
        if e.label == "PRODUCT":
            if link.id:
                self.s.linked += 1
                return "Product", link.id
            if not strong:
                return None
            name = _simplified(e.text)
            nid = e.entry_id or stable_id("prod", norm_name(name))
            self.job.node("Product", nid, {"name": name, "norm_name": norm_name(name)},
                          confidence=e.confidence, stub=True)
            self.s.new_products += 1
            return "Product", nid
        if link.id:
            self.s.linked += 1
        return None


def document_id(text: str) -> str:
    """A document is its text: the id hashes the text with runs of white space made one
    space, so the same text uploaded again, or under another file name or line number,
    is the same ``Document`` (and its mentions, facts and candidates the same records)."""
    return stable_id("doc", " ".join(text.split()))


def _simplified(text: str) -> str:
    """Graph names are Simplified; offsets stay on the original text."""
    return to_simplified_same_length(text) if has_traditional(text) else text


def _sentence_of(ext: Extraction, e: Ent) -> str:
    for s in ext.sentences:
        if s.start <= e.start < s.end:
            return ext.text[s.start:s.end]
    return ""


def ingest_text(store: Store, path: Path | str, *, extractor: TextExtractor | None = None,
                threshold: float = DEFAULT_THRESHOLD, run_dir: Path | None = None,
                source: str | None = None,
                on_progress: Callable[[int], None] | None = None) -> TextIngestSummary:
    """Extract ``path`` (JSON Lines or text) and write its facts; return the counts.

    The provenance ``source`` is ``source``, else the file's name (as tables record it):
    never its folder, which for an upload is the server's job folder.
    """
    src = Path(path)
    job = Job(store, source or src.name, "text", method="text", run_dir=run_dir,
              on_progress=on_progress)
    linker = Linker(job.resolver)
    if extractor is None:
        extractor = TextExtractor(load_nlp(), linker=linker, gazetteers=GazetteerCache(store))
    else:
        # the gazetteer and the linker always follow the store written to
        extractor.linker = linker
        if extractor.gazetteers is None or extractor.gazetteers.store is not store:
            extractor.gazetteers = GazetteerCache(store)
    report = InputReport()
    summary = TextIngestSummary(job.result, report)
    writer = _DocWriter(job, linker, threshold, summary)
    try:
        for ext in extractor.extract(read_documents(src, report), report):
            job.result.read += 1
            writer.write(ext)
    except Exception:
        job.finish(status="failed")
        raise
    job.result.skipped += report.empty + report.bad_json
    summary.result = job.finish()
    return summary
