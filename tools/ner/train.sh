#!/usr/bin/env bash
# Reproduce ronglian's Chinese NER model (seeds/models/zh_ner) from CLUENER2020.
# usage: tools/ner/train.sh [CLUENER_TRAIN_JSONL] [MAX_MINUTES] [LISTED_COMPANY_JSONL]
# Single-threaded on purpose (shared CPU, low priority); about 30 CPU minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
SRC="${1:-../shared/data/ner/cluener/train.jsonl}"
MINUTES="${2:-30}"
COMPANIES="${3:-../shared/data/listed_companies/company.json}"
WORK="${TMPDIR:-/tmp}/ronglian_ner"
PY=.venv/bin/python
mkdir -p "$WORK"
# 1. the company-name list behind the lexicon feature (saved inside the model)
$PY tools/ner/names.py "$COMPANIES" "$WORK/company_names.txt"
# 2. corpus: fixed-seed 80/10/10 split (train / dev for early stopping / test for the
#    report) and train_aug.spacy = train + mention-replaced copies (train part only)
$PY tools/ner/prepare.py "$SRC" "$WORK/corpus" "$WORK/company_names.txt"
# 3. train (the wall-clock cap keeps it inside the budget; model-best is kept on disk)
OMP_NUM_THREADS=1 nice -n 5 timeout "${MINUTES}m" $PY -m spacy train tools/ner/config.cfg \
  --code tools/ner/code.py \
  --paths.train "$WORK/corpus/train_aug.spacy" --paths.dev "$WORK/corpus/dev.spacy" \
  --nlp.tokenizer.names_path "$WORK/company_names.txt" \
  --output "$WORK/out" || echo "training stopped by the time cap; using model-best"
# 4. ship model-best without the training-only files
rm -rf seeds/models/zh_ner
cp -r "$WORK/out/model-best" seeds/models/zh_ner
rm -f seeds/models/zh_ner/meta.json.bak
$PY tools/ner/finalize.py seeds/models/zh_ner
# 5. the held-out figure (test part, never used for tuning)
.venv/bin/ronglian eval ner --gold "$WORK/corpus/test.jsonl" --no-rules
.venv/bin/ronglian eval ner --gold "$WORK/corpus/test.jsonl"
du -sh seeds/models/zh_ner
