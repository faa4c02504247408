"""Real adapters from validated settings, once per container."""

from __future__ import annotations

import boto3

from anpr.analytics.adapters import AthenaEngine, DuckDBEngine, QueryEngine
from anpr.analytics.engine import DAY_MS, EnginePolicy
from anpr.analytics.feed import AnalyticsFeed, FirehoseSink
from anpr.analytics.settings import AnalyticsSettings


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


def analytics_feed(settings: AnalyticsSettings | None = None) -> AnalyticsFeed:
    s = settings or AnalyticsSettings()
    return AnalyticsFeed(
        FirehoseSink(s.analytics_delivery_stream, boto3.client("firehose", region_name=s.region))
    )
