"""Real adapters from validated settings, once per container."""

from __future__ import annotations

import boto3

from anpr.analytics.adapters import AthenaEngine, DuckDBEngine, QueryEngine
from anpr.analytics.engine import DAY_MS, EnginePolicy, ScanBounds
from anpr.analytics.feed import AnalyticsFeed, FirehoseSink, WriterSink
from anpr.analytics.service import AnalyticsCost, AnalyticsRoute, AnalyticsSearch
from anpr.analytics.settings import AnalyticsSettings
from anpr.analytics.stores import FolderStore
from anpr.analytics.writer import AnalyticsWriter
from anpr.kernel.clock import Clock, system_clock
from anpr.reads.cameras import CameraRegistry
from anpr.search.source import ReadSource

GB = 1024**3


def engine_for(s: AnalyticsSettings) -> QueryEngine:
    if s.analytics_engine == "athena":
        return AthenaEngine(
            boto3.client("athena", region_name=s.region),
            workgroup=s.analytics_workgroup,
            database=s.analytics_database,
            table=s.analytics_table,
        )
    return DuckDBEngine(s.analytics_root)


def policy_for(s: AnalyticsSettings) -> EnginePolicy:
    return EnginePolicy(short_range_ms=s.analytics_short_range_h * DAY_MS // 24)


def analytics_route(
    s: AnalyticsSettings, cameras: CameraRegistry, plates: ReadSource | None = None
) -> AnalyticsRoute | None:
    """The search workflow's hook; None where no copy is configured (every search on the reads table)."""
    if s.analytics_engine == "off":
        return None
    return AnalyticsRoute(AnalyticsSearch(engine_for(s), cameras, plates=plates), policy_for(s))


def analytics_cost(s: AnalyticsSettings) -> AnalyticsCost | None:
    """The search API's side of the same choice (None: no copy configured)."""
    if s.analytics_engine == "off":
        return None
    bounds = ScanBounds(
        job_bytes=s.analytics_max_job_scan_gb * GB,
        user_bytes_per_day=s.analytics_max_user_scan_gb_per_day * GB,
    )
    return AnalyticsCost(policy_for(s), bounds)


def writer_for(s: AnalyticsSettings, clock: Clock = system_clock) -> AnalyticsWriter:
    """The Parquet layout in the local folder (local runtime: the feed's sink and compaction)."""
    return AnalyticsWriter(
        FolderStore(s.analytics_root),
        clock=clock,
        retention_days=s.retention_days,
        compact_after_ms=s.analytics_compact_after_min * 60_000,
        target_file_bytes=s.analytics_target_file_mb * 1024 * 1024,
    )


def analytics_feed(settings: AnalyticsSettings | None = None, clock: Clock = system_clock) -> AnalyticsFeed:
    """Firehose on AWS; the writer over the folder where the copy is DuckDB's (local runtime)."""
    s = settings or AnalyticsSettings()
    if s.analytics_delivery_stream:
        return AnalyticsFeed(
            FirehoseSink(s.analytics_delivery_stream, boto3.client("firehose", region_name=s.region))
        )
    if s.analytics_engine == "duckdb":
        return AnalyticsFeed(WriterSink(writer_for(s, clock)))
    raise ValueError(
        "the analytics feed needs ANPR_ANALYTICS_DELIVERY_STREAM (AWS) or ANPR_ANALYTICS_ENGINE=duckdb"
    )
