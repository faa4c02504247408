"""Settings of the networks functions (env names follow anpr.kernel.spec.env_var_for)."""

from __future__ import annotations

from pydantic import Field

from anpr.accountability.settings import AuditTrailSettings


class NetworksApiSettings(AuditTrailSettings):
    table_networks: str
    table_police_zones: str
    table_cameras: str


class CameraUploadSettings(AuditTrailSettings):
    table_networks: str
    table_cameras: str
    bucket_snapshots: str
    #: one snapshot, at most (presigned POST content-length-range)
    upload_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1024, le=50 * 1024 * 1024)
    upload_url_ttl_s: int = Field(default=300, ge=30, le=3600)
    metrics_namespace: str = Field(default="ANPR", validation_alias="POWERTOOLS_METRICS_NAMESPACE")
