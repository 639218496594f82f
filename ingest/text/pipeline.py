"""The text extraction pipeline: documents in, entities and relations out.

Lives here: :func:`load_nlp` (the shipped NER model from ``seeds/models/`` plus
the rule component, or the rule component alone), :class:`TextExtractor`
(sentence split, spaCy over sentences in batches, product phrases, relations,
linking) and the JSON shape of ``ronglian extract`` (:meth:`Extraction.as_json`).
Reads the graph only through an optional gazetteer cache and linker; never writes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language

import ingest.text.components  # registers the spaCy factory
import ingest.text.training  # noqa: F401  (registers the NER scorer named in the model config)
from ingest.text.components import EntityMerger, entity_meta
from ingest.text.gazetteer import Gazetteer, GazetteerCache, seed_gazetteer
from ingest.text.inputs import Document, InputReport, Sentence, split_sentences
from ingest.text.linking import Link, Linker
from ingest.text.ops import numpy_gemm_ops
from ingest.text.relations import (
    Ent,
    Relation,
    SentenceView,
    extract_relations,
    object_entities,
)
from ingest.text.tokenizer import CharWordTokenizer

logger = logging.getLogger(__name__)

MODEL_DIR = Path(__file__).resolve().parents[2] / "seeds" / "models" / "zh_ner"
LABELS = ("ENTERPRISE", "ORG", "PRODUCT", "CAPABILITY", "REGION")


def load_nlp(model_dir: Path | None = MODEL_DIR, *, rules: bool = True,
             gazetteer: Gazetteer | None = None) -> Language:
    """The spaCy pipeline: trained NER (unless ``model_dir`` is None) then rules."""
    if model_dir is not None:
        if not (Path(model_dir) / "config.cfg").is_file():
            from graph.errors import ConfigError

            raise ConfigError(f"NER model missing at {model_dir}; rebuild it with "
                              "tools/ner/train.sh", code="E240")
        with numpy_gemm_ops():
            nlp = spacy.load(model_dir)
    else:
        nlp = spacy.blank("zh")
        nlp.tokenizer = CharWordTokenizer(nlp.vocab)
    if rules:
        merger = nlp.add_pipe("ronglian_entities", last=True)
        assert isinstance(merger, EntityMerger)
        merger.set_gazetteer(gazetteer if gazetteer is not None else seed_gazetteer())
    return nlp


@dataclass
class Extraction:
    """What was found in one document (offsets into ``text``, end exclusive)."""

    id: str
    text: str
    entities: list[Ent]
    relations: list[Relation]
    links: list[Link]
    sentences: list[Sentence] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "entities": [
                {"start": e.start, "end": e.end, "label": e.label, "text": e.text,
                 "linked_id": link.id}
                for e, link in zip(self.entities, self.links, strict=True)
            ],
            "relations": [
                {"head": r.head, "tail": r.tail, "type": r.type, "confidence": r.confidence,
                 "evidence": r.evidence}
                for r in self.relations
            ],
        }


class TextExtractor:
    """Runs the pipeline over documents. ``linker`` is optional (no store, no links)."""

    def __init__(self, nlp: Language | None = None, *, linker: Linker | None = None,
                 gazetteers: GazetteerCache | None = None, batch_size: int = 256) -> None:
        self.nlp = nlp if nlp is not None else load_nlp()
        self.linker = linker
        self.gazetteers = gazetteers
        self.batch_size = batch_size
        self._gaz_version: str | None = None

    def refresh(self) -> None:
        """Pick up a rebuilt gazetteer if the graph changed since the last call."""
        if self.gazetteers is None or "ronglian_entities" not in self.nlp.pipe_names:
            return
        g = self.gazetteers.get()
        if g.fingerprint != self._gaz_version:
            merger = self.nlp.get_pipe("ronglian_entities")
            assert isinstance(merger, EntityMerger)
            merger.set_gazetteer(g)
            self._gaz_version = g.fingerprint

    def extract(self, docs: Iterable[Document],
                report: InputReport | None = None) -> Iterator[Extraction]:
        """Extract every document; documents are batched so spaCy sees many sentences."""
        self.refresh()
        batch: list[Document] = []
        n_sent = 0
        for d in docs:
            batch.append(d)
            n_sent += max(1, len(d.text) // 40)
            if n_sent >= self.batch_size * 4:
                yield from self._extract_batch(batch, report)
                batch, n_sent = [], 0
        if batch:
            yield from self._extract_batch(batch, report)

    def extract_text(self, text: str, doc_id: str = "doc") -> Extraction:
        """Extract one text (convenience for the API and tests)."""
        self.refresh()
        return next(iter(self._extract_batch([Document(doc_id, text)], None)))

    def _extract_batch(self, docs: list[Document],
                       report: InputReport | None) -> Iterator[Extraction]:
        per_doc = [split_sentences(d.text, report) for d in docs]
        flat = [s.text for sents in per_doc for s in sents]
        parsed = iter(self.nlp.pipe(flat, batch_size=self.batch_size))
        for d, sents in zip(docs, per_doc, strict=True):
            ents: list[Ent] = []
            origins: list[str | None] = []
            spans_per_sent: list[list[int]] = []
            for s in sents:
                sdoc = next(parsed)
                idxs = []
                for span in sdoc.ents:
                    if span.label_ not in LABELS:
                        continue  # the model's auxiliary X_* types (no rule component ran)
                    meta = entity_meta(sdoc, span)
                    start, end = s.start + span.start_char, s.start + span.end_char
                    ents.append(Ent(start, end, span.label_, d.text[start:end],
                                    float(meta["confidence"]), str(meta["source"]),
                                    meta.get("entry_id")))
                    origins.append(meta.get("entry_origin"))
                    idxs.append(len(ents) - 1)
                spans_per_sent.append(idxs)
            yield self._relations_and_links(d, sents, ents, origins, spans_per_sent)

    def _relations_and_links(self, d: Document, sents: list[Sentence], ents: list[Ent],
                             origins: list[str | None],
                             spans_per_sent: list[list[int]]) -> Extraction:
        relations: list[Relation] = []
        subject: int | None = None
        for s, idxs in zip(sents, spans_per_sent, strict=True):
            view = SentenceView(s.text, s.start, s.end, d.text[s.start:s.end], idxs)
            # product phrases no list knew, right after 生产/主营/…
            for obj in object_entities(view, ents, subject):
                if any(obj.start < e.end and e.start < obj.end for e in ents):
                    continue
                obj.text = d.text[obj.start:obj.end]
                ents.append(obj)
                origins.append(None)
                view.entities.append(len(ents) - 1)
            view.entities.sort(key=lambda i: ents[i].start)
            relations.extend(extract_relations(view, ents, subject))
            parties = [i for i in view.entities if ents[i].label == "ENTERPRISE"]
            near_start = bool(parties) and ents[parties[0]].start - s.start <= 12
            if near_start or (subject is None and parties):
                subject = parties[0]
        # entities in text order; relation indices follow
        order = sorted(range(len(ents)), key=lambda i: (ents[i].start, ents[i].end))
        remap = {old: new for new, old in enumerate(order)}
        ents_sorted = [ents[i] for i in order]
        origins_sorted = [origins[i] for i in order]
        for r in relations:
            r.head, r.tail = remap[r.head], remap[r.tail]
        relations.sort(key=lambda r: (r.evidence.get("start", 0), r.head, r.tail, r.type))
        if self.linker is not None:
            links = [self.linker.link(e, o) for e, o in zip(ents_sorted, origins_sorted,
                                                             strict=True)]
        else:
            links = [Link(None, "none") for _ in ents_sorted]
        return Extraction(d.id, d.text, ents_sorted, relations, links, sents, d.meta)
