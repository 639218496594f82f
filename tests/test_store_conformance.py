"""The same expectations on both engines (issue 2, item 5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.cypher import QueryLibrary
from graph.errors import CypherSyntaxError, ReadOnlyViolation, SchemaError
from graph.store import Store
from graph.writes import merge_nodes, merge_rels, node_row, rel_row


def test_store_merge_is_idempotent(store: Store) -> None:
    rows = [node_row(f"e{i}", {"name": f"企业{i}"}) for i in range(50)]
    assert merge_nodes(store, "Enterprise", rows) == 50
    assert merge_nodes(store, "Enterprise", rows) == 0
    links = [rel_row(f"e{i}", f"e{i + 1}", {"share": 0.5}) for i in range(49)]
    merge_rels(store, "SUPPLIES", "Enterprise", "Enterprise", links)
    merge_rels(store, "SUPPLIES", "Enterprise", "Enterprise", links)
    out = store.read("MATCH (e:Enterprise) WITH count(e) AS n "
                     "MATCH ()-[r:SUPPLIES]->() RETURN n, count(r) AS r")
    assert out == [{"n": 50, "r": 49}]


def test_store_batches_all_arrive(store: Store) -> None:
    rows = ({"id": f"p{i}", "props": {"name": f"产品{i}", "rank": i}} for i in range(10_000))
    merge_nodes(store, "Product", rows, batch_size=1_000)
    out = store.read("MATCH (p:Product) RETURN count(p) AS n, sum(p.rank) AS s")
    assert out == [{"n": 10_000, "s": sum(range(10_000))}]


def test_store_write_batches_reports_counts(store: Store) -> None:
    s = store.write_batches("UNWIND $rows AS r CREATE (:Region {id: r.id})",
                            ({"id": str(i)} for i in range(2_500)), batch_size=1_000)
    assert (s.rows, s.batches, s.nodes_created) == (2_500, 3, 2_500)


def test_store_read_transaction_refuses_write(store: Store) -> None:
    with pytest.raises(ReadOnlyViolation):
        store.read("CREATE (:Enterprise {id: 'x'})")
    with pytest.raises(ReadOnlyViolation):
        store.read("MERGE (e:Enterprise {id: 'x'}) SET e.name = 'y'")
    assert store.read("MATCH (e:Enterprise) RETURN count(e) AS n") == [{"n": 0}]


def test_store_bad_cypher_is_a_syntax_error(store: Store) -> None:
    with pytest.raises(CypherSyntaxError):
        store.read("MATCH (n RETURN n")


def test_store_chinese_text_and_nulls_round_trip(store: Store) -> None:
    text = "唐山钢铁集团有限责任公司（曹妃甸）——「热轧板卷」😀 ＡＢＣ"
    store.write("CREATE (:Enterprise {id: $id, name: $name, aliases: $aliases, founded: $none})",
                {"id": "t1", "name": text, "aliases": ["唐钢", "TSIS"], "none": None})
    out = store.read("MATCH (e:Enterprise {id: 't1'}) "
                     "RETURN e.name AS name, e.aliases AS aliases, e.founded AS founded, "
                     "$p AS echoed", {"p": None})
    assert out == [{"name": text, "aliases": ["唐钢", "TSIS"], "founded": None, "echoed": None}]
    assert store.read("MATCH (e:Enterprise) WHERE e.name CONTAINS '钢铁' RETURN e.id AS id") == \
        [{"id": "t1"}]


def test_store_nodes_come_back_as_dicts(store: Store) -> None:
    merge_nodes(store, "Enterprise", [node_row("a", {"name": "甲"}), node_row("b", {"name": "乙"})])
    merge_rels(store, "SUPPLIES", "Enterprise", "Enterprise", [rel_row("a", "b", {"share": 0.3})])
    (row,) = store.read("MATCH (a)-[r:SUPPLIES]->(b) RETURN a, r, b")
    assert row["a"] == {"id": "a", "name": "甲"}
    assert row["r"] == {"key": "", "share": 0.3}
    assert row["b"]["name"] == "乙"


def _chain_graph(store: Store) -> None:
    # a-b-c-d-e line plus a shortcut a-x-e, and an isolated z
    ids = ["a", "b", "c", "d", "e", "x", "z"]
    merge_nodes(store, "Enterprise", [node_row(i, {"name": i}) for i in ids])
    pairs = [("a", "b"), ("b", "c"), ("c", "d"), ("d", "e"), ("a", "x"), ("x", "e")]
    merge_rels(store, "SUPPLIES", "Enterprise", "Enterprise", [rel_row(s, t) for s, t in pairs])


def test_store_variable_length_paths_agree(store: Store) -> None:
    _chain_graph(store)
    out = store.run("reachable", {"a": "a"}, library=TEST_CYPHER)
    assert [r["id"] for r in out] == ["b", "c", "d", "e", "x"]
    out = store.read("MATCH (a:Enterprise {id: 'a'})-[:SUPPLIES*1..2]-(b) "
                     "RETURN DISTINCT b.id AS id ORDER BY id")
    assert [r["id"] for r in out] == ["b", "c", "e", "x"]


TEST_CYPHER = QueryLibrary(Path(__file__).parent / "cypher")


def test_store_shortest_paths_agree(store: Store) -> None:
    _chain_graph(store)
    assert store.run("shortest", {"a": "a", "b": "e"}, library=TEST_CYPHER) == \
        [{"ids": ["a", "x", "e"]}]
    out = store.run("shortest", {"a": "a", "b": "z"}, library=TEST_CYPHER)
    assert out in ([], [{"ids": None}])


def test_store_refuses_labels_outside_schema(store: Store) -> None:
    with pytest.raises(SchemaError):
        merge_nodes(store, "Robert'); DROP", [node_row("a", {})])


def test_store_apply_schema_is_idempotent(store: Store) -> None:
    assert store.apply_schema() == []


def test_store_health_names_engine_and_version(store: Store) -> None:
    h = store.health()
    assert h.ok and h.engine == store.dialect
    assert h.version[0].isdigit()


def test_store_nul_in_text_is_a_clear_error_not_a_store_error(store: Store) -> None:
    # FalkorDB cannot carry NUL in parameters: a 4xx-class InvalidInput, not a store error;
    # Neo4j carries it
    from graph.errors import InvalidInput

    if store.dialect == "falkordb":
        with pytest.raises(InvalidInput, match="NUL"):
            store.read("RETURN $x AS x", {"x": "a\x00b"})
        with pytest.raises(InvalidInput, match="NUL"):
            store.write("UNWIND $rows AS r RETURN r", {"rows": [{"n": ["ok", "b\x00"]}]})
    else:
        assert store.read("RETURN $x AS x", {"x": "a\x00b"}) == [{"x": "a\x00b"}]
