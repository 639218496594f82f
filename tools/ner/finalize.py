"""Trim a trained spaCy pipeline for shipping (step 3 of tools/ner/train.sh).

Writes the pipeline back without the training corpora paths in its config and
with a meta naming the project, so nothing points at a build machine's files.

usage: python tools/ner/finalize.py MODEL_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import spacy

from ingest.text.tokenizer import CharWordTokenizer  # also registers the tokenizer


def main() -> None:
    path = Path(sys.argv[1])
    nlp = spacy.load(path)
    aux = sorted(lab for lab in nlp.pipe_labels.get("ner", []) if lab.startswith("X_"))
    n_vectors = nlp.vocab.vectors.shape[0]
    tokenizer = nlp.tokenizer
    assert isinstance(tokenizer, CharWordTokenizer)
    n_names = len(tokenizer.names.names)
    options = ([f"auxiliary training labels {', '.join(aux)} (dropped by the pipeline)"]
               if aux else []) + ([f"{n_vectors:,} static character vectors trained locally "
                                   "(tools/ner/vectors.py)"] if n_vectors else [])
    nlp.meta.update({"name": "ronglian_zh_ner",
                     # the options of train.sh (ALL_TYPES, ICKG, VECTORS) make another model
                     "version": "0.2.0" if not options and n_names < 10_000 else "0.3.0.dev0",
                     "description": "ronglian Chinese NER (ENTERPRISE/ORG/REGION), trained on "
                                    "CLUENER2020 by tools/ner/train.sh; tokenizer/ holds the "
                                    f"{n_names:,} company names behind its lexicon feature "
                                    "(A-share listed companies, ChainKnowledgeGraph"
                                    + ("; firms of ICKG-25)" if n_names >= 10_000 else ")")
                                    + "".join(f"; {o}" for o in options),
                     "license": "Apache-2.0 (model weights); training data CLUENER2020; "
                                "company names from ChainKnowledgeGraph"
                                + (" and ICKG-25" if n_names >= 10_000 else "")
                                + " (research datasets)",
                     "author": "ronglian team"})
    nlp.config["paths"]["train"] = None
    nlp.config["paths"]["dev"] = None
    nlp.config["paths"]["vectors"] = None  # the vectors are saved in vocab/
    # the company list was read from the build machine; the saved tokenizer keeps a copy
    if "names_path" in nlp.config["nlp"]["tokenizer"]:
        nlp.config["nlp"]["tokenizer"]["names_path"] = None
    nlp.to_disk(path)
    size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    print(f"{path}: {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
