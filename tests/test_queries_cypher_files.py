"""Every ``queries/*.cypher`` file opens with a header naming its parameters and result
columns, and runs on both engines with sample parameters against the sample graph."""

from __future__ import annotations

import re

import pytest

from graph.cypher import DIALECTS
from graph.schema import q_rel
from graph.store import Store
from queries import QUERIES
from tests.queries_sample import build_sample

#: Sample values for every parameter name used by a query file.
SAMPLE_PARAMS = {
    "chain_id": "steel", "prefix": "1302", "text": "丰南区", "key": "E1", "upper": "E1",
    "id": "E1", "limit": 10, "per_industry": 10, "need": None, "ids": ["E1", "E2", "E5"],
    "a": "E3", "b": "E4", "cap": 10,
    "pairs": [["E1", "E2"]], "prefer_sme": False, "product_ids": ["p_auto", "p_ship"],
}
#: Template slots (types and literals that Cypher cannot take as parameters).
TEMPLATE = {"{rel}": q_rel("SUPPLIES"), "{rels}": f"{q_rel('SUPPLIES')}|{q_rel('INVESTS_IN')}",
            "{max_hops}": "4"}
#: Queries that must return rows on the sample graph (others, such as other areas' files
#: whose data the sample graph lacks, must only run without error).
NON_EMPTY = {"list_chains", "chain_nodes", "chain_meta", "gap_nodes", "gap_needs",
             "gap_candidates", "enterprise_lookup", "rec_enterprise", "rec_shared_partners",
             "rec_relation_peers", "rec_degrees", "rec_generation", "rec_structure", "rec_details",
             "search_index", "search_count", "profile_enterprise", "profile_facts", "paths",
             "path_hops", "eval_edges", "map_chain_meta", "map_supplies"}

NAMES = QUERIES.names()


def test_queries_cypher_files_exist() -> None:
    assert {"list_chains", "chain_nodes", "paths", "search_index", "rec_shared_partners",
            "profile_facts"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dialect", DIALECTS)
def test_queries_cypher_file_header(name: str, dialect: str) -> None:
    header = QUERIES.header(name, dialect)
    assert "Parameters:" in header, f"{name}: header must name its parameters"
    assert "Returns:" in header, f"{name}: header must name its result columns"
    body = QUERIES.get(name, dialect)
    code = "\n".join(line for line in body.splitlines() if not line.startswith("//"))
    for param in set(re.findall(r"\$([A-Za-z_]\w*)", code)):
        assert param in header, f"{name}: ${param} is not named in the header"


def test_queries_cypher_files_run(store: Store) -> None:
    build_sample(store)
    empty = []
    for name in NAMES:
        text = QUERIES.get(name, store.dialect)
        for slot, value in TEMPLATE.items():
            text = text.replace(slot, value)
        params = {p: SAMPLE_PARAMS.get(p) for p in set(re.findall(r"\$([A-Za-z_]\w*)", text))}
        rows = store.read(text, params)
        if not rows:
            empty.append(name)
    assert not set(empty) & NON_EMPTY, f"queries with no rows on the sample graph: {empty}"
