"""The query library of ingest's own Cypher (``graph/cypher/ingest_*.cypher``).

Write and bookkeeping Cypher of ingest jobs lives beside the graph's other
write templates; this module only points a :class:`graph.cypher.QueryLibrary`
at it. No Cypher text lives in Python.
"""

from __future__ import annotations

from graph.store import GRAPH_CYPHER

INGEST_CYPHER = GRAPH_CYPHER
