"""DESIGN.md's one-way flow, checked on the product's own imports.

Sources → ``ingest/`` → ``graph/`` ← ``queries/`` ← ``api/``, ``viz/``: ``graph/`` imports none
of the others, ``ingest/`` and ``queries/`` build on ``graph/`` only (never on each other),
``viz/`` on ``graph/`` and ``queries/``, and nothing imports ``api/``. Every import statement
counts, including those inside functions (a lazy import is still a dependency).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("graph", "ingest", "queries", "api", "viz")
#: What each package may import among the others.
ALLOWED = {
    "graph": set(),
    "ingest": {"graph"},
    "queries": {"graph"},
    "viz": {"graph", "queries"},
    "api": {"graph", "ingest", "queries", "viz"},
}


def _imports(path: Path) -> list[tuple[int, str]]:
    """``(line, top-level package)`` of every absolute import in a file."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name.split(".")[0]) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.lineno, node.module.split(".")[0]))
    return out


@pytest.mark.parametrize("package", PACKAGES)
def test_imports_follow_the_one_way_flow(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"no Python files under {package}/"
    bad = [f"{f.relative_to(ROOT)}:{line} imports {top}"
           for f in files for line, top in _imports(f)
           if top in PACKAGES and top != package and top not in ALLOWED[package]]
    assert not bad, "\n".join(bad)


def test_the_check_sees_a_violation(tmp_path: Path) -> None:
    # the checker itself: a lazy cross import inside a function is found
    f = tmp_path / "m.py"
    f.write_text("def f():\n    from queries.recommend import clear_cache\n", encoding="utf-8")
    assert _imports(f) == [(2, "queries")]
