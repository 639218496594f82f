"""Build the NER training corpus from CLUENER (step 1 of tools/ner/train.sh).

usage: python tools/ner/prepare.py CLUENER_TRAIN_JSONL OUT_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import spacy

from ingest.text.tokenizer import CharWordTokenizer
from ingest.text.training import write_corpus


def main() -> None:
    source, out_dir = Path(sys.argv[1]), Path(sys.argv[2])
    nlp = spacy.blank("zh")
    nlp.tokenizer = CharWordTokenizer(nlp.vocab)
    counts = write_corpus(source, out_dir, nlp)
    print(counts)


if __name__ == "__main__":
    main()
