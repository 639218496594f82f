"""``ronglian ingest tables``: CSV / XLSX / JSON Lines of the documented kinds.

Lives here: reading a file in chunks with pandas (UTF-8 or GBK/GB18030,
detected), mapping its headers (:mod:`ingest.columns`), validating every row
(:mod:`ingest.values`, H2's USCC/region/industry/size tools), resolving
enterprise and product references (:mod:`ingest.resolve`) and handing records
to a :class:`ingest.job.Job`. A bad row is quarantined with a coded reason; a
whole file that cannot be read raises one :class:`IngestError`. Must not live
here: Cypher text or CLI output.
"""

from __future__ import annotations

import codecs
import csv
import functools
import itertools
import json
import logging
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from graph.errors import IngestError, InvalidInput
from graph.schema import q
from graph.store import GRAPH_CYPHER, Store
from graph.vocab import SIZE_NAMES, TIER_NAMES
from ingest import codes, values
from ingest.columns import (
    HEADER_SEARCH_ROWS,
    KINDS,
    column_sources,
    detect_kind,
    load_mapping,
    map_headers,
)
from ingest.job import IngestResult, Job, stable_id
from ingest.normalize import norm_name
from ingest.resolve import Decision
from ingest.uscc import is_valid_normalised
from ingest.values import CellError

log = logging.getLogger("ingest.tables")

CHUNK_ROWS = 20_000

AREAS = {a: a for a in ("创新创意", "设计研发", "生产制造", "物资采购", "市场营销", "资金融通")}
AREAS.update({"创新": "创新创意", "创意": "创新创意", "研发": "设计研发", "设计": "设计研发",
              "制造": "生产制造", "生产": "生产制造", "采购": "物资采购", "营销": "市场营销",
              "市场": "市场营销", "融资": "资金融通", "金融": "资金融通"})
RES_TYPES = {t: t for t in ("equipment", "facility", "data", "other")}
RES_TYPES.update({"设备": "equipment", "设施": "facility", "场地": "facility", "数据": "data",
                  "其他": "other"})
NEED_STATUS = {"open": "open", "matched": "matched", "closed": "closed", "开放": "open",
               "待对接": "open", "已对接": "matched", "已匹配": "matched", "关闭": "closed",
               "已关闭": "closed"}
REL_TYPES = {"cooperates_with": "COOPERATES_WITH", "invests_in": "INVESTS_IN",
             "controls": "CONTROLS", "competes_with": "COMPETES_WITH", "合作": "COOPERATES_WITH",
             "投资": "INVESTS_IN", "控股": "CONTROLS", "控制": "CONTROLS",
             "竞争": "COMPETES_WITH"}
ROLES = {"main": "main", "side": "side", "主营": "main", "主要": "main", "次要": "side",
         "其他": "side"}
SEGMENT_ORDER = {"上游": 0, "中游": 1, "下游": 2}
TRUE = {"true", "1", "yes", "y", "是", "t"}


# ---------------------------------------------------------------------- reading
def detect_encoding(path: Path) -> str:
    """``utf-8-sig`` or ``gb18030`` (a superset of GBK), from the first megabyte."""
    try:
        with path.open("rb") as fh:
            head = fh.read(1 << 20)
    except OSError as e:
        raise IngestError(f"无法打开文件 {path}: {e} (cannot open)",
                          code=codes.E201_UNREADABLE) from e
    if b"\x00" in head[:4096]:
        raise IngestError(f"{path} 不是文本表格（含二进制内容） (binary, not a table)",
                          code=codes.E201_UNREADABLE)
    for enc in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(enc)().decode(head, final=len(head) < (1 << 20))
            return "utf-8-sig" if enc == "utf-8" else enc
        except UnicodeDecodeError:
            continue
    raise IngestError(f"{path} 的编码无法识别（应为 UTF-8 或 GBK/GB18030） "
                      "(unknown encoding: use UTF-8 or GBK/GB18030)", code=codes.E201_UNREADABLE)


@dataclass
class Chunk:
    """Rows of a file, each a list of cells in the order of ``columns``, with the file row
    each starts on and the malformed rows met among them (quarantined, not loaded)."""

    columns: list[str]
    records: list[list[Any]]
    row_numbers: list[int]  # line in the file (CSV/XLSX: header = 1; JSON Lines: 1 = first)
    bad: list[tuple[int, str]] = field(default_factory=list)  # (row, reason)

    def __len__(self) -> int:
        return len(self.records)

    @property
    def rows(self) -> list[dict[Any, Any]]:
        return [dict(zip(self.columns, rec, strict=True)) for rec in self.records]


HeaderTest = Callable[[list[str]], bool]


def _header_at(rows: Iterable[list[Any]], is_header: HeaderTest | None) -> int:
    """Index (among ``rows``) of the header: the first of the first
    :data:`HEADER_SEARCH_ROWS` non-blank rows that ``is_header`` accepts, else the first
    non-blank row (whose headers then explain the error); -1 when every row is blank."""
    first = -1
    seen = 0
    for i, cells in enumerate(rows):
        if not any(c is not None and str(c).strip() for c in cells):
            continue
        if first < 0:
            first = i
            if is_header is None:
                break
        if is_header is not None and is_header(_header_names(cells)):
            return i
        seen += 1
        if seen >= HEADER_SEARCH_ROWS:
            break
    return first


