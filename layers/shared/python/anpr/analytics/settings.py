"""Settings of the analytics pieces (env names follow anpr.kernel.platform.env_var_for's ``ANPR_`` rule)."""

from __future__ import annotations

from pydantic import Field

from anpr.kernel.config import BaseConfig


class AnalyticsSettings(BaseConfig):
    #: "duckdb" (local runtime: a folder of the layout) or "athena"
    analytics_engine: str = Field(default="duckdb", pattern="^(duckdb|athena)$")
    #: DuckDB: the folder holding ``reads/day=.../hour=.../*.parquet``
    analytics_root: str = ".local-runtime/analytics"
    #: Athena: workgroup (enforced: results bucket, encryption, bytes cutoff), Glue database/table
    analytics_workgroup: str = ""
    analytics_database: str = ""
    analytics_table: str = "reads"
    #: the feed's Firehose delivery stream (AWS)
    analytics_delivery_stream: str = ""
    #: ranges up to this many hours stay on the reads table (anpr.analytics.engine)
    analytics_short_range_h: int = Field(default=24, ge=1, le=24 * 31)
    #: compaction: an hour is closed this long after its end; files at least this big are left alone
    analytics_compact_after_min: int = Field(default=15, ge=0, le=24 * 60)
    analytics_target_file_mb: int = Field(default=128, ge=1, le=1024)
