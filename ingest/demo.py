"""``load_demo(store)``: the synthetic Tangshan demo through the ordinary ingest jobs.

Applies the schema, loads Region/Industry reference rows (H2's tables), every
``seeds/chains/*.json`` and the ``seeds/demo/*.csv`` tables (H3) in dependency
order, each as its own idempotent run, so calling it twice changes nothing.
Must not live here: any parsing or Cypher of its own; the demo's matchmaking records
(``queries.service_writes.demo_service_requests``, which the ``demo`` command runs after
this load: they go through the service workflow, which asks the recommender, and ingest
builds on ``graph/`` only).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from graph.store import Store
from ingest.chains import ingest_chain, product_ids
from ingest.job import IngestResult
from ingest.refload import load_reference
from ingest.tables import ingest_table

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
#: Table kinds in dependency order (enterprises before what references them).
DEMO_TABLES = ("enterprises", "enterprise_products", "capabilities", "needs", "resources",
               "supply", "relations")


@dataclass
class DemoSummary:
    """What :func:`load_demo` did, per run, with totals."""

    runs: list[IngestResult] = field(default_factory=list)
    chains: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def total(self, counter: str) -> int:
        return sum(int(getattr(r, counter)) for r in self.runs)

    def __str__(self) -> str:
        return (f"{len(self.chains)} chains, {self.total('read'):,} rows read, "
                f"{self.total('created'):,} created, {self.total('updated'):,} updated, "
                f"{self.total('unchanged'):,} unchanged, {self.total('quarantined'):,} "
                f"quarantined in {self.seconds:.1f}s")


def load_demo(store: Store, *, progress: Callable[[str], None] | None = None,
              seeds_dir: Path = SEEDS, run_dir: Path | None = None) -> DemoSummary:
    """Load (or refresh) the whole demo; idempotent."""
    t0 = time.perf_counter()
    out = DemoSummary()

    def say(msg: str) -> None:
        if progress is not None:
            progress(msg)

    store.apply_schema()
    say("reference: regions and industries")
    out.runs.append(load_reference(store, run_dir=run_dir))
    chain_files = sorted((seeds_dir / "chains").glob("*.json"))
    known = set().union(*map(product_ids, chain_files))
    pending: list[Path] = []
    for f in chain_files:
        say(f"chain {f.name}")
        r = ingest_chain(store, f, run_dir=run_dir, source=f"seeds/chains/{f.name}",
                         synthetic=False, method="seed", known_products=known)
        out.runs.append(r)
        out.chains.extend(r.chain_ids)
        if r.skipped:
            pending.append(f)
    # Upstream links across chains need the other chain's products: one more pass.
    for f in pending:
        out.runs.append(ingest_chain(store, f, run_dir=run_dir,
                                     source=f"seeds/chains/{f.name}", method="seed",
                                     known_products=known))
    for kind in DEMO_TABLES:
        f = seeds_dir / "demo" / f"{kind}.csv"
        if not f.is_file():
            continue
        say(f"table {f.name}")
        out.runs.append(ingest_table(store, f, kind=kind, run_dir=run_dir,
                                     source=f"seeds/demo/{f.name}"))
    out.seconds = time.perf_counter() - t0
    return out
