"""The ingest function's settings (env ``ANPR_*``, validated once per container)."""

from __future__ import annotations

from pydantic import Field

from anpr.reads.settings import CamerasTable, ReadsTable


class IngestSettings(ReadsTable, CamerasTable):
    table_idempotency: str
    bucket_snapshots: str
    bucket_quarantine: str
    max_snapshot_bytes: int = 10 * 1024 * 1024
    max_future_skew_s: int = 300
    #: "auto" = shipped TFLite models (camera-read stand-in only if none are shipped)
    ocr_engine: str = "auto"
    idempotency_ttl_s: int = 3600
    # networks (anpr.networks.spec extra_uses; absent where networks are not deployed)
    table_camera_activity: str | None = None
    table_police_zones: str | None = None
    table_camera_disagreements: str | None = None
    table_audit_trail: str | None = None
    bucket_audit_archive: str | None = None
    metrics_namespace: str = Field(default="ANPR", validation_alias="POWERTOOLS_METRICS_NAMESPACE")
