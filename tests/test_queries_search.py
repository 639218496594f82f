"""Enterprise search and profiles on the sample graph (both engines)."""

from __future__ import annotations

import pytest

from graph.errors import InvalidInput, NotFound
from graph.store import Store
from graph.writes import merge_rels, rel_row
from queries.profile import enterprise_profile
from queries.search import SearchIndex, clear_index, initials, region_name, search
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


def test_queries_search_filters_read_the_forms_ingest_reads_and_refuse_others(
        store: Store) -> None:
    build_sample(store)
    assert ids(search(store, None, size_class="大型企业")) == \
        ids(search(store, None, size_class="大型")) != []
    assert set(ids(search(store, None, tier=" 龙头 "))) == {"E1", "E9"}
    assert ids(search(store, None, tier="专精特新")) == ["E4"]
    # the cursor of a page asked with a short form works with the full one
    first = search(store, None, size_class="大", limit=1)
    assert ids(search(store, None, size_class="大型", limit=1, cursor=first["next_cursor"]))
    for field, value in (("size_class", "巨型"), ("tier", "独角兽")):
        with pytest.raises(InvalidInput) as e:
            search(store, "公司", **{field: value})
        assert e.value.field == field and value in str(e.value)


def test_queries_search_items_name_their_division(store: Store) -> None:
    build_sample(store)  # divisions loaded: 唐山市 (1302) and its 丰南区 (130207) only
    by_id = {it["id"]: it for it in search(store, "公司", limit=50)["items"]}
    assert by_id["E2"]["region_name"] == "河北省唐山市丰南区"  # its own county
    assert by_id["E1"]["region_name"] == "河北省唐山市"  # 路北区 130203 not loaded: its city
    assert by_id["E5"]["region_name"] is None  # 天津: no division of it loaded
    assert by_id["E5"]["region_code"] == "120110"


def test_queries_search_region_name_climbs_to_the_nearest_loaded_division() -> None:
    names = {"13": "河北省", "1302": "河北省唐山市", "130203": "河北省唐山市路北区",
             "130203001": "河北省唐山市路北区乔屯街道"}
    assert region_name(names, "130203001") == "河北省唐山市路北区乔屯街道"
    assert region_name(names, "130203001000") == "河北省唐山市路北区乔屯街道"  # 12 digits
    assert region_name(names, "130203002") == "河北省唐山市路北区"  # township not loaded
    assert region_name(names, "130200") == "河北省唐山市"  # the city as a 6-digit code
    assert region_name(names, "130281") == "河北省唐山市"
    assert region_name(names, "140100") is None
    assert region_name(names, None) is None and region_name(names, "") is None


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


def test_queries_profile_region_is_the_division_search_names(store: Store) -> None:
    build_sample(store)  # no LOCATED_IN links; divisions loaded: 唐山市 (1302), 丰南区 (130207)
    region = {e: enterprise_profile(store, e)["region"] for e in ("E1", "E2", "E5")}
    assert region["E1"] == {"code": "1302", "name": "唐山市", "full_name": "河北省唐山市"}
    assert region["E2"] == {"code": "130207", "name": "丰南区", "full_name": "河北省唐山市丰南区"}
    assert region["E5"] == {"code": "120110", "name": None, "full_name": None}
    named = {it["id"]: it["region_name"] for it in search(store, "公司", limit=50)["items"]}
    assert len(named) == 10
    assert {e: enterprise_profile(store, e)["region"]["full_name"] for e in named} == named


def test_queries_profile_region_from_its_located_in_link(store: Store) -> None:
    build_sample(store)
    merge_rels(store, "LOCATED_IN", "Enterprise", "Region", [rel_row("E6", "130207")])
    # the link wins over the code (130204 路南区, whose nearest loaded division is 唐山市)
    assert enterprise_profile(store, "E6")["region"] == \
        {"code": "130207", "name": "丰南区", "full_name": "河北省唐山市丰南区"}


def test_queries_profile_unknown(store: Store) -> None:
    build_sample(store)
    with pytest.raises(NotFound):
        enterprise_profile(store, "E404")


def _reference_ranking(rows: list[dict], q: str) -> list[tuple[float, str]]:
    """Brute force: every firm's best exact/prefix/substring tier (no fuzzy, no pinyin),
    ranked by tier, length difference, then prominence, name length, name and id."""
    from queries.search import fold

    out = []
    for r in rows:
        keys = [fold(r["name"]), fold(r.get("short_name")),
                *(fold(a) for a in r.get("aliases") or [])]
        best = None
        for k in (k for k in keys if k):
            rank = (0, 0) if k == q else (1, 0) if k.startswith(q) else \
                (2, len(k) - len(q)) if q in k else None
            if rank is not None and (best is None or rank < best):
                best = rank
        if best is not None:
            name = r["name"]
            tiers = set(r.get("tiers") or [])
            lead = min((i for i, t in enumerate(("链主企业", "制造业单项冠军", "专精特新小巨人"))
                        if t in tiers), default=3)
            size = {"大型": 0, "中型": 1, "小型": 2, "微型": 3}.get(r.get("size_class") or "", 4)
            other = min((i for i, t in enumerate(("专精特新中小企业", "高新技术企业"))
                         if t in tiers), default=2)
            out.append((best, ((lead, size, other), len(name), name, r["id"])))
    out.sort()
    return [(100.0 if t == 0 else 95.0 if t == 1 else max(80.0, 90.0 - d * 0.5), key[3])
            for (t, d), key in out]


