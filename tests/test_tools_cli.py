"""CLI tools: ``ronglian classify`` and ``ronglian uscc``."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from api.cli import app
from ingest.uscc import make_uscc

runner = CliRunner()


def test_tools_cli_classify_issue_example() -> None:
    r = runner.invoke(app, ["classify", "--industry", "3130", "--employees", "320",
                            "--revenue", "25000"])
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[0] == "中型 (medium)"
    assert "工业：从业人员≥300 且 营业收入≥2000万元 → 中型" in r.output


def test_tools_cli_classify_json() -> None:
    r = runner.invoke(app, ["classify", "--industry", "E4811", "--revenue", "100",
                            "--assets", "100", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["size_class"] == "微型"
    assert data["sector"] == "建筑业"


def test_tools_cli_classify_undetermined_says_why() -> None:
    r = runner.invoke(app, ["classify", "--industry", "3130", "--employees", "320"])
    assert r.exit_code == 0
    assert "未划型" in r.output and "营业收入" in r.output


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["--industry", "9999", "--employees", "1"], id="unknown-code"),
        pytest.param(["--industry", "3130", "--employees", "-5"], id="negative"),
        pytest.param(["--industry", "abc"], id="malformed"),
    ],
)
def test_tools_cli_classify_user_mistake_is_one_line(args: list[str]) -> None:
    r = runner.invoke(app, ["classify", *args])
    assert r.exit_code == 1
    assert r.exception is None or isinstance(r.exception, SystemExit)
    err = r.stderr.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: E400")
    assert "Traceback" not in r.output


def test_tools_cli_uscc_valid() -> None:
    code = make_uscc("130209", 77)
    r = runner.invoke(app, ["uscc", code])
    assert r.exit_code == 0, r.output
    assert r.output.startswith("有效 valid")
    assert "河北省唐山市曹妃甸区" in r.output


def test_tools_cli_uscc_invalid_exits_1() -> None:
    r = runner.invoke(app, ["uscc", "91350100M000100Y44"])
    assert r.exit_code == 1
    assert "校验码不符" in r.output


def test_tools_cli_uscc_json() -> None:
    r = runner.invoke(app, ["uscc", "91350100M000100Y43", "--json"])
    assert r.exit_code == 0
    data = json.loads(r.output)
    assert data["valid"] is True and data["region_name"] == "福建省福州市"
