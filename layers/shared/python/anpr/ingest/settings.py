"""The ingest function's settings (env ``ANPR_*``, validated once per container)."""

from __future__ import annotations

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