def read_table(path: Path, chunk_rows: int = CHUNK_ROWS, *,
               is_header: HeaderTest | None = None) -> tuple[list[str], Iterator[Chunk]]:
    """Headers and an iterator of chunks (all cells as strings or JSON values).

    ``is_header`` tells a header row from a title above it (CSV and XLSX): see
    :func:`_header_at`."""
    if not path.is_file():
        raise IngestError(f"文件不存在 {path} (no such file)", code=codes.E201_UNREADABLE)
    suffix = path.suffix.lower()
    try:
        if suffix in {".xlsx", ".xlsm", ".xls"}:
            return _read_excel(path, chunk_rows, is_header)
        if suffix in {".jsonl", ".ndjson", ".json"}:
            return _read_jsonl(path, chunk_rows)
        return _read_csv(path, chunk_rows, is_header)
    except IngestError:
        raise
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as e:
        raise IngestError(f"{path} 无法作为表格读取：{e} (not a readable table)",
                          code=codes.E201_UNREADABLE) from e


def _header_names(cells: list[Any]) -> list[str]:
    """Column names as pandas makes them: a blank cell is ``Unnamed: i``, a repeated name
    gets ``.1``, ``.2``."""
    out: list[str] = []
    seen: set[str] = set()
    for i, c in enumerate(cells):
        name = f"Unnamed: {i}" if c is None or str(c).strip() == "" else str(c)
        base, n = name, 0
        while name in seen:
            n += 1
            name = f"{base}.{n}"
        seen.add(name)
        out.append(name)
    return out


class _CsvRecords:
    """The records of a CSV file (csv.reader: C speed) with the line each starts on.

    pandas' reader numbers rows, not lines (an empty line vanished from the count) and
    fails the whole file on one row with a wrong number of fields. Here a record judged
    malformed can be cut back to its first line (:meth:`give_back`) and the lines after
    it read again, so an unclosed quote costs that line, not the rest of the file.
    """

    def __init__(self, fh: Iterator[str], sep: str) -> None:
        self._sep = sep
        self._taken: list[str] = []  # the lines of the record last read
        self._src: Iterator[str] = fh
        self._reader = self._open()
        self._line = 0  # lines consumed before the record last read

    def _open(self) -> Iterator[list[str]]:
        taken = self._taken

        def tracked(src: Iterator[str]) -> Iterator[str]:
            for line in src:
                taken.append(line)
                yield line

        return csv.reader(tracked(self._src), delimiter=self._sep, skipinitialspace=True)

    def __iter__(self) -> _CsvRecords:
        return self

    def __next__(self) -> tuple[int, list[str] | None, str]:
        """(line the record starts on, its fields or None, why it could not be parsed)."""
        self._line += len(self._taken)
        self._taken.clear()
        try:
            return self._line + 1, next(self._reader), ""
        except csv.Error as e:
            if not self._taken:
                raise StopIteration from e
            self.give_back()
            return self._line + 1, None, str(e)

    @property
    def span(self) -> int:
        """Lines the record last read spans."""
        return len(self._taken)

    def give_back(self) -> None:
        """Read again every line of the record last read but its first."""
        rest = self._taken[1:]
        del self._taken[1:]
        self._src = itertools.chain(rest, self._src)
        self._reader = self._open()


def _read_csv(path: Path, chunk_rows: int,
              is_header: HeaderTest | None) -> tuple[list[str], Iterator[Chunk]]:
    enc = detect_encoding(path)
    with path.open(encoding=enc, errors="replace", newline="") as fh:
        head = list(itertools.islice(fh, 4 * HEADER_SEARCH_ROWS))
    tabs, commas = sum(x.count("\t") for x in head), sum(x.count(",") for x in head)
    sep = "\t" if path.suffix.lower() == ".tsv" or tabs > commas else ","
    # The header's line, found in the first lines (a record's line: a title may hold a
    # quoted line break); the main pass below skips the lines before it.
    found = [(line, rec) for line, rec, _ in _CsvRecords(iter(head), sep) if rec is not None]
    at = _header_at([rec for _, rec in found], is_header)
    if at < 0 and len(head) < 4 * HEADER_SEARCH_ROWS:
        raise IngestError(f"{path} 是空文件 (empty file)", code=codes.E201_UNREADABLE)
    header_line = found[at][0] if at >= 0 else 0
    # Bytes that do not decode past the sniffed first megabyte become U+FFFD and
    # their row is quarantined (E222) instead of failing the whole file.
    fh = path.open(encoding=enc, errors="replace", newline="")
    try:
        recs = _CsvRecords(fh, sep)
        header = next((rec for line, rec, _ in recs if line >= header_line and rec
                       and any(c.strip() for c in rec)), None)
    except BaseException:
        fh.close()
        raise
    if header is None:
        fh.close()
        raise IngestError(f"{path} 是空文件 (empty file)", code=codes.E201_UNREADABLE)
    headers = _header_names(header)
    width = len(headers)

    def gen() -> Iterator[Chunk]:
        records: list[list[Any]] = []
        rows: list[int] = []
        bad: list[tuple[int, str]] = []
        with fh:
            for line, rec, err in recs:
                if rec is None:
                    bad.append((line, f"无法解析该行：{err} (malformed row: {err})"))
                    continue
                n = len(rec)
                if n != width:
                    span = recs.span
                    if n > width and span == 1 and not any(c.strip() for c in rec[width:]):
                        rec = rec[:width]  # trailing empty fields (a spreadsheet's export)
                    elif n < width and span == 1:
                        rec += [""] * (width - n)  # a short row: the rest is empty
                    elif span > 1:
                        recs.give_back()
                        bad.append((line, f"引号未闭合或字段数不符：自本行起的 {span} 行读成 "
                                    f"{n} 个字段，应为 {width} 个；其后各行已重新读取 "
                                    f"(unclosed quote: {span} lines read as {n} fields, "
                                    f"expected {width}; the lines after this one were read "
                                    "again)"))
                        continue
                    else:
                        bad.append((line, f"字段数不符：应为 {width} 个，实为 {n} 个 "
                                    f"(expected {width} fields, saw {n})"))
                        continue
                records.append(rec)
                rows.append(line)
                if len(records) >= chunk_rows:
                    yield Chunk(headers, records, rows, bad)
                    records, rows, bad = [], [], []
            if records or bad:
                yield Chunk(headers, records, rows, bad)

    return headers, gen()


