"""One ingest run: provenance, change detection, batched writes, quarantine, prune.

Lives here: :class:`Job` (what every ingest job — tables, chains, triples,
demo — writes through) and its typed :class:`IngestResult`. A job buffers
node and relationship records, and per batch reads the stored
``content_hash`` of those records: new ones are created, changed ones updated
(their previous values kept with their time in ``history_json``), identical
ones not written at all, so rerunning a source changes nothing. Each batch is
its own committed transaction, so a crash loses at most the batches in flight
and a rerun completes the graph. Full batches are written by one background
thread (:class:`_Writer`, in order, at most ``_IN_FLIGHT`` queued) while the
caller parses the next rows: the store is another process, so waiting on its
socket overlaps with parsing. :meth:`Job.flush` waits until everything queued
is committed. Must not live here: parsing of any source format, or Cypher text
(``graph/cypher/ingest_*.cypher``).
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import sys
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from graph.schema import LABELS, REL_TYPES, q, q_rel
from graph.settings import get_settings
from graph.store import GRAPH_CYPHER, Store
from graph.writes import merge_nodes, node_row, note_ties_deleted
from ingest.resolve import Decision, Resolver

log = logging.getLogger("ingest.job")

PROVENANCE_KEYS = frozenset({"source", "sources", "run_id", "ingested_at", "method",
                             "confidence", "content_hash", "as_of", "history_json"})
_HISTORY_MAX = 10
#: Batches queued for the background writer before the producer waits: enough to keep
#: the store busy while the next batch is parsed, few enough to bound memory.
_IN_FLIGHT = 2


class _Writer:
    """Runs write batches on one background thread, in submission order.

    A batch is a closure over records the producer no longer touches. At most
    ``depth`` batches wait; :meth:`drain` blocks until all are committed and
    re-raises the first error of any of them (later batches are then skipped, so
    nothing is written after a failed batch). The thread is a
    ``ThreadPoolExecutor`` worker: it exits when the job is garbage-collected,
    even if the job never finished.
    """

    def __init__(self, depth: int = _IN_FLIGHT) -> None:
        self._pool: ThreadPoolExecutor | None = None
        self._slots = threading.BoundedSemaphore(depth)
        self._pending: deque[Future[None]] = deque()
        self._error: BaseException | None = None

    def submit(self, fn: Callable[[], None]) -> None:
        self._check()
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-writer")
            _fast_switch(True)
        self._slots.acquire()
        try:
            fut = self._pool.submit(self._run, fn)
        except BaseException:
            self._slots.release()
            raise
        self._pending.append(fut)

    def _run(self, fn: Callable[[], None]) -> None:
        try:
            if self._error is None:
                fn()
        except BaseException as e:
            self._error = e
        finally:
            self._slots.release()

    def _check(self) -> None:
        while self._pending and self._pending[0].done():
            self._pending.popleft()
        if self._error is not None:
            err, self._error = self._error, None
            raise err

    def drain(self) -> None:
        while self._pending:
            self._pending.popleft().result()
        self._check()

    def close(self) -> None:
        try:
            self.drain()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None
                _fast_switch(False)


#: While a writer runs, the interpreter hands over between threads every 0.5 ms instead
#: of 5 ms: the writer wakes from the store's answer needing the interpreter back, and
#: the store idles until it gets it (measured at 100k: 26.4 -> 24.8 s). Process-wide, so
#: counted: the default comes back when the last writer closes.
_SWITCH_S = 0.0005
_switch_lock = threading.Lock()
_switch_users = 0
_switch_saved = 0.005


def _fast_switch(on: bool) -> None:
    global _switch_users, _switch_saved
    with _switch_lock:
        if on:
            if _switch_users == 0:
                _switch_saved = sys.getswitchinterval()
                sys.setswitchinterval(min(_switch_saved, _SWITCH_S))
            _switch_users += 1
        elif _switch_users > 0:
            _switch_users -= 1
            if _switch_users == 0:
                sys.setswitchinterval(_switch_saved)


@dataclass
class IngestResult:
    """Counts of one run (records are nodes and relationships written by the run).

    ``pruned`` is ``pruned_nodes + pruned_rels``; ``pruned_rels`` includes the
    relationships deleted with a pruned node, and ``pruned_foreign`` counts those of
    them that another source (or no ingest source) asserted.
    """

    run_id: str
    source: str
    kind: str
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0
    quarantined: int = 0
    skipped: int = 0
    pruned: int = 0
    pruned_nodes: int = 0
    pruned_rels: int = 0
    pruned_foreign: int = 0
    candidates: int = 0
    quarantine_path: str | None = None
    decisions_path: str | None = None
    chain_ids: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def counts(self) -> dict[str, int]:
        return {k: v for k, v in asdict(self).items() if isinstance(v, int)}


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def new_run_id() -> str:
    return "run-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]


def stable_id(prefix: str, *parts: object) -> str:
    """A deterministic id from content, so a rerun after a crash finds the same node."""
    h = hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:16]
    return f"{prefix}-{h}"


#: ``json.dumps(..., sort_keys=True, ensure_ascii=False, default=str)`` built once:
#: the same text (so stored hashes stay valid) without a new encoder per record.
_HASH_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, default=str)


def content_hash(props: Mapping[str, Any]) -> int:
    """64-bit BLAKE2b of the record's JSON without provenance, as a signed integer.

    An integer is stored inline by both engines (a 16-character hex string took
    ~20 bytes more per record in FalkorDB). Stores written before kept the hex
    form: :func:`same_hash` accepts either.
    """
    # the common case, a record without provenance keys, is hashed as it is (no copy)
    data = props if PROVENANCE_KEYS.isdisjoint(props) else {
        k: v for k, v in props.items() if k not in PROVENANCE_KEYS}
    key: Any = None
    if len(data) <= 2:
        # Small maps of plain values repeat a lot ({synthetic: true} on every LOCATED_IN).
        # The key holds each value's type: True == 1 == 1.0 but their JSON differs.
        try:
            key = (tuple(data.items()), tuple(map(type, data.values())))
            hit = _HASH_MEMO.get(key)
        except TypeError:  # a list value: not hashable, not memoised
            key = hit = None
        if hit is not None:
            return hit
    blob = _HASH_JSON.encode(data)
    # 64 bits tell a record's versions apart; signed, to fit both engines' integers.
    h = int.from_bytes(hashlib.blake2b(blob.encode("utf-8"), digest_size=8).digest(), "big",
                       signed=True)
    if key is not None:
        if len(_HASH_MEMO) >= 4096:
            _HASH_MEMO.clear()
        _HASH_MEMO[key] = h
    return h


_HASH_MEMO: dict[Any, int] = {}


def same_hash(stored: Any, new: int) -> bool:
    """``stored`` (an integer, or the hex text of stores written before) is ``new``."""
    if type(stored) is int:
        return stored == new
    return isinstance(stored, str) and stored == format(new & 0xFFFF_FFFF_FFFF_FFFF, "016x")


def default_run_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("ronglian")) / "runs"


@dataclass
class _RelBuf:
    start_label: str
    end_label: str
    rows: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)


class Job:
    """Write path of one ingest run with provenance (see module docstring)."""

    def __init__(self, store: Store, source: str, kind: str, *, method: str = "table",
                 confidence: float = 1.0, run_dir: Path | None = None, prune: bool = False,
                 batch_size: int | None = None, synthetic: bool = False,
                 resolver: Resolver | None = None, background: bool = True,
                 on_progress: Callable[[int], None] | None = None) -> None:
        self.store = store
        self.source = source
        self.kind = kind
        self.method = method
        self.confidence = confidence
        self.prune = prune
        self.synthetic = synthetic
        self.batch_size = batch_size or get_settings().batch_size
        self.run_id = new_run_id()
        self.started_at = utc_now()
        self.result = IngestResult(self.run_id, source, kind)
        self.run_dir = Path(run_dir) if run_dir else default_run_dir()
        self.on_progress = on_progress
        self._nodes: dict[str, dict[str, dict[str, Any]]] = {}
        self._rels: dict[str, dict[tuple[str, str], _RelBuf]] = {}
        self._seen_nodes: dict[str, set[str]] = {}
        self._seen_rels: dict[tuple[str, str, str], set[tuple[str, str, str]]] = {}
        self._resolver = resolver
        self._qfile: IO[str] | None = None
        self._qwriter: Any = None
        self._dfile: IO[str] | None = None
        self._pending = 0
        # A batch is handed over when one label's or type's rows reach batch_size, so each
        # write query carries a full batch (a table of enterprises fills three buffers at
        # once: counting them together sent three queries of a third of a batch, and the
        # store pays a fixed cost per write query); all buffers together stay bounded.
        self._max_pending = 4 * self.batch_size
        # Labels/types that had no record when this run first wrote them: their
        # records cannot pre-exist, so only ids this run already wrote need a hash
        # read (a first load skips the read round trips; see _existing_*).
        self._empty: dict[tuple[str, str], bool] = {}
        self._written: dict[tuple[str, str], set[int]] = {}
        # Full batches go to a background writer (see module docstring); None writes inline.
        self._writer: _Writer | None = _Writer() if background else None
        merge_nodes(self.store, "IngestRun", [node_row(self.run_id, {
            "source": source, "kind": kind, "method": method, "started_at": self.started_at,
            "status": "running"})])

    # ------------------------------------------------------------ resolution
    @property
    def resolver(self) -> Resolver:
        """The enterprise resolver, loaded from the store on first use (after a flush)."""
        if self._resolver is None:
            self.flush()
            self._resolver = Resolver.from_store(self.store, sink=self._log_decision)
        elif self._resolver.sink is None:
            self._resolver.sink = self._log_decision
        return self._resolver

    def resolver_loaded(self) -> bool:
        return self._resolver is not None

    def _log_decision(self, d: Decision) -> None:
        if self._dfile is None:
            self.run_dir.mkdir(parents=True, exist_ok=True)
            path = self.run_dir / f"{self.run_id}.decisions.jsonl"
            self._dfile = path.open("w", encoding="utf-8")
            self.result.decisions_path = str(path)
        self._dfile.write(json.dumps(d.as_dict(), ensure_ascii=False) + "\n")

    # ------------------------------------------------------------ quarantine
    def quarantine(self, row: int, column: str, code: str, reason: str) -> None:
        """Record one bad row (the row is not loaded)."""
        if self._qwriter is None:
            self.run_dir.mkdir(parents=True, exist_ok=True)
            path = self.run_dir / f"{self.run_id}.quarantine.csv"
            self._qfile = path.open("w", encoding="utf-8-sig", newline="")
            self._qwriter = csv.writer(self._qfile)
            self._qwriter.writerow(["source", "row", "column", "code", "reason"])
            self.result.quarantine_path = str(path)
        self._qwriter.writerow([self.source, row, column, code, reason])
        self.result.quarantined += 1

    # ---------------------------------------------------------------- buffer
    def provenance(self, confidence: float | None = None) -> dict[str, Any]:
        p: dict[str, Any] = {"source": self.source, "run_id": self.run_id,
                             "ingested_at": self.started_at, "method": self.method,
                             "confidence": self.confidence if confidence is None else confidence}
        if self.synthetic:
            p["synthetic"] = True
        return p

    def node(self, label: str, id_: str, props: Mapping[str, Any], *,
             confidence: float | None = None, stub: bool = False) -> None:
        """Queue an upsert of ``(label {id})`` with ``props`` (None values are dropped).

        A ``stub`` (a node only named by a reference) is created when missing and
        otherwise left alone, so it never overwrites the full record of another source.
        """
        q(label)
        data = {k: v for k, v in props.items() if v is not None and k != "id"}
        if self.synthetic:
            data["synthetic"] = True
        buf = self._nodes.setdefault(label, {})
        if id_ in buf:
            old = buf[id_]
            if stub and "\x00stub" not in old:
                return  # a full record of this node is already queued
            if not stub:
                old.pop("\x00stub", None)
            old.update(data)  # the same record twice in one batch: merge props
        else:
            if stub:
                data["\x00stub"] = True
            buf[id_] = data
            self._pending += 1
        if confidence is not None:
            buf[id_]["\x00confidence"] = confidence
        if self.prune or label == "Enterprise":
            # Ids seen are kept for --prune, and enterprise ids so references in the same
            # run tell ids from names; nothing else, to keep memory flat on big files.
            self._seen_nodes.setdefault(label, set()).add(id_)
        if len(buf) >= self.batch_size or self._pending >= self._max_pending:
            self._dispatch()

    def rel(self, rel: str, start_label: str, start: str, end_label: str, end: str,
            props: Mapping[str, Any] | None = None, *, key: str = "",
            confidence: float | None = None) -> None:
        """Queue an upsert of ``(start)-[rel {key}]->(end)``."""
        q_rel(rel)
        data = {k: v for k, v in (props or {}).items() if v is not None}
        if self.synthetic:
            data["synthetic"] = True
        if confidence is not None:
            data["\x00confidence"] = confidence
        by_ends = self._rels.setdefault(rel, {})
        buf = by_ends.get((start_label, end_label))
        if buf is None:  # built once per batch, not per call
            buf = by_ends[(start_label, end_label)] = _RelBuf(start_label, end_label)
        k = (start, end, key)
        if k not in buf.rows:
            self._pending += 1
        buf.rows[k] = data
        if self.prune:
            self._seen_rels.setdefault((rel, start_label, end_label), set()).add(k)
        if len(buf.rows) >= self.batch_size or self._pending >= self._max_pending:
            self._dispatch()

    # ----------------------------------------------------------------- write
    def flush(self) -> None:
        """Write what is buffered and wait until every queued batch is committed."""
        self._dispatch()
        if self._writer is not None:
            self._writer.drain()

    def _dispatch(self) -> None:
        """Hand the buffered records to the writer (or write them now, without one)."""
        nodes, rels = self._nodes, self._rels
        self._nodes, self._rels, self._pending = {}, {}, 0
        if not nodes and not rels:
            return
        # Hashing and building the parameter rows need no store, so they happen here,
        # on the producer's side: the writer thread then holds the interpreter only to
        # pick and send rows, and the store waits less between two batches.
        staged_nodes = {label: {id_: self._stage_node(id_, data) for id_, data in rows.items()}
                        for label, rows in nodes.items() if rows}
        staged_rels = [(rel, buf.start_label, buf.end_label,
                        {k: {"start": k[0], "end": k[1], "key": k[2], "props": self._stamp(data)}
                         for k, data in buf.rows.items()})
                       for rel, by_ends in rels.items() for buf in by_ends.values() if buf.rows]
        if self._writer is None:
            self._write_batch(staged_nodes, staged_rels)
        else:
            self._writer.submit(lambda: self._write_batch(staged_nodes, staged_rels))

    def _stage_node(self, id_: str, data: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
        """(is a stub, the node's parameter row with its content hash)."""
        stub = bool(data.pop("\x00stub", False))
        return stub, {"id": id_, "props": self._stamp(data)}  # node_row's shape

    def _write_batch(self, nodes: dict[str, dict[str, tuple[bool, dict[str, Any]]]],
                     rels: list[tuple[str, str, str, dict[tuple[str, str, str],
                                                           dict[str, Any]]]]) -> None:
        """Nodes first (relationships need their ends)."""
        for label, rows in nodes.items():
            self._write_nodes(label, rows)
        for rel, start_label, end_label, rel_rows in rels:
            self._write_rels(rel, start_label, end_label, rel_rows)

    def _stamp(self, data: dict[str, Any]) -> dict[str, Any]:
        """Per-record props: the data, its hash and a confidence other than the run's.

        The provenance every record of the run shares travels once per batch
        (``$prov``, see :meth:`_shared`), which halves what a batch sends.
        """
        conf = data.pop("\x00confidence", None)
        # data is the job's own buffer, handed over: stamped in place instead of copied
        data["content_hash"] = content_hash(data)
        if conf is not None and conf != self.confidence:
            data["confidence"] = conf
        return data

    def _shared(self) -> dict[str, Any]:
        p = self.provenance()
        p["as_of"] = self.started_at
        return p

    def _merge(self, name: str, subst: dict[str, str], rows: list[dict[str, Any]],
               column: str) -> int:
        text = GRAPH_CYPHER.get(name, self.store.dialect)
        for k, v in subst.items():
            text = text.replace(k, v)
        done = 0
        prov = self._shared()
        stamped = "$now" in text  # only node merges stamp first_seen
        for i in range(0, len(rows), self.batch_size):
            part = rows[i:i + self.batch_size]
            params: dict[str, Any] = {"rows": part, "common": _hoist_common(part), "prov": prov}
            if stamped:
                # microseconds: runs a second apart must still order which record came first
                params["now"] = datetime.now(UTC).isoformat(timespec="microseconds")
            out = self.store.write(text, params)
            done += int(out[0][column] or 0) if out else 0
        return done

    def _write_nodes(self, label: str, rows: dict[str, tuple[bool, dict[str, Any]]]) -> None:
        ids = list(rows)
        hashes = self._existing_nodes(label, ids)
        to_write: list[dict[str, Any]] = []
        changed: dict[str, dict[str, Any]] = {}
        adopt: list[str] = []
        for id_, (stub, row) in rows.items():
            if id_ in hashes:
                if stub:
                    continue  # a reference to an existing node: nothing to write or count
                props = row["props"]
                stored, held = hashes[id_]
                if same_hash(stored, props["content_hash"]):
                    self.result.unchanged += 1
                    if not held:  # another source wrote the same record: this one holds it too
                        adopt.append(id_)
                    continue
                changed[id_] = props
                self.result.updated += 1
            else:
                self.result.created += 1
            to_write.append(row)
        if changed:
            self._add_history(label, changed)
        if to_write:
            self._merge("ingest_merge_nodes", {"{label}": q(label)}, to_write, "written")
        if adopt:
            self.store.write(GRAPH_CYPHER.get("ingest_adopt_nodes", self.store.dialect).replace(
                "{label}", q(label)), {"ids": adopt, "source": self.source})
        self._progress(len(ids))

    def _add_history(self, label: str, changed: dict[str, dict[str, Any]]) -> None:
        text = GRAPH_CYPHER.get("ingest_node_props", self.store.dialect).replace(
            "{label}", q(label))
        for r in self.store.read(text, {"ids": list(changed)}):
            old = r["props"] or {}
            new = changed[r["id"]]
            diff = {k: old.get(k) for k, v in new.items()
                    if k not in PROVENANCE_KEYS and old.get(k) != v and k in old}
            history = json.loads(old.get("history_json") or "[]")
            if diff:
                history.append({"as_of": old.get("as_of"), "run_id": old.get("run_id"),
                                "values": diff})
            new["history_json"] = json.dumps(history[-_HISTORY_MAX:], ensure_ascii=False,
                                             default=str)

    def _was_empty(self, kind: str, name: str) -> bool:
        key = (kind, name)
        if key not in self._empty:
            if kind == "node":
                text = GRAPH_CYPHER.get("ingest_count_label", self.store.dialect).replace(
                    "{label}", q(name))
            else:
                text = GRAPH_CYPHER.get("ingest_count_rels", self.store.dialect).replace(
                    "{rel}", q_rel(name))
            rows = self.store.read(text, {})
            self._empty[key] = not rows or int(rows[0]["n"] or 0) == 0
        return self._empty[key]

    def _existing_nodes(self, label: str, ids: list[str]) -> dict[str, tuple[Any, bool]]:
        if not self._was_empty("node", label):
            return self._read_node_hashes(label, ids)
        seen = self._written.setdefault(("node", label), set())
        again = [i for i in ids if hash(i) in seen]
        seen.update(hash(i) for i in ids)
        return self._read_node_hashes(label, again) if again else {}

    def existing_ids(self, label: str, ids: Iterable[str]) -> set[str]:
        """Which of ``ids`` are ``label`` nodes in the store (read as committed: records
        this run still has queued may be missing, the caller knows its own)."""
        ids = list(dict.fromkeys(ids))
        return set(self._read_node_hashes(label, ids)) if ids else set()

    def _read_node_hashes(self, label: str, ids: list[str]) -> dict[str, tuple[Any, bool]]:
        """id -> (stored content hash, whether this source is among the node's sources)."""
        text = GRAPH_CYPHER.get("ingest_node_hashes", self.store.dialect).replace(
            "{label}", q(label))
        return {r["id"]: (r["hash"], bool(r["held"]))
                for r in self.store.read(text, {"ids": ids, "source": self.source})}

    def _write_rels(self, rel: str, start_label: str, end_label: str,
                    rows: dict[tuple[str, str, str], dict[str, Any]]) -> None:
        keys = list(rows)
        ask = keys
        if self._was_empty("rel", rel):
            seen = self._written.setdefault(("rel", rel), set())
            ask = [k for k in keys if hash(k) in seen]
            seen.update(hash(k) for k in keys)
        existing: dict[tuple[str, str, str], tuple[Any, bool]] = {}
        adopt: list[dict[str, str]] = []
        if ask:
            text = (GRAPH_CYPHER.get("ingest_rel_hashes", self.store.dialect)
                    .replace("{start}", q(start_label)).replace("{end}", q(end_label))
                    .replace("{rel}", q_rel(rel)))
            existing = {(r["start"], r["end"], r["key"]): (r["hash"], bool(r["held"]))
                        for r in self.store.read(text, {
                            "rows": [{"start": s, "end": e, "key": k} for s, e, k in ask],
                            "source": self.source})}
        if existing:
            to_write = []
            for k, row in rows.items():
                if k not in existing:
                    self.result.created += 1
                elif same_hash(existing[k][0], row["props"]["content_hash"]):
                    self.result.unchanged += 1
                    if not existing[k][1]:
                        adopt.append({"start": k[0], "end": k[1], "key": k[2]})
                    continue
                else:
                    self.result.updated += 1
                to_write.append(row)
        else:  # a first load: every row is new
            to_write = list(rows.values())
            self.result.created += len(to_write)
        if to_write:
            matched = self._merge("ingest_merge_rels", {
                "{start}": q(start_label), "{end}": q(end_label), "{rel}": q_rel(rel)},
                to_write, "matched")
            missing = len(to_write) - matched
            if missing:
                # An end that does not exist: count it, do not pretend it was written.
                self.result.created -= min(missing, self.result.created)
                self.result.skipped += missing
                log.info("%s: %d %s relationships had a missing end node", self.source,
                            missing, rel)
        if adopt:
            self.store.write(GRAPH_CYPHER.get("ingest_adopt_rels", self.store.dialect)
                             .replace("{start}", q(start_label)).replace("{end}", q(end_label))
                             .replace("{rel}", q_rel(rel)), {"rows": adopt, "source": self.source})
        self._progress(len(keys))

    def _progress(self, n: int) -> None:
        if self.on_progress is not None:
            self.on_progress(n)

    # ---------------------------------------------------------------- review
    def candidate(self, kind: str, payload: Mapping[str, Any], *, confidence: float,
                  reason: str) -> str:
        """Queue a review :class:`Candidate` (id stable in its payload, so reruns dedupe)."""
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
        cid = stable_id("cand", kind, blob)
        self.node("Candidate", cid, {"kind": kind, "payload_json": blob, "reason": reason,
                                     "status": "pending"}, confidence=confidence)
        self.result.candidates += 1
        return cid

    # ---------------------------------------------------------------- finish
    def finish(self, *, status: str = "finished") -> IngestResult:
        """Flush, prune when asked, close files and record the run's counts."""
        try:
            self.flush()
        finally:
            if self._writer is not None:
                self._writer.close()
                self._writer = None
        if self.prune:
            self._prune()
        for f in (self._qfile, self._dfile):
            if f is not None:
                f.close()
        merge_nodes(self.store, "IngestRun", [node_row(self.run_id, {
            "finished_at": utc_now(), "status": status,
            "counts_json": json.dumps(self.result.counts(), ensure_ascii=False),
            "quarantine_path": self.result.quarantine_path})])
        log.info("ingest %s %s: %s", self.kind, self.source, self.result.counts())
        return self.result

    def _prune(self) -> None:
        self._prune_records()
        r = self.result
        r.pruned = r.pruned_nodes + r.pruned_rels
        if r.pruned_rels:
            note_ties_deleted(self.store)
        if r.pruned_foreign:
            log.warning("%s: pruning deleted %d relationships other sources assert, with "
                        "their nodes", self.source, r.pruned_foreign)

    def _prune_records(self) -> None:
        """Records this source asserts and no longer has: another live source's stay (this
        source leaves their ``sources``), the others are deleted. Relationships go first,
        then nodes, every label and type the source wrote (not only those of this run): a
        node is still had when the run wrote it or a relationship of it, so a stub the file
        names again by name is kept and one it no longer names goes."""
        referenced: dict[str, set[str]] = {}
        triples = set(self._seen_rels)
        for row in self.store.run("ingest_source_rel_types", {"source": self.source}):
            if row["rel"] in REL_TYPES and row["start"] in LABELS and row["end"] in LABELS:
                triples.add((row["rel"], row["start"], row["end"]))
        for rel, sl, el in sorted(triples):
            seen_rels = self._seen_rels.get((rel, sl, el), set())
            for s, e, _ in seen_rels:
                referenced.setdefault(sl, set()).add(s)
                referenced.setdefault(el, set()).add(e)
            subst = {"{start}": q(sl), "{end}": q(el), "{rel}": q_rel(rel)}
            text = _fill(GRAPH_CYPHER.get("ingest_source_rels", self.store.dialect), subst)
            gone_rels = [{"start": r["start"], "end": r["end"], "key": r["key"] or "",
                          "others": r["others"]}
                         for r in self.store.read(text, {"source": self.source})
                         if (r["start"], r["end"], r["key"] or "") not in seen_rels]
            if gone_rels:
                self._release("ingest_release_rels", subst,
                              [r for r in gone_rels if r["others"]])
                dtext = _fill(GRAPH_CYPHER.get("ingest_delete_rels", self.store.dialect), subst)
                dead_rels = [r for r in gone_rels if not r["others"]]
                self.store.write_batches(dtext, dead_rels, batch_size=self.batch_size)
                self.result.pruned_rels += len(dead_rels)
        for label in sorted(LABELS - _NOT_PRUNED):
            seen = self._seen_nodes.get(label, set())
            held = referenced.get(label, set())
            text = GRAPH_CYPHER.get("ingest_source_node_ids", self.store.dialect).replace(
                "{label}", q(label))
            gone = [r for r in self.store.read(text, {"source": self.source})
                    if r["id"] not in seen and r["id"] not in held]
            if not gone:
                continue
            self._release("ingest_release_nodes", {"{label}": q(label)},
                          [{"id": r["id"], "others": r["others"]} for r in gone if r["others"]])
            dtext = GRAPH_CYPHER.get("ingest_delete_nodes", self.store.dialect).replace(
                "{label}", q(label))
            dead = [{"id": r["id"]} for r in gone if not r["others"]]
            for i in range(0, len(dead), self.batch_size):
                out = self.store.write(dtext, {"rows": dead[i:i + self.batch_size],
                                               "source": self.source})
                if out:
                    self.result.pruned_nodes += int(out[0]["deleted"] or 0)
                    self.result.pruned_rels += int(out[0]["rels"] or 0)
                    self.result.pruned_foreign += int(out[0]["foreign"] or 0)

    def _release(self, name: str, subst: dict[str, str], rows: list[dict[str, Any]]) -> None:
        if rows:
            self.store.write_batches(_fill(GRAPH_CYPHER.get(name, self.store.dialect), subst),
                                     rows, batch_size=self.batch_size)


#: Labels --prune never deletes: bookkeeping, review items and the reference data.
_NOT_PRUNED = frozenset({"Candidate", "IngestRun", "Region", "Industry", "Meta"})


def _fill(text: str, subst: Mapping[str, str]) -> str:
    for k, v in subst.items():
        text = text.replace(k, v)
    return text


def _hoist_common(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Move the props every row has with the same value (type included: True is not 1)
    out of the rows, to travel once per batch as ``$common`` ({synthetic: true} and the
    hash of that on every LOCATED_IN of a generated table): the stored values are the
    same, each row sends and the store parses fewer values."""
    if len(rows) < 2:
        return {}
    props = [r["props"] for r in rows]
    common: dict[str, Any] = {}
    for k, v in props[0].items():
        t = type(v)
        if t not in _SCALARS:
            continue
        for p in props:
            w = p.get(k, _ABSENT)
            if type(w) is not t or w != v:
                break
        else:
            common[k] = v
    if common:
        for p in props:
            for k in common:
                del p[k]
    return common


_SCALARS = frozenset({str, int, float, bool})
_ABSENT = object()


def iter_batches(items: Iterable[Any], size: int) -> Iterable[list[Any]]:
    batch: list[Any] = []
    for it in items:
        batch.append(it)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
