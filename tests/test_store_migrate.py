"""Schema versioning: migrate upgrades in place and is idempotent (issue 3, item 1)."""

from __future__ import annotations

import pytest

from graph.errors import StoreError
from graph.migrations import current_version, migrate
from graph.schema import SCHEMA_VERSION
from graph.store import Store


def test_migrate_upgrades_an_unversioned_store(store: Store) -> None:
    assert current_version(store) == 0
    result = migrate(store)
    assert (result.from_version, result.to_version) == (0, SCHEMA_VERSION)
    assert current_version(store) == SCHEMA_VERSION
    again = migrate(store)
    assert not again.changed


def test_migrate_refuses_a_newer_store(store: Store) -> None:
    store.run("schema_version_set", {"version": SCHEMA_VERSION + 1, "at": "x"}, write=True)
    with pytest.raises(StoreError, match="newer than this ronglian"):
        migrate(store)