def _excel_cell(v: Any) -> Any:
    """A cell as ``dtype=str`` reads it, except that a date cell stays a date: its string
    ("2010-05-06 00:00:00") is not what the user typed."""
    return v if isinstance(v, date) or v == "" else str(v)


def _read_excel(path: Path, chunk_rows: int,
                is_header: HeaderTest | None) -> tuple[list[str], Iterator[Chunk]]:
    df = pd.read_excel(path, dtype=object, header=None, keep_default_na=False)
    rows = df.map(_excel_cell).values.tolist()  # rows[i] is the sheet's row i + 1
    at = _header_at(rows, is_header)
    if at < 0:
        raise IngestError(f"{path} 是空表格 (empty sheet)", code=codes.E201_UNREADABLE)
    headers = _header_names(rows[at])
    start = at + 1

    def gen() -> Iterator[Chunk]:
        for i in range(start, len(rows), chunk_rows):
            part = rows[i:i + chunk_rows]
            yield Chunk(headers, part, list(range(i + 1, i + 1 + len(part))))

    return headers, gen()


def _read_jsonl(path: Path, chunk_rows: int) -> tuple[list[str], Iterator[Chunk]]:
    """Every line parsed on its own: a line that is not a JSON object is quarantined with
    its line number. The headers are the keys of all objects, in the order first seen (a
    first pass): a row may name a column by another alias than the first line does."""
    enc = detect_encoding(path)
    keys: dict[str, None] = {}
    lines = 0
    with path.open(encoding=enc, errors="replace") as fh:
        for line in fh:
            if line.strip():
                lines += 1
                try:
                    obj = json.loads(line)
                except ValueError:
                    continue
                if isinstance(obj, dict):
                    keys.update(dict.fromkeys(obj))
    if not keys:
        if not lines:
            raise IngestError(f"{path} 是空文件 (empty file)", code=codes.E201_UNREADABLE)
        raise IngestError(f"{path} 不是 JSON Lines：没有一行是 JSON 对象 "
                          "(not JSON Lines: no line is a JSON object)",
                          code=codes.E201_UNREADABLE)
    columns = [str(k) for k in keys]
    width = len(columns)

    def gen() -> Iterator[Chunk]:
        records: list[list[Any]] = []
        rows: list[int] = []
        bad: list[tuple[int, str]] = []
        with path.open(encoding=enc, errors="replace") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    records.append([None] * width)  # counted as skipped, like a blank row
                    rows.append(n)
                    continue
                try:
                    obj = json.loads(line)
                except ValueError as e:
                    bad.append((n, f"不是 JSON：{e} (not JSON)"))
                    continue
                if not isinstance(obj, dict):
                    bad.append((n, f"应为 JSON 对象，实为 {type(obj).__name__} "
                                "(not a JSON object)"))
                    continue
                records.append([obj.get(h) for h in columns])
                rows.append(n)
                if len(records) >= chunk_rows:
                    yield Chunk(columns, records, rows, bad)
                    records, rows, bad = [], [], []
        if records or bad:
            yield Chunk(columns, records, rows, bad)

    return columns, gen()


# ----------------------------------------------------------------- references
_CJK = re.compile(r"[\u3400-\u9fff]")
_ID_LIKE = re.compile(r"^[A-Za-z0-9]+(?:[-_.:][A-Za-z0-9]+)*$")


def looks_like_id(value: str) -> bool:
    """An id rather than a name: no Chinese, no spaces, and digits or id punctuation.

    ``E0001234`` or ``ts-steel.coke`` that no node has is an unknown reference
    (quarantined), not the name of a new entity; ``AMD`` stays a name.
    """
    return (not _CJK.search(value) and bool(_ID_LIKE.match(value))
            and (any(c.isdigit() for c in value) or any(c in "-_.:" for c in value)))


