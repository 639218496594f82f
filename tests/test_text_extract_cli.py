"""``ronglian extract`` output format with the shipped model (the measured format)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from api.cli import app
from ingest.text.pipeline import MODEL_DIR


def test_text_extract_cli_jsonl_format(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    rows = [
        {"id": "n1", "text": "唐山瑞丰钢铁集团有限公司向河北冀东矿业有限公司采购铁精粉。"},
        {"id": "n2", "text": "唐山宏業鋼鐵有限公司與北京科技大學簽署戰略合作協議。"},
        {"id": "n3", "text": "   "},
    ]
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
                   encoding="utf-8")
    res = CliRunner().invoke(app, ["extract", str(src)])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.stdout.splitlines() if x.startswith("{")]
    assert [x["id"] for x in lines] == ["n1", "n2"]
    for doc in lines:
        assert set(doc) == {"id", "text", "entities", "relations"}
        for e in doc["entities"]:
            assert set(e) == {"start", "end", "label", "text", "linked_id"}
            assert doc["text"][e["start"]:e["end"]] == e["text"]
            assert e["label"] in {"ENTERPRISE", "ORG", "PRODUCT", "CAPABILITY", "REGION"}
            assert e["linked_id"] is None  # no store given
        for r in doc["relations"]:
            assert set(r) == {"head", "tail", "type", "confidence", "evidence"}
            assert 0 <= r["head"] < len(doc["entities"]) and 0 <= r["tail"] < len(doc["entities"])
            assert 0 < r["confidence"] <= 1
    n1 = lines[0]
    sup = [(n1["entities"][r["head"]]["text"], n1["entities"][r["tail"]]["text"])
           for r in n1["relations"] if r["type"] == "SUPPLIES"]
    assert ("河北冀东矿业有限公司", "唐山瑞丰钢铁集团有限公司") in sup
    n2 = lines[1]
    assert any(r["type"] == "COOPERATES_WITH" for r in n2["relations"])
    assert "empty=1" in res.stderr


def test_text_extract_cli_txt_and_rules_only(tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_bytes("唐山甲有限公司为唐山乙有限公司供货。\n".encode() + b"\xff\xfe\n")
    res = CliRunner().invoke(app, ["extract", "--rules-only", str(src)])
    assert res.exit_code == 0, res.output
    docs = [json.loads(x) for x in res.stdout.splitlines() if x.startswith("{")]
    assert len(docs) == 2
    assert docs[0]["relations"][0]["type"] == "SUPPLIES"
    assert "undecodable_lines=1" in res.stderr


def test_text_extract_model_is_shipped_and_small() -> None:
    size = sum(p.stat().st_size for p in MODEL_DIR.rglob("*") if p.is_file())
    assert (MODEL_DIR / "config.cfg").is_file()
    assert size < 50 * 1024 * 1024


def test_text_extract_cli_empty_file_says_there_was_nothing(tmp_path: Path) -> None:
    # an empty file printed a blank '输入统计 (input): ' line
    src = tmp_path / "empty.txt"
    src.write_bytes(b"")
    res = CliRunner().invoke(app, ["extract", "--rules-only", str(src)])
    assert res.exit_code == 0, res.output
    assert res.stdout == ""
    assert res.stderr.strip() == "输入统计 (input): 没有任何行或文档 (no lines, no documents)"
