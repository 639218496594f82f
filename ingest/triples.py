"""``ronglian ingest triples``: relation triples and record files of other graphs.

A mapping file (``seeds/mappings/*.json``) says how to read the source:

* ``layout: triples`` — rows ``head relation tail [time]`` separated by
  ``separator``; with ``id_maps`` (ICKG: ``entity2id.txt``, ``relation2id.txt``,
  ``time2id.txt`` beside the data file) the cells are ids, else names.
  ``relations`` maps each source relation label to ``{type, head, tail,
  reverse?, props?, confidence?}`` (our relationship type and node labels).
* ``layout: records`` — CSV files named in ``files``, each giving one node per
  row (``node``: label, id and name columns) and ``links`` from multi-valued
  columns to other nodes (OpenSPG).

Enterprise names go through entity resolution (exact and USCC matches are
taken; fuzzy ones are proposed for review, since other graphs name firms by
short names); other labels get ids from their normalised names. Nodes only
named by a reference are stubs: created when missing, never overwriting. Must
not live here: Cypher text or CLI output.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from graph.errors import IngestError
from graph.schema import LABELS, REL_TYPES
from graph.store import Store
from ingest import codes
from ingest.job import IngestResult, Job, stable_id
from ingest.normalize import fold, norm_name

_PREFIX = {"Enterprise": "E", "Product": "P", "Industry": "I", "Patent": "PAT",
           "Capability": "C", "Region": "RG"}


def load_mapping(path: Path | str) -> dict[str, Any]:
    try:
        m = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise IngestError(f"映射文件无法读取 {path}: {e} (cannot read mapping)",
                          code=codes.E204_BAD_MAPPING) from e
    if not isinstance(m, dict) or m.get("layout") not in {"triples", "records"}:
        raise IngestError(f"{path}: 映射需要 layout = triples 或 records (bad mapping layout)",
                          code=codes.E204_BAD_MAPPING)
    for label, spec in (m.get("relations") or {}).items():
        if spec.get("type") not in REL_TYPES or spec.get("head") not in LABELS \
                or spec.get("tail") not in LABELS:
            raise IngestError(f"{path}: 关系 {label!r} 映射到未知的类型或标签 "
                              "(relation maps to an unknown type or label)",
                              code=codes.E204_BAD_MAPPING)
    return m


def _read_map(path: Path, *, sep: str = "\t", value_first: bool = True) -> dict[str, str]:
    """``name<TAB>id`` (entity/relation maps) or ``id,value`` (time map) → {id: value}."""
    if not path.is_file():
        raise IngestError(f"缺少 id 映射文件 {path} (missing id map)",
                          code=codes.E206_BAD_TRIPLES)
    out: dict[str, str] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line:
                continue
            if value_first:
                name, _, id_ = line.rpartition(sep)
            else:
                id_, _, name = line.partition(sep)
            if id_:
                out[id_.strip()] = name
    return out


class _Nodes:
    """Ids for named nodes; enterprises through the resolver (strict)."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self._cache: dict[tuple[str, str], str] = {}

    def id_for(self, label: str, name: str) -> str:
        name = name.strip()
        key = (label, fold(name) if label != "Enterprise" else name)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        if label == "Enterprise":
            d = self.job.resolver.resolve(name=name)
            if d.kind == "same" and d.reason in {"uscc", "name"} and d.id:
                id_ = d.id
                self.job.result.merged += 1
            else:
                id_ = stable_id("E", norm_name(name))
                self.job.node("Enterprise", id_, {"name": name, "norm_name": norm_name(name)},
                              stub=True, confidence=0.6)
                self.job.resolver.add(id_, name)
                if d.id and d.kind in {"same", "ambiguous"}:
                    self.job.candidate("merge", {"merge": [id_, d.id],
                                                 "options": [i for i, _ in d.candidates]},
                                       confidence=d.score, reason=d.reason)
        else:
            id_ = stable_id(_PREFIX.get(label, label[:3].upper()), label, norm_name(name))
            props: dict[str, Any] = {"name": name}
            if label in {"Product", "Enterprise"}:
                props["norm_name"] = norm_name(name)
            self.job.node(label, id_, props, stub=True)
        self._cache[key] = id_
        return id_


