"""Enterprise search and profiles on the sample graph (both engines)."""

from __future__ import annotations

import pytest

from graph.errors import InvalidInput, NotFound
from graph.store import Store
from queries.profile import enterprise_profile
from queries.search import SearchIndex, clear_index, initials, search
from tests.queries_sample import build_sample


@pytest.fixture(autouse=True)
def _fresh_index() -> None:
    clear_index()


def ids(out: dict) -> list[str]:
    return [it["id"] for it in out["items"]]


def test_queries_search_initials() -> None:
    assert initials("唐山钢铁") == "tsgt"


def test_queries_search_index_fuzzy_without_store() -> None:
    idx = SearchIndex.build([{"id": "a", "name": "唐山钢铁集团有限责任公司", "short_name": "唐钢",
                              "aliases": ["唐山钢铁"], "uscc": None},
                             {"id": "b", "name": "迁安钢铁有限公司", "short_name": None,
                              "aliases": None, "uscc": None}])
    hits = {idx.entries[i].row["id"]: (s, f) for s, f, i in idx.query("唐山钢铁集团公司")}
    assert "a" in hits and 60 <= hits["a"][0] < 80  # fuzzy: words missing in the middle


def test_queries_search_substring_short_name_alias_uscc(store: Store) -> None:
    build_sample(store)
    # 唐钢's alias 唐山钢铁 contains 钢铁 earlier than 迁安钢铁有限公司's name does
    assert ids(search(store, "钢铁"))[:2] == ["E1", "E10"]
    hit = search(store, "唐钢")["items"][0]
    assert (hit["id"], hit["score"], hit["matched"]) == ("E1", 100.0, "short_name")
    assert ids(search(store, "唐钢集团"))[0] == "E1"  # alias
    assert ids(search(store, "91130200104363781q")) == ["E1"]  # USCC, any case
    assert ids(search(store, "９１１３０２００１０４３６３７８１Ｑ")) == ["E1"]  # full-width


def test_queries_search_pinyin_and_filters(store: Store) -> None:
    build_sample(store)
    assert "E1" in ids(search(store, "tsgt"))
    assert ids(search(store, "钢铁", region="130283")) == ["E10"]
    assert ids(search(store, "公司", size_class="大型", region="13")) == ["E1"]
    assert set(ids(search(store, None, tier="链主企业"))) == {"E1", "E9"}


def test_queries_search_cursor_pages_through_everything(store: Store) -> None:
    build_sample(store)
    seen, cursor = [], None
    for _ in range(10):
        page = search(store, "公司", limit=3, cursor=cursor)
        seen += ids(page)
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 10
    with pytest.raises(InvalidInput):
        search(store, "钢铁", cursor="not-a-cursor")
    with pytest.raises(InvalidInput):
        search(store, "钢铁", limit=0)


def test_queries_profile_facts_with_provenance(store: Store) -> None:
    build_sample(store)
    p = enterprise_profile(store, "唐钢")
    assert (p["id"], p["size_class"], p["tiers"], p["region_code"]) == \
        ("E1", "大型", ["链主企业"], "130203")
    assert [x["id"] for x in p["products"]] == ["p_cold", "p_hot"]
    assert {(c["chain_id"], c["segment"], c["product"]) for c in p["chain_positions"]} == \
        {("steel", "中游", "热轧板卷"), ("steel", "中游", "冷轧薄板")}
    assert {n["id"]: n["about"] for n in p["needs"]} == \
        {"N1": "铁矿石", "N2": "船用钢板", "N3": "焦炭"}
    partners = {(x["id"], x["relation"], x["direction"]) for x in p["partners"]}
    assert partners == {("E2", "SUPPLIES", "in"), ("E3", "SUPPLIES", "in"),
                        ("E6", "SUPPLIES", "out"), ("E5", "COOPERATES_WITH", "out"),
                        ("E2", "INVESTS_IN", "out")}
    sup = next(x for x in p["partners"] if x["id"] == "E2" and x["relation"] == "SUPPLIES")
    assert sup["product"] == "焦炭"
    assert sup["provenance"]["source"] == "tests/queries_sample.py"
    assert sup["provenance"]["method"] == "manual"
    assert p["provenance"]["run_id"] == "test-run"
    assert enterprise_profile(store, "E6")["capabilities"][0]["name"] == "冷轧加工"


def test_queries_profile_unknown(store: Store) -> None:
    build_sample(store)
    with pytest.raises(NotFound):
        enterprise_profile(store, "E404")
