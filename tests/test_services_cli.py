"""``ronglian services …`` on an embedded store in a temporary folder: create (idempotent),
advance, offer, decide, feedback, show, list, kpis, demo; mistakes end in one line."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from api.cli import app, main
from graph.store import Store, open_store
from tests.queries_sample import build_sample


class _Kept:
    """The module's open store, handed to each command; closing it is a no-op, so the
    commands do not start a FalkorDB server each (seconds apiece)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __enter__(self) -> Store:
        return self.store

    def __exit__(self, *exc: object) -> None:
        pass


@pytest.fixture(scope="module")
def opened(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Store]]:
    url = f"embedded://{tmp_path_factory.mktemp('services-cli') / 'store'}"
    s = open_store(url)
    s.apply_schema()
    build_sample(s)
    yield url, s
    s.close()


@pytest.fixture
def store_url(opened: tuple[str, Store], monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr("api.commands._common.open_store", lambda create: _Kept(opened[1]))
    return opened[0]


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_services_cli_walkthrough(store_url: str) -> None:
    s = ("--store", store_url)
    created = json.loads(run("services", "create", "--enterprise", "唐钢", "--area", "物资采购",
                             "--title", "采购船用钢板", "--about", "N2", "--id", "cli-1",
                             "--at", "2026-04-01T08:00:00Z", "--json", *s))
    assert created["status"] == "submitted" and created["enterprise"]["id"] == "E1"
    assert "已存在" in run("services", "create", "--enterprise", "E1", "--area", "物资采购",
                        "--title", "采购船用钢板", "--about", "N2", "--id", "cli-1", *s)
    r = json.loads(run("services", "advance", "cli-1", "--to", "matching", "--recommend",
                       "--at", "2026-04-01T09:00:00Z", "--json", *s))
    assert r["matches"][0]["partner"] == "E5"
    run("services", "offer", "cli-1", "--partner", "E6", "--at", "2026-04-01T10:00:00Z", *s)
    run("services", "decide", "cli-1", "--partner", "E6", "--accept",
        "--at", "2026-04-01T11:00:00Z", *s)
    run("services", "advance", "cli-1", "--to", "matched", "--at", "2026-04-01T12:00:00Z", *s)
    for step, at in (("in_progress", "2026-04-02"), ("completed", "2026-04-09")):
        run("services", "advance", "cli-1", "--to", step, "--at", at, *s)
    shown = run("services", "feedback", "cli-1", "--satisfaction", "4", "--feedback", "满意",
                "--at", "2026-04-10", *s)
    assert "已评价" in shown and "满意度" in shown
    table = run("services", "list", *s)
    assert "cli-1" in table and "已评价" in table
    k = json.loads(run("services", "kpis", "--json", *s))
    assert k["total"] == 1 and k["response_hours"]["mean"] == 4.0
    assert k["rongtong"] == {"matched": 1, "sme_with_leading": 1, "share": 1.0}
    text = run("services", "kpis", *s)
    assert "对接率" in text and "2026-04" in text


def test_services_cli_demo_and_errors(store_url: str, opened: tuple[str, Store],
                                      capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    assert "demo requests: 8 (8 new)" in run("services", "demo", "--n", "8",
                                             "--store", store_url)
    assert "(0 new)" in run("services", "demo", "--n", "8", "--store", store_url)
    page = json.loads(run("services", "list", "--limit", "3", "--json", "--store", store_url))
    assert len(page["items"]) == 3 and page["next_cursor"]
    # the real path (opening the store from the URL) once, ending in a one-line error
    monkeypatch.undo()
    opened[1].close()  # one server per folder: let the command start its own
    monkeypatch.setattr("sys.argv", ["ronglian", "services", "advance", "demo-sr-001", "--to",
                                     "submitted", "--store", store_url])
    with pytest.raises(SystemExit) as e:
        main()
    assert e.value.code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: E400") and "not allowed" in err[0]


def test_services_cli_kpis_reversed_period(store_url: str) -> None:
    from graph.errors import InvalidInput

    r = CliRunner().invoke(app, ["services", "kpis", "--since", "2025-02-01", "--until",
                                 "2025-01-01", "--store", store_url])
    assert isinstance(r.exception, InvalidInput) and r.exception.field == "since"
    assert "since (2025-02-01) must come before until (2025-01-01)" in r.exception.message
