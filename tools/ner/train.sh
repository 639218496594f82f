#!/usr/bin/env bash
# Reproduce ronglian's Chinese NER model (seeds/models/zh_ner, model 0.2) from CLUENER2020.
# usage: tools/ner/train.sh [CLUENER_TRAIN_JSONL] [MAX_MINUTES] [LISTED_COMPANY_JSONL] [DATA_DIR]
# Single-threaded on purpose (shared CPU, low priority); about 30 CPU minutes.
# Options tried on 2026-11-27 and not shipped (they scored lower on dev, see README.md):
#   ALL_TYPES=1  CLUENER's other types as auxiliary X_* labels (dropped by the pipeline)
#   ICKG=1       the firms of ICKG-25 added to the lexicon feature's name list
#   VECTORS=1    static character vectors trained here (tools/ner/vectors.py)
#   FOOL=chars|words  pretrained static vectors from the FoolNLTK 0.1.7 package on PyPI
#                (tools/ner/foolnltk.py; fetched with pip at training time only):
#                its NER+segmentation character embeddings (ORTH) or its word
#                embeddings keyed on the jieba word (LEMMA, 50,000 words)
set -euo pipefail
cd "$(dirname "$0")/../.."
SRC="${1:-../shared/data/ner/cluener/train.jsonl}"
MINUTES="${2:-30}"
COMPANIES="${3:-../shared/data/listed_companies/company.json}"
DATA="${4:-../shared/data}"
WORK="${TMPDIR:-/tmp}/ronglian_ner"
PY=.venv/bin/python
mkdir -p "$WORK"
# 1. the company-name list behind the lexicon feature (saved inside the model); the
#    augmentation always draws its substitutes from the listed companies only
$PY tools/ner/names.py "$COMPANIES" "$WORK/company_names.txt"
LEXICON="$WORK/company_names.txt"
if [ "${ICKG:-0}" = 1 ]; then
  $PY tools/ner/names.py "$COMPANIES" "$WORK/lexicon_names.txt" --ickg "$DATA/links/ickg25"
  LEXICON="$WORK/lexicon_names.txt"
fi
# 2. corpus: fixed-seed 80/10/10 split (train / dev for early stopping / test for the
#    report) and train_aug.spacy = train + mention-replaced copies (train part only)
TYPES=()
if [ "${ALL_TYPES:-0}" = 1 ]; then TYPES=(--all-types); fi
$PY tools/ner/prepare.py "${TYPES[@]}" "$SRC" "$WORK/corpus" "$WORK/company_names.txt"
CONFIG=tools/ner/config.cfg
EXTRA=()
if [ "${VECTORS:-0}" = 1 ]; then
  $PY tools/ner/vectors.py "$DATA" "$WORK/charvec64.txt" 64
  $PY -m spacy init vectors zh "$WORK/charvec64.txt" "$WORK/vectors" -n ronglian_chars64
  sed 's/include_static_vectors = false/include_static_vectors = true/' "$CONFIG" \
    > "$WORK/config_vectors.cfg"
  CONFIG="$WORK/config_vectors.cfg"
  EXTRA=(--paths.vectors "$WORK/vectors")
fi
VECTORS_ATTR=()
if [ -n "${FOOL:-}" ]; then
  [ -f "$WORK/foolnltk-0.1.7.tar.gz" ] || \
    $PY -m pip download --no-deps --no-binary :all: -d "$WORK" foolnltk==0.1.7
  echo "296dac1ca37b647d81ee8c37bb123f2b4cda4aec305893952b39e5686b7416f6  $WORK/foolnltk-0.1.7.tar.gz" \
    | sha256sum -c -
  $PY tools/ner/foolnltk.py "$WORK/foolnltk-0.1.7.tar.gz" "$WORK/fool_$FOOL.txt" "$FOOL" 50000
  ATTR=ORTH
  if [ "$FOOL" = words ]; then ATTR=LEMMA; VECTORS_ATTR=(LEMMA); fi
  $PY -m spacy init vectors zh "$WORK/fool_$FOOL.txt" "$WORK/vectors_fool" \
    -n "foolnltk_$FOOL" --attr "$ATTR"
  # spaCy writes no key attribute for default-mode vectors (see finalize.py)
  echo "{\"mode\": \"default\", \"attr\": $($PY -c "from spacy.attrs import IDS; print(IDS['$ATTR'])")}" \
    > "$WORK/vectors_fool/vocab/vectors.cfg"
  sed 's/include_static_vectors = false/include_static_vectors = true/' "$CONFIG" \
    > "$WORK/config_fool.cfg"
  CONFIG="$WORK/config_fool.cfg"
  EXTRA=(--paths.vectors "$WORK/vectors_fool")
fi
# 3. train (the wall-clock cap keeps it inside the budget; model-best is kept on disk)
OMP_NUM_THREADS=1 nice -n 5 timeout "${MINUTES}m" $PY -m spacy train "$CONFIG" \
  --code tools/ner/code.py \
  --paths.train "$WORK/corpus/train_aug.spacy" --paths.dev "$WORK/corpus/dev.spacy" \
  --nlp.tokenizer.names_path "$LEXICON" "${EXTRA[@]}" \
  --output "$WORK/out" || echo "training stopped by the time cap; using model-best"
# 4. ship model-best without the training-only files
rm -rf seeds/models/zh_ner
cp -r "$WORK/out/model-best" seeds/models/zh_ner
rm -f seeds/models/zh_ner/meta.json.bak
$PY tools/ner/finalize.py seeds/models/zh_ner "${VECTORS_ATTR[@]}"
# 5. the held-out figure (test part, never used for tuning)
.venv/bin/ronglian eval ner --gold "$WORK/corpus/test.jsonl" --no-rules
.venv/bin/ronglian eval ner --gold "$WORK/corpus/test.jsonl"
du -sh seeds/models/zh_ner
