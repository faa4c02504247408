"""Settings of the search functions (env names follow anpr.kernel.platform.env_var_for)."""

from __future__ import annotations

from pydantic import Field

from anpr.accountability.audit_store import AuditTrailSettings
from anpr.kernel.config import BaseConfig
from anpr.search.plan import PlanLimits


class SearchApiSettings(AuditTrailSettings):
    table_searches: str
    bucket_search_results: str
    state_machine_search: str
    #: presigned download links live this long
    download_url_ttl_s: int = Field(default=300, ge=30, le=3600)


class SearchTaskSettings(BaseConfig):
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
