"""Linking extracted entities to graph nodes.

Lives here: :class:`Linker`, which turns an entity into a :class:`Link`
(``id`` of an existing node, or ``None`` with ``kind="new"`` / ``"ambiguous"``).
Enterprises go through the ingest entity resolution (any object with
``resolve(name=...) -> Decision`` with ``kind``/``id``/``score``, i.e.
:class:`ingest.resolve.Resolver`); a mention the graph gazetteer already tied
to a node keeps that node. Products and capabilities link through graph
gazetteer ids, regions through :func:`ingest.regions.normalize_region`. ORG
mentions have no node label in the graph and stay unlinked.

Must not live here: writes (a "new" decision is only a proposal; ``ingest.py``
decides whether to create the node).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

from ingest.text.relations import Ent

logger = logging.getLogger(__name__)


class ResolverLike(Protocol):
    def resolve(self, name: str | None = None, uscc: str | None = None) -> Any: ...


@dataclass(frozen=True)
class Link:
    id: str | None
    kind: str  # same / new / ambiguous / none
    score: float = 0.0
    reason: str = ""


class Linker:
    """Links entities; without a resolver only gazetteer-known graph nodes are linked."""

    def __init__(self, resolver: ResolverLike | None = None, *, link_regions: bool = True) -> None:
        self.resolver = resolver
        self.link_regions = link_regions
        self._cache: dict[tuple[str, str], Link] = {}

    def link(self, ent: Ent, origin: str | None = None) -> Link:
        key = (ent.label, ent.text)
        if ent.entry_id and origin == "graph":
            return Link(ent.entry_id, "same", 1.0, "gazetteer")
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        link = self._link(ent)
        self._cache[key] = link
        return link

    def remember(self, ent: Ent, node_id: str) -> None:
        """A node was just created for ``ent``: link its later mentions to it."""
        self._cache[(ent.label, ent.text)] = Link(node_id, "same", 1.0, "created in this run")
        add = getattr(self.resolver, "add", None)
        if callable(add) and ent.label == "ENTERPRISE":
            add(node_id, ent.text)

    def _link(self, ent: Ent) -> Link:
        if ent.label == "ENTERPRISE" and self.resolver is not None:
            d = self.resolver.resolve(name=ent.text)
            kind = str(getattr(d, "kind", "new"))
            if kind == "same" and getattr(d, "id", None):
                return Link(str(d.id), "same", float(getattr(d, "score", 1.0)),
                            str(getattr(d, "reason", "")))
            return Link(None, kind, float(getattr(d, "score", 0.0)),
                        str(getattr(d, "reason", "")))
        if ent.label == "REGION" and self.link_regions:
            from ingest.regions import normalize_region

            r = normalize_region(ent.text)
            return Link(r.code, "same", 1.0, "region") if r else Link(None, "new")
        if ent.label in {"PRODUCT", "CAPABILITY"}:
            return Link(None, "new")
        return Link(None, "none")
