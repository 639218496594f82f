"""Loader for ``*.cypher`` files with per-dialect variants.

``name.cypher`` is the common openCypher text; ``name.neo4j.cypher`` or
``name.falkordb.cypher`` beside it replaces it on that engine. Every file opens
with a ``//`` comment naming its parameters and result columns.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from graph.errors import QueryNotFound

DIALECTS = ("falkordb", "neo4j")


class QueryLibrary:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def names(self) -> list[str]:
        """Base names of every query in the library."""
        out = set()
        for p in self.directory.glob("*.cypher"):
            stem = p.name[: -len(".cypher")]
            base, _, suffix = stem.rpartition(".")
            out.add(base if suffix in DIALECTS and base else stem)
        return sorted(out)

    def path(self, name: str, dialect: str) -> Path:
        for candidate in (f"{name}.{dialect}.cypher", f"{name}.cypher"):
            p = self.directory / candidate
            if p.is_file():
                return p
        raise QueryNotFound(f"no query {name!r} for {dialect} in {self.directory}")

    def get(self, name: str, dialect: str) -> str:
        return _read(self.path(name, dialect))

    def header(self, name: str, dialect: str) -> str:
        """The leading ``//`` comment block (parameters and result columns)."""
        lines = []
        for line in self.get(name, dialect).splitlines():
            if not line.startswith("//"):
                break
            lines.append(line[2:].strip())
        return "\n".join(lines)


@cache
def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")
