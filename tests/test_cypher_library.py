"""The query-file loader and the header every ``.cypher`` file must open with (issue 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.cypher import QueryLibrary
from graph.errors import QueryNotFound

ROOT = Path(__file__).resolve().parents[1]
ALL_CYPHER = sorted(p for d in ("graph", "queries", "tests", "viz") for p in (ROOT / d).rglob(
    "*.cypher"))


def test_cypher_library_picks_dialect_variant(tmp_path: Path) -> None:
    (tmp_path / "q.cypher").write_text("// common\nRETURN 1 AS x\n")
    (tmp_path / "q.neo4j.cypher").write_text("// neo4j\nRETURN 2 AS x\n")
    (tmp_path / "only.falkordb.cypher").write_text("// falkordb only\nRETURN 3 AS x\n")
    lib = QueryLibrary(tmp_path)
    assert lib.names() == ["only", "q"]
    assert "RETURN 2" in lib.get("q", "neo4j")
    assert "RETURN 1" in lib.get("q", "falkordb")
    assert lib.header("q", "neo4j") == "neo4j"
    assert "RETURN 3" in lib.get("only", "falkordb")
    with pytest.raises(QueryNotFound):
        lib.get("only", "neo4j")
    with pytest.raises(QueryNotFound):
        lib.get("missing", "neo4j")


@pytest.mark.parametrize("path", [pytest.param(p, id=str(p.relative_to(ROOT)))
                                  for p in ALL_CYPHER])
def test_cypher_file_opens_with_parameters_and_returns(path: Path) -> None:
    header = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("//"):
            break
        header.append(line.lower())
    text = " ".join(header)
    assert header, f"{path} must open with a // comment"
    assert "param" in text, f"{path}: the header must name its parameters (or say none)"
    assert "return" in text, f"{path}: the header must name its result columns (or say none)"
