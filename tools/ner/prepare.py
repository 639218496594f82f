"""Build the NER training corpus from CLUENER (step 1 of tools/ner/train.sh).

usage: python tools/ner/prepare.py [--all-types] CLUENER_TRAIN_JSONL OUT_DIR [COMPANY_NAMES_TXT]

With a name list (tools/ner/names.py) it also writes ``train_aug.spacy``: the
training part plus one copy of each sentence with a company mention, the
mentions replaced by other company names (dev and test are never augmented).
``--all-types`` also trains CLUENER's other types as ``X_*`` labels that the
pipeline drops (``ingest/text/training.py``, ``LABEL_MAP_ALL``).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import spacy

from ingest.text.tokenizer import CharWordTokenizer, read_names
from ingest.text.training import LABEL_MAP, LABEL_MAP_ALL, write_corpus


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--all-types"]
    label_map = LABEL_MAP_ALL if "--all-types" in sys.argv else LABEL_MAP
    source, out_dir = Path(args[0]), Path(args[1])
    nlp = spacy.blank("zh")
    nlp.tokenizer = CharWordTokenizer(nlp.vocab)
    names = read_names(Path(args[2])) if len(args) > 2 else None
    counts = write_corpus(source, out_dir, nlp, augment_names=names, label_map=label_map)
    print(counts)


if __name__ == "__main__":
    main()
