"""Build the NER training corpus from CLUENER (step 1 of tools/ner/train.sh).

usage: python tools/ner/prepare.py CLUENER_TRAIN_JSONL OUT_DIR [COMPANY_NAMES_TXT]

With a name list (tools/ner/names.py) it also writes ``train_aug.spacy``: the
training part plus one copy of each sentence with a company mention, the
mentions replaced by other company names (dev and test are never augmented).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import spacy

from ingest.text.tokenizer import CharWordTokenizer, read_names
from ingest.text.training import write_corpus


def main() -> None:
    source, out_dir = Path(sys.argv[1]), Path(sys.argv[2])
    nlp = spacy.blank("zh")
    nlp.tokenizer = CharWordTokenizer(nlp.vocab)
    names = read_names(Path(sys.argv[3])) if len(sys.argv) > 3 else None
    counts = write_corpus(source, out_dir, nlp, augment_names=names)
    print(counts)


if __name__ == "__main__":
    main()