def _triples(job: Job, path: Path, m: dict[str, Any], limit: int | None) -> None:
    sep = m.get("separator", "\t")
    cols = m.get("columns") or ["head", "relation", "tail", "time"]
    maps = m.get("id_maps") or {}
    ent = _read_map(path.parent / maps["entity"]) if "entity" in maps else None
    rel = _read_map(path.parent / maps["relation"]) if "relation" in maps else None
    tim = (_read_map(path.parent / maps["time"], sep=",", value_first=False)
           if "time" in maps else None)
    relations: dict[str, dict[str, Any]] = m["relations"]
    if not {"head", "relation", "tail"} <= set(cols):
        raise IngestError(f"映射的 columns 需要 head、relation 和 tail：{cols} "
                          "(mapping columns need head, relation and tail)",
                          code=codes.E204_BAD_MAPPING)
    # head, relation and tail are required, the columns after them (time) optional
    least = 1 + max(cols.index(c) for c in ("head", "relation", "tail"))
    zh_expected, en_expected = ((f"{least} 或 {len(cols)}", f"{least} or {len(cols)}")
                                if least < len(cols) else (str(least), str(least)))
    default_conf = float(m.get("confidence", 0.7))
    nodes = _Nodes(job)
    try:
        fh = path.open(encoding="utf-8-sig")
    except OSError as e:
        raise IngestError(f"无法打开 {path}: {e}", code=codes.E201_UNREADABLE) from e
    with fh:
        for n, line in enumerate(fh, start=1):
            if limit is not None and job.result.read >= limit:
                break
            if not line.strip():
                continue
            job.result.read += 1
            fields = line.rstrip("\n").split(sep)
            if len(fields) < least:
                # A short line is not an unknown id: say what it lacks.
                job.quarantine(n, cols[len(fields)], codes.E210_REQUIRED,
                               f"该行有 {len(fields)} 个字段，应为 {zh_expected} 个 "
                               f"(the line has {len(fields)} field{'s' * (len(fields) != 1)}, "
                               f"{en_expected} expected)")
                continue
            cells = dict(zip(cols, fields, strict=False))
            unknown = next(((col, cells[col]) for col, idmap in (
                ("head", ent), ("relation", rel), ("tail", ent), ("time", tim))
                if idmap is not None and cells.get(col) and cells[col] not in idmap), None)
            if unknown is not None:
                col, id_ = unknown
                job.quarantine(n, col, codes.E218_UNKNOWN_REF,
                               f"{col}: id {id_!r} 不在 id 映射中 (id not in the id maps)")
                continue
            # only an empty cell can miss the maps now: it reads as empty, as without maps
            head = ent.get(cells["head"], "") if ent is not None else cells["head"]
            tail = ent.get(cells["tail"], "") if ent is not None else cells["tail"]
            label = rel.get(cells["relation"], "") if rel is not None else cells["relation"]
            spec = relations.get(label)
            if spec is None:
                job.quarantine(n, "relation", codes.E217_ENUM,
                               f"关系 {label!r} 未在映射中 (relation not mapped)")
                continue
            if not head.strip() or not tail.strip():
                job.quarantine(n, "head" if not head.strip() else "tail",
                               codes.E210_REQUIRED, "头或尾实体为空 (empty head or tail)")
                continue
            if spec.get("reverse"):
                head, tail = tail, head
                hl, tl = spec["tail"], spec["head"]
            else:
                hl, tl = spec["head"], spec["tail"]
            a, b = nodes.id_for(hl, head), nodes.id_for(tl, tail)
            if hl == tl and a == b:
                job.quarantine(n, "tail", codes.E223_SELF_TIE,
                               f"头尾实体相同 {head!r} (head and tail are the same entity)")
                continue
            props = dict(spec.get("props") or {})
            props["source_relation"] = label
            t = cells.get("time")
            if t:
                props["observed_on"] = tim[t] if tim is not None else t
            job.rel(spec["type"], hl, a, tl, b, props, key=label,
                    confidence=float(spec.get("confidence", default_conf)))


def _split(value: str | None, sep: str) -> list[str]:
    return [v.strip() for v in (value or "").split(sep) if v.strip()]


def _records(job: Job, path: Path, m: dict[str, Any], limit: int | None) -> None:
    spec = (m.get("files") or {}).get(path.name)
    if spec is None:
        raise IngestError(f"映射 {m.get('name')} 没有文件 {path.name} 的规则；可用："
                          f"{', '.join(m.get('files') or {})} (file not in mapping)",
                          code=codes.E204_BAD_MAPPING)
    node = spec["node"]
    label = node["label"]
    prefix = node.get("id_prefix", "")
    last_sep = node.get("name_last_segment")
    def name_of(raw: str) -> str:
        return raw.split(last_sep)[-1] if last_sep else raw

    for n, row in _csv_rows(path):
        if limit is not None and job.result.read >= limit:
            break
        job.result.read += 1
        raw_id = (row.get(node["id"]) or "").strip()
        if not raw_id:
            job.quarantine(n, node["id"], codes.E210_REQUIRED, "id 为空 (empty id)")
            continue
        id_ = prefix + raw_id
        props: dict[str, Any] = {"name": name_of((row.get(node["name"]) or raw_id).strip())}
        if label in {"Product", "Enterprise"}:
            props["norm_name"] = norm_name(props["name"])
        if label == "Product":
            props["path"] = raw_id
        for prop, col in (node.get("props") or {}).items():
            props[prop] = row.get(col) or None
        job.node(label, id_, props)
        if label == "Enterprise" and job.resolver_loaded():
            job.resolver.add(id_, props["name"])
        for link in spec.get("links") or []:
            for target in _split(row.get(link["column"]), link.get("split", ",")):
                tlabel = link["target"]
                tid = link.get("target_prefix", prefix if tlabel == label else "") + target
                tsep = link.get("name_last_segment")
                tname = target.split(tsep)[-1] if tsep else target
                tprops: dict[str, Any] = {"name": tname}
                if tlabel == "Product":
                    tprops.update(path=target, norm_name=norm_name(tname))
                job.node(tlabel, tid, tprops, stub=True)
                job.rel(link["type"], label, id_, tlabel, tid)


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    from ingest.tables import detect_encoding

    enc = detect_encoding(path)
    with path.open(encoding=enc, newline="") as fh:
        yield from enumerate(csv.DictReader(fh), start=2)


def ingest_triples(store: Store, path: Path | str, mapping: Path | str, *,
                   run_dir: Path | None = None, limit: int | None = None,
                   source: str | None = None,
                   on_progress: Callable[[int], None] | None = None) -> IngestResult:
    """Load ``path`` as described by ``mapping``; return the run's counts."""
    path = Path(path)
    if not path.is_file():
        raise IngestError(f"文件不存在 {path} (no such file)", code=codes.E201_UNREADABLE)
    m = load_mapping(mapping)
    job = Job(store, source or path.name, f"triples:{m.get('name', 'custom')}",
              run_dir=run_dir, confidence=float(m.get("confidence", 0.8)),
              on_progress=on_progress)
    if m["layout"] == "triples":
        _triples(job, path, m, limit)
    else:
        _records(job, path, m, limit)
    return job.finish()
