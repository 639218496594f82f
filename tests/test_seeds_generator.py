"""The scale generator (seeds.generator.generate) and ``ronglian seeds`` commands."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from ingest.uscc import validate
from seeds.gen_vocab import SYLLABLES, trade_name
from seeds.generator import KINDS, GenConfig, enterprise_id, generate


def _digest(folder: Path) -> dict[str, str]:
    return {k: hashlib.sha256((folder / f"{k}.csv").read_bytes()).hexdigest() for k in KINDS}


def test_seeds_generator_deterministic_per_seed(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    sa = generate(GenConfig(1500, seed=7), a)
    generate(GenConfig(1500, seed=7), b)
    generate(GenConfig(1500, seed=8), c)
    assert _digest(a) == _digest(b)
    assert _digest(a)["enterprises"] != _digest(c)["enterprises"]
    assert sa.rows["enterprises"] == 1500
    assert 4.0 <= sa.relationships / 1500 <= 6.0


def test_seeds_generator_independent_of_hash_seed(tmp_path: Path) -> None:
    # Set/dict iteration over strings varies with PYTHONHASHSEED; output must not.
    code = ("import sys; from pathlib import Path; from seeds.generator import GenConfig, "
            "generate; generate(GenConfig(700, seed=2), Path(sys.argv[1]))")
    root = Path(__file__).resolve().parents[1]
    for hs in ("1", "4242"):
        subprocess.run([sys.executable, "-c", code, str(tmp_path / hs)], check=True, cwd=root,
                       env={**os.environ, "PYTHONHASHSEED": hs})
    assert _digest(tmp_path / "1") == _digest(tmp_path / "4242")


def test_seeds_generator_rows_counted_match_files(tmp_path: Path) -> None:
    stats = generate(GenConfig(1200, seed=3), tmp_path)
    for kind in KINDS:
        with open(tmp_path / f"{kind}.csv", encoding="utf-8", newline="") as f:
            assert sum(1 for _ in csv.reader(f)) - 1 == stats.rows[kind], kind


def test_seeds_generator_scale_rows_are_consistent(tmp_path: Path) -> None:
    # Beyond the gap-plan firms every row is drawn at random: check it still holds together.
    generate(GenConfig(3000, seed=11), tmp_path)
    with open(tmp_path / "enterprises.csv", encoding="utf-8", newline="") as f:
        ents = {r["id"]: r for r in csv.DictReader(f)}
    assert list(ents) == [enterprise_id(i) for i in range(3000)]
    assert len({e["name"] for e in ents.values()}) == 3000
    for e in list(ents.values())[::50]:
        res = validate(e["uscc"])
        assert res.valid and res.region_code == e["region_code"]
    for kind, cols in (("supply", ("supplier", "buyer")), ("relations", ("from", "to")),
                       ("needs", ("enterprise",)), ("capabilities", ("enterprise",))):
        with open(tmp_path / f"{kind}.csv", encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                assert all(r[c] in ents for c in cols), kind
                assert r["synthetic"] == "true"


@pytest.mark.parametrize("n", [1, 5, 60], ids=["one", "five", "fewer-than-gap-plan"])
def test_seeds_generator_tiny_runs(tmp_path: Path, n: int) -> None:
    stats = generate(GenConfig(n), tmp_path)
    assert stats.rows["enterprises"] == n


def test_seeds_generator_rejects_zero(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate(GenConfig(0), tmp_path)


def test_seeds_trade_names_never_repeat_across_blocks() -> None:
    n = len(SYLLABLES)
    two = {trade_name(i, 5) for i in range(n**2)}
    assert len(two) == n**2 and all(len(t) == 2 for t in two)
    three = [trade_name(n**2 + i, 5) for i in range(0, n**3, 7)]
    assert len(set(three)) == len(three) and all(len(t) == 3 for t in three)
    assert len(trade_name(n**2 + n**3, 5)) == 4


def test_seeds_cli_generate_json(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    res = CliRunner().invoke(app, ["seeds", "generate", "--enterprises", "400", "--out", str(out),
                                   "--seed", "5", "--json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert report["rows"]["enterprises"] == 400
    assert (out / "supply.csv").exists()


def test_seeds_cli_demo_to_folder(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["seeds", "demo", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "2,200" in res.stdout
    assert sorted(p.stem for p in tmp_path.glob("*.csv")) == sorted(KINDS)


def test_seeds_cli_generate_refuses_bad_count(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["seeds", "generate", "--enterprises", "0", "--out",
                                   str(tmp_path)])
    assert res.exit_code != 0


def test_seeds_cli_generate_unwritable_out_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    res = CliRunner().invoke(app, ["seeds", "generate", "-n", "10", "--out", str(blocker)])
    assert res.exit_code != 0
    assert "cannot write" in str(res.exception)
