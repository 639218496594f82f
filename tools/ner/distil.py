"""Data side of the BGE-small-zh teacher experiment (``tools/ner/teacher.py``).

Runs in the project's virtualenv (spaCy, our tokenizer and split); the teacher itself
runs in a separate torch virtualenv. Three steps:

``export CLUENER_TRAIN COMPANY_NAMES OUT_DIR [COPIES]``
    JSON Lines ``{"text", "spans": [[start, end_exclusive, label]]}`` from our fixed
    split (``ingest/text/training.py``): ``train.jsonl`` (training part, gold),
    ``dev.jsonl`` (dev part, gold: model selection only), ``aug.jsonl`` (COPIES
    mention-replaced copies of the training sentences with a company, gold spans
    shifted; ``augment_mentions`` with a different seed per copy) and ``local.jsonl``
    (unlabelled local text the tools already read: the tivac industry-chain
    introductions, Traditional → Simplified, cut into sentences). The test part is
    not written.
``score PRED_JSONL CLUENER_GOLD [MIN_ENTERPRISE_F1]``
    Per-label exact-span P / R / F1 of predicted spans against CLUENER gold, with the
    conventions of ``ronglian eval ner`` (``ingest/text/eval.py``); exits with status 3
    when ENTERPRISE F1 is below the optional minimum (``distil.sh`` stops there).
``eval MODEL_DIR CLUENER_GOLD``
    ``ronglian eval ner`` for a candidate model that is not (yet) the shipped one:
    ENTERPRISE / ORG / REGION with the rules and, in brackets, the model alone.
``docbin OUT_SPACY JSONL...``
    A DocBin for ``spacy train`` from span files (gold or teacher-labelled), tokenized
    like ``prepare.py`` (``CharWordTokenizer``).

usage: .venv/bin/python tools/ner/distil.py export|score|eval|docbin ...
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import spacy

from ingest.text.eval import PRF, count_spans
from ingest.text.tokenizer import CharWordTokenizer, read_names
from ingest.text.training import (
    LABEL_MAP,
    SPLIT_SEED,
    GoldSentence,
    augment_mentions,
    read_cluener,
    split_sentences,
    to_docbin,
)

SENTENCE_END = re.compile(r"(?<=[。！？；])")


def write_rows(path: Path, rows: list[GoldSentence]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps({"text": r.text, "spans": [list(s) for s in r.spans]},
                                ensure_ascii=False) + "\n")


def read_rows(path: Path) -> list[GoldSentence]:
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                out.append(GoldSentence(row["text"], tuple(
                    (int(s), int(e), str(lab)) for s, e, lab in row["spans"])))
    return out


def local_sentences(data: Path, max_len: int = 120) -> list[str]:
    """Sentences of the tivac chain introductions (the local running text the tools read)."""
    import opencc

    t2s = opencc.OpenCC("t2s")
    seen: set[str] = set()
    out: list[str] = []
    for path in sorted((data / "chains" / "tivac").glob("*.json")):
        intro = t2s.convert(str(json.loads(path.read_text(encoding="utf-8")).get(
            "introduction", "")))
        for para in intro.splitlines():
            for sent in SENTENCE_END.split(para):
                sent = sent.strip()
                if 8 <= len(sent) <= max_len and sent not in seen:
                    seen.add(sent)
                    out.append(sent)
    return out


def export(source: Path, names_path: Path, out: Path, copies: int) -> dict[str, int]:
    parts = split_sentences(list(read_cluener(source, label_map=LABEL_MAP)))
    out.mkdir(parents=True, exist_ok=True)
    write_rows(out / "train.jsonl", parts["train"])
    write_rows(out / "dev.jsonl", parts["dev"])
    names = read_names(names_path)
    aug: list[GoldSentence] = []
    for k in range(copies):
        aug += augment_mentions(parts["train"], names, seed=SPLIT_SEED + 100 * k)
    write_rows(out / "aug.jsonl", aug)
    local = [GoldSentence(t, ()) for t in local_sentences(source.parents[2])]
    write_rows(out / "local.jsonl", local)
    return {"train": len(parts["train"]), "dev": len(parts["dev"]), "aug": len(aug),
            "local": len(local)}


def score(pred_path: Path, gold_path: Path) -> dict[str, PRF]:
    gold = list(read_cluener(gold_path, label_map=LABEL_MAP))
    pred = {r.text: r.spans for r in read_rows(pred_path)}
    scores = {lab: PRF() for lab in ("ENTERPRISE", "ORG", "REGION")}
    for row in gold:
        count_spans(scores, row.spans, pred[row.text])
    return scores


def docbin(out: Path, sources: list[Path]) -> dict[str, int]:
    # as prepare.py: spacy train re-tokenizes each text with the config's tokenizer
    # (lexicon included), the DocBin only carries the character tokens and the spans
    nlp = spacy.blank("zh")
    nlp.tokenizer = CharWordTokenizer(nlp.vocab)
    rows = [r for src in sources for r in read_rows(src)]
    db, lost = to_docbin(nlp, rows)
    db.to_disk(out)
    return {"docs": len(rows), "unaligned": lost}


def main() -> None:
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "export":
        counts = export(Path(args[0]), Path(args[1]), Path(args[2]),
                        int(args[3]) if len(args) > 3 else 1)
        print(counts)
    elif cmd == "score":
        scores = score(Path(args[0]), Path(args[1]))
        for lab, s in sorted(scores.items()):
            print(f"{lab:11s} P {s.precision:.3f}  R {s.recall:.3f}  F1 {s.f1:.3f}  "
                  f"(tp {s.tp}, fp {s.fp}, fn {s.fn})")
        if len(args) > 2 and scores["ENTERPRISE"].f1 < float(args[2]):
            print(f"ENTERPRISE F1 below {args[2]}")
            raise SystemExit(3)
    elif cmd == "eval":
        from ingest.text.eval import eval_ner
        from ingest.text.pipeline import TextExtractor, load_nlp

        both = [eval_ner(Path(args[1]), TextExtractor(load_nlp(Path(args[0]), rules=rules)))
                for rules in (True, False)]
        for lab in ("ENTERPRISE", "ORG", "REGION"):
            s, m = both[0][lab], both[1][lab]
            print(f"{lab:11s} {s.precision:.3f} / {s.recall:.3f} / {s.f1:.3f}  "
                  f"(model alone {m.precision:.3f} / {m.recall:.3f} / {m.f1:.3f})")
    elif cmd == "docbin":
        print(docbin(Path(args[0]), [Path(a) for a in args[1:]]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
