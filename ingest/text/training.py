"""Turn CLUENER2020 JSON Lines into spaCy training data for our NER model.

Lives here: the label map (CLUENER type -> our label), the fixed-seed
train/dev/test split and the conversion to ``DocBin`` files that
``tools/ner/train.sh`` feeds to ``spacy train``, and the NER scorer the training
config names (``ronglian.ner_scorer.v1``: our labels only; the shipped config
names it too, so the pipeline imports this module to load). The split is by
sentence with a fixed seed; ``dev`` is only used for early stopping, ``test``
only for the reported figure. Nothing else here runs at product run time.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import DocBin, Span
from spacy.training import Example
from spacy.util import filter_spans, registry

from ingest.text.components import AUX_PREFIX

logger = logging.getLogger(__name__)

#: CLUENER entity type -> our label. Other CLUENER types (name, position, game,
#: book, movie, scene) are dropped: the model learns them as "not an entity".
LABEL_MAP: dict[str, str] = {
    "company": "ENTERPRISE",
    "organization": "ORG",
    "government": "ORG",
    "address": "REGION",
}

#: Training-only map (``prepare.py --all-types``): the other CLUENER types become
#: ``X_*`` labels the model learns beside ours, so it sees the edges of names,
#: games, books… (暴雪 the game vs the company) instead of one "no entity" class.
#: The pipeline drops ``X_*`` spans (:data:`AUX_PREFIX`); they are never output.
LABEL_MAP_ALL: dict[str, str] = {
    **LABEL_MAP,
    **{t: AUX_PREFIX + t.upper() for t in ("name", "position", "game", "scene", "book",
                                            "movie")},
}

SPLIT_SEED = 20261127
DEV_FRACTION = 0.1
TEST_FRACTION = 0.1


@dataclass(frozen=True)
class GoldSentence:
    """One CLUENER sentence with character spans ``(start, end_exclusive, label)``."""

    text: str
    spans: tuple[tuple[int, int, str], ...]


def read_cluener(path: Path, *, label_map: dict[str, str] | None = None) -> Iterator[GoldSentence]:
    """Read a CLUENER file (``end`` inclusive in the file, exclusive here)."""
    mapping = LABEL_MAP if label_map is None else label_map
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            row: dict[str, Any] = json.loads(line)
            spans: list[tuple[int, int, str]] = []
            for ctype, mentions in (row.get("label") or {}).items():
                label = mapping.get(ctype)
                if label is None:
                    continue
                for offsets in mentions.values():
                    for start, end in offsets:
                        spans.append((int(start), int(end) + 1, label))
            yield GoldSentence(row["text"], tuple(sorted(spans)))


def split_sentences(
    rows: list[GoldSentence], *, seed: int = SPLIT_SEED
) -> dict[str, list[GoldSentence]]:
    """Shuffle with a fixed seed and cut into train / dev / test (80 / 10 / 10)."""
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    n_dev = int(len(rows) * DEV_FRACTION)
    n_test = int(len(rows) * TEST_FRACTION)
    test = [rows[i] for i in order[:n_test]]
    dev = [rows[i] for i in order[n_test:n_test + n_dev]]
    train = [rows[i] for i in order[n_test + n_dev:]]
    return {"train": train, "dev": dev, "test": test}


def to_docbin(nlp: Language, rows: Iterable[GoldSentence]) -> tuple[DocBin, int]:
    """Convert to a DocBin; return it and how many spans could not be aligned."""
    db = DocBin(store_user_data=False)
    lost = 0
    for row in rows:
        doc = nlp.make_doc(row.text)
        ents: list[Span] = []
        for start, end, label in row.spans:
            span = doc.char_span(start, end, label=label)
            if span is None:
                lost += 1
                continue
            ents.append(span)
        doc.ents = filter_spans(ents)
        db.add(doc)
    return db, lost


def write_corpus(source: Path, out_dir: Path, nlp: Language,
                 augment_names: list[str] | None = None,
                 augment_copies: int = 1,
                 label_map: dict[str, str] | None = None) -> dict[str, int]:
    """Write ``train.spacy``, ``dev.spacy``, ``test.spacy`` and ``dev``/``test.jsonl``
    (CLUENER); with ``augment_names`` also ``train_aug.spacy`` (train plus one
    mention-replaced copy of each sentence with a company, :func:`augment_mentions`).
    ``label_map`` (default :data:`LABEL_MAP`) says which CLUENER types are trained
    and as what; the split does not depend on it."""
    rows = list(read_cluener(source, label_map=label_map))
    parts = split_sentences(rows)
    out_dir.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for name, part in parts.items():
        db, lost = to_docbin(nlp, part)
        db.to_disk(out_dir / f"{name}.spacy")
        counts[name] = len(part)
        counts[f"{name}_unaligned"] = lost
    if augment_names is not None:
        extra = augment_mentions(parts["train"], augment_names, copies=augment_copies)
        db, lost = to_docbin(nlp, parts["train"] + extra)
        db.to_disk(out_dir / "train_aug.spacy")
        counts["train_aug"] = len(parts["train"]) + len(extra)
        counts["train_aug_unaligned"] = lost
    # dev and the held-out test part also in CLUENER format, for `ronglian eval ner --gold`
    for name in ("dev", "test"):
        wanted = {r.text for r in parts[name]}
        with source.open(encoding="utf-8") as src, (out_dir / f"{name}.jsonl").open(
            "w", encoding="utf-8"
        ) as dst:
            for line in src:
                if line.strip() and json.loads(line)["text"] in wanted:
                    dst.write(line if line.endswith("\n") else line + "\n")
    return counts


def augment_mentions(rows: list[GoldSentence], names: list[str], *, seed: int = SPLIT_SEED,
                     label: str = "ENTERPRISE", share_known: float = 0.5,
                     copies: int = 1) -> list[GoldSentence]:
    """Mention replacement: ``copies`` copies of every sentence holding a ``label``
    mention, each such mention swapped for another company name, every span shifted
    to match.

    Half of the substitutes (``share_known``) come from ``names`` (the listed
    companies behind the model's lexicon feature), the rest from the other
    sentences' own mentions, so the copies do not teach "in the list = company".
    Only training sentences may go in: dev and test stay untouched.
    """
    rng = random.Random(seed + 1)
    own = sorted({r.text[s:e] for r in rows for s, e, lab in r.spans if lab == label})
    known = [n for n in names if 2 <= len(n) <= 12]
    out: list[GoldSentence] = []
    for row in [r for _ in range(copies) for r in rows]:
        if not any(lab == label for _, _, lab in row.spans):
            continue
        pieces: list[str] = []
        spans: list[tuple[int, int, str]] = []
        pos = 0  # next unread character of row.text
        shift = 0
        for start, end, lab in row.spans:
            if start < pos:  # overlapping gold (rare): keep the copy simple, skip it
                continue
            pieces.append(row.text[pos:start])
            old = row.text[start:end]
            new = old
            if lab == label:
                pool = known if known and rng.random() < share_known else own
                new = rng.choice(pool) if pool else old
            pieces.append(new)
            spans.append((start + shift, start + shift + len(new), lab))
            shift += len(new) - len(old)
            pos = end
        pieces.append(row.text[pos:])
        out.append(GoldSentence("".join(pieces), tuple(spans)))
    return out


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"p": p, "r": r, "f": 2 * p * r / (p + r) if p + r else 0.0}


def score_ner_without_aux(examples: Iterable[Example], **_: Any) -> dict[str, Any]:
    """spaCy's NER scores (exact char spans) over our labels only: ``X_*`` spans,
    predicted or gold, are left out, so model selection on dev is not steered by how
    well the model finds person names or games."""
    counts: dict[str, list[int]] = {}
    for eg in examples:
        pred = {(e.start_char, e.end_char, e.label_) for e in eg.predicted.ents
                if not e.label_.startswith(AUX_PREFIX)}
        gold = {(e.start_char, e.end_char, e.label_) for e in eg.reference.ents
                if not e.label_.startswith(AUX_PREFIX)}
        for label in {x[2] for x in pred | gold}:
            c = counts.setdefault(label, [0, 0, 0])
            p = {x for x in pred if x[2] == label}
            g = {x for x in gold if x[2] == label}
            c[0] += len(p & g)
            c[1] += len(p - g)
            c[2] += len(g - p)
    total = [sum(c[i] for c in counts.values()) for i in range(3)]
    overall = _prf(*total)
    # ENTERPRISE on its own as a top-level score, so a training config can log it or
    # weigh it in model selection ([training.score_weights] ents_enterprise_f)
    return {"ents_p": overall["p"], "ents_r": overall["r"], "ents_f": overall["f"],
            "ents_enterprise_f": _prf(*counts.get("ENTERPRISE", [0, 0, 0]))["f"],
            "ents_per_type": {label: _prf(*c) for label, c in sorted(counts.items())}}


@registry.scorers("ronglian.ner_scorer.v1")
def make_ner_scorer() -> Callable[..., dict[str, Any]]:
    """Registered for the training config (``tools/ner/config.cfg``)."""
    return score_ner_without_aux