def _random_rows(n: int, seed: int) -> list[dict]:
    import random

    rng = random.Random(seed)
    chars = "唐山钢铁集团有限公司焦化迁安市冷轧薄板天津船"
    rows = []
    for i in range(n):
        name = "".join(rng.choice(chars) for _ in range(rng.randint(2, 14)))
        short = "".join(rng.choice(chars) for _ in range(rng.randint(2, 4))) \
            if rng.random() < 0.5 else None
        aliases = ["".join(rng.choice(chars) for _ in range(rng.randint(2, 6)))] \
            if rng.random() < 0.3 else []
        tiers = rng.sample(["链主企业", "制造业单项冠军", "专精特新小巨人", "专精特新中小企业",
                            "高新技术企业"], rng.choice([0, 0, 0, 1, 2]))
        rows.append({"id": f"R{i:04d}", "name": name, "short_name": short, "aliases": aliases,
                     "uscc": None, "tiers": tiers,
                     "size_class": rng.choice(["大型", "中型", "小型", "微型", "未划型", None])})
    return rows


@pytest.mark.parametrize("prefix_sort_max", [0, 5000], ids=["prefix-scan", "prefix-bisect"])
def test_queries_search_lazy_ranking_matches_brute_force(
        monkeypatch: pytest.MonkeyPatch, prefix_sort_max: int) -> None:
    """The ranked key texts yield exactly the brute-force order, both ways of finding
    prefixes included, for queries that match a few firms and most of them."""
    import queries.search as s

    monkeypatch.setattr(s, "PREFIX_SORT_MAX", prefix_sort_max)
    rows = _random_rows(600, seed=5)
    idx = SearchIndex.build(rows)
    for q in ("公司", "唐", "有限公司", "唐山", "钢铁集团", "迁安市冷", "船", "山钢"):
        got = [(score, idx.entries[i].row["id"]) for score, fld, i in idx.iter_hits(q)
               if fld != "pinyin" and score >= 80]
        assert got == _reference_ranking(rows, q), q


def test_queries_search_pages_of_a_common_query_are_the_full_ranking() -> None:
    """Lazy paging stops early but pages through the same ranking as the full list."""
    rows = _random_rows(400, seed=9)
    for r in rows[::2]:
        r["name"] += "有限公司"
    idx = SearchIndex.build(rows)
    full = [idx.entries[i].row["id"] for _, _, i in idx.iter_hits("公司")]
    assert len(full) > 100
    first = list(zip(range(20), idx.iter_hits("公司"), strict=False))
    assert [idx.entries[h[2]].row["id"] for _, h in first] == full[:20]
    scores = [score for score, _, _ in idx.iter_hits("公司")]
    assert scores == sorted(scores, reverse=True)  # best first, all the way down


def test_queries_search_index_follows_new_enterprises(store: Store) -> None:
    """A firm written after the index was built is found: the count changed."""
    from graph.writes import merge_nodes, node_row

    build_sample(store)
    assert ids(search(store, "曹妃甸港务")) == []
    merge_nodes(store, "Enterprise", [node_row("E99", {"name": "唐山曹妃甸港务有限公司"})])
    assert ids(search(store, "曹妃甸港务")) == ["E99"]


def test_queries_search_uscc_prefix_and_no_uscc_for_short_codes(store: Store) -> None:
    build_sample(store)
    assert ids(search(store, "91130207")) == ["E2"]  # a typed code prefix
    assert "E2" not in ids(search(store, "9113"))  # too short to be a code


def test_queries_lookup_by_unique_short_name_without_search(store: Store,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    """A short name that one firm has resolves through the index, not the search index
    (whose cold build at 100k firms takes seconds); a shared one still goes to search."""
    import queries.search as s
    from graph.writes import merge_nodes, node_row
    from queries.common import resolve_enterprise

    build_sample(store)
    calls = []
    real = s.search
    monkeypatch.setattr(s, "search", lambda *a, **k: calls.append(a) or real(*a, **k))
    assert resolve_enterprise(store, "丰南焦化")["id"] == "E2" and not calls
    merge_nodes(store, "Enterprise", [node_row("E98", {"name": "丰南焦化二厂",
                                                        "short_name": "丰南焦化"})])
    with pytest.raises(NotFound):
        resolve_enterprise(store, "丰南焦化")  # two firms share it: ambiguous
    assert calls


def test_queries_search_leading_firms_come_first_among_equal_matches() -> None:
    """Equally good matches list the 链主企业 first, then the other leading tiers, then
    larger firms before smaller ones, and only then the shorter name."""
    rows: list[dict[str, object]] = [
        {"id": "A", "name": "甲钢铁", "size_class": "微型", "tiers": []},
        {"id": "B", "name": "乙钢铁", "size_class": "小型", "tiers": ["高新技术企业"]},
        {"id": "C", "name": "丙钢铁", "size_class": "小型", "tiers": []},
        {"id": "D", "name": "丁丁钢铁", "size_class": "大型", "tiers": ["链主企业"]},
        {"id": "E", "name": "戊戊钢铁", "size_class": "中型", "tiers": ["专精特新小巨人"]},
        {"id": "F", "name": "己己钢铁", "size_class": "大型", "tiers": None},
        {"id": "G", "name": "庚钢铁", "size_class": None, "tiers": "制造业单项冠军"},
    ]
    idx = SearchIndex.build(rows)
    got = [(score, idx.entries[i].row["id"]) for score, _, i in idx.iter_hits("钢铁")]
    # three-character names score 89.5 and four-character ones 89.0; within a score:
    # 链主 → 单项冠军 → 小巨人 → 大型 → 中型 → 小型 (高新 first) → 微型
    assert got == [(89.5, "G"), (89.5, "B"), (89.5, "C"), (89.5, "A"),
                   (89.0, "D"), (89.0, "E"), (89.0, "F")]
