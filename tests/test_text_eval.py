"""``ronglian eval ner`` / ``eval relations``: scoring mechanics and our relation set."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from api.cli import app
from ingest.text.eval import PRF, _rel_match, label_counts

SEEDS = Path(__file__).resolve().parents[1] / "seeds" / "text"


def test_text_eval_prf_math() -> None:
    p = PRF(tp=8, fp=2, fn=8)
    assert p.precision == 0.8 and p.recall == 0.5
    assert abs(p.f1 - 2 * 0.8 * 0.5 / 1.3) < 1e-9
    assert PRF().f1 == 0.0


def test_text_eval_relation_matching_rules() -> None:
    assert _rel_match(("甲有限公司", "乙公司", "SUPPLIES"), ("甲有限公司", "乙公司", "SUPPLIES"))
    assert not _rel_match(("乙公司", "甲有限公司", "SUPPLIES"),
                          ("甲有限公司", "乙公司", "SUPPLIES"))  # direction counts
    assert _rel_match(("乙公司", "甲有限公司", "COOPERATES_WITH"),
                      ("甲有限公司", "乙公司", "COOPERATES_WITH"))  # symmetric


def test_text_eval_relation_set_is_ours_and_large_enough() -> None:
    rows = [json.loads(x) for x in (SEEDS / "relations_test.jsonl").read_text(
        encoding="utf-8").splitlines() if x.strip()]
    assert len(rows) >= 150 and all(r.get("synthetic") is True for r in rows)
    counts = label_counts(SEEDS / "relations_test.jsonl")
    assert set(counts) == {"SUPPLIES", "COOPERATES_WITH", "INVESTS_IN", "CONTROLS", "PRODUCES"}
    for r in rows:
        for g in r["relations"]:
            assert g["head"] in r["text"] and g["tail"] in r["text"]


def test_text_eval_ner_cli_on_cluener_format(tmp_path: Path) -> None:
    text = "唐山瑞丰钢铁集团有限公司向河北冀东矿业有限公司采购铁精粉。"
    gold = {"text": text, "label": {
        "company": {"唐山瑞丰钢铁集团有限公司": [[0, 11]], "河北冀东矿业有限公司": [[13, 22]]}}}
    f = tmp_path / "gold.jsonl"
    f.write_text(json.dumps(gold, ensure_ascii=False) + "\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["eval", "ner", "--gold", str(f), "--json"])
    assert res.exit_code == 0, res.output
    scores = json.loads(res.stdout.strip().splitlines()[-1])
    assert scores["ENTERPRISE"]["gold"] == 2
    assert scores["ENTERPRISE"]["f1"] == 1.0


def test_text_eval_relations_cli_on_our_set() -> None:
    res = CliRunner().invoke(app, ["eval", "relations", "--json"])
    assert res.exit_code == 0, res.output
    scores = json.loads(res.stdout.strip().splitlines()[-1])
    # a regression floor well under the measured figures (see seeds/README.md)
    assert scores["ALL"]["precision"] >= 0.85 and scores["ALL"]["recall"] >= 0.8
    assert scores["ALL"]["gold"] >= 150


def test_text_eval_missing_gold_is_a_usage_error(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["eval", "ner", "--gold", str(tmp_path / "none.jsonl")])
    assert res.exit_code == 2
