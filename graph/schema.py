"""The graph's schema: the allow-list of labels and relationship types, the
constraints and indexes on each engine, and the one helper that quotes names.

Labels and relationship types never come from user input into Cypher text:
they are checked against :data:`LABELS` / :data:`REL_TYPES` and backtick-quoted
by :func:`q`. Values always travel as ``$params``.
"""

from __future__ import annotations

import re

from graph.errors import SchemaError

#: Bumped whenever the constraints/indexes below change; stored on a :Meta node
#: so ``ronglian migrate`` can upgrade an older store in place.
#: 2: Enterprise.short_name index (exact short-name look-ups); 3: every record ingest wrote
#: lists the sources that assert it (``sources``), which --prune reads.
SCHEMA_VERSION = 3

LABELS: frozenset[str] = frozenset(
    {
        "Enterprise",
        "Product",
        "Capability",
        "Resource",
        "Need",
        "Chain",
        "Segment",
        "Region",
        "Industry",
        "Patent",
        "Document",
        "IngestRun",
        "ServiceRequest",
        "Person",
        "Candidate",
        "Meta",
    }
)

REL_TYPES: frozenset[str] = frozenset(
    {
        "PRODUCES",
        "SUPPLIES",
        "UPSTREAM_OF",
        "IN_SEGMENT",
        "PART_OF",
        "HAS_CAPABILITY",
        "OFFERS",
        "NEEDS",
        "LOCATED_IN",
        "IN_INDUSTRY",
        "COOPERATES_WITH",
        "INVESTS_IN",
        "CONTROLS",
        "COMPETES_WITH",
        "HOLDS_PATENT",
        "MENTIONED_IN",
        "FROM_RUN",
        "ABOUT",
        "MATCHED",
        "REQUESTED",
    }
)

#: Unique key of every label that has one (all of them use ``id``).
UNIQUE_KEYS: dict[str, str] = {label: "id" for label in LABELS}

#: Extra exact-match indexes for fields that are searched or joined.
INDEXES: dict[str, tuple[str, ...]] = {
    "Enterprise": ("uscc", "name", "norm_name", "short_name", "region_code", "industry_code",
                   "size_class"),
    "Product": ("name", "norm_name"),
    "Capability": ("name", "area"),
    "Need": ("status",),
    "Region": ("name", "parent_code"),
    "Industry": ("code",),
    "Segment": ("chain_id",),
    "Document": ("source",),
    "IngestRun": ("source",),
    "Candidate": ("status", "kind"),
}

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def q(name: str, *, kind: str = "label") -> str:
    """Backtick-quote an allow-listed label or relationship type for Cypher text."""
    allowed = LABELS if kind == "label" else REL_TYPES
    if name not in allowed:
        raise SchemaError(f"{kind} {name!r} is not in the schema's allow-list", code="E121")
    return f"`{name}`"


def q_rel(name: str) -> str:
    return q(name, kind="rel")


def q_prop(name: str) -> str:
    """Quote a property name (identifier characters only: it is never user data)."""
    if not _NAME.match(name):
        raise SchemaError(f"property name {name!r} is not a plain identifier", code="E122")
    return f"`{name}`"