class EnterpriseRefs:
    """Turns an enterprise cell (id, USCC or name) into a node id."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self._store_ids: set[str] | None = None

    def _ids(self) -> set[str]:
        if self._store_ids is None:
            self.job.flush()
            text = GRAPH_CYPHER.get("ingest_label_ids", self.job.store.dialect).replace(
                "{label}", q("Enterprise"))
            self._store_ids = {r["id"] for r in self.job.store.read(text, {})}
        return self._store_ids

    def is_id(self, value: str) -> bool:
        return value in self.job._seen_nodes.get("Enterprise", ()) or value in self._ids()

    def resolve(self, value: str, *, create: bool = True) -> tuple[str | None, Decision | None]:
        if self.is_id(value):
            return value, None
        uscc = value if len(value) == 18 and value.isalnum() else None
        if uscc is None and looks_like_id(value):
            return None, Decision("new", None, 0.0, "unknown id", query=value)
        d = self.job.resolver.resolve(name=None if uscc else value, uscc=uscc)
        if d.kind == "same":
            return d.id, d
        if d.kind == "ambiguous" or not create or uscc:
            return None, d
        new_id = stable_id("E", norm_name(value))
        self.job.node("Enterprise", new_id, {"name": value, "norm_name": norm_name(value)},
                      confidence=0.6, stub=True)
        self.job.resolver.add(new_id, value)
        return new_id, d

    def add(self, id_: str, name: str | None, uscc: str | None, aliases: list[str],
            short_name: str | None) -> None:
        if self.job.resolver_loaded():
            self.job.resolver.add(id_, name, uscc=uscc, aliases=aliases, short_name=short_name)


class ProductRefs:
    """Turns a product cell (id or name) into a Product id, creating unknown names."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self._ids: set[str] | None = None
        self._names: dict[str, str] = {}

    def _load(self) -> None:
        if self._ids is None:
            self._ids = set()
            text = GRAPH_CYPHER.get("ingest_product_index", self.job.store.dialect)
            for r in self.job.store.read(text, {}):
                self._ids.add(r["id"])
                if r["name"]:
                    self._names.setdefault(r["norm_name"] or norm_name(r["name"]), r["id"])

    def known(self, id_: str, name: str | None) -> None:
        self._load()
        assert self._ids is not None
        self._ids.add(id_)
        if name:
            self._names[norm_name(name)] = id_

    def resolve(self, value: str, *, industry_code: str | None = None) -> str | None:
        """The product's id; None for an unknown id (a name no product has is created)."""
        self._load()
        assert self._ids is not None
        if value in self._ids:
            return value
        key = norm_name(value)
        if key in self._names:
            return self._names[key]
        if looks_like_id(value):
            return None
        new_id = stable_id("P", key)
        self.job.node("Product", new_id, {"name": value, "norm_name": key,
                                          "industry_code": industry_code}, confidence=0.8,
                      stub=True)
        self.known(new_id, value)
        return new_id


# ------------------------------------------------------------------- the job
class RowError(Exception):
    def __init__(self, column: str, code: str, reason: str) -> None:
        super().__init__(reason)
        self.column, self.code, self.reason = column, code, reason


@dataclass(frozen=True)
class _Failed:
    """A memoised cell check that failed (a fresh :class:`RowError` is raised per row)."""

    column: str
    code: str
    reason: str


_MISS = object()


def _cell(row: dict[str, Any], col: str, fn: Callable[..., Any], **kw: Any) -> Any:
    try:
        return fn(row.get(col), field=col, **kw)
    except CellError as e:
        raise RowError(col, e.code, e.reason) from e


def _required(row: dict[str, Any], col: str) -> str:
    v = values.text(row.get(col))
    if not v:
        raise RowError(col, codes.E210_REQUIRED, f"{col}: 必填字段为空 (required value missing)")
    return v


_MEMO_MAX = 200_000

# Plain ASCII digits, short enough for a float to hold exactly: for these cells
# values.integer gives int(cell) and values.money round(float(cell), 6), so the
# checks are skipped; anything else (units, commas, signs, blanks) takes the full check.
_PLAIN_INT = re.compile(r"[0-9]{1,15}")
_PLAIN_DEC = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,15})?")


def _money(row: dict[str, Any], col: str) -> float | None:
    v = row.get(col)
    if type(v) is str and _PLAIN_DEC.fullmatch(v):
        return round(float(v), 6)
    return _cell(row, col, values.money)


