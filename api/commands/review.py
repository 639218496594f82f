"""``ronglian review list|confirm|reject|split``: the review queue (see ingest/review.py)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.commands._common import use_store
from graph.store import Store, open_store
from ingest import review as rv

review_app = typer.Typer(help="审核队列：实体合并与低置信度事实 (review queue).",
                         no_args_is_help=True)
out = Console(width=None if Console().is_terminal else 160)

StoreOpt = Annotated[str | None, typer.Option("--store", help="Store URL.")]


def _open(url: str | None) -> Store:
    use_store(url)
    return open_store(create=False)


@review_app.command("list")
def list_(status: Annotated[str, typer.Option("--status")] = "pending",
          limit: Annotated[int, typer.Option("--limit", min=1, max=500,
                                             help="Candidates listed.")] = 50,
          as_json: Annotated[bool, typer.Option("--json")] = False,
          store: StoreOpt = None) -> None:
    """List candidates (default: pending)."""
    with _open(store) as s:
        rows = rv.list_candidates(s, status, limit)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    t = Table(title=f"审核候选 ({status})")
    for col in ("id", "kind", "confidence", "reason", "payload"):
        t.add_column(col)
    for r in rows:
        t.add_row(r["id"], r["kind"] or "", f"{(r['confidence'] or 0):.2f}", r["reason"] or "",
                  json.dumps(r["payload"], ensure_ascii=False)[:120])
    out.print(t)


@review_app.command("confirm")
def confirm(cid: str, choice: Annotated[str | None, typer.Option(
        "--choice", help="Id to use for an open end or merge target.")] = None,
        store: StoreOpt = None) -> None:
    """Confirm a candidate: write its relationship or merge its entities."""
    with _open(store) as s:
        typer.echo(json.dumps(rv.confirm(s, cid, choice=choice, choice_name="--choice"),
                              ensure_ascii=False))


@review_app.command("reject")
def reject(cid: str, store: StoreOpt = None) -> None:
    """Reject a candidate."""
    with _open(store) as s:
        typer.echo(json.dumps(rv.reject(s, cid), ensure_ascii=False))


@review_app.command("split")
def split(cid: str, store: StoreOpt = None) -> None:
    """Keep the entities of a merge candidate apart."""
    with _open(store) as s:
        typer.echo(json.dumps(rv.split(s, cid), ensure_ascii=False))


def register(app: typer.Typer) -> None:
    app.add_typer(review_app, name="review")
