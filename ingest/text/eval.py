"""Scoring the text pipeline: NER against CLUENER-format gold, relations against our set.

Lives here: :func:`eval_ner` (exact span match, per label precision / recall /
F1; CLUENER ``company`` is scored against our ``ENTERPRISE``, ``organization``
and ``government`` against ``ORG``, ``address`` against ``REGION``) and
:func:`eval_relations` (our relation test set ``seeds/text/relations_test.jsonl``:
a predicted relation is right when its type, direction and both entity texts
agree with a gold one; entity texts match exactly or one containing the other;
``COOPERATES_WITH`` is unordered). Nothing here writes anything.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.text.inputs import Document
from ingest.text.pipeline import TextExtractor
from ingest.text.training import LABEL_MAP, read_cluener

SYMMETRIC = frozenset({"COOPERATES_WITH"})


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4), "tp": self.tp, "fp": self.fp, "fn": self.fn,
                "gold": self.tp + self.fn, "predicted": self.tp + self.fp}


def count_spans(scores: dict[str, PRF], gold: Iterable[tuple[int, int, str]],
                pred: Iterable[tuple[int, int, str]]) -> None:
    """Add one sentence's exact-span matches ``(start, end, label)`` to ``scores``, per
    label of ``scores`` (spans of other labels are not counted)."""
    g, p = set(gold), set(pred)
    for lab, s in scores.items():
        gl = {x for x in g if x[2] == lab}
        pl = {x for x in p if x[2] == lab}
        s.tp += len(gl & pl)
        s.fp += len(pl - gl)
        s.fn += len(gl - pl)


def eval_ner(gold: Path, extractor: TextExtractor,
             labels: Iterable[str] = ("ENTERPRISE", "ORG", "REGION")) -> dict[str, PRF]:
    """Per-label exact-span scores of ``extractor`` on a CLUENER-format file."""
    rows = list(read_cluener(gold, label_map=LABEL_MAP))
    docs = [Document(f"g{i}", r.text) for i, r in enumerate(rows)]
    scores: dict[str, PRF] = {lab: PRF() for lab in set(labels)}
    for row, ext in zip(rows, extractor.extract(docs), strict=True):
        count_spans(scores, row.spans, ((e.start, e.end, e.label) for e in ext.entities))
    return scores


def _same_entity(a: str, b: str) -> bool:
    return a == b or (min(len(a), len(b)) >= 2 and (a in b or b in a))


def _rel_match(pred: tuple[str, str, str], gold: tuple[str, str, str]) -> bool:
    ph, pt, ptype = pred
    gh, gt, gtype = gold
    if ptype != gtype:
        return False
    if _same_entity(ph, gh) and _same_entity(pt, gt):
        return True
    return ptype in SYMMETRIC and _same_entity(ph, gt) and _same_entity(pt, gh)


def read_relation_gold(path: Path) -> list[dict[str, Any]]:
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                out.append(json.loads(line))
    return out


def eval_relations(gold: Path, extractor: TextExtractor) -> tuple[dict[str, PRF], list[str]]:
    """Per-type (and ``ALL``) scores on our relation set; also a list of the errors."""
    rows = read_relation_gold(gold)
    docs = [Document(str(r["id"]), r["text"]) for r in rows]
    scores: dict[str, PRF] = {}
    errors: list[str] = []
    for row, ext in zip(rows, extractor.extract(docs), strict=True):
        golds = [(g["head"], g["tail"], g["type"]) for g in row.get("relations", [])]
        preds = [(ext.entities[r.head].text, ext.entities[r.tail].text, r.type)
                 for r in ext.relations]
        unmatched_gold = list(golds)
        for p in preds:
            hit = next((g for g in unmatched_gold if _rel_match(p, g)), None)
            prf = scores.setdefault(p[2], PRF())
            if hit is not None:
                prf.tp += 1
                unmatched_gold.remove(hit)
            else:
                prf.fp += 1
                errors.append(f"FP {row['id']}: {p[0]} -{p[2]}-> {p[1]} | {row['text']}")
        for g in unmatched_gold:
            scores.setdefault(g[2], PRF()).fn += 1
            errors.append(f"FN {row['id']}: {g[0]} -{g[2]}-> {g[1]} | {row['text']}")
    total = PRF()
    for prf in scores.values():
        total.tp += prf.tp
        total.fp += prf.fp
        total.fn += prf.fn
    scores["ALL"] = total
    return scores, errors


def label_counts(path: Path) -> Counter[str]:
    c: Counter[str] = Counter()
    for r in read_relation_gold(path):
        for g in r.get("relations", []):
            c[g["type"]] += 1
    return c