class TableLoader:
    """Rows of one kind → records of a :class:`Job`."""

    def __init__(self, job: Job, kind: str) -> None:
        self.job = job
        self.kind = kind
        self.ents = EnterpriseRefs(job)
        self.prods = ProductRefs(job)
        # Pure cell checks of few distinct values (region, industry, dates, tiers, size)
        # are computed once per distinct (column, cell) and their outcome — value or
        # error — reused; the result is exactly what the check gives for that cell.
        self._memo: dict[tuple[str, str], Any] = {}
        self._rown = 0  # the row being loaded
        #: upstream ids not known yet: (row, id, downstream product), settled by ``finish``
        self._forward: list[tuple[int, str, str]] = []

    def _memo_cell(self, col: str, raw: Any, fn: Callable[[], Any]) -> Any:
        if type(raw) is not str:
            return fn()
        key = (col, raw)
        hit = self._memo.get(key, _MISS)
        if hit is _MISS:
            try:
                hit = fn()
            except RowError as e:
                hit = _Failed(e.column, e.code, e.reason)
            if len(self._memo) < _MEMO_MAX:
                self._memo[key] = hit
        if type(hit) is _Failed:
            raise RowError(hit.column, hit.code, hit.reason)
        return hit

    def row(self, rown: int, raw: dict[str, Any], *, check_bytes: bool = True) -> None:
        """Load one row; ``check_bytes=False`` when the caller knows no cell holds U+FFFD."""
        if all(values.blank(v) for v in raw.values()):
            self.job.result.skipped += 1
            return
        self.job.result.read += 1
        bad = next((k for k, v in raw.items() if isinstance(v, str) and "\ufffd" in v),
                   None) if check_bytes else None
        if bad is not None:
            self.job.quarantine(rown, bad, codes.E222_UNDECODABLE,
                                f"{bad}: {codes.MESSAGES[codes.E222_UNDECODABLE]}")
            return
        self._rown = rown
        try:
            getattr(self, "_" + self.kind)(raw)
        except RowError as e:
            self.job.quarantine(rown, e.column, e.code, e.reason)

    # --- shared helpers
    def _synthetic(self, row: dict[str, Any]) -> dict[str, Any]:
        raw = row.get("synthetic")

        def flag() -> bool:
            v = values.text(raw)
            return bool(v and v.lower() in TRUE)

        return {"synthetic": True} if self._memo_cell("synthetic", raw, flag) else {}

    def _ent(self, row: dict[str, Any], col: str) -> str | None:
        """Resolve an enterprise cell; ambiguous → None (the caller files a candidate)."""
        v = _required(row, col)
        id_, d = self.ents.resolve(v)
        if id_ is None and d is not None and d.kind == "new":
            raise RowError(col, codes.E218_UNKNOWN_REF, f"{col}: 未知企业 {v!r} (unknown "
                           "enterprise id or USCC)")
        if id_ is not None and d is not None and d.kind == "same":
            self.job.result.merged += 1
        return id_ if id_ is not None else None

    def _product(self, value: str, col: str) -> str:
        """A product reference; an unknown id is an error."""
        pid = self.prods.resolve(value)
        if pid is None:
            raise RowError(col, codes.E218_UNKNOWN_REF, f"{col}: 未知产品编号 {value!r} "
                           "(unknown product id)")
        return pid

    def _upstream(self, value: str, down: str) -> None:
        """An ``upstream`` product of products/segments rows: its id may come later in the
        same file, so an unknown one is settled at the end (:meth:`finish`)."""
        pid = self.prods.resolve(value)
        if pid is None:
            self._forward.append((self._rown, value, down))
        else:
            self.job.rel("UPSTREAM_OF", "Product", pid, "Product", down)

    def finish(self) -> None:
        """Write the upstream links whose ids the rest of the file defined; quarantine the
        others (they were dropped as skipped, with no reason anywhere)."""
        for rown, value, down in self._forward:
            pid = self.prods.resolve(value)
            if pid is not None:
                self.job.rel("UPSTREAM_OF", "Product", pid, "Product", down)
            else:
                self.job.quarantine(rown, "upstream", codes.E218_UNKNOWN_REF,
                                    f"upstream: 未知的上游产品编号 {value!r}，本文件和图谱中都没有 "
                                    "(unknown upstream product id: not in this file or the "
                                    "store)")
        self._forward.clear()

    def _ambiguous(self, row: dict[str, Any], col: str) -> list[str]:
        v = values.text(row.get(col)) or ""
        d = self.job.resolver.resolve(name=v)
        return [i for i, _ in d.candidates]

    def _rel_or_candidate(self, row: dict[str, Any], rel: str, a_col: str, b_col: str,
                          props: dict[str, Any], key: str = "") -> None:
        a = self._ent(row, a_col)
        b = self._ent(row, b_col)
        if a is not None and a == b:
            raise RowError(b_col, codes.E223_SELF_TIE,
                           f"{a_col} 与 {b_col} 是同一企业 {row.get(b_col)!r} (both ends are "
                           "the same enterprise)")
        if a is None or b is None:
            payload = {"rel": rel, "start": a, "end": b, "props": props, "key": key,
                       "start_options": self._ambiguous(row, a_col) if a is None else [],
                       "end_options": self._ambiguous(row, b_col) if b is None else [],
                       "start_text": row.get(a_col), "end_text": row.get(b_col)}
            self.job.candidate("relation", payload, confidence=0.5,
                               reason=codes.MESSAGES[codes.E219_AMBIGUOUS_REF])
            return
        self.job.rel(rel, "Enterprise", a, "Enterprise", b, {**props, **self._synthetic(row)},
                     key=key)

    # --- kinds
    def _enterprises(self, row: dict[str, Any]) -> None:
        from ingest.industry import get_industry
        from ingest.regions import resolve_region
        from ingest.sizeclass import classify
        from ingest.uscc import validate

        name = _required(row, "name")
        uscc = values.text(row.get("uscc"))
        if uscc and not is_valid_normalised(uscc):
            res = validate(uscc)
            if not res.valid:
                raise RowError("uscc", codes.E211_USCC, f"uscc: {res.reason}")
            uscc = res.code
        region_code = None
        rc = values.text(row.get("region_code")) or values.text(row.get("region"))
        col = "region_code" if values.text(row.get("region_code")) else "region"
        if rc:
            def region() -> str:
                m = resolve_region(rc)
                if m.region is None:
                    raise RowError(col, codes.E212_REGION, f"{col}: {m.reason}")
                return str(m.region.code)

            region_code = self._memo_cell(col, rc, region)
        industry_code = None
        ic = values.text(row.get("industry_code"))
        if ic:
            def industry() -> str:
                ind = get_industry(ic)
                if ind is None:
                    raise RowError("industry_code", codes.E213_INDUSTRY,
                                   f"industry_code: 未知的行业代码 {ic!r} "
                                   "(unknown GB/T 4754 code)")
                return str(ind.code)

            industry_code = self._memo_cell("industry_code", ic, industry)
        raw_emp = row.get("employees")
        employees = (int(raw_emp) if type(raw_emp) is str and _PLAIN_INT.fullmatch(raw_emp)
                     else self._memo_cell("employees", raw_emp,
                                          lambda: _cell(row, "employees", values.integer)))
        revenue = _money(row, "revenue")
        assets = _money(row, "total_assets")
        raw_founded = row.get("founded")
        founded = self._memo_cell("founded", raw_founded,
                                  lambda: _cell(row, "founded", values.iso_date))
        raw_tiers = row.get("tiers")

        def tier_list() -> list[str]:
            return [_cell({"tiers": t}, "tiers", values.choice, allowed=TIER_NAMES)
                    for t in values.str_list(raw_tiers)]

        tiers = list(self._memo_cell("tiers", raw_tiers, tier_list))
        size = self._memo_cell("size_class", row.get("size_class"),
                               lambda: _cell(row, "size_class", values.choice, allowed=SIZE_NAMES))
        if size is None and industry_code:
            try:
                size = classify(industry_code, employees, revenue, assets).size_class
            except InvalidInput:
                size = None
        aliases = values.str_list(row.get("aliases"))
        short = values.text(row.get("short_name"))
        id_ = values.text(row.get("id"))
        if id_:
            if uscc and self.job.resolver_loaded():
                owner = self.job.resolver.id_for_uscc(uscc)
                if owner and owner != id_:
                    raise RowError("uscc", codes.E220_USCC_CONFLICT,
                                   f"uscc: {uscc} 已属于 {owner} (belongs to {owner})")
        else:
            d = self.job.resolver.resolve(name=name, uscc=uscc)
            if d.kind == "same" and d.id:
                id_ = d.id
                self.job.result.merged += 1
                known = self.job.resolver.name_of(d.id)
                if known and known != name:
                    # Keep the stored name and aliases; record this spelling as one more.
                    self.job.flush()
                    self.job.store.write(GRAPH_CYPHER.get("ingest_add_alias",
                                                          self.job.store.dialect),
                                         {"id": d.id, "alias": name})
                    self.job.resolver.add(d.id, name)
                    name = known
                    aliases = []
            else:
                id_ = stable_id("E", uscc) if uscc else stable_id("E", norm_name(name))
                if d.kind == "ambiguous":
                    self.job.candidate("merge", {"merge": [id_, d.id],
                                                 "options": [i for i, _ in d.candidates]},
                                       confidence=d.score, reason=d.reason)
        synthetic = self._synthetic(row)  # read-only: Job.node/rel copy what they keep
        props = {"name": name, "norm_name": norm_name(name), "uscc": uscc,
                 "short_name": short, "aliases": aliases or None, "region_code": region_code,
                 "industry_code": industry_code, "founded": founded, "employees": employees,
                 "revenue": revenue, "total_assets": assets, "tiers": tiers or None,
                 "size_class": size or None, "description": values.text(row.get("description")),
                 **synthetic}
        self.job.node("Enterprise", id_, props)
        self.ents.add(id_, name, uscc, aliases, short)
        if region_code:
            self.job.rel("LOCATED_IN", "Enterprise", id_, "Region", region_code, synthetic)
        if industry_code:
            self.job.rel("IN_INDUSTRY", "Enterprise", id_, "Industry", industry_code,
                         synthetic)

    def _industry(self, row: dict[str, Any]) -> str | None:
        from ingest.industry import get_industry

        ic = values.text(row.get("industry_code"))
        if not ic:
            return None
        ind = get_industry(ic)
        if ind is None:
            raise RowError("industry_code", codes.E213_INDUSTRY,
                           f"industry_code: 未知的行业代码 {ic!r} (unknown GB/T 4754 code)")
        return ind.code

    def _products(self, row: dict[str, Any]) -> None:
        name = _required(row, "name")
        industry_code = self._industry(row)
        chain_id = values.text(row.get("chain_id"))
        id_ = values.text(row.get("id")) or stable_id("P", norm_name(name))
        self.job.node("Product", id_, {"name": name, "norm_name": norm_name(name),
                                       "industry_code": industry_code, "chain_id": chain_id,
                                       **self._synthetic(row)})
        self.prods.known(id_, name)
        seg = values.text(row.get("segment"))
        if chain_id and seg:
            self._segment(chain_id, None, seg, None)
            self.job.rel("IN_SEGMENT", "Product", id_, "Segment", f"{chain_id}:{seg}")
        for up in values.str_list(row.get("upstream")):
            self._upstream(up, id_)

    def _segment(self, chain_id: str, chain_name: str | None, seg: str,
                 order: int | None) -> str:
        if chain_name:
            self.job.node("Chain", chain_id, {"name": chain_name})
        sid = f"{chain_id}:{seg}"
        self.job.node("Segment", sid, {"chain_id": chain_id, "name": seg,
                                       "order": order if order is not None
                                       else SEGMENT_ORDER.get(seg)})
        self.job.rel("PART_OF", "Segment", sid, "Chain", chain_id)
        return sid

    def _segments(self, row: dict[str, Any]) -> None:
        chain_id = _required(row, "chain_id")
        chain_name = _required(row, "chain_name")
        seg = _required(row, "segment")
        product = _required(row, "product")
        order = _cell(row, "order", values.integer)
        industry_code = self._industry(row)
        sid = self._segment(chain_id, chain_name, seg, order)
        pid = values.text(row.get("product_id")) or stable_id("P", chain_id, norm_name(product))
        self.job.node("Product", pid, {"name": product, "norm_name": norm_name(product),
                                       "industry_code": industry_code, "chain_id": chain_id})
        self.prods.known(pid, product)
        self.job.rel("IN_SEGMENT", "Product", pid, "Segment", sid)
        for up in values.str_list(row.get("upstream")):
            self._upstream(up, pid)

    def _enterprise_products(self, row: dict[str, Any]) -> None:
        role = _cell(row, "role", values.choice, allowed=ROLES)
        product = _required(row, "product")
        pid = self._product(product, "product")
        ent = self._ent(row, "enterprise")
        if ent is None:
            self.job.candidate("relation", {"rel": "PRODUCES", "start": None, "end": pid,
                                            "start_text": row.get("enterprise"),
                                            "start_options": self._ambiguous(row, "enterprise"),
                                            "props": {"role": role}}, confidence=0.5,
                               reason=codes.MESSAGES[codes.E219_AMBIGUOUS_REF])
            return
        self.job.rel("PRODUCES", "Enterprise", ent, "Product", pid,
                     {"role": role, **self._synthetic(row)})

    def _capabilities(self, row: dict[str, Any]) -> None:
        name = _required(row, "name")
        area = _cell(row, "area", values.choice, allowed=AREAS)
        ent = self._ent(row, "enterprise")
        cid = values.text(row.get("id")) or stable_id("C", norm_name(name), area or "")
        self.job.node("Capability", cid, {"name": name, "area": area, **self._synthetic(row)})
        if ent is not None:
            self.job.rel("HAS_CAPABILITY", "Enterprise", ent, "Capability", cid,
                         {"level": values.text(row.get("level")),
                          "description": values.text(row.get("description")),
                          **self._synthetic(row)})

    def _needs(self, row: dict[str, Any]) -> None:
        name = _required(row, "name")
        area = _cell(row, "area", values.choice, allowed=AREAS)
        status = _cell(row, "status", values.choice, allowed=NEED_STATUS) or "open"
        quantity = values.text(row.get("quantity"))
        deadline = _cell(row, "deadline", values.iso_date)
        ent = self._ent(row, "enterprise")
        if ent is None:
            raise RowError("enterprise", codes.E219_AMBIGUOUS_REF,
                           codes.MESSAGES[codes.E219_AMBIGUOUS_REF])
        product = values.text(row.get("product"))
        pid = self._product(product, "product") if product else None  # checked before writing
        nid = values.text(row.get("id")) or stable_id("N", ent, norm_name(name))
        self.job.node("Need", nid, {"name": name, "area": area, "status": status,
                                    "quantity": quantity, "deadline": deadline,
                                    **self._synthetic(row)})
        self.job.rel("NEEDS", "Enterprise", ent, "Need", nid, self._synthetic(row))
        if pid:
            self.job.rel("ABOUT", "Need", nid, "Product", pid, self._synthetic(row))

    def _resources(self, row: dict[str, Any]) -> None:
        name = _required(row, "name")
        rtype = _cell(row, "type", values.choice, allowed=RES_TYPES)
        ent = self._ent(row, "enterprise")
        if ent is None:
            raise RowError("enterprise", codes.E219_AMBIGUOUS_REF,
                           codes.MESSAGES[codes.E219_AMBIGUOUS_REF])
        rid = values.text(row.get("id")) or stable_id("R", ent, norm_name(name))
        self.job.node("Resource", rid, {"name": name, "type": rtype,
                                        "description": values.text(row.get("description")),
                                        **self._synthetic(row)})
        self.job.rel("OFFERS", "Enterprise", ent, "Resource", rid, self._synthetic(row))

    def _supply(self, row: dict[str, Any]) -> None:
        product = values.text(row.get("product"))
        props = {"product": product,
                 "since": self._memo_cell("since", row.get("since"),
                                          lambda: _cell(row, "since", values.iso_date)),
                 "share": self._memo_cell("share", row.get("share"),
                                          lambda: _cell(row, "share", values.share))}
        self._rel_or_candidate(row, "SUPPLIES", "supplier", "buyer", props,
                               key=product or "")

    def _relations(self, row: dict[str, Any]) -> None:
        rel = _cell(row, "type", values.choice, allowed=REL_TYPES)
        if rel is None:
            raise RowError("type", codes.E210_REQUIRED, "type: 必填字段为空 (required)")
        props = {"since": _cell(row, "since", values.iso_date),
                 "share": _cell(row, "share", values.share),
                 "amount": _cell(row, "amount", values.money)}
        self._rel_or_candidate(row, rel, "from", "to", props)


