"""Precision/recall of entity resolution on listed companies' short ↔ full names.

``python -m ingest.resolve_eval [--data company.json] [--tune]``

Every full name (``fullname``) is indexed; each short name (``name``) is then
resolved against the index. The pairs are split deterministically by stock code
into a tuning part (30 %) and a report part (70 %): thresholds in
:mod:`ingest.resolve` were chosen with ``--tune`` on the tuning part only, and
the figures printed by default come from the report part.

One in five companies (chosen by a second hash of the code) is left out of the
index, so its short name must come out ``new``: without such absent entities a
matcher that always says ``same`` would look perfect. A ``same`` decision on
the right id is a true positive; a ``same`` on a wrong id (or on an absent
company) is a false positive; ``ambiguous``/``new`` count as misses (ambiguous ones go to
review, and the share whose right answer is among the review candidates is
printed too). This is a developer tool and may read ``../shared``; the product
never imports it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ingest.resolve import AMBIGUOUS_THRESHOLD, MARGIN, SAME_THRESHOLD, Decision, Resolver

DEFAULT_DATA = (Path(__file__).resolve().parents[2] / "shared" / "data" / "listed_companies"
                / "company.json")


@dataclass
class Scores:
    n: int
    tp: int
    fp: int
    ambiguous: int
    ambiguous_hit: int
    new: int
    absent: int = 0
    absent_new: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.n if self.n else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load_pairs(path: Path) -> list[tuple[str, str, str]]:
    """(code, short name, full name) triples."""
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                r = json.loads(line)
                out.append((str(r["code"]), str(r["name"]), str(r["fullname"])))
    return out


def split(pairs: list[tuple[str, str, str]], tune_share: float = 0.3
          ) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    tune: list[tuple[str, str, str]] = []
    report: list[tuple[str, str, str]] = []
    for p in pairs:
        h = int(hashlib.sha1(p[0].encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
        (tune if h < tune_share else report).append(p)
    return tune, report


def absent(code: str, share: float = 0.2) -> bool:
    """Whether ``code`` is left out of the index (its mention must come out new)."""
    return int(hashlib.sha1(("absent:" + code).encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < share


def build_index(pairs: list[tuple[str, str, str]]) -> Resolver:
    r = Resolver()
    for code, _short, full in pairs:
        if not absent(code):
            r.add(code, full)
    return r


def decide(r: Resolver, queries: list[tuple[str, str, str]]) -> list[tuple[str, Decision]]:
    return [(code, r.resolve(name=short)) for code, short, _ in queries]


def score(decisions: list[tuple[str, Decision]], same_t: float, amb_t: float,
          margin: float) -> Scores:
    """Re-apply thresholds to recorded fuzzy candidates (exact decisions stay as they are)."""
    s = Scores(sum(1 for g, _ in decisions if not absent(g)), 0, 0, 0, 0, 0)
    for gold, d in decisions:
        kind, pred = d.kind, d.id
        if d.reason.startswith(("fuzzy", "best fuzzy")) and d.candidates:
            best_id, best = d.candidates[0]
            second = d.candidates[1][1] if len(d.candidates) > 1 else 0.0
            pred = best_id
            if best >= same_t and best - second >= margin:
                kind = "same"
            elif best >= amb_t:
                kind = "ambiguous"
            else:
                kind = "new"
        if absent(gold):
            s.absent += 1
            s.absent_new += kind == "new"
            s.fp += kind == "same"
            continue
        if kind == "same":
            if pred == gold:
                s.tp += 1
            else:
                s.fp += 1
        elif kind == "ambiguous":
            s.ambiguous += 1
            if any(i == gold for i, _ in d.candidates):
                s.ambiguous_hit += 1
        else:
            s.new += 1
    return s


def tune(decisions: list[tuple[str, Decision]]
         ) -> tuple[tuple[float, float, float], Scores]:
    best: tuple[tuple[float, int], tuple[float, float, float], Scores] | None = None
    for same_t in [x / 100 for x in range(60, 100)]:
        for margin in [x / 100 for x in range(0, 16)]:
            for amb_t in [x / 100 for x in range(50, 90, 4)]:
                if amb_t > same_t:
                    continue
                s = score(decisions, same_t, amb_t, margin)
                # Favour precision (a wrong merge is worse than a review item), then
                # F1, then the most absent names said new.
                key = (s.f1, s.absent_new)
                if s.precision >= 0.97 and (best is None or key > best[0]):
                    best = (key, (same_t, amb_t, margin), s)
    if best is None:
        raise SystemExit("no threshold reaches precision 0.97 on the tuning split")
    return best[1], best[2]


def report(name: str, s: Scores) -> str:
    return (f"{name}: n={s.n} precision={s.precision:.3f} recall={s.recall:.3f} "
            f"f1={s.f1:.3f} (same right {s.tp}, same wrong {s.fp}, ambiguous {s.ambiguous} "
            f"of which right answer among candidates {s.ambiguous_hit}, new {s.new}); "
            f"absent from index {s.absent}: said new {s.absent_new}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--tune", action="store_true", help="search thresholds on the tuning split")
    args = ap.parse_args(argv)
    pairs = load_pairs(args.data)
    tune_part, report_part = split(pairs)
    t0 = time.perf_counter()
    r = build_index(pairs)
    t1 = time.perf_counter()
    out = sys.stdout
    if args.tune:
        (same_t, amb_t, margin), s = tune(decide(r, tune_part))
        out.write(f"tuned on {len(tune_part)} pairs: same_threshold={same_t} "
                  f"ambiguous_threshold={amb_t} margin={margin}\n")
        out.write(report("tuning split", s) + "\n")
        return 0
    decisions = decide(r, report_part)
    t2 = time.perf_counter()
    s = score(decisions, SAME_THRESHOLD, AMBIGUOUS_THRESHOLD, MARGIN)
    out.write(f"index {len(r)} full names in {t1 - t0:.2f}s; "
              f"{len(report_part)} look-ups in {t2 - t1:.2f}s "
              f"({len(report_part) / max(t2 - t1, 1e-9):.0f}/s)\n")
    out.write(report("held-out split (70%)", s) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
