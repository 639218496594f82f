"""Entity resolution: normalised keys, USCC first, aliases, fuzzy, ambiguous and new."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.normalize import fold, name_keys, norm_name
from ingest.resolve import Decision, Resolver


@pytest.mark.parametrize(
    ("raw", "full", "core"),
    [
        pytest.param("唐山三友化工股份有限公司", "唐山三友化工", "三友化工", id="city-prefix"),
        pytest.param("河北省唐山市丰南区顺达钢铁有限责任公司", "河北省唐山市丰南区顺达钢铁",
                     "顺达钢铁", id="stacked-regions"),
        pytest.param("北京首钢（集团）有限公司", "北京首钢", "首钢", id="bracket-group"),
        pytest.param("复瑞医疗科技（上海）有限公司", "复瑞医疗科技", "复瑞医疗科技",
                     id="bracket-region"),
        pytest.param("ＡＢＣ钢铁集团", "abc钢铁", "abc钢铁", id="full-width"),
        pytest.param("台灣積體電路製造股份有限公司", "台湾积体电路制造", "积体电路制造",
                     id="traditional"),
        pytest.param("*ST德豪", "德豪", "德豪", id="securities-prefix"),
        pytest.param("万科A", "万科", "万科", id="share-class"),
    ],
)
def test_resolve_name_keys(raw: str, full: str, core: str) -> None:
    k = name_keys(raw)
    assert (k.full, k.core) == (full, core)
    assert norm_name(raw) == full


def test_resolve_fold_width_and_script() -> None:
    assert fold("（鋼鐵）ＡＢ") == "(钢铁)ab"


def _resolver() -> Resolver:
    r = Resolver()
    r.add("e1", "唐山三友化工股份有限公司", uscc="91130200MA07TEST01", short_name="三友化工")
    r.add("e2", "河钢集团有限公司", aliases=["河北钢铁集团"])
    r.add("e3", "唐山冀东水泥股份有限公司")
    r.add("e4", "天津冀东水泥有限公司")
    r.add("e5", "邵阳维克液压股份有限公司")
    return r


def test_resolve_uscc_wins_over_name() -> None:
    d = _resolver().resolve(name="完全不同的名字", uscc="91130200ma07test01")
    assert (d.kind, d.id, d.reason) == ("same", "e1", "uscc")


def test_resolve_exact_normalised_name_and_alias() -> None:
    r = _resolver()
    assert r.resolve(name="唐山三友化工有限公司").id == "e1"
    assert r.resolve(name="河北钢铁集团有限公司") == Decision("same", "e2", 1.0, "name",
                                                   query="河北钢铁集团有限公司")
    assert r.resolve(name="三友化工").kind == "same"


def test_resolve_short_name_fuzzy() -> None:
    d = _resolver().resolve(name="邵阳液压")
    assert d.kind == "same" and d.id == "e5" and d.reason.startswith("fuzzy")
    assert 0 < d.score <= 1


def test_resolve_ambiguous_lists_candidates() -> None:
    d = _resolver().resolve(name="冀东水泥")
    assert d.kind == "ambiguous"
    assert {i for i, _ in d.candidates} >= {"e3", "e4"}


def test_resolve_unknown_is_new() -> None:
    d = _resolver().resolve(name="遵化市宏达机械制造厂")
    assert d.kind == "new" and d.id is None


def test_resolve_conflicting_uscc_is_not_merged_by_name() -> None:
    r = _resolver()
    d = r.resolve(name="唐山三友化工股份有限公司", uscc="91130200MA07OTHER2")
    assert d.kind == "new"


def test_resolve_every_decision_reaches_the_sink() -> None:
    seen: list[Decision] = []
    r = Resolver(sink=seen.append)
    r.add("a", "测试科技有限公司")
    r.resolve(name="测试科技")
    r.resolve(name="别的")
    assert [d.kind for d in seen] == ["same", "new"]


def test_resolve_added_entities_are_found_during_a_job() -> None:
    r = Resolver()
    assert r.resolve(name="新兴铸管股份有限公司").kind == "new"
    r.add("x", "新兴铸管股份有限公司")
    assert r.resolve(name="新兴铸管").id == "x"
    assert len(r) == 1 and "x" in r


def test_resolve_listed_companies_held_out_quality(shared_data: Path) -> None:
    from ingest.resolve import AMBIGUOUS_THRESHOLD, MARGIN
    from ingest.resolve_eval import (
        SAME_THRESHOLD,
        build_index,
        decide,
        load_pairs,
        score,
        split,
    )

    pairs = load_pairs(shared_data / "listed_companies" / "company.json")
    _, report = split(pairs)
    r = build_index(pairs)
    s = score(decide(r, report[:800]), SAME_THRESHOLD, AMBIGUOUS_THRESHOLD, MARGIN)
    assert s.precision >= 0.93
    assert s.recall >= 0.85
