"""The one error root of ronglian and its short subclasses.

Every error carries a stable code (``E1xx`` store, ``E2xx`` ingest, ``E3xx``
queries, ``E4xx`` API/tools) so a log line or a quarantined row can be searched,
and an HTTP status so the API can answer it as RFC 9457 problem+json without a
lookup table. Nothing here may import another ronglian package.
"""

from __future__ import annotations

from typing import Any


class RonglianError(Exception):
    """Root of every error ronglian raises on purpose."""

    code: str = "E000"
    status: int = 500
    title_zh: str = "内部错误"
    title_en: str = "Internal error"

    def __init__(self, message: str, *, code: str | None = None, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.context = context

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class ConfigError(RonglianError):
    code = "E100"
    status = 500
    title_zh = "配置错误"
    title_en = "Configuration error"


class StoreError(RonglianError):
    """A database call failed; wraps the driver's exception (``raise ... from e``)."""

    code = "E110"
    status = 503
    title_zh = "图数据库错误"
    title_en = "Graph store error"


class StoreUnavailable(StoreError):
    code = "E111"
    title_zh = "图数据库不可用"
    title_en = "Graph store unavailable"


class StoreClosed(StoreUnavailable):
    """A call on a store whose close has begun: its owner closed it on purpose, so a
    background build still reading it stops there quietly."""

    code = "E111"


class StoreAuthError(StoreError):
    code = "E112"
    title_zh = "图数据库认证失败"
    title_en = "Graph store authentication failed"


class StoreDataDirError(StoreError):
    code = "E113"
    title_zh = "数据目录不可用"
    title_en = "Data directory unusable"


class ReadOnlyViolation(StoreError):
    """A write was attempted where only reads are allowed."""

    code = "E114"
    status = 403
    title_zh = "只读查询中不允许写入"
    title_en = "Write refused in a read-only query"


class QueryTimeout(StoreError):
    code = "E115"
    status = 408
    title_zh = "查询超时"
    title_en = "Query timed out"


class CypherSyntaxError(StoreError):
    code = "E116"
    status = 400
    title_zh = "Cypher 语法错误"
    title_en = "Cypher syntax error"


class SchemaError(RonglianError):
    """A label or relationship type outside the schema's allow-list."""

    code = "E120"
    status = 400
    title_zh = "模式错误"
    title_en = "Schema error"


class QueryNotFound(RonglianError):
    code = "E300"
    status = 500
    title_zh = "查询文件不存在"
    title_en = "Query file not found"


class NotFound(RonglianError):
    code = "E404"
    status = 404
    title_zh = "未找到"
    title_en = "Not found"


class InvalidInput(RonglianError):
    code = "E400"
    status = 422
    title_zh = "参数无效"
    title_en = "Invalid input"

    def __init__(self, message: str, *, field: str | None = None, **context: Any) -> None:
        super().__init__(message, field=field, **context)
        self.field = field


class IngestError(RonglianError):
    """A whole source could not be read (as opposed to a bad row, which is quarantined)."""

    code = "E200"
    status = 422
    title_zh = "导入失败"
    title_en = "Ingest failed"
