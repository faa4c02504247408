"""Configuration, validated once per container from the function's environment.

Env var names follow anpr.kernel.spec.env_var_for (``ANPR_TABLE_READS``...), so the CDK factory and
the local runtime set exactly what these models read. Logic receives these objects, never
``os.environ``.
"""

from __future__ import annotations

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
