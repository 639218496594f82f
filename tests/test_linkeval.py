"""Link-prediction evaluation: the chronological dev split and a tiny end-to-end run."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import InvalidInput
from queries.linkeval import chronological_split, evaluate_links, random_split, read_triples


def _write(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    path.write_text("".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_linkeval_chronological_split_keeps_the_latest_tenth_out() -> None:
    rows = [(f"h{i}", "合作", f"t{i}", f"2025-01-{i + 1:02d}") for i in range(20)]
    rows.append(("x", "合作", "y", None))  # type: ignore[arg-type]
    earlier, later = chronological_split(rows, 0.1)  # type: ignore[arg-type]
    assert [r[3] for r in later] == ["2025-01-19", "2025-01-20"]
    assert len(earlier) == 19 and ("x", "合作", "y", None) in earlier
    assert max(r[3] or "" for r in earlier) < min(r[3] or "" for r in later)


def test_linkeval_chronological_split_refuses_bad_input() -> None:
    with pytest.raises(InvalidInput):
        chronological_split([("a", "合作", "b", "2025-01-01")], 1.5)
    with pytest.raises(InvalidInput):
        chronological_split([("a", "合作", "b", None)], 0.1)


def test_linkeval_random_split_is_seeded_and_complete() -> None:
    rows: list[tuple[str, str, str, str | None]] = [
        (f"h{i}", "合作", f"t{i}", f"2025-01-{i % 28 + 1:02d}") for i in range(50)]
    rest, held = random_split(rows, 0.1, seed=3)
    assert len(held) == 5 and len(rest) == 45
    assert sorted(rest + held) == sorted(rows) and not set(rest) & set(held)
    assert random_split(rows, 0.1, seed=3) == (rest, held)
    assert random_split(rows, 0.1, seed=4)[1] != held
    # unlike the chronological cut, held-out days interleave with the graph's
    assert min(r[3] or "" for r in held) < max(r[3] or "" for r in rest)
    with pytest.raises(InvalidInput):
        random_split(rows, 0.0)


@pytest.mark.slow
def test_linkeval_dev_split_end_to_end(tmp_path: Path) -> None:
    # a hub H cooperates with many firms early on; late newcomers cooperate with H too
    rows = [(f"F{i}", "合作", "H", f"2025-02-{i + 1:02d}") for i in range(18)]
    rows += [("F0", "合作", "F1", "2025-01-05"), ("F2", "合作", "F3", "2025-01-06")]
    rows += [("F1", "合作", "F4", "2025-03-01"), ("F5", "合作", "F0", "2025-03-02")]
    train = _write(tmp_path / "train.txt", rows)
    assert len(read_triples(train)) == len(rows)
    report = evaluate_links(train, None, "合作", dev_fraction=0.1)
    assert report.pairs == 2
    assert set(report.methods) == {"ronglian", "adamic_adar", "common_neighbours",
                                   "preferential_attachment"}
    for s in report.methods.values():
        assert 0.0 <= s.hits1 <= s.hits10 <= 1.0 and 0.0 <= s.mrr <= 1.0
    with pytest.raises(InvalidInput):
        evaluate_links(train, None, "合作")
    with pytest.raises(InvalidInput):
        evaluate_links(train, None, "合作", dev_fraction=0.1, dev_split="weekly")
    rnd = evaluate_links(train, None, "合作", dev_fraction=0.2, dev_split="random", seed=2)
    assert rnd.pairs + sum(rnd.skipped.values()) == 4  # a fifth of 22 triples held out
    assert set(rnd.methods) == set(report.methods)


def test_linkeval_test_file_away_from_its_maps_reads_the_training_maps(tmp_path: Path) -> None:
    data = tmp_path / "ickg"
    data.mkdir()
    (data / "entity2id.txt").write_text("甲公司\t0\n乙公司\t1\n丙公司\t2\n", encoding="utf-8")
    (data / "relation2id.txt").write_text("合作\t3\n供给\t6\n", encoding="utf-8")
    (data / "time2id.txt").write_text("0,2025-01-01\n1,2025-01-02\n", encoding="utf-8")
    _write(data / "train.txt", [("0", "3", "1", "0")])
    away = tmp_path / "elsewhere"
    away.mkdir()
    test = _write(away / "test.txt", [("0", "3", "2", "1"), ("1", "6", "2", "1")])
    assert read_triples(test) == [("0", "3", "2", "1"), ("1", "6", "2", "1")]  # no maps there
    assert read_triples(test, maps_from=data) == [("甲公司", "合作", "丙公司", "2025-01-02"),
                                                  ("乙公司", "供给", "丙公司", "2025-01-02")]
    # a map beside the file wins over the training file's
    (away / "relation2id.txt").write_text("供给\t3\n", encoding="utf-8")
    assert read_triples(test, maps_from=data)[0][1] == "供给"


@pytest.mark.slow
def test_linkeval_test_file_away_from_its_maps_end_to_end(tmp_path: Path) -> None:
    data = tmp_path / "ickg"
    data.mkdir()
    names = ["H"] + [f"F{i}" for i in range(8)]
    (data / "entity2id.txt").write_text("".join(f"{n}\t{i}\n" for i, n in enumerate(names)),
                                        encoding="utf-8")
    (data / "relation2id.txt").write_text("合作\t3\n", encoding="utf-8")
    train = _write(data / "train.txt", [(str(i), "3", "0", "") for i in range(1, 7)]
                   + [("7", "3", "1", "")])
    away = tmp_path / "elsewhere"
    away.mkdir()
    test = _write(away / "test.txt", [("7", "3", "0", ""), ("7", "3", "2", "")])
    report = evaluate_links(train, test, "合作")
    assert report.pairs == 2
    # without the training maps the relation would read "3": refused with the names seen
    (away / "relation2id.txt").write_text("竞争\t3\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="竞争"):
        evaluate_links(train, test, "合作")


def _partner_graph(tmp_path: Path) -> tuple[Path, Path]:
    """H cooperates with A; A cooperates with P1 and P2 and competes with twelve firms that
    cooperate with nobody; Y is known only as X's competitor."""
    rows = [("H", "合作", "A", ""), ("A", "合作", "P1", ""), ("A", "合作", "P2", "")]
    rows += [("A", "竞争", f"N{i}", "") for i in range(12)]
    rows += [("X", "竞争", "Y", "")]
    train = _write(tmp_path / "train.txt", rows)
    test = _write(tmp_path / "test.txt", [("H", "合作", "P1", ""), ("H", "合作", "Y", "")])
    return train, test


