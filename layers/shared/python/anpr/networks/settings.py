"""Settings of the networks functions (env names follow anpr.kernel.spec.env_var_for)."""

from __future__ import annotations

from pydantic import Field

from anpr.accountability.settings import AuditTrailSettings
from anpr.kernel.config import BaseConfig


class NetworksApiSettings(AuditTrailSettings):
    table_networks: str
    table_police_zones: str
    table_cameras: str
    table_camera_disagreements: str | None = None
    # camera health and the quarantine browser (absent: those routes answer 404)
    table_camera_activity: str | None = None
    bucket_quarantine: str | None = None
    #: a presigned link to a quarantined snapshot lives this long
    quarantine_url_ttl_s: int = Field(default=60, ge=10, le=900)
    silence_minutes: int = Field(default=60, ge=15, le=24 * 60)
    silence_usual_share: float = Field(default=0.75, gt=0, le=1)
    silence_weeks: int = Field(default=4, ge=1, le=5)


class CameraUploadSettings(AuditTrailSettings):
    table_networks: str
    table_cameras: str
    bucket_snapshots: str
    #: one snapshot, at most (presigned POST content-length-range)
    upload_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1024, le=50 * 1024 * 1024)
    upload_url_ttl_s: int = Field(default=300, ge=30, le=3600)
    metrics_namespace: str = Field(default="ANPR", validation_alias="POWERTOOLS_METRICS_NAMESPACE")


class SilenceSettings(BaseConfig):
    table_camera_activity: str
    #: a camera silent this long (minutes) through hours it usually sends in raises an alert
    silence_minutes: int = Field(default=60, ge=15, le=24 * 60)
    #: "usually": it sent in that local hour in at least this share of the last weeks
    silence_usual_share: float = Field(default=0.75, gt=0, le=1)
    silence_weeks: int = Field(default=4, ge=1, le=5)
    metrics_namespace: str = Field(default="ANPR", validation_alias="POWERTOOLS_METRICS_NAMESPACE")
