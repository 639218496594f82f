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
