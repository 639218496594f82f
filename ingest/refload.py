"""Load H2's reference tables (regions, GB/T 4754 industries) into the graph.

Lives here: writing ``Region``/``Industry`` nodes and their ``PART_OF`` links
through a :class:`ingest.job.Job` (provenance ``method = seed``, idempotent).
The tables themselves come from :mod:`ingest.regions` and :mod:`ingest.industry`
(H2); nothing here parses them.
"""

from __future__ import annotations

from pathlib import Path

from graph.store import Store
from ingest.industry import industry_links, industry_rows
from ingest.job import IngestResult, Job
from ingest.regions import region_links, region_rows


def load_reference(store: Store, *, run_dir: Path | None = None) -> IngestResult:
    """Upsert every Region and Industry with their hierarchy; return the run's counts."""
    job = Job(store, "seeds/reference", "reference", method="seed", run_dir=run_dir)
    for r in region_rows():
        job.node("Region", str(r["id"]), r)
        job.result.read += 1
    for i in industry_rows():
        job.node("Industry", str(i["id"]), i)
        job.result.read += 1
    job.flush()
    for child, parent in region_links():
        job.rel("PART_OF", "Region", child, "Region", parent)
    for child, parent in industry_links():
        job.rel("PART_OF", "Industry", child, "Industry", parent)
    return job.finish()
