"""Schema versions and in-place upgrades of an older store (``ronglian migrate``).

Each entry of :data:`STEPS` upgrades a store from version ``n - 1`` to ``n``;
the constraints and indexes themselves are (re)applied idempotently by
``store.apply_schema()`` on every migrate. A store newer than this code is
refused rather than touched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from graph.errors import StoreError
from graph.schema import SCHEMA_VERSION
from graph.store import Store

#: version -> step that brings a store from version-1 to version (data rewrites only).
STEPS: dict[int, Callable[[Store], None]] = {
    1: lambda store: None,  # the first versioned schema: nothing to rewrite
    # Enterprise.short_name gets an index (made by apply_schema above); the data stays
    2: lambda store: None,
    3: lambda store: _sources_from_source(store),
}

#: Records rewritten per transaction by a data step (a big store is not one transaction).
_STEP_BATCH = 10_000


def _sources_from_source(store: Store) -> None:
    """Every record with a ``source`` gets ``sources = [source]``: before version 3 a
    record kept only its last writer, so that is the one source known to assert it."""
    for name in ("migrate_sources_nodes", "migrate_sources_rels"):
        while True:
            rows = store.run(name, {"limit": _STEP_BATCH}, write=True)
            if not rows or int(rows[0]["n"] or 0) == 0:
                break



@dataclass
class MigrationResult:
    from_version: int
    to_version: int
    schema_changes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.from_version != self.to_version or bool(self.schema_changes)


def current_version(store: Store) -> int:
    rows = store.run("schema_version_get")
    return int(rows[0]["version"] or 0) if rows else 0


def migrate(store: Store) -> MigrationResult:
    """Bring ``store`` to :data:`SCHEMA_VERSION`; safe to run any number of times."""
    before = current_version(store)
    if before > SCHEMA_VERSION:
        raise StoreError(
            f"the store has schema version {before}, newer than this ronglian "
            f"({SCHEMA_VERSION}): upgrade ronglian instead", code="E118")
    changes = store.apply_schema()
    for version in range(before + 1, SCHEMA_VERSION + 1):
        STEPS[version](store)
    if before != SCHEMA_VERSION or changes:
        store.run("schema_version_set",
                  {"version": SCHEMA_VERSION, "at": datetime.now(UTC).isoformat()}, write=True)
    return MigrationResult(before, SCHEMA_VERSION, changes)
