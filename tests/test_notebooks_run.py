"""``notebooks/chain_research.ipynb`` runs top to bottom (nbclient, a real kernel) against an
embedded store loaded with the demo and the synthetic service requests, opened from
``RONGLIAN_STORE`` as a researcher would; its summary agrees with the graph."""

from __future__ import annotations

import ast
from pathlib import Path

import nbclient
import nbformat
import pytest

from graph.store import open_store
from ingest.demo import load_demo
from queries.service_writes import demo_service_requests

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOK = NOTEBOOKS / "chain_research.ipynb"


def test_notebooks_run_chain_research(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"embedded://{tmp_path / 'store'}"
    with open_store(url) as s:  # closed before the kernel opens it: one server per folder
        load_demo(s, run_dir=tmp_path / "runs")
        records = demo_service_requests(s, recommend=False)  # as the demo command does
        supplies = int(s.read("MATCH (:Enterprise)-[r:SUPPLIES]->(:Enterprise) "
                              "RETURN count(r) AS c")[0]["c"])
        firms = int(s.read("MATCH (e:Enterprise) RETURN count(e) AS c")[0]["c"])
    monkeypatch.setenv("RONGLIAN_STORE", url)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(nb, timeout=240, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    errors = [o for o in outputs if o.get("output_type") == "error"]
    assert not errors, errors[0].get("evalue") if errors else ""
    text = "\n".join(str(o.get("text", "")) + str(o.get("data", {})) for o in outputs)
    assert "// Parameters:" in text  # the Cypher is shown before it runs
    assert "补链" in text and "精品钢铁产业链" in text
    last = nb.cells[-1].outputs[-1]  # the summary dict is the last cell's value
    summary = ast.literal_eval(last["data"]["text/plain"])
    assert summary["engine"] == "falkordb" and summary["chain"] == "ts-steel"
    assert summary["chains"] == 7 and summary["product_nodes"] > 0
    assert summary["enterprises"] == firms and summary["supplies_edges"] == supplies
    assert summary["service_requests"] == records.created > 0
