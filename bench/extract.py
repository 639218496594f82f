"""Throughput of text extraction: full pipeline vs rules only, one core, same run.

usage: python bench/extract.py [--sentences N] [--model DIR]

Sentences are our relation test and dev sets (seeds/text/), repeated with a
counter appended so no cache sees the same text twice. Reports sentences per
CPU-second (process time, so other load on the machine does not count against
us) and per wall-second, for entities + relations, and the ratio between the
two pipelines. Threads are pinned to one before numpy/thinc load.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.text.inputs import Document  # noqa: E402
from ingest.text.pipeline import MODEL_DIR, TextExtractor, load_nlp  # noqa: E402


def sentences(n: int) -> list[str]:
    base: list[str] = []
    for name in ("relations_test.jsonl", "relations_dev.jsonl"):
        for line in (ROOT / "seeds" / "text" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                base.append(json.loads(line)["text"])
    out: list[str] = []
    i = 0
    while len(out) < n:
        s = base[i % len(base)]
        out.append(s.rstrip("。") + f"，编号{i}。")
        i += 1
    return out


def run(extractor: TextExtractor, texts: list[str]) -> tuple[float, float, int, int]:
    docs = [Document(f"b{i}", t) for i, t in enumerate(texts)]
    extractor.extract_text("预热：唐山某某有限公司向唐山某某集团供应钢材。")
    c0, w0 = time.process_time(), time.perf_counter()
    n_ent = n_rel = 0
    for ext in extractor.extract(docs):
        n_ent += len(ext.entities)
        n_rel += len(ext.relations)
    return time.process_time() - c0, time.perf_counter() - w0, n_ent, n_rel


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sentences", type=int, default=5000)
    ap.add_argument("--model", type=Path, default=MODEL_DIR)
    args = ap.parse_args()
    texts = sentences(args.sentences)
    full = TextExtractor(load_nlp(args.model))
    rules = TextExtractor(load_nlp(None))
    rows = []
    for name, ex in (("rules only", rules), ("model + rules", full)):
        cpu, wall, n_ent, n_rel = run(ex, texts)
        rows.append((name, len(texts) / cpu, len(texts) / wall, n_ent, n_rel))
    print(f"{'pipeline':<16}{'sent/s (CPU)':>14}{'sent/s (wall)':>15}{'entities':>10}"
          f"{'relations':>11}")
    for name, cps, wps, n_ent, n_rel in rows:
        print(f"{name:<16}{cps:>14,.0f}{wps:>15,.0f}{n_ent:>10,}{n_rel:>11,}")
    print(f"model + rules runs at {rows[1][1] / rows[0][1]:.2f}x the speed of rules only "
          f"({len(texts):,} sentences, one thread)")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"model: {args.model}; load average at the end: {load}")


if __name__ == "__main__":
    main()
