"""POST /api/v1/cypher on both engines: reads work, every kind of write is refused by
the engine (403) and leaves the graph unchanged, time limit, row cap, bad queries 4xx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graph.store import Store
from tests.api_support import auth, make_app, new_token, revoked_token

URL = "/api/v1/cypher"


@pytest.fixture
def client(store: Store, tmp_path: Path) -> Iterator[TestClient]:
    store.write("CREATE (:Enterprise {id: 'E1', name: '唐山钢铁', region_code: '130203'}), "
                "(:Enterprise {id: 'E2', name: '曹妃甸港', region_code: '130209'})")
    app = make_app(store, tmp_path, cypher_row_cap=50)
    with TestClient(app) as c:
        c.headers.update(auth(new_token(app, "reader")))
        yield c


def _count(store: Store) -> tuple[int, int]:
    n = store.read("MATCH (n) RETURN count(n) AS c")[0]["c"]
    r = store.read("MATCH ()-[r]->() RETURN count(r) AS c")[0]["c"]
    return n, r


def test_api_cypher_reads_rows_with_params(client: TestClient) -> None:
    r = client.post(URL, json={
        "query": "MATCH (e:Enterprise) WHERE e.region_code STARTS WITH $p "
                 "RETURN e.id AS id, e.name AS name ORDER BY id",
        "params": {"p": "1302"}})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["columns"] == ["id", "name"]
    assert body["rows"] == [{"id": "E1", "name": "唐山钢铁"}, {"id": "E2", "name": "曹妃甸港"}]
    assert body["row_count"] == 2 and body["truncated"] is False


def test_api_cypher_returns_nodes_as_property_maps(client: TestClient) -> None:
    r = client.post(URL, json={"query": "MATCH (e:Enterprise {id: 'E1'}) RETURN e"})
    assert r.status_code == 200, r.text
    assert r.json()["rows"][0]["e"]["name"] == "唐山钢铁"


WRITES = [
    pytest.param("CREATE (:Enterprise {id: 'X'})", id="create"),
    pytest.param("MERGE (:Enterprise {id: 'X'})", id="merge"),
    pytest.param("MATCH (e:Enterprise {id: 'E1'}) SET e.name = 'hacked'", id="set"),
    pytest.param("MATCH (e:Enterprise {id: 'E1'}) REMOVE e.name", id="remove"),
    pytest.param("MATCH (e:Enterprise {id: 'E1'}) DELETE e", id="delete"),
    pytest.param("MATCH (n) DETACH DELETE n", id="detach-delete"),
    pytest.param("MATCH (a {id: 'E1'}), (b {id: 'E2'}) CREATE (a)-[:SUPPLIES]->(b)",
                 id="create-rel"),
    pytest.param("MATCH (e:Enterprise) WITH e LIMIT 1 CREATE (:Enterprise {id: 'Y'}) "
                 "RETURN e.id", id="write-after-read"),
    pytest.param("CREATE INDEX FOR (n:Enterprise) ON (n.name2)", id="create-index"),
]


@pytest.mark.parametrize("query", WRITES)
def test_api_cypher_refuses_writes_by_the_engine(client: TestClient, store: Store,
                                                 query: str) -> None:
    before = _count(store)
    r = client.post(URL, json={"query": query})
    assert r.status_code == 403, r.text
    problem = r.json()
    assert r.headers["content-type"].startswith("application/problem+json")
    assert problem["code"] == "E114" and problem["type"].endswith("/E114")
    assert _count(store) == before
    assert store.read("MATCH (e:Enterprise {id: 'E1'}) RETURN e.name AS n")[0]["n"] == "唐山钢铁"


PROCEDURE_WRITES = {
    "neo4j": [
        "CALL db.createLabel('Hacked')",
        "CALL db.createProperty('hacked')",
        "CALL db.createRelationshipType('HACKED')",
        "CALL apoc.create.node(['Hacked'], {id: 'X'}) YIELD node RETURN node",
        "CALL db.index.fulltext.createNodeIndex('hx', ['Enterprise'], ['name'])",
    ],
    "falkordb": [
        "CALL db.idx.fulltext.createNodeIndex('Enterprise', 'name')",
        "CALL db.idx.fulltext.drop('Enterprise')",
        "CALL apoc.create.node(['Hacked'], {id: 'X'}) YIELD node RETURN node",
    ],
}


def test_api_cypher_refuses_writes_through_procedures(client: TestClient, store: Store) -> None:
    before = _count(store)
    for query in PROCEDURE_WRITES[store.dialect]:
        r = client.post(URL, json={"query": query})
        # 403 when the engine sees a write; 400 when the procedure does not exist
        # (apoc is not installed) — never a success, never a 5xx.
        assert r.status_code in (400, 403), (query, r.status_code, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    assert _count(store) == before
    if store.dialect == "neo4j":
        labels = {row["label"] for row in store.read("CALL db.labels() YIELD label RETURN label")}
        assert "Hacked" not in labels


@pytest.mark.parametrize("query", [
    "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row",
    "LOAD CSV WITH HEADERS FROM 'http://127.0.0.1:1/x.csv' AS row "
    "CREATE (:Enterprise {id: row.id})",
    "/* hide */ load   csv from 'file:///etc/hosts' as r return r",
])
def test_api_cypher_refuses_load_csv(client: TestClient, store: Store, query: str) -> None:
    before = _count(store)
    r = client.post(URL, json={"query": query})
    assert r.status_code == 403, r.text
    assert r.json()["field"] == "query"
    assert _count(store) == before


def test_api_cypher_load_csv_inside_a_string_is_just_text(client: TestClient) -> None:
    r = client.post(URL, json={"query": "RETURN 'LOAD CSV' AS s"})
    assert r.status_code == 200, r.text
    assert r.json()["rows"] == [{"s": "LOAD CSV"}]


def test_api_cypher_caps_rows(client: TestClient) -> None:
    q = "UNWIND range(1, 200) AS x RETURN x"
    r = client.post(URL, json={"query": q})
    assert r.status_code == 200
    assert r.json()["row_count"] == 50 and r.json()["truncated"] is True
    r = client.post(URL, json={"query": q, "limit": 7})
    assert [row["x"] for row in r.json()["rows"]] == [1, 2, 3, 4, 5, 6, 7]
    r = client.post(URL, json={"query": q, "limit": 5000})
    assert r.json()["row_count"] == 50


def test_api_cypher_time_limit_answers_408(client: TestClient) -> None:
    r = client.post(URL, json={
        # ~1e9 rows: far beyond the limit on any machine (a 9e6-row version finished in
        # under a second on a quiet one)
        "query": "UNWIND range(1, 30000) AS a UNWIND range(1, 30000) AS b "
                 "WITH a, b WHERE a * b % 7 = 3 RETURN count(*) AS c",
        "timeout_s": 0.05})
    assert r.status_code == 408, r.text
    assert r.json()["code"] == "E115"


@pytest.mark.parametrize("query", [
    "MATCH (n RETURN n",
    "RETURN nosuchfunction(1)",
    "RETURN 1 +",
    "CALL nosuch.procedure()",
    "RETURN 1/0 AS x",
    "RETURN toInteger({a: 1}) AS x",
])
def test_api_cypher_bad_query_is_a_4xx_problem(client: TestClient, query: str) -> None:
    r = client.post(URL, json={"query": query})
    assert 400 <= r.status_code < 500, (query, r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/problem+json")


def test_api_cypher_store_errors_are_counted(client: TestClient) -> None:
    from api.metrics import STORE_ERRORS

    def count() -> float:
        return float(STORE_ERRORS.labels(code="E116")._value.get())

    before = count()
    assert client.post(URL, json={"query": "MATCH (n RETURN n"}).status_code == 400
    assert count() == before + 1
    assert 'ronglian_store_errors_total{code="E116"}' in client.get("/metrics").text


def test_api_cypher_non_finite_floats_are_json(client: TestClient) -> None:
    r = client.post(URL, json={"query": "RETURN 0.0/0.0 AS nan, 1.0/0.0 AS inf"})
    assert r.status_code in (200, 400), r.text
    if r.status_code == 200:
        assert r.json()["rows"][0]["nan"] == "NaN"


@pytest.mark.parametrize("body,field", [
    ({"query": ""}, "query"),
    ({"query": "RETURN 1", "params": {"bad name": 1}}, "params"),
    ({"query": "RETURN 1", "limit": 0}, "limit"),
    ({"query": "RETURN 1", "timeout_s": -1}, "timeout_s"),
    ({"query": "RETURN 1", "extra": 1}, "extra"),
    ({}, "query"),
])
def test_api_cypher_invalid_body_names_the_field(client: TestClient, body: dict[str, object],
                                                 field: str) -> None:
    r = client.post(URL, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["field"].startswith(field)


def test_api_cypher_needs_a_real_key(store: Store, tmp_path: Path) -> None:
    app = make_app(store, tmp_path, anonymous_read=True)
    with TestClient(app) as c:
        q = {"query": "RETURN 1 AS one"}
        assert c.post(URL, json=q).status_code == 401
        assert c.post(URL, json=q, headers=auth(revoked_token(app, "admin"))).status_code == 401
        assert c.post(URL, json=q, headers=auth("rl_000000000000_nope")).status_code == 401
        r = c.post(URL, json=q, headers={"Authorization": "Bearer " + new_token(app, "reader")})
        assert r.status_code == 200 and r.json()["rows"] == [{"one": 1}]
