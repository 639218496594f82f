"""``ronglian extract``, ``ronglian eval ner|relations`` and ``ronglian ingest text``.

Options only: the work is done by :mod:`ingest.text` (pipeline, eval, ingest).
``extract`` writes JSON Lines to stdout and its input counts to stderr; it reads
the graph only with ``--link`` (or ``--store``). :data:`eval_app` is shared:
other areas add their ``eval`` subcommands to it (``from api.commands.text import
eval_app``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

eval_app = typer.Typer(help="质量评估 (evaluate extraction and linking quality).",
                       no_args_is_help=True)

err = Console(stderr=True)
out = Console(width=None if Console().is_terminal else 160)

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
DEFAULT_REL_GOLD = SEEDS / "text" / "relations_test.jsonl"


def _report_input(counts: dict[str, int]) -> None:
    shown = {k: v for k, v in counts.items() if v}
    err.print("输入统计 (input): " + (", ".join(f"{k}={v:,}" for k, v in shown.items())
                                      or "没有任何行或文档 (no lines, no documents)"),
              highlight=False, soft_wrap=True)


def extract(
    file: Annotated[Path, typer.Argument(help="JSON Lines {\"id\",\"text\"} or .txt, one "
                                         "document per line.")],
    link: Annotated[bool, typer.Option("--link", help="Link entities to the configured "
                                       "store's nodes (read only).")] = False,
    store: Annotated[str | None, typer.Option("--store", help="Store URL to link against "
                                              "(implies --link).")] = None,
    rules_only: Annotated[bool, typer.Option("--rules-only", help="Skip the statistical "
                                             "model (patterns and gazetteers only).")] = False,
) -> None:
    """Extract entities and relations as JSON Lines on stdout (never writes the graph)."""
    from ingest.text.gazetteer import GazetteerCache
    from ingest.text.inputs import InputReport, read_documents
    from ingest.text.linking import Linker
    from ingest.text.pipeline import MODEL_DIR, TextExtractor, load_nlp

    report = InputReport()
    nlp = load_nlp(None if rules_only else MODEL_DIR)
    s: Any = None
    extractor = TextExtractor(nlp)
    if link or store:
        from graph.store import open_store
        from ingest.resolve import Resolver

        s = open_store(store, create=False)
        extractor.linker = Linker(Resolver.from_store(s))
        extractor.gazetteers = GazetteerCache(s)
    n_ents = n_rels = 0
    try:
        for ext in extractor.extract(read_documents(file, report), report):
            row = ext.as_json()
            n_ents += len(row["entities"])
            n_rels += len(row["relations"])
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
    finally:
        if s is not None:
            s.close()
    _report_input({**report.as_dict(), "entities": n_ents, "relations": n_rels})
    for e in report.errors[:20]:
        err.print(f"  {e}", highlight=False)


@eval_app.command("ner")
def eval_ner_cmd(
    gold: Annotated[Path, typer.Option("--gold", help="CLUENER-format JSON Lines (company → "
                                       "ENTERPRISE, organization/government → ORG, address → "
                                       "REGION).")],
    rules: Annotated[bool, typer.Option("--rules/--no-rules", help="Include the rule "
                                        "components (default) or score the model alone.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
    = False,
) -> None:
    """Precision, recall and F1 per label against CLUENER-format gold."""
    from ingest.text.eval import eval_ner
    from ingest.text.pipeline import TextExtractor, load_nlp

    if not gold.is_file():
        raise typer.BadParameter(f"{gold} not found", param_hint="--gold")
    scores = eval_ner(gold, TextExtractor(load_nlp(rules=rules)))
    _print_scores("NER", {k: v.as_dict() for k, v in sorted(scores.items())}, as_json)


@eval_app.command("relations")
def eval_relations_cmd(
    gold: Annotated[Path, typer.Option("--gold", help="Our relation test set (JSON Lines "
                                       "{id, text, relations:[{head, tail, type}]}).")]
    = DEFAULT_REL_GOLD,
    errors: Annotated[bool, typer.Option("--errors", help="Also list every false positive "
                                         "and missed relation.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
    = False,
) -> None:
    """Relation precision and recall on our labelled sentences."""
    from ingest.text.eval import eval_relations
    from ingest.text.pipeline import TextExtractor

    if not gold.is_file():
        raise typer.BadParameter(f"{gold} not found", param_hint="--gold")
    scores, errs = eval_relations(gold, TextExtractor())
    _print_scores("relations", {k: v.as_dict() for k, v in sorted(scores.items())}, as_json)
    if errors:
        for e in errs:
            out.print(e, highlight=False)


def _print_scores(title: str, rows: dict[str, dict[str, Any]], as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\n")
        return
    t = Table(title=f"{title}: 精确率 / 召回率 / F1 (precision / recall / F1)")
    for col in ("label", "precision", "recall", "f1", "gold", "predicted", "tp"):
        t.add_column(col, justify="left" if col == "label" else "right")
    for label, d in rows.items():
        t.add_row(label, f"{d['precision']:.4f}", f"{d['recall']:.4f}", f"{d['f1']:.4f}",
                  str(d["gold"]), str(d["predicted"]), str(d["tp"]))
    out.print(t)


StoreOpt = Annotated[str | None, typer.Option("--store", help="Store URL (default: "
                     "RONGLIAN_STORE, else the embedded store in the user's data folder).")]


def ingest_text_cmd(
    files: Annotated[list[Path], typer.Argument(help="JSON Lines {\"id\",\"text\"} or .txt "
                                                "files, one document per line.")],
    threshold: Annotated[float, typer.Option(
        "--threshold", min=0.0, max=1.0,
        help="Relations below this confidence become review candidates.")] = 0.7,
    store: StoreOpt = None,
) -> None:
    """Extract text and write documents, mentions and facts (low confidence → candidates)."""
    from api.commands.ingest import _report, _store
    from ingest.text.ingest import ingest_text
    from ingest.text.pipeline import TextExtractor, load_nlp

    extractor = TextExtractor(load_nlp())
    summaries = []
    with _store(store) as s:
        for f in files:
            summaries.append(ingest_text(s, f, extractor=extractor, threshold=threshold))
    _report([x.result for x in summaries])
    for x in summaries:
        d = x.as_dict()
        out.print(f"{x.result.source}: 实体 entities={d['entities']:,} "
                  f"linked={d['linked']:,} new_enterprises={d['new_enterprises']:,} "
                  f"relations={d['relations']:,} facts={d['facts_written']:,} "
                  f"candidates={d['relation_candidates']:,}", highlight=False)
        _report_input(x.input.as_dict())


def register(app: typer.Typer) -> None:
    from api.commands.ingest import ingest_app

    app.command("extract")(extract)
    app.add_typer(eval_app, name="eval")
    ingest_app.command("text")(ingest_text_cmd)