def _first_filled(alts: list[list[int]], rec: list[Any]) -> tuple[Any, ...]:
    """Each column's cell in ``rec``: the first of its sources (positions) not blank."""
    return tuple(next((rec[i] for i in a if not values.blank(rec[i])), rec[a[0]])
                 for a in alts)


def _has_fffd(records: list[list[Any]]) -> bool:
    try:
        return "\ufffd" in "\x00".join(itertools.chain.from_iterable(records))
    except TypeError:  # not all strings (JSON Lines, XLSX): look cell by cell
        return any(isinstance(v, str) and "\ufffd" in v for rec in records for v in rec)


def _header_test(kind: str | None, mapping: dict[str, str]) -> HeaderTest:
    """A row is the header when it names every required column of ``kind`` (of some kind
    when none is given)."""
    kinds = [KINDS[kind]] if kind in KINDS else list(KINDS.values())

    def test(cells: list[str]) -> bool:
        return any(set(k.required) <= set(map_headers(cells, k.name, mapping).values())
                   for k in kinds)

    return test


def _kind_for(path: Path, headers: list[str], kind: str | None,
              mapping: dict[str, str]) -> str:
    if kind:
        if kind not in KINDS:
            raise IngestError(f"未知的表格类型 {kind!r}，可选：{', '.join(KINDS)} (unknown kind)",
                              code=codes.E202_UNKNOWN_KIND)
        return kind
    stem = path.stem.lower()
    if stem in KINDS:
        mapped = set(map_headers(headers, stem, mapping).values())
        if set(KINDS[stem].required) <= mapped:
            return stem
    return detect_kind(list(headers), mapping)


