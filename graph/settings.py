"""The one settings object of ronglian (environment prefix ``RONGLIAN_``).

Lives in ``graph/`` because every layer needs it and ``graph/`` imports no other
ronglian package. Read it through :func:`get_settings` so tests can override the
environment and clear the cache.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    query_timeout_s: float = Field(30.0, description="Time limit for one query, seconds.")
    batch_size: int = Field(5000, ge=1, description="Rows per UNWIND batch for bulk writes.")
    host: str = Field("127.0.0.1", description="HTTP API bind address.")
    port: int = Field(8000, ge=1, le=65535, description="HTTP API port.")
    anonymous_read: bool = Field(
        False, description="Allow read endpoints without an API key (the demo turns it on)."
    )
    cors_origins: list[str] = Field(
        default_factory=list, description="Origins allowed by CORS (JSON list)."
    )
    log_level: str = Field("INFO", description="Log level.")
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

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.environment == "production" and "*" in self.cors_origins:
            raise ValueError("RONGLIAN_CORS_ORIGINS may not contain '*' in production")
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
