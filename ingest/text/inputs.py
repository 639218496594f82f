"""Reading text documents and cutting them into sentences, with bad input counted.

Lives here: :func:`read_documents` (JSON Lines ``{"id", "text"}`` or plain text,
one document per line; GB18030 lines decoded, undecodable bytes replaced, empty lines skipped, every
oddity counted in :class:`InputReport`), the length-preserving Traditional →
Simplified conversion (offsets into the converted text are offsets into the
original) and :func:`split_sentences`, which cuts long documents into pieces of
at most :data:`MAX_SENTENCE` characters instead of dropping them. Nothing here
knows about spaCy or the graph.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from opencc import OpenCC

from graph.errors import IngestError

logger = logging.getLogger(__name__)

#: Longest piece handed to the NER model; longer sentences are cut at a comma
#: or, failing that, hard at this length (the model was trained on ~50-char sentences).
MAX_SENTENCE = 160
#: Documents longer than this are still processed, just counted as long.
LONG_DOCUMENT = 5_000

_SENT_END = re.compile(r"[。！？!?；;…]+[”’」』)）]*|\n+")
_SOFT_CUT = re.compile(r"[，,、：:]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


@dataclass
class InputReport:
    """Counts of what reading and cleaning did (shown by the CLI, stored on the run)."""

    lines: int = 0
    documents: int = 0
    empty: int = 0
    undecodable_lines: int = 0
    gb18030_lines: int = 0
    bad_json: int = 0
    traditional_converted: int = 0
    long_documents: int = 0
    pieces_cut: int = 0
    mixed_script: int = 0
    control_chars_removed: int = 0
    sentences: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {k: v for k, v in self.__dict__.items() if isinstance(v, int)}


@dataclass(frozen=True)
class Document:
    """One input document: ``text`` is what offsets refer to (cleaned of control chars)."""

    id: str
    text: str
    source: str = ""
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Sentence:
    """A piece of a document: ``text`` is Simplified, ``start``/``end`` index the document."""

    text: str
    start: int
    end: int


@cache
def _t2s() -> OpenCC:
    return OpenCC("t2s")


@cache
def _traditional_chars() -> frozenset[str]:
    """Characters that OpenCC maps to a different single character (the char table)."""
    cc = _t2s()
    cc.convert("測")  # loads the dictionaries lazily
    chars: set[str] = set()
    # opencc-python-reimplemented keeps its tables as nested lists of (max_len, min_len, dict)
    _collect(getattr(cc, "_dict_chain_data", None) or [], chars)
    return frozenset(chars)


def _collect(obj: Any, out: set[str]) -> None:
    if isinstance(obj, dict):
        for k, v in obj.items():
            if isinstance(k, str) and len(k) == 1:
                first = v.split()[0] if isinstance(v, str) and v else v
                if isinstance(first, str) and first != k:
                    out.add(k)
    elif isinstance(obj, list | tuple):
        for o in obj:
            _collect(o, out)


def to_simplified_same_length(text: str) -> str:
    """Traditional → Simplified keeping one output character per input character.

    OpenCC's phrase tables may change the length; then we fall back to
    character-by-character conversion so every offset still lines up.
    """
    out = str(_t2s().convert(text))
    if len(out) == len(text):
        return out
    cc = _t2s()
    chars = []
    for ch in text:
        c = str(cc.convert(ch))
        chars.append(c if len(c) == 1 else ch)
    return "".join(chars)


def has_traditional(text: str) -> bool:
    table = _traditional_chars()
    if table:
        return not table.isdisjoint(text)
    # OpenCC internals changed: convert and compare (slower, still right).
    return str(_t2s().convert(text)) != text


_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def is_mixed_script(text: str) -> bool:
    return bool(_HAN.search(text)) and bool(_LATIN_WORD.search(text))


def clean_text(text: str, report: InputReport | None = None) -> str:
    """NFC-normalise and drop control characters (they break nothing but display)."""
    t = unicodedata.normalize("NFC", text)
    cleaned, n = _CONTROL.subn("", t)
    if report is not None and n:
        report.control_chars_removed += n
    return cleaned


def _parse_line(raw: bytes, lineno: int, is_jsonl: bool, source: str,
                report: InputReport) -> Document | None:
    report.lines += 1
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            # Chinese files still come in GBK/GB18030 from older systems
            line = raw.decode("gb18030")
            report.gb18030_lines += 1
        except UnicodeDecodeError:
            report.undecodable_lines += 1
            line = raw.decode("utf-8", errors="replace")
    line = line.rstrip("\r\n")
    if not line.strip():
        report.empty += 1
        return None
    doc_id = f"{Path(source).stem or 'doc'}-{lineno}"
    text = line
    meta: dict[str, Any] = {}
    if is_jsonl:
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            report.bad_json += 1
            report.errors.append(f"line {lineno}: not JSON, skipped")
            return None
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            report.bad_json += 1
            report.errors.append(f"line {lineno}: no \"text\" string, skipped")
            return None
        text = row["text"]
        if row.get("id") is not None:
            doc_id = str(row["id"])
        meta = {k: v for k, v in row.items() if k not in {"id", "text"}}
    text = clean_text(text, report)
    if not text.strip():
        report.empty += 1
        return None
    report.documents += 1
    if len(text) > LONG_DOCUMENT:
        report.long_documents += 1
    if is_mixed_script(text):
        report.mixed_script += 1
    return Document(doc_id, text, source, meta)


def read_documents(path: Path | str, report: InputReport | None = None) -> Iterator[Document]:
    """Yield documents from a ``.jsonl``/``.json`` (``{"id","text"}``) or plain text file.

    Lines are UTF-8; a line that is not is read as GB18030 if it decodes as such,
    else with U+FFFD replacement characters (counted either way).
    """
    p = Path(path)
    rep = report if report is not None else InputReport()
    if p.is_dir():
        raise IngestError(f"{p} 是文件夹，不是输入文件 (a folder, not an input file)",
                          code="E210", path=str(p))
    if not p.is_file():
        raise IngestError(f"输入文件不存在 {p} (no such input file)", code="E210", path=str(p))
    is_jsonl = p.suffix.lower() in {".jsonl", ".json", ".ndjson"}
    with p.open("rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            doc = _parse_line(raw, lineno, is_jsonl, str(p), rep)
            if doc is not None:
                yield doc


def documents_from_texts(texts: list[str], report: InputReport | None = None,
                         prefix: str = "doc") -> Iterator[Document]:
    rep = report if report is not None else InputReport()
    for i, t in enumerate(texts, start=1):
        rep.lines += 1
        text = clean_text(t, rep)
        if not text.strip():
            rep.empty += 1
            continue
        rep.documents += 1
        if len(text) > LONG_DOCUMENT:
            rep.long_documents += 1
        if is_mixed_script(text):
            rep.mixed_script += 1
        yield Document(f"{prefix}-{i}", text)


def _cut_long(text: str, start: int, limit: int) -> Iterator[tuple[int, int]]:
    """Cut ``text`` (at document offset ``start``) into pieces of at most ``limit``."""
    pos = 0
    n = len(text)
    while n - pos > limit:
        window = text[pos:pos + limit]
        cut = -1
        for m in _SOFT_CUT.finditer(window):
            if m.end() >= limit // 3:
                cut = m.end()
        if cut <= 0:
            cut = limit
        yield start + pos, start + pos + cut
        pos += cut
    if pos < n:
        yield start + pos, start + n


def split_sentences(text: str, report: InputReport | None = None,
                    limit: int = MAX_SENTENCE) -> list[Sentence]:
    """Split a document into Simplified sentences with offsets into ``text``."""
    simple = text
    if has_traditional(text):
        simple = to_simplified_same_length(text)
        if report is not None:
            report.traditional_converted += 1
    out: list[Sentence] = []
    last = 0
    bounds: list[tuple[int, int]] = []
    for m in _SENT_END.finditer(simple):
        bounds.append((last, m.end()))
        last = m.end()
    if last < len(simple):
        bounds.append((last, len(simple)))
    for s, e in bounds:
        # trim surrounding whitespace but keep offsets exact
        while s < e and simple[s].isspace():
            s += 1
        while e > s and simple[e - 1].isspace():
            e -= 1
        if s >= e:
            continue
        if e - s > limit:
            pieces = list(_cut_long(simple[s:e], s, limit))
            if report is not None:
                report.pieces_cut += len(pieces) - 1
        else:
            pieces = [(s, e)]
        for ps, pe in pieces:
            out.append(Sentence(simple[ps:pe], ps, pe))
    if report is not None:
        report.sentences += len(out)
    return out
