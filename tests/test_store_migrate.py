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


def test_migrate_from_version_1_adds_the_short_name_index(store: Store) -> None:
    """A version-1 store (no short_name index) is brought to 2 and the index made; an
    existing firm is then found by its short name through the index."""
    from graph.schema import INDEXES
    from graph.store import GRAPH_CYPHER
    from queries.common import resolve_enterprise
    from tests.queries_sample import build_sample

    assert "short_name" in INDEXES["Enterprise"] and SCHEMA_VERSION >= 2
    build_sample(store)
    store.run("schema_version_set", {"version": 1, "at": "x"}, write=True)
    result = migrate(store)
    assert (result.from_version, result.to_version) == (1, SCHEMA_VERSION)
    indexed = {(r["label"], tuple(r["properties"] or ()))
               for r in store.read(GRAPH_CYPHER.get("list_indexes", store.dialect))}
    assert any(label == "Enterprise" and "short_name" in props for label, props in indexed)
    assert resolve_enterprise(store, "石汽部件")["id"] == "E4"
    assert not migrate(store).changed


def test_store_index_status_lists_no_index_once_ready(store: Store) -> None:
    """``index_status`` (what health reads) answers on both engines, empty once built."""
    store.apply_schema()
    assert store.run("index_status") == []
    assert store.health().ok


def test_store_health_not_ok_while_indexes_are_built(embedded_store: Store,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A FalkorDB restarted on a big store rebuilds its indexes and scans until then:
    health says so (readiness answers 503) instead of ok."""
    real = embedded_store.run

    def run(name: str, *a: object, **k: object) -> list:
        if name == "index_status":
            return [{"label": "Enterprise", "status": "UNDER CONSTRUCTION"}]
        return real(name, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(embedded_store, "run", run)
    h = embedded_store.health()
    assert not h.ok and "being built" in h.detail


def test_migrate_to_version_3_lists_each_record_source(store: Store,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A version-2 store's records know only their last writer: migrate gives each record
    with a source ``sources = [source]`` (in several transactions), and --prune then reads
    them; records without a source stay without."""
    import graph.migrations as migrations

    monkeypatch.setattr(migrations, "_STEP_BATCH", 2)
    store.write("UNWIND range(1, 5) AS i CREATE (:Enterprise {id: 'M' + toString(i), "
                "source: 'old.csv'})")
    store.write("CREATE (:Enterprise {id: 'N1'})")
    store.write("MATCH (a:Enterprise {id: 'M1'}), (b:Enterprise {id: 'M2'}) "
                "CREATE (a)-[:SUPPLIES {key: '', source: 'rels.csv'}]->(b)")
    store.run("schema_version_set", {"version": 2, "at": "x"}, write=True)
    result = migrate(store)
    assert (result.from_version, result.to_version) == (2, SCHEMA_VERSION)
    rows = store.read("MATCH (e:Enterprise) RETURN e.id AS id, e.sources AS s ORDER BY id")
    assert {r["id"]: r["s"] for r in rows} == {
        **{f"M{i}": ["old.csv"] for i in range(1, 6)}, "N1": None}
    rel = store.read("MATCH ()-[r:SUPPLIES]->() RETURN r.sources AS s")[0]["s"]
    assert rel == ["rels.csv"]
    assert not migrate(store).changed