@pytest.mark.slow
def test_linkeval_ranks_against_partners_seen_in_training(tmp_path: Path) -> None:
    train, test = _partner_graph(tmp_path)
    partners = evaluate_links(train, test, "合作")
    assert partners.candidates == "partners"
    # Y holds no 合作 tie in training: no method could rank it against partners
    assert partners.pairs == 1
    assert partners.skipped == {"tail not a partner in training": 1}
    # A's twelve competitors are not candidates, so P1 reaches Adamic-Adar's top 10
    assert partners.methods["adamic_adar"].hits10 == 1.0
    every = evaluate_links(train, test, "合作", candidates="all")
    assert every.candidates == "all" and every.pairs == 2 and not every.skipped
    assert every.methods["adamic_adar"].hits10 < 1.0
    assert every.as_dict()["candidates"] == "all"
    with pytest.raises(InvalidInput, match="candidates"):
        evaluate_links(train, test, "合作", candidates="firms")


@pytest.mark.slow
def test_linkeval_leaves_no_tie_graph_build_behind(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The tie graph is built in the requests: no build thread is left reading the store
    when the evaluation closes it."""
    import threading

    from queries import tiegraph

    monkeypatch.setattr(tiegraph, "BACKGROUND", True)
    started: list[str] = []
    real = threading.Thread.start

    def start(self: threading.Thread) -> None:
        started.append(self.name)
        real(self)

    monkeypatch.setattr(threading.Thread, "start", start)
    train, test = _partner_graph(tmp_path)
    report = evaluate_links(train, test, "合作")
    assert report.pairs == 1
    assert "tiegraph-build" not in started
    assert tiegraph.BACKGROUND is True  # restored after the evaluation


@pytest.mark.slow
def test_linkeval_reads_the_recommenders_list_down_to_ten_partners(tmp_path: Path) -> None:
    from graph.store import open_store
    from queries import modelcache
    from queries.linkeval import _top_in, load_mapping, load_triples
    from queries.recommend import clear_cache, rank_partners

    train, _test = _partner_graph(tmp_path)
    store = open_store(f"embedded://{tmp_path}/store")
    try:
        store.apply_schema()
        clear_cache()
        load_triples(store, read_triples(train), load_mapping(None), "train")
        with modelcache.synchronous():
            full = [r["id"] for r in rank_partners(store, "kg:H", "COOPERATES_WITH", top=100)]
        assert len(full) == 14  # P1, P2 and the twelve competitors
        # a pool without the first four: ten of its members lie beyond the first ten
        pool = set(full[4:])
        got = _top_in(store, "kg:H", "COOPERATES_WITH", None, pool, 100)
        assert got == full[4:14]
        # a pool the list never reaches: the list ends, and what it holds is given
        assert _top_in(store, "kg:H", "COOPERATES_WITH", None, {full[-1], "kg:Y"}, 100) == [
            full[-1]]
    finally:
        store.close()
