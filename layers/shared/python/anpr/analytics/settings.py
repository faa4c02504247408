"""Settings of the analytics pieces (env names follow anpr.kernel.platform.env_var_for's ``ANPR_`` rule).

Where the copy is (``analytics_engine``): ``athena`` on AWS (the Analytics construct sets the
workgroup, database and table on the search functions), ``duckdb`` in the local runtime (a
folder of the layout, filled by the feed), ``off`` where no copy is configured: every search
then stays on the reads table.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from anpr.kernel.config import BaseConfig


class AnalyticsSettings(BaseConfig):
    analytics_engine: str = Field(default="off", pattern="^(off|duckdb|athena)$")
    #: DuckDB: the folder holding ``reads/day=.../hour=.../*.parquet``
    analytics_root: str = ".local-runtime/analytics"
    #: Athena: workgroup (enforced: results bucket, encryption, bytes cutoff), Glue database/table
    analytics_workgroup: str = ""
    analytics_database: str = ""
    analytics_table: str = "reads"
    #: the feed's Firehose delivery stream (AWS); empty: the feed writes the folder (DuckDB)
    analytics_delivery_stream: str = ""
    #: ranges up to this many hours stay on the reads table (anpr.analytics.engine)
    analytics_short_range_h: int = Field(default=24, ge=1, le=24 * 31)
    #: compaction: an hour is closed this long after its end; files at least this big are left alone
    analytics_compact_after_min: int = Field(default=15, ge=0, le=24 * 60)
    analytics_target_file_mb: int = Field(default=128, ge=1, le=1024)
    #: what one search, and one investigator in 24 hours, may scan (the workgroup cuts a query
    #: off at 200 GB: the API refuses before Athena would)
    analytics_max_job_scan_gb: int = Field(default=200, ge=1)
    analytics_max_user_scan_gb_per_day: int = Field(default=1000, ge=1)

    @model_validator(mode="after")
    def _complete(self):
        if self.analytics_engine == "athena" and not (self.analytics_workgroup and self.analytics_database):
            raise ValueError(
                "analytics_engine=athena needs ANPR_ANALYTICS_WORKGROUP and ANPR_ANALYTICS_DATABASE"
            )
        return self
