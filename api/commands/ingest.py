"""``ronglian ingest tables|chain|triples`` (H5 adds ``ingest text`` to :data:`ingest_app`).

Options only: the work is done by :mod:`ingest.tables`, :mod:`ingest.chains`
and :mod:`ingest.triples`. Output: a rich summary table per file on stdout,
a progress display on stderr.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.commands._common import use_store, writable_folder
from graph.store import Store, open_store
from ingest.job import IngestResult

ingest_app = typer.Typer(help="导入数据：表格、产业链定义、三元组 (load tables, chains, triples).",
                         no_args_is_help=True)

out = Console(width=None if Console().is_terminal else 160)
err = Console(stderr=True)

StoreOpt = Annotated[str | None, typer.Option("--store", help="Store URL (default: "
                     "RONGLIAN_STORE, else the embedded store in the user's data folder).")]
RunDirOpt = Annotated[Path | None, typer.Option(
    "--run-dir", help="Where quarantine CSVs and decision logs go (default: user data/runs).")]


@contextmanager
def _store(url: str | None) -> Iterator[Store]:
    from graph.migrations import migrate

    use_store(url)
    s = open_store()
    try:
        migrate(s)
        yield s
    finally:
        s.close()


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int], None]]:
    with Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"),
                  TextColumn("{task.completed:,} records"), TimeElapsedColumn(),
                  console=err, transient=True, disable=not err.is_terminal) as prog:
        task = prog.add_task(label, total=None)
        yield lambda n: prog.advance(task, n)


def summary_table(results: list[IngestResult]) -> Table:
    t = Table(title="导入结果 (ingest summary)")
    for col in ("file", "kind", "run_id", "read", "created", "updated", "unchanged", "merged",
                "quarantined", "skipped", "candidates", "pruned"):
        t.add_column(col, justify="right" if col not in {"file", "kind", "run_id"} else "left")
    for r in results:
        t.add_row(r.source, r.kind, r.run_id, *(f"{getattr(r, c):,}" for c in (
            "read", "created", "updated", "unchanged", "merged", "quarantined", "skipped",
            "candidates", "pruned")))
    return t


def _report(results: list[IngestResult]) -> None:
    out.print(summary_table(results))
    for r in results:
        if r.pruned:
            foreign = (f"；其中 {r.pruned_foreign} 条关系由其他来源写入，随节点一并删除 (of them "
                       f"{r.pruned_foreign} asserted by other sources, deleted with their "
                       "nodes)" if r.pruned_foreign else "")
            out.print(f"清理 (pruned) {r.source}: {r.pruned_nodes} 个节点 (nodes)、"
                      f"{r.pruned_rels} 条关系 (relationships){foreign}", highlight=False)
        if r.quarantine_path:
            out.print(f"[yellow]隔离 (quarantined)[/] {r.quarantined} rows of {r.source}: "
                      f"{r.quarantine_path}")


@ingest_app.command("tables")
def tables(
    files: Annotated[list[Path], typer.Argument(help="CSV, XLSX or JSON Lines files.")],
    kind: Annotated[str | None, typer.Option("--kind", help="Table kind (default: detected "
                                             "from the headers or the file name).")] = None,
    mapping: Annotated[Path | None, typer.Option(
        "--mapping", help='JSON {"source header": "canonical column"}.')] = None,
    prune: Annotated[bool, typer.Option(
        "--prune", help="Delete records of this source that the file no longer has.")] = False,
    store: StoreOpt = None, run_dir: RunDirOpt = None,
) -> None:
    """Load tables of the documented kinds (see ingest/README.md)."""
    from ingest.tables import ensure_reference, ingest_table

    run_dir = writable_folder(run_dir, "run_dir")
    results = []
    with _store(store) as s:
        ensure_reference(s)
        for f in files:
            with _progress(f"导入 {f.name}") as tick:
                results.append(ingest_table(s, f, kind=kind, mapping=mapping, prune=prune,
                                            run_dir=run_dir, on_progress=tick))
    _report(results)


@ingest_app.command("chain")
def chain(
    files: Annotated[list[Path], typer.Argument(help="Chain definitions (ours or TPEx JSON).")],
    region: Annotated[str | None, typer.Option(
        "--region", help="Region code or name where the chain's local firms are.")] = None,
    store: StoreOpt = None, run_dir: RunDirOpt = None,
) -> None:
    """Load chain definitions; prints each chain id."""
    from ingest.chains import ingest_chain, product_ids
    from ingest.tables import ensure_reference

    run_dir = writable_folder(run_dir, "run_dir")
    # Files given together may link into each other's products (in a cycle, as the
    # demo's chains do): such links are not unknown, and a file whose links waited for
    # a later file is loaded once more at the end, as load_demo does.
    known = set().union(*map(product_ids, files)) if len(files) > 1 else set()
    results = []
    with _store(store) as s:
        ensure_reference(s)
        for f in files:
            with _progress(f"导入 {f.name}") as tick:
                results.append(ingest_chain(s, f, region=region, run_dir=run_dir,
                                            known_products=known, on_progress=tick))
        for f, r in list(zip(files, results, strict=True)):
            if known and r.skipped:
                with _progress(f"导入 {f.name}") as tick:
                    results.append(ingest_chain(s, f, region=region, run_dir=run_dir,
                                                known_products=known, on_progress=tick))
    _report(results)
    for r in results:
        for cid in r.chain_ids:
            out.print(cid, highlight=False)


@ingest_app.command("triples")
def triples(
    file: Annotated[Path, typer.Argument(help="TSV/CSV: head relation tail [time].")],
    mapping: Annotated[Path, typer.Option("--mapping", help="Triples mapping JSON "
                                          "(e.g. seeds/mappings/ickg25.json).")],
    limit: Annotated[int | None, typer.Option("--limit", min=1,
                                              help="Read at most N rows.")] = None,
    store: StoreOpt = None, run_dir: RunDirOpt = None,
) -> None:
    """Load relation triples through a mapping of labels and relation types."""
    from ingest.triples import ingest_triples

    run_dir = writable_folder(run_dir, "run_dir")
    with _store(store) as s, _progress(f"导入 {file.name}") as tick:
        r = ingest_triples(s, file, mapping, run_dir=run_dir, limit=limit, on_progress=tick)
    _report([r])


def register(app: typer.Typer) -> None:
    app.add_typer(ingest_app, name="ingest")
