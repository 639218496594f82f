"""The ``ronglian ingest`` and ``ronglian review`` commands end to end (embedded store)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from graph.errors import IngestError, InvalidInput
from ingest import review
from ingest.demo import SEEDS


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"embedded://{tmp_path / 'store'}"


def test_ingest_cli_tables_chain_and_review(url: str, tmp_path: Path) -> None:
    run = CliRunner()
    r = run.invoke(app, ["ingest", "tables", str(SEEDS / "examples" / "enterprises.csv"),
                         str(SEEDS / "examples" / "supply.csv"), "--store", url,
                         "--run-dir", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert "enterprises.csv" in r.output and "created" in r.output
    r = run.invoke(app, ["ingest", "chain", str(SEEDS / "chains" / "ts-steel.json"),
                         "--store", url, "--run-dir", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert r.output.strip().splitlines()[-1] == "ts-steel"
    r = run.invoke(app, ["review", "list", "--json", "--store", url])
    assert r.exit_code == 0 and r.output.strip() == "[]"


def test_ingest_cli_chain_files_linking_each_other_load_completely(url: str,
                                                                  tmp_path: Path) -> None:
    """Chain files given together may link into each other in a cycle (ts-steel and
    ts-chem): those upstream ids are not quarantined as unknown, and a file whose links
    waited for a later file is loaded once more, so every link between them is written
    (ts-steel's link from ts-chem.industrial-gases was skipped without a second pass)."""
    steel, chem = SEEDS / "chains" / "ts-steel.json", SEEDS / "chains" / "ts-chem.json"
    r = CliRunner().invoke(app, ["ingest", "chain", str(steel), str(chem), "--store", url,
                                 "--run-dir", str(tmp_path)])
    assert r.exit_code == 0, r.output
    # only the links into chains not given (ts-newmat, ts-building, …) are unknown
    reasons = [line for q in tmp_path.glob("*.quarantine.csv")
               for line in q.read_text(encoding="utf-8-sig").splitlines()[1:]]
    assert reasons and all(",E218," in x for x in reasons)
    assert not [x for x in reasons if "'ts-chem." in x or "'ts-steel." in x]
    assert r.output.strip().splitlines()[-3:] == ["ts-steel", "ts-chem", "ts-steel"]
    from graph.store import open_store

    s = open_store(url)
    try:
        n = s.read("MATCH (:Product {id: 'ts-chem.industrial-gases'})-[u:UPSTREAM_OF]->"
                   "(:Product {id: 'ts-steel.crude-steel'}) RETURN count(u) AS n")[0]["n"]
    finally:
        s.close()
    assert n == 1


def test_ingest_cli_unreadable_file_raises_one_error(url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x00\x01\x02binary")
    r = CliRunner().invoke(app, ["ingest", "tables", str(bad), "--store", url])
    assert r.exit_code != 0
    assert isinstance(r.exception, IngestError) and r.exception.code == "E201"


@pytest.mark.parametrize("command", [
    pytest.param(["tables", str(SEEDS / "examples" / "enterprises.csv")], id="tables"),
    pytest.param(["chain", str(SEEDS / "chains" / "ts-steel.json")], id="chain"),
    pytest.param(["triples", str(SEEDS / "examples" / "enterprises.csv"), "--mapping", "m.json"],
                 id="triples"),
])
def test_ingest_cli_unusable_run_dir_fails_before_loading(url: str, tmp_path: Path,
                                                          command: list[str]) -> None:
    # a file given as --run-dir failed with a FileExistsError traceback at the first
    # quarantined row, after the batches before it were written
    blocker = tmp_path / "runs"
    blocker.write_text("not a folder", encoding="utf-8")
    r = CliRunner().invoke(app, ["ingest", *command, "--store", url, "--run-dir", str(blocker)])
    assert isinstance(r.exception, InvalidInput) and r.exception.context["field"] == "run_dir"
    assert str(r.exception).startswith(f"E400: 无法写入 {blocker}：")
    assert not (tmp_path / "store").exists()  # refused before the store was opened


def test_review_list_bad_status_lists_the_values() -> None:
    # it printed "status 应为 ('pending', 'confirmed', 'rejected') 之一", a Python tuple
    with pytest.raises(InvalidInput) as e:
        review.list_candidates(None, "bogus")  # type: ignore[arg-type]  # refused before a read
    assert e.value.message == ("status 应为 pending、confirmed、rejected 之一 "
                               "(status must be one of pending, confirmed, rejected)")


def test_review_confirm_open_end_names_the_option(url: str, tmp_path: Path) -> None:
    # the command's user is told the option, --choice (the API names its field, choice)
    from graph.store import open_store
    from ingest.job import Job

    with open_store(url) as s:
        job = Job(s, "open-end.jsonl", "test", run_dir=tmp_path / "runs")
        job.node("Enterprise", "E1", {"name": "唐山甲钢铁有限公司"})
        cid = job.candidate("relation", {"rel": "SUPPLIES", "start": "E1", "end": None},
                            confidence=0.5, reason="end not linked")
        job.finish()
    r = CliRunner().invoke(app, ["review", "confirm", cid, "--store", url])
    assert isinstance(r.exception, InvalidInput)
    assert r.exception.message == ("候选关系缺少端点，请用 --choice 给出该端点的 id "
                                   "(relation end missing: give its id as --choice)")
