"""``ronglian map`` writes a standalone, offline chain map from a real embedded store."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from graph.store import open_store
from tests.cli_support import ronglian
from tests.queries_sample import build_sample


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """An embedded store holding the sample graph, closed again so the CLI opens it itself."""
    url = f"embedded://{tmp_path_factory.mktemp('mapcli') / 'store'}"
    with open_store(url) as s:
        s.apply_schema()
        build_sample(s)
    return url


def test_viz_cli_map_writes_standalone_html(url: str, tmp_path: Path) -> None:
    out = tmp_path / "maps" / "steel.html"
    r = CliRunner().invoke(app, ["map", "--chain", "steel", "--lang", "en", "--out", str(out),
                                 "--store", url])
    assert r.exit_code == 0, r.output
    # --lang en: the summary too (it was Chinese whatever the language)
    assert f"{out}: 8 enterprises, 6 product nodes, " in r.output and "家企业" not in r.output
    html = out.read_text(encoding="utf-8")
    assert "<script src=" not in html and "<link rel=\"stylesheet\"" not in html
    cfg = json.loads(re.search(r'id="map-config">(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    assert cfg["lang"] == "en" and cfg["apiBase"] is None
    assert len(cfg["payload"]["nodes"]) == 14


def test_viz_cli_map_unknown_chain_fails_without_writing(url: str, tmp_path: Path) -> None:
    r = CliRunner().invoke(app, ["map", "--chain", "nope", "--out", str(tmp_path / "x.html"),
                                 "--store", url])
    assert r.exit_code != 0
    assert not (tmp_path / "x.html").exists()


@pytest.mark.parametrize("where", [pytest.param("folder", id="out-is-a-folder"),
                                   pytest.param("under-a-file", id="parent-is-a-file")])
def test_viz_cli_map_unwritable_out_is_one_error_line(url: str, tmp_path: Path,
                                                      where: str) -> None:
    # the audit's 'ronglian map ... --out /tmp/some-existing-directory': a Typer/pathlib
    # traceback ending in IsADirectoryError
    (tmp_path / "file").write_text("x", encoding="utf-8")
    out = tmp_path if where == "folder" else tmp_path / "file" / "steel.html"
    r = ronglian("map", "--chain", "steel", "--out", str(out), "--store", url)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    assert r.stderr.startswith(f"error: E400: 无法写入 {out}：")
    assert len(r.stderr.strip().splitlines()) == 1
