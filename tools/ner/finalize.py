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

import ingest.text.tokenizer  # noqa: F401  (registers the tokenizer)


def main() -> None:
    path = Path(sys.argv[1])
    nlp = spacy.load(path)
    nlp.meta.update({"name": "ronglian_zh_ner", "version": "0.2.0",
                     "description": "ronglian Chinese NER (ENTERPRISE/ORG/REGION), trained on "
                                    "CLUENER2020 by tools/ner/train.sh; tokenizer/ holds the "
                                    "A-share listed company names (ChainKnowledgeGraph) behind "
                                    "its lexicon feature",
                     "license": "Apache-2.0 (model weights); training data CLUENER2020; "
                                "company names from ChainKnowledgeGraph (research dataset)",
                     "author": "ronglian team"})
    nlp.config["paths"]["train"] = None
    nlp.config["paths"]["dev"] = None
    # the company list was read from the build machine; the saved tokenizer keeps a copy
    if "names_path" in nlp.config["nlp"]["tokenizer"]:
        nlp.config["nlp"]["tokenizer"]["names_path"] = None
    nlp.to_disk(path)
    size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    print(f"{path}: {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
