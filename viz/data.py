"""Fetch what a chain map shows from the store: the chain detail and gaps (through the
query services in ``queries/``) and the supply ties between the chain's enterprises (the
map's own ``queries/map_*.cypher``), then build the payload with :mod:`viz.chainmap`.

The only place in ``viz/`` that touches a store; no HTML here.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from graph.cypher import QueryLibrary
from graph.errors import NotFound, RonglianError
from graph.store import Store
from viz.chainmap import MapOptions, build_map

log = logging.getLogger(__name__)

_QUERIES = QueryLibrary(Path(__file__).resolve().parents[1] / "queries")

#: Supply ties drawn on one map at most (a denser hairball helps nobody).
MAX_SUPPLY_TIES = 20000


def supply_ties(store: Store, chain_id: str, limit: int = MAX_SUPPLY_TIES) -> list[dict[str, Any]]:
    """``[{source, target, product}]``: SUPPLIES between enterprises making the chain's products."""
    return store.read(_QUERIES.get("map_supplies", store.dialect),
                      {"chain_id": chain_id, "limit": limit})


def is_synthetic(store: Store, chain_id: str) -> bool:
    """True when the chain or any of its enterprises is flagged ``synthetic`` (the demo set)."""
    rows = store.read(_QUERIES.get("map_chain_meta", store.dialect), {"chain_id": chain_id})
    if not rows:
        return False
    r = rows[0]
    return bool(r["chain_synthetic"]) or int(r["synthetic_enterprises"] or 0) > 0


def list_chains(store: Store) -> list[dict[str, Any]]:
    """The chains for the explorer's picker (``queries.chains.list_chains``)."""
    from queries.chains import list_chains as _list

    return _list(store)


def load_map(store: Store, chain_id: str, region: str | None = None,
             options: MapOptions | None = None) -> dict[str, Any]:
    """The map payload of ``chain_id`` seen from ``region`` (default: the chain's home region).

    Raises :class:`~graph.errors.NotFound` for an unknown chain. A failing gap analysis
    degrades to a map without gap classes (logged, and ``gaps_available`` false), since the
    structure is still useful.
    """
    from queries.chains import chain_detail

    detail = chain_detail(store, chain_id, region)
    gaps: dict[str, Any] | None
    try:
        from queries.gaps import chain_gaps

        gaps = chain_gaps(store, chain_id, region)
    except NotFound:
        raise
    except (RonglianError, ImportError) as e:
        log.warning("chain map %s: gap analysis unavailable (%s); drawing without gaps",
                    chain_id, e)
        gaps = None
    detail = {**detail, "synthetic": is_synthetic(store, chain_id)}
    payload = build_map(detail, gaps, supply_ties(store, chain_id), options=options)
    payload["gaps_available"] = gaps is not None
    return payload
