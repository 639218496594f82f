"""Static character vectors for the NER model, trained here on local text (optional step).

PPMI-SVD (Levy & Goldberg 2014): co-occurrence counts of characters within two
positions of each other, positive pointwise mutual information (context counts
raised to 0.75), then a randomized truncated SVD (numpy only). On a corpus of a
few million characters this matches word2vec and needs no new dependency.

The text, all read from ``../shared/data`` at training time only:
- the CLUENER sentences of the *training* part of our split (never dev or test),
- A-share listed company short and full names and their 95k product names,
- ICKG-25 entity names (firms, products, industries),
- the 30 tivac industry-chain introductions and node names (OpenCC: Traditional
  -> Simplified),
- county and township names (regions).

Writes word2vec text format for ``spacy init vectors`` (``tools/ner/train.sh``).

usage: python tools/ner/vectors.py SHARED_DATA_DIR OUT_TXT [DIM]
"""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from ingest.text.training import read_cluener, split_sentences

WINDOW = 2
MIN_COUNT = 2


def texts(data: Path) -> Iterator[str]:
    rows = list(read_cluener(data / "ner" / "cluener" / "train.jsonl"))
    for r in split_sentences(rows)["train"]:
        yield r.text
    lc = data / "listed_companies"
    for name, keys in (("company.json", ("name", "fullname")), ("product.json", ("name",))):
        for line in (lc / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                for k in keys:
                    if row.get(k):
                        yield str(row[k])
    for line in (data / "links" / "ickg25" / "entity2id.txt").read_text(
            encoding="utf-8").splitlines():
        yield line.split("\t")[0]
    import opencc  # opencc-python-reimplemented, already a dependency

    t2s = opencc.OpenCC("t2s")
    for path in sorted((data / "chains" / "tivac").glob("*.json")):
        chain = json.loads(path.read_text(encoding="utf-8"))
        yield from t2s.convert(str(chain.get("introduction", ""))).splitlines()
        for seg in chain.get("chains", []):
            for node in seg.get("companies", []) or seg.get("nodes", []) or []:
                if isinstance(node, dict) and node.get("text"):
                    yield t2s.convert(str(node["text"]))
    for name in ("areas.csv", "streets.csv"):
        with (data / "regions" / name).open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                yield row.get("name", "")


def ppmi_svd(lines: list[str], dim: int, seed: int = 20261127) -> tuple[list[str], np.ndarray]:
    freq = Counter(c for t in lines for c in t if not c.isspace())
    vocab = [c for c, n in freq.most_common() if n >= MIN_COUNT]
    index = {c: i for i, c in enumerate(vocab)}
    v = len(vocab)
    counts = np.zeros((v, v), dtype=np.float32)
    for t in lines:
        ids = np.array([index[c] for c in t if c in index], dtype=np.int64)
        for k in range(1, WINDOW + 1):
            if len(ids) > k:
                np.add.at(counts, (ids[:-k], ids[k:]), 1.0 / k)
    counts += counts.T
    total = counts.sum()
    row = counts.sum(axis=1, keepdims=True)
    col = counts.sum(axis=0, keepdims=True) ** 0.75
    col = col / col.sum() * total
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log(counts * total / (row * col))
    ppmi = np.where(np.isfinite(pmi) & (pmi > 0), pmi, 0).astype(np.float32)
    del counts, pmi
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(ppmi @ rng.standard_normal((v, dim + 20)).astype(np.float32))
    for _ in range(3):  # power iterations sharpen the top of the spectrum
        q, _ = np.linalg.qr(ppmi @ (ppmi.T @ q))
    u, s, _ = np.linalg.svd(q.T @ ppmi, full_matrices=False)
    vecs = (q @ u[:, :dim]) * np.sqrt(s[:dim])
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True) + 1e-8
    return vocab, vecs.astype(np.float32)


def main() -> None:
    data, out = Path(sys.argv[1]), Path(sys.argv[2])
    dim = int(sys.argv[3]) if len(sys.argv) > 3 else 64
    lines = [t for t in texts(data) if t]
    vocab, vecs = ppmi_svd(lines, dim)
    with out.open("w", encoding="utf-8") as fh:
        fh.write(f"{len(vocab)} {dim}\n")
        for c, row in zip(vocab, vecs, strict=True):
            fh.write(c + " " + " ".join(f"{x:.5f}" for x in row) + "\n")
    print(f"{out}: {len(vocab)} characters x {dim} from {sum(map(len, lines)):,} characters")


if __name__ == "__main__":
    main()
