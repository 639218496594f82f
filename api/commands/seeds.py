"""``ronglian seeds generate|demo``: write synthetic enterprise tables as CSV.

Only declares options and calls :mod:`seeds.generator`; the files are what
``ronglian ingest tables`` reads.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer

from graph.errors import InvalidInput

seeds_app = typer.Typer(help="Synthetic demo and benchmark data (CSV tables for ingest).",
                        no_args_is_help=True)


def _report(stats: object, seconds: float, as_json: bool) -> None:
    from seeds.generator import GenStats

    assert isinstance(stats, GenStats)
    if as_json:
        print(json.dumps({"out": str(stats.out_dir), "rows": stats.rows,
                          "relationships": stats.relationships, "seconds": round(seconds, 2)},
                         ensure_ascii=False))
        return
    print(f"合成数据已写入 / synthetic data written to {stats.out_dir} in {seconds:.1f} s")
    for kind, n in stats.rows.items():
        print(f"  {kind:<20} {n:>10,}")
    ents = stats.rows["enterprises"] or 1
    print(f"  relationships/enterprise {stats.relationships / ents:.2f}")


@seeds_app.command("generate")
def generate(
    enterprises: Annotated[int, typer.Option("--enterprises", "-n",
                                             help="Number of enterprises (e.g. 10000, 1000000).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder (created).")],
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed (default: the "
                                             "demo's seed).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Stream N synthetic enterprises and ~5 relationships each into CSV files."""
    from seeds.generator import DEMO_SEED, GenConfig
    from seeds.generator import generate as run

    if enterprises < 1:
        raise InvalidInput("--enterprises must be at least 1", field="enterprises")
    t0 = time.perf_counter()
    try:
        stats = run(GenConfig(enterprises, DEMO_SEED if seed is None else seed), out)
    except OSError as e:
        raise InvalidInput(f"cannot write to {out}: {e.strerror or e}", field="out") from e
    _report(stats, time.perf_counter() - t0, as_json)


@seeds_app.command("demo")
def demo(
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output folder (default: the "
                                             "shipped seeds/demo).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Regenerate the shipped Tangshan demo set (fixed seed, byte-identical)."""
    from seeds.generator import DEMO_DIR, generate_demo

    t0 = time.perf_counter()
    try:
        stats = generate_demo(out or DEMO_DIR)
    except OSError as e:
        raise InvalidInput(f"cannot write to {out or DEMO_DIR}: {e.strerror or e}",
                           field="out") from e
    _report(stats, time.perf_counter() - t0, as_json)


def register(app: typer.Typer) -> None:
    app.add_typer(seeds_app, name="seeds")
