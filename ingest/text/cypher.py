"""Where the text pipeline's Cypher lives: ``graph/cypher/text_*.cypher``.

No Cypher text in Python; this only names the library.
"""

from __future__ import annotations

from graph.store import GRAPH_CYPHER

TEXT_CYPHER = GRAPH_CYPHER
