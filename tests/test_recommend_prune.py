"""A re-ingest with ``--prune`` that moves a supply tie keeps the relationship count; the
recommender must still see the new tie at once (the tie graph path, both engines)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.store import Store
from ingest.tables import ingest_table
from queries import tiegraph
from queries.recommend import _current, _ties, recommend_partners
from tests.test_ingest_tables import _firms, _write


@pytest.fixture
def tie_graph_in_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every request uses a tie graph of the store's change token, built in the request."""
    monkeypatch.setattr(tiegraph, "BACKGROUND", False)
    monkeypatch.setattr(tiegraph, "REBUILD_GAP_S", 0.0)
    monkeypatch.setattr(tiegraph, "REBUILD_FACTOR", 0.0)


def _supply(path: Path, names: list[str], ties: list[tuple[int, int]]) -> Path:
    return _write(path, [{"供应商": names[a], "采购方": names[b], "起始时间": "2020-01-01"}
                         for a, b in ties])


@pytest.mark.usefixtures("tie_graph_in_requests")
def test_recommend_sees_a_tie_moved_by_a_pruning_ingest(store: Store, tmp_path: Path) -> None:
    firms = _firms(6)
    ingest_table(store, _write(tmp_path / "firms.csv", firms), run_dir=tmp_path)
    names = [str(f["企业名称"]) for f in firms]
    ids = [str(f["id"]) for f in firms]
    # 0 supplies 4; 2 supplies 4 and 5; 3 supplies 5 and 4; 1 supplies 5
    before = [(0, 4), (2, 4), (2, 5), (3, 5), (1, 5), (3, 4)]
    sup = _supply(tmp_path / "supply.csv", names, before)
    assert ingest_table(store, sup, run_dir=tmp_path).created == len(before)

    def whom_1_could_supply() -> list[str]:
        assert _ties(store, _current(store)) is not None  # the tie graph answers
        got = recommend_partners(store, ids[1], "SUPPLIED_BY", top=10)
        return [r["id"] for r in got["results"]]

    assert ids[4] in whom_1_could_supply()  # a buyer its peers supply, not yet its own
    count = int(store.read("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"])
    # the tie 0 -> 4 becomes 1 -> 4: created, and the old one pruned
    after = [(1, 4) if t == (0, 4) else t for t in before]
    run = ingest_table(store, _supply(sup, names, after), run_dir=tmp_path, prune=True)
    assert run.pruned == 1
    assert int(store.read("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"]) == count
    # 4 is now 1's own buyer: never proposed to it
    assert ids[4] not in whom_1_could_supply()
