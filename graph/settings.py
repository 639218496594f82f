"""The one settings object of ronglian (environment prefix ``RONGLIAN_``).

Lives in ``graph/`` because every layer needs it and ``graph/`` imports no other
ronglian package. Read it through :func:`get_settings` so tests can override the
environment and clear the cache.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

from annotated_types import Ge, Gt, Le
from platformdirs import user_data_dir
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

from graph.errors import ConfigError

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
#: A CORS origin as a browser sends it: scheme and host (and port), no path, no slash.
_ORIGIN = re.compile(r"^https?://[^/\s]+$")


def default_store_url() -> str:
    return "embedded://" + str(Path(user_data_dir("ronglian")) / "store")


class Settings(BaseSettings):
    """Every knob of ronglian; each field is documented in README.md (a test checks)."""

    model_config = SettingsConfigDict(env_prefix="RONGLIAN_", extra="ignore")

    environment: Literal["development", "production", "test"] = Field(
        "development", description="Deployment mode; production refuses unsafe defaults."
    )
    store: str = Field(
        default_factory=default_store_url,
        description="Store URL: embedded:///path/to/dir, bolt://host:7687 or neo4j://host:7687.",
    )
    neo4j_user: str = Field("neo4j", description="Neo4j user name.")
    neo4j_password: SecretStr = Field(SecretStr(""), description="Neo4j password.")
    neo4j_database: str = Field("neo4j", description="Neo4j database name.")
    query_timeout_s: float = Field(30.0, gt=0, description="Time limit for one query, seconds.")
    batch_size: int = Field(5000, ge=1, description="Rows per UNWIND batch for bulk writes.")
    host: str = Field("127.0.0.1", description="HTTP API bind address.")
    port: int = Field(8000, ge=1, le=65535, description="HTTP API port.")
    anonymous_read: bool = Field(
        False, description="Allow read endpoints without an API key (the demo turns it on)."
    )
    # NoDecode: the value is split by _origins, so the comma-separated list users type
    # works as well as a JSON list
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Origins allowed by CORS: comma-separated "
        "(https://a.example,https://b.example) or a JSON list.",
    )
    log_level: LogLevel = Field("INFO", description="Log level (any case).")
    # HTTP API (api/): keys, limits, jobs.
    keys_path: Path = Field(
        default_factory=lambda: Path(user_data_dir("ronglian")) / "keys.sqlite3",
        description="SQLite file holding the hashed API keys (kept apart from the graph).",
    )
    rate_limit_per_minute: int = Field(
        600, ge=0, description="Requests per minute per API key (or per client IP when "
        "anonymous), per worker process; 0 turns rate limiting off.",
    )
    max_upload_mb: float = Field(
        50.0, gt=0, description="Largest request body accepted by the ingest upload endpoints, MB."
    )
    max_body_kb: int = Field(
        1024, ge=1, description="Largest request body accepted by every other endpoint, KB."
    )
    cypher_row_cap: int = Field(
        10000, ge=1, description="Most rows the researcher Cypher endpoint returns."
    )
    cypher_timeout_s: float = Field(
        10.0, gt=0, description="Time limit for one researcher Cypher query, seconds."
    )
    keepalive_requests: int = Field(
        25, ge=0, description="Requests one client connection may make before the API "
        "answers with Connection: close (0: no limit). The client reconnects, and with "
        "several workers the new connection goes to whichever accepts first, so a busy worker "
        "sheds connections (like nginx's keepalive_requests).",
    )
    threadpool_size: int = Field(
        40, ge=1, description="Worker threads per process for blocking store calls."
    )
    api_cache_entries: int = Field(
        20000, ge=0, description="Read answers (search, profiles, chains, gaps, paths, "
        "recommendations, chain maps) each API worker keeps in its LRU cache; 0 turns the "
        "cache off.",
    )
    api_cache_mb: float = Field(
        64.0, gt=0, description="Most memory each API worker's answer cache may hold, MB.",
    )
    api_cache_check_ms: int = Field(
        200, ge=0, description="How often, at most, an API worker asks the store whether the "
        "graph changed (ms): a write by another process shows in cached answers, and in the "
        "recommender's graph-wide tables, within this.",
    )
    recommend_supply_graph: bool = Field(
        True, description="Supply recommendations (SUPPLIES, SUPPLIED_BY) also use the "
        "cooperation model's graph-wide signals, the random walk and the industry affinity: "
        "better partners on held-out ties (ICKG-25 供给 Hits@10 0.199 -> 0.244 on six random "
        "cuts), at about 0.7 ms more CPU per request at 100k enterprises; false turns them off.",
    )
    job_dir: Path = Field(
        default_factory=lambda: Path(user_data_dir("ronglian")) / "jobs",
        description="Folder for ingest upload jobs: uploaded files, status, summaries, "
        "quarantine files.",
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                value = json.loads(text)  # a malformed list: ValueError, a one-line error
            else:
                value = [o.strip() for o in text.split(",") if o.strip()]
        if isinstance(value, list):
            bad = [o for o in value if not (isinstance(o, str) and (o == "*"
                                                                     or _ORIGIN.match(o)))]
            if bad:  # a path or trailing slash never equals the Origin a browser sends
                raise ValueError(f"not an origin: {bad[0]!r}")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.environment == "production" and "*" in self.cors_origins:
            raise ValueError("RONGLIAN_CORS_ORIGINS 在生产环境中不能包含 '*' "
                             "(RONGLIAN_CORS_ORIGINS may not contain '*' in production)")
        return self


def expected(name: str) -> tuple[str, str]:
    """What setting ``name`` accepts, in Chinese and English, read from its type and bounds
    (so the message of a bad value stays true when a bound changes)."""
    if name == "cors_origins":
        return ("以逗号分隔的来源（如 https://a.example,https://b.example）或 JSON 列表",
                "origins separated by commas (such as https://a.example,https://b.example) "
                "or a JSON list")
    field = Settings.model_fields[name]
    kind = field.annotation
    if get_origin(kind) is Literal:
        values = [str(v) for v in get_args(kind)]
        return f"{'、'.join(values)} 之一", f"one of {', '.join(values)}"
    if kind is bool:
        return "true 或 false", "true or false"
    low = next((m.ge for m in field.metadata if isinstance(m, Ge)), None)
    above = next((m.gt for m in field.metadata if isinstance(m, Gt)), None)
    high = next((m.le for m in field.metadata if isinstance(m, Le)), None)
    zh, en = ("整数", "an integer") if kind is int else ("数", "a number")
    if low is not None and high is not None:
        return f"{low} 到 {high} 之间的{zh}", f"{en} from {low} to {high}"
    if low is not None:
        return f"不小于 {low} 的{zh}", f"{en} of at least {low}"
    if above is not None:
        return f"大于 {above} 的{zh}", f"{en} greater than {above}"
    if kind in (int, float):
        return zh, en
    return "文本", "text"


def _describe(e: ValidationError) -> str:
    """One line for all the bad values in ``e``: the variable, the value, what it accepts."""
    parts = []
    for err in e.errors():
        if not err["loc"]:  # a rule across settings (_refuse_unsafe_production)
            parts.append(str(err["msg"]).removeprefix("Value error, "))
            continue
        name = str(err["loc"][0])
        var, value = f"RONGLIAN_{name.upper()}", _shown(err.get("input"))
        zh, en = expected(name) if name in Settings.model_fields else ("", "")
        gap = " " if zh[:1].isascii() else ""  # 应为 1 到 65535…, 应为以逗号分隔…
        parts.append(f"设置 {var} 的值 {value} 无效，应为{gap}{zh} (invalid {var} {value}: "
                     f"expected {en})")
    return "; ".join(parts)


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False,
                                                           default=str)
    return repr(text if len(text) <= 80 else text[:77] + "...")


def load_settings() -> Settings:
    """The settings of the environment; a bad value is a :class:`ConfigError` (E104) naming
    the variable, the value and what it accepts, in one line."""
    try:
        return Settings()
    except ValidationError as e:
        raise ConfigError(_describe(e), code="E104") from None
    except SettingsError as e:  # a source that cannot be read at all
        raise ConfigError(f"无法读取设置 (cannot read the settings): {e}", code="E104") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
