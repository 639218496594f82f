"""Coded reasons of ingest (``E2xx``), searchable in logs and quarantine files.

Lives here: the code table only. Whole-source failures raise
:class:`graph.errors.IngestError` with one of the ``E20x`` codes; a bad row is
quarantined with one of the ``E21x``/``E22x`` codes and the others load.
"""

from __future__ import annotations

# Whole source (raise IngestError)
E201_UNREADABLE = "E201"  # not a table, wrong encoding, missing file
E202_UNKNOWN_KIND = "E202"  # kind not given and not detectable from the headers
E203_MISSING_COLUMN = "E203"  # a required column of the kind is absent
E204_BAD_MAPPING = "E204"  # mapping file unreadable or maps to unknown columns
E205_BAD_CHAIN = "E205"  # chain definition not in a known layout
E206_BAD_TRIPLES = "E206"  # triples file or id maps unusable

# One row (quarantined)
E210_REQUIRED = "E210"  # a required value is empty
E211_USCC = "E211"  # USCC fails GB 32100-2015 (length, characters, check digit)
E212_REGION = "E212"  # unknown or ambiguous region
E213_INDUSTRY = "E213"  # unknown GB/T 4754-2017 code
E214_NUMBER = "E214"  # not a number (or a negative count/amount)
E215_DATE = "E215"  # not a date
E216_RANGE = "E216"  # out of range (share not in 0–1)
E217_ENUM = "E217"  # not one of the allowed values
E218_UNKNOWN_REF = "E218"  # reference to an entity that does not exist
E219_AMBIGUOUS_REF = "E219"  # reference matches several entities (sent to review)
E220_USCC_CONFLICT = "E220"  # the row's USCC belongs to another id
E221_DUPLICATE = "E221"  # the same record twice in one source with different content
E222_UNDECODABLE = "E222"  # bytes in the row that the file's encoding cannot decode
E223_SELF_TIE = "E223"  # a tie between two enterprises whose two ends are one enterprise
E224_MALFORMED = "E224"  # the row itself cannot be read (wrong number of fields, not JSON)

MESSAGES: dict[str, str] = {
    E201_UNREADABLE: "文件无法读取 (unreadable source)",
    E202_UNKNOWN_KIND: "无法识别表格类型 (unknown table kind)",
    E203_MISSING_COLUMN: "缺少必需的列 (required column missing)",
    E204_BAD_MAPPING: "映射文件无效 (bad mapping file)",
    E205_BAD_CHAIN: "产业链定义格式无效 (bad chain definition)",
    E206_BAD_TRIPLES: "三元组文件无效 (bad triples file)",
    E210_REQUIRED: "必填字段为空 (required value missing)",
    E211_USCC: "统一社会信用代码无效 (invalid USCC)",
    E212_REGION: "地区无法识别 (unknown region)",
    E213_INDUSTRY: "行业代码无效 (unknown industry code)",
    E214_NUMBER: "数值无效 (not a number)",
    E215_DATE: "日期无效 (not a date)",
    E216_RANGE: "数值超出范围 (out of range)",
    E217_ENUM: "取值不在允许范围内 (value not allowed)",
    E218_UNKNOWN_REF: "引用的实体不存在 (unknown reference)",
    E219_AMBIGUOUS_REF: "引用的实体有歧义，已送审核 (ambiguous reference, sent to review)",
    E220_USCC_CONFLICT: "统一社会信用代码属于另一个企业 (USCC belongs to another id)",
    E221_DUPLICATE: "同一来源中重复且内容不同 (conflicting duplicate)",
    E222_UNDECODABLE: "该行含有无法解码的字节 (undecodable bytes in the row)",
    E223_SELF_TIE: "关系两端是同一企业 (both ends are the same enterprise)",
    E224_MALFORMED: "该行格式错误，无法读取 (malformed row)",
}
