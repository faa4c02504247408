"""Settings of the search functions (env names follow anpr.kernel.platform.env_var_for)."""

from __future__ import annotations

from pydantic import Field

from anpr.accountability.settings import AuditTrailSettings, JustificationSettings
from anpr.analytics.settings import AnalyticsSettings
from anpr.search.plan import CostBounds, PlanLimits


class SearchApiSettings(AuditTrailSettings, JustificationSettings, AnalyticsSettings):
    """``AnalyticsSettings``: the engine choice and scan bounds of long searches, stated in the
    job's estimate at submit (the same policy the task's plan applies)."""

    table_searches: str
    table_cameras: str
    bucket_search_results: str
    state_machine_search: str
    #: presigned download links live this long
    download_url_ttl_s: int = Field(default=300, ge=30, le=3600)
    #: the overview images (snapshots) a result's read may be shown with; "" when not wired
    bucket_snapshots: str = ""
    #: the reads table: a results page's plate crop keys (BatchGetItem); "" when not wired
    table_reads: str = ""
    #: what one search may cost (docs/search.md "Cost bounds"): a one-day national partial
    #: search (46,080 partitions, ≈ 3.4 M read units) fits; a month of it does not
    search_max_job_partitions: int = Field(default=100_000, ge=1)
    search_max_job_read_units: int = Field(default=5_000_000, ge=1)
    #: and one investigator in 24 hours (estimates of the jobs submitted, summed)
    search_max_user_read_units_per_day: int = Field(default=20_000_000, ge=1)

    def bounds(self) -> CostBounds:
        return CostBounds(
            job_partitions=self.search_max_job_partitions,
            job_read_units=self.search_max_job_read_units,
            user_read_units_per_day=self.search_max_user_read_units_per_day,
        )


class SearchTaskSettings(JustificationSettings, AnalyticsSettings):
    """``AnalyticsSettings``: where long searches run (Athena on AWS, DuckDB locally, off)."""

    table_reads: str
    table_cameras: str
    table_searches: str
    bucket_search_results: str
    topic_search_events: str
    plan_slices_per_item: int = Field(default=1, ge=1, le=60)
    plan_shards_per_item: int = Field(default=32, ge=1, le=32)
    plan_windows_per_item: int = Field(default=25, ge=1, le=500)
    plan_inline_max_items: int = Field(default=200, ge=1, le=2000)

    def limits(self) -> PlanLimits:
        return PlanLimits(
            slices_per_item=self.plan_slices_per_item,
            shards_per_item=self.plan_shards_per_item,
            windows_per_item=self.plan_windows_per_item,
            inline_max_items=self.plan_inline_max_items,
        )
