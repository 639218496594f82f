"""``spacy train --code`` module: registers ronglian's tokenizer and NER scorer."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import ingest.text.tokenizer
import ingest.text.training  # noqa: F401  (ronglian.ner_scorer.v1)
