"""The researcher notebook runs top to bottom against the demo store (nbclient)."""

from __future__ import annotations

import os
from pathlib import Path

import nbclient
import nbformat
import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "researcher_cypher.ipynb"


@pytest.mark.slow
def test_queries_notebook_runs(tmp_path: Path) -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    os.environ["RONGLIAN_NOTEBOOK_STORE"] = str(tmp_path)
    root = str(NOTEBOOK.parents[1])
    env_path = os.environ.get("PYTHONPATH", "")
    os.environ["PYTHONPATH"] = root + (os.pathsep + env_path if env_path else "")
    try:
        nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                resources={"metadata": {"path": root}}).execute()
    finally:
        os.environ.pop("RONGLIAN_NOTEBOOK_STORE", None)
        os.environ["PYTHONPATH"] = env_path
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert any("产业链" in str(o.get("data", {})) for o in outputs)  # chain table shown
    assert any("补链" in str(o.get("data", {})) for o in outputs)  # gaps table shown
