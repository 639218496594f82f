"""Trim a trained spaCy pipeline for shipping (step 3 of tools/ner/train.sh).

Writes the pipeline back without the training corpora paths in its config and
with a meta naming the project, so nothing points at a build machine's files.

usage: python tools/ner/finalize.py MODEL_DIR [VECTORS_ATTR]

``VECTORS_ATTR`` (e.g. ``LEMMA``) names the token attribute that the static
vectors are keyed on, when it is not ORTH (``tools/ner/foolnltk.py`` words).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import spacy
from spacy.attrs import IDS, ORTH

import ingest.text.training  # noqa: F401  (registers the NER scorer the config names)
from ingest.text.tokenizer import CharWordTokenizer  # also registers the tokenizer


def _vectors_note(n: int, name: str) -> str:
    if name.startswith("foolnltk_words"):
        return (f"{n:,} static word vectors keyed on the jieba word "
                "(FoolNLTK, tools/ner/foolnltk.py)")
    if name.startswith("foolnltk_chars"):
        return f"{n:,} static character vectors (FoolNLTK, tools/ner/foolnltk.py)"
    return f"{n:,} static character vectors trained locally (tools/ner/vectors.py)"


def _keep_vectors_attr(path: Path, attr: int) -> None:
    # spaCy 3.8 writes a default-mode table's key attribute (ORTH, LEMMA, ...) nowhere,
    # so a table keyed on LEMMA would come back keyed on ORTH and silently miss every
    # word; Vectors.from_disk does read "attr" from vectors.cfg, so write it there.
    cfg_path = path / "vocab" / "vectors.cfg"
    if attr == ORTH or not cfg_path.is_file():
        return
    cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
    cfg["attr"] = attr
    cfg_path.write_text(json.dumps(cfg, indent=2), encoding="utf-8")
    assert spacy.load(path).vocab.vectors.attr == attr


def main() -> None:
    path = Path(sys.argv[1])
    nlp = spacy.load(path)
    aux = sorted(lab for lab in nlp.pipe_labels.get("ner", []) if lab.startswith("X_"))
    vectors = nlp.vocab.vectors
    n_vectors = vectors.shape[0]
    vectors_name = str(vectors.name or "")
    tokenizer = nlp.tokenizer
    assert isinstance(tokenizer, CharWordTokenizer)
    n_names = len(tokenizer.names.names)
    options = ([f"auxiliary training labels {', '.join(aux)} (dropped by the pipeline)"]
               if aux else []) + ([_vectors_note(n_vectors, vectors_name)] if n_vectors else [])
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
                                + " (research datasets)"
                                + ("; static vectors from FoolNLTK 0.1.7's models (PyPI)"
                                   if vectors_name.startswith("foolnltk") else ""),
                     "author": "ronglian team"})
    nlp.config["paths"]["train"] = None
    nlp.config["paths"]["dev"] = None
    nlp.config["paths"]["vectors"] = None  # the vectors are saved in vocab/
    # the company list was read from the build machine; the saved tokenizer keeps a copy
    if "names_path" in nlp.config["nlp"]["tokenizer"]:
        nlp.config["nlp"]["tokenizer"]["names_path"] = None
    nlp.to_disk(path)
    if len(sys.argv) > 2:
        _keep_vectors_attr(path, int(IDS[sys.argv[2].upper()]))
    size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    print(f"{path}: {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
