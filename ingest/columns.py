"""Table kinds, their canonical columns, header aliases and kind detection.

Lives here: what ``ingest/README.md`` documents as the columns of each kind,
the Chinese/English header aliases, user mapping files and
:func:`detect_kind`. Must not live here: cell parsing (:mod:`ingest.values`)
or writing (:mod:`ingest.tables`).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from graph.errors import IngestError
from ingest import codes

#: Rows searched for the header: government spreadsheets often put a title (merged
#: cells), a date or a blank row above it.
HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class Kind:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("enterprises", ("name",),
         ("id", "uscc", "aliases", "short_name", "region_code", "region", "industry_code",
          "founded", "employees", "revenue", "total_assets", "tiers", "size_class",
          "description")),
    Kind("products", ("name",), ("id", "industry_code", "chain_id", "segment", "upstream")),
    Kind("enterprise_products", ("enterprise", "product"), ("role",)),
    Kind("capabilities", ("enterprise", "name"), ("id", "area", "level", "description")),
    Kind("needs", ("enterprise", "name"),
         ("id", "product", "area", "quantity", "deadline", "status")),
    Kind("resources", ("enterprise", "name"), ("id", "type", "description")),
    Kind("supply", ("supplier", "buyer"), ("product", "since", "share")),
    Kind("relations", ("from", "to", "type"), ("since", "share", "amount")),
    Kind("segments", ("chain_id", "chain_name", "segment", "product"),
         ("order", "upstream", "industry_code", "product_id")),
)}

#: Header aliases (folded: NFKC, lower case, no spaces) → canonical column.
#: ``@enterprise`` / ``@product`` / ``@item`` are placeholders resolved per kind: an
#: enterprise-name header is ``name`` in an enterprises table and ``enterprise``
#: in a capabilities table.
ALIASES: dict[str, str] = {
    # enterprise names
    "企业名称": "@enterprise", "企业": "@enterprise", "公司名称": "@enterprise",
    "单位名称": "@enterprise", "公司": "@enterprise", "企业全称": "@enterprise",
    "市场主体名称": "@enterprise", "enterprise": "@enterprise", "company": "@enterprise",
    "enterprise_name": "@enterprise", "company_name": "@enterprise",
    # product names
    "产品名称": "@product", "产品": "@product", "主要产品": "@product", "product": "@product",
    "product_name": "@product", "产品节点": "@product",
    # generic names
    "名称": "name", "name": "name", "能力名称": "name", "能力": "name", "需求名称": "name",
    "需求": "name", "资源名称": "name", "资源": "name", "设备名称": "name",
    "编号": "id", "id": "id", "标识": "id",
    "统一社会信用代码": "uscc", "信用代码": "uscc", "社会信用代码": "uscc", "uscc": "uscc",
    "credit_code": "uscc",
    "别名": "aliases", "曾用名": "aliases", "aliases": "aliases", "alias": "aliases",
    "简称": "short_name", "企业简称": "short_name", "short_name": "short_name",
    "所在地区": "region", "地区": "region", "所在地": "region", "注册地": "region",
    "区县": "region", "住所": "region", "region": "region",
    "地区代码": "region_code", "行政区划代码": "region_code", "区划代码": "region_code",
    "region_code": "region_code",
    "所属行业": "industry_code", "行业代码": "industry_code", "行业": "industry_code",
    "国民经济行业代码": "industry_code", "industry_code": "industry_code",
    "industry": "industry_code",
    "成立日期": "founded", "成立时间": "founded", "注册日期": "founded", "founded": "founded",
    "从业人员": "employees", "从业人数": "employees", "员工人数": "employees",
    "职工人数": "employees", "employees": "employees",
    "营业收入": "revenue", "营收": "revenue", "主营业务收入": "revenue", "revenue": "revenue",
    "资产总额": "total_assets", "总资产": "total_assets", "total_assets": "total_assets",
    "企业标签": "tiers", "企业类型": "tiers", "梯度": "tiers", "称号": "tiers", "tiers": "tiers",
    "企业规模": "size_class", "规模": "size_class", "划型": "size_class",
    "size_class": "size_class",
    "简介": "description", "描述": "description", "说明": "description",
    "description": "description",
    "产业链编号": "chain_id", "产业链id": "chain_id", "chain_id": "chain_id",
    "产业链": "chain_name", "产业链名称": "chain_name", "chain_name": "chain_name",
    "环节": "segment", "链条环节": "segment", "segment": "segment",
    "上游": "upstream", "上游产品": "upstream", "upstream": "upstream",
    "产品编号": "product_id", "product_id": "product_id",
    "角色": "role", "role": "role",
    "领域": "area", "协作领域": "area", "area": "area",
    "水平": "level", "等级": "level", "level": "level",
    "数量": "quantity", "quantity": "quantity",
    "截止日期": "deadline", "期限": "deadline", "deadline": "deadline",
    "状态": "status", "status": "status",
    "类型": "type", "资源类型": "type", "关系类型": "type", "type": "type",
    "供应商": "supplier", "供方": "supplier", "供货方": "supplier", "supplier": "supplier",
    "采购方": "buyer", "需方": "buyer", "客户": "buyer", "买方": "buyer", "buyer": "buyer",
    "起始时间": "since", "开始时间": "since", "合作时间": "since", "since": "since",
    "份额": "share", "占比": "share", "持股比例": "share", "share": "share",
    "金额": "amount", "投资金额": "amount", "amount": "amount",
    "主体": "from", "源企业": "from", "from": "from", "客体": "to", "目标企业": "to", "to": "to",
    "顺序": "order", "order": "order",
}

_PLACEHOLDER_BY_KIND: dict[str, dict[str, str]] = {
    "enterprises": {"@enterprise": "name", "@product": "-"},
    "products": {"@product": "name", "@enterprise": "-"},
    "segments": {"@product": "product", "@enterprise": "-"},
}
_PLACEHOLDER_DEFAULT = {"@enterprise": "enterprise", "@product": "product"}


def fold_header(h: object) -> str:
    s = unicodedata.normalize("NFKC", str(h)).strip().lower()
    for ch in " \t\u3000*：:()（）[]":
        s = s.replace(ch, "")
    return s


def load_mapping(path: Path | None) -> dict[str, str]:
    """A user mapping file ``{"source header": "canonical column"}`` (JSON)."""
    if path is None:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise IngestError(f"映射文件无法读取 {path}: {e} (cannot read mapping)",
                          code=codes.E204_BAD_MAPPING) from e
    if not isinstance(data, dict):
        raise IngestError(f"映射文件应为 JSON 对象 {path} (mapping must be a JSON object)",
                          code=codes.E204_BAD_MAPPING)
    cols = data.get("columns", data)
    if not isinstance(cols, dict):
        raise IngestError(f"映射文件 columns 应为对象 {path}", code=codes.E204_BAD_MAPPING)
    known = {c for k in KINDS.values() for c in k.columns}
    out: dict[str, str] = {}
    for src, dst in cols.items():
        if not isinstance(dst, str) or (dst not in known and dst not in {"-", ""}):
            raise IngestError(f"映射到未知的列 {dst!r} (unknown canonical column)",
                              code=codes.E204_BAD_MAPPING)
        out[fold_header(src)] = dst or "-"
    return out


def column_sources(headers: Iterable[object], kind: str,
                   mapping: Mapping[str, str] | None = None) -> dict[str, list[str]]:
    """Canonical column of ``kind`` → the source headers naming it, in order: a header
    that repeats an alias (``name`` beside 企业名称) is a second source of the column."""
    places = {**_PLACEHOLDER_DEFAULT, **_PLACEHOLDER_BY_KIND.get(kind, {})}
    out: dict[str, list[str]] = {}
    for h in headers:
        f = fold_header(h)
        canon = (mapping or {}).get(f) or ALIASES.get(f) or "-"
        canon = places.get(canon, canon)
        if canon in KINDS[kind].columns:
            out.setdefault(canon, []).append(str(h))
    return out


def map_headers(headers: Iterable[object], kind: str,
                mapping: Mapping[str, str] | None = None) -> dict[str, str]:
    """Source header → canonical column for ``kind`` (unknown headers map to ``-``, as do
    further sources of a column already named: see :func:`column_sources`)."""
    headers = list(headers)
    first = {srcs[0]: canon for canon, srcs in column_sources(headers, kind, mapping).items()}
    return {str(h): first.get(str(h), "-") for h in headers}


def detect_kind(headers: list[object], mapping: Mapping[str, str] | None = None) -> str:
    """The kind whose required columns are all present and that explains most headers."""
    best: tuple[int, int, str] | None = None
    for name, kind in KINDS.items():
        sources = column_sources(headers, name, mapping)
        if not set(kind.required) <= set(sources):
            continue
        # headers explained: two headers of one column (企业名称 and name) both count
        key = (sum(map(len, sources.values())), len(kind.required), name)
        if best is None or key[:2] > best[:2]:
            best = key
    if best is None:
        raise IngestError(
            f"无法从表头识别表格类型：{[str(h) for h in headers][:12]}；前 {HEADER_SEARCH_ROWS} "
            "行中没有一行含任一类表格的全部必需列（如企业名称）。请检查表头的列名，或用 --mapping "
            f"映射列名、用 --kind 指定类型（{', '.join(KINDS)}） (cannot detect the table kind: "
            f"no row among the first {HEADER_SEARCH_ROWS} names every required column of a "
            "kind; check the headers, or map them and give the kind)",
            code=codes.E202_UNKNOWN_KIND)
    return best[2]
