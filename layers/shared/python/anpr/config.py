"""Configuration, validated once per container from the function's environment.

Env var names follow infra/spec.py's rule (``ANPR_TABLE_READS``...), so the CDK factory and
the local runtime set exactly what these models read. Logic receives these objects, never
``os.environ``.
"""

from __future__ import annotations

from functools import cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class BaseConfig(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ANPR_", extra="ignore", frozen=True)

    stage: str = "dev"
    #: legal window for reads, days (stage config)
    retention_days: int = Field(default=365, ge=1, le=3650)
    #: administrative-police window (Belgium: first month)
    admin_window_days: int = Field(default=30, ge=1)
    region: str = Field(default="eu-west-1", validation_alias="AWS_REGION")


class CamerasTable(BaseConfig):
    table_cameras: str


class ReadsTable(BaseConfig):
    table_reads: str


class IngestSettings(ReadsTable, CamerasTable):
    table_idempotency: str
    bucket_snapshots: str
    bucket_quarantine: str
    max_snapshot_bytes: int = 10 * 1024 * 1024
    max_future_skew_s: int = 300
    #: "auto" = shipped TFLite models (camera-read stand-in only if none are shipped)
    ocr_engine: str = "auto"
    idempotency_ttl_s: int = 3600


class ApiSettings(CamerasTable):
    pass


@cache
def load(model: type[BaseConfig]) -> BaseConfig:
    return model()
