"""Bad input for the text pipeline: empty lines, bad bytes, long documents, scripts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.errors import IngestError
from ingest.text.inputs import (
    MAX_SENTENCE,
    InputReport,
    read_documents,
    split_sentences,
    to_simplified_same_length,
)


def test_text_inputs_jsonl_counts_empty_bad_json_and_bytes(tmp_path: Path) -> None:
    f = tmp_path / "docs.jsonl"
    f.write_bytes(
        json.dumps({"id": "a", "text": "唐山甲有限公司向唐山乙有限公司采购钢材。"},
                   ensure_ascii=False).encode() + b"\n"
        + b"\n   \n"
        + b"{not json}\n"
        + b'{"id": "b", "text": "\xff\xfe\xe5\x94\x90\xe5\xb1\xb1 bad bytes"}\n'
        + json.dumps({"id": "c", "nottext": 1}).encode() + b"\n"
        + json.dumps({"id": "d", "text": ""}).encode() + b"\n"
    )
    report = InputReport()
    docs = list(read_documents(f, report))
    assert [d.id for d in docs] == ["a", "b"]
    assert report.empty == 3  # two blank lines and one empty text
    assert report.bad_json == 2
    assert report.undecodable_lines == 1
    assert "\ufffd" in docs[1].text and "唐山" in docs[1].text


def test_text_inputs_txt_one_document_per_line(tmp_path: Path) -> None:
    f = tmp_path / "docs.txt"
    f.write_text("第一篇。\n\n第二篇\x00含控制字符。\n", encoding="utf-8")
    report = InputReport()
    docs = list(read_documents(f, report))
    assert [d.text for d in docs] == ["第一篇。", "第二篇含控制字符。"]
    assert docs[0].id.endswith("-1") and docs[1].id.endswith("-3")
    assert report.control_chars_removed == 1 and report.empty == 1


def test_text_inputs_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IngestError) as e:
        list(read_documents(tmp_path / "nope.jsonl"))
    assert e.value.code == "E210"
    assert str(e.value) == f"E210: 输入文件不存在 {tmp_path / 'nope.jsonl'} (no such input file)"


def test_text_inputs_folder_is_not_called_missing(tmp_path: Path) -> None:
    # the audit's 'ronglian extract /some/directory': 'error: E210: E210 input file not
    # found', the code twice and the path, which exists, called missing
    with pytest.raises(IngestError) as e:
        list(read_documents(tmp_path))
    assert str(e.value) == f"E210: {tmp_path} 是文件夹，不是输入文件 (a folder, not an input file)"


def test_text_inputs_long_document_is_split_not_dropped() -> None:
    text = "唐山甲有限公司生产钢材，" * 100 + "结尾" + "无标点" * 200
    report = InputReport()
    sents = split_sentences(text, report)
    assert all(s.end - s.start <= MAX_SENTENCE for s in sents)
    assert report.pieces_cut > 0
    # every non-space character is covered exactly once, in order
    covered = "".join(text[s.start:s.end] for s in sents)
    assert covered == text


def test_text_inputs_traditional_keeps_offsets() -> None:
    text = "唐山宏業鋼鐵有限公司與北京科技大學簽署戰略合作協議。"
    report = InputReport()
    sents = split_sentences(text, report)
    assert report.traditional_converted == 1
    assert sents[0].text.startswith("唐山宏业钢铁有限公司与北京科技大学")
    assert len(sents[0].text) == sents[0].end - sents[0].start
    assert to_simplified_same_length("乾隆後來") .__len__() == 4


def test_text_inputs_mixed_script_counted(tmp_path: Path) -> None:
    f = tmp_path / "m.txt"
    f.write_text("Tangshan Steel Co.的子公司向客户供货。\nplain english only\n", encoding="utf-8")
    report = InputReport()
    docs = list(read_documents(f, report))
    assert len(docs) == 2 and report.mixed_script == 1


def test_text_inputs_gbk_line_is_decoded(tmp_path: Path) -> None:
    f = tmp_path / "gbk.txt"
    f.write_bytes("唐山甲有限公司向唐山乙有限公司采购焦炭。\n".encode("gbk")
                  + "第二行是UTF-8。\n".encode())
    report = InputReport()
    docs = list(read_documents(f, report))
    assert docs[0].text == "唐山甲有限公司向唐山乙有限公司采购焦炭。"
    assert report.gb18030_lines == 1 and report.undecodable_lines == 0