def ingest_table(store: Store, path: Path | str, *, kind: str | None = None,
                 mapping: Path | str | None = None, prune: bool = False,
                 run_dir: Path | None = None, source: str | None = None,
                 batch_size: int | None = None, synthetic: bool = False,
                 on_progress: Callable[[int], None] | None = None) -> IngestResult:
    """Load one table file; return the run's counts. Raises IngestError if unreadable."""
    path = Path(path)
    maps = load_mapping(Path(mapping) if mapping else None)
    headers, chunks = read_table(path, is_header=_header_test(kind, maps))
    k = _kind_for(path, headers, kind, maps)
    colmap = map_headers(headers, k, maps)
    present = set(colmap.values())
    missing = [c for c in KINDS[k].required if c not in present]
    if missing:
        raise IngestError(f"{path.name}: 缺少必需的列 {missing}（{k}）；前 {HEADER_SEARCH_ROWS} "
                          "行中没有一行含这些列，表头读作："
                          f"{[str(h) for h in headers][:12]}。请检查表头的列名，或用映射文件"
                          f"（--mapping）指明 (required columns missing: no row among the first "
                          f"{HEADER_SEARCH_ROWS} has them; map your headers with a mapping file)",
                          code=codes.E203_MISSING_COLUMN)
    job = Job(store, source or path.name, k, prune=prune, run_dir=run_dir,
              batch_size=batch_size, synthetic=synthetic, on_progress=on_progress)
    loader = TableLoader(job, k)
    sources = column_sources(headers, k, maps)
    extra_synth = next((h for h in headers if str(h).strip().lower() == "synthetic"), None)
    if extra_synth is not None and "synthetic" not in sources:
        sources["synthetic"] = [extra_synth]
    names = list(sources)
    pos = [headers.index(srcs[0]) for srcs in sources.values()]
    pick: Callable[[list[Any]], Any] = (operator.itemgetter(*pos) if len(pos) > 1
                                        else lambda rec: (rec[pos[0]],))
    # a column named twice (企业名称 and name): a row takes the first source not blank
    alts = [[headers.index(h) for h in srcs] for srcs in sources.values()]
    if any(len(a) > 1 for a in alts):
        pick = functools.partial(_first_filled, alts)
    try:
        for chunk in chunks:
            for rown, reason in chunk.bad:
                job.result.read += 1
                job.quarantine(rown, "", codes.E224_MALFORMED, reason)
            # U+FFFD (undecodable bytes) looked for once per chunk, not per cell
            check = _has_fffd(chunk.records)
            for rown, rec in zip(chunk.row_numbers, chunk.records, strict=True):
                loader.row(rown, dict(zip(names, pick(rec), strict=True)), check_bytes=check)
        loader.finish()
    except IngestError:
        # The rows read before the unreadable part stay loaded; the run says it failed.
        job.prune = False
        job.finish(status="failed")
        raise
    return job.finish()


def ensure_reference(store: Store) -> int:
    """Load Region and Industry nodes when the store has none; return rows written."""
    from ingest.refload import load_reference

    text = GRAPH_CYPHER.get("ingest_count_label", store.dialect).replace("{label}", q("Region"))
    rows = store.read(text, {})
    if rows and int(rows[0]["n"] or 0) > 0:
        return 0
    return load_reference(store).created
