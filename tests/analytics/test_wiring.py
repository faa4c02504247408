"""Where long searches run is configuration, validated once: Athena needs its workgroup and
database, DuckDB its folder, and without a copy every search stays on the reads table."""

from __future__ import annotations

import pytest
from anpr.analytics.adapters import AthenaEngine, DuckDBEngine
from anpr.analytics.feed import FirehoseSink, WriterSink
from anpr.analytics.settings import AnalyticsSettings
from anpr.analytics.wiring import analytics_cost, analytics_feed, analytics_route
from anpr.search.settings import SearchApiSettings, SearchTaskSettings
from pydantic import ValidationError

from tests.analytics.helpers import DAY
from tests.fakes.reads import InMemoryCameraRegistry
from tests.helpers import NOW_MS


def test_athena_without_its_workgroup_and_database_is_refused_at_start():
    with pytest.raises(ValidationError, match="ANPR_ANALYTICS_WORKGROUP"):
        AnalyticsSettings(analytics_engine="athena")
    with pytest.raises(ValidationError):
        AnalyticsSettings(analytics_engine="spark")


def test_no_copy_configured_means_no_hook_and_no_analytics_estimate():
    s = AnalyticsSettings()
    assert s.analytics_engine == "off"
    assert analytics_route(s, InMemoryCameraRegistry([])) is None and analytics_cost(s) is None


def test_the_engine_follows_the_settings(tmp_path):
    athena = AnalyticsSettings(
        analytics_engine="athena", analytics_workgroup="wg", analytics_database="db", region="eu-west-1"
    )
    duck = AnalyticsSettings(
        analytics_engine="duckdb", analytics_root=str(tmp_path), analytics_short_range_h=48
    )
    assert isinstance(analytics_route(athena, InMemoryCameraRegistry([])).search.engine, AthenaEngine)
    route = analytics_route(duck, InMemoryCameraRegistry([]))
    assert isinstance(route.search.engine, DuckDBEngine) and route.search.engine.root == tmp_path
    assert route.policy.short_range_ms == 2 * 86_400_000 == analytics_cost(duck).policy.short_range_ms


def test_the_feed_writes_firehose_on_aws_and_the_folder_locally(tmp_path):
    aws = AnalyticsSettings(analytics_delivery_stream="anpr-dev-reads-to-parquet", region="eu-west-1")
    local = AnalyticsSettings(analytics_engine="duckdb", analytics_root=str(tmp_path))
    assert isinstance(analytics_feed(aws).sink, FirehoseSink)
    assert isinstance(analytics_feed(local).sink, WriterSink)
    with pytest.raises(ValueError, match="DELIVERY_STREAM"):
        analytics_feed(AnalyticsSettings())


def test_the_search_functions_read_the_analytics_settings_from_their_env(monkeypatch, tmp_path):
    for name in ("TABLE_READS", "TABLE_CAMERAS", "TABLE_SEARCHES", "BUCKET_SEARCH_RESULTS"):
        monkeypatch.setenv(f"ANPR_{name}", "x")
    monkeypatch.setenv("ANPR_TOPIC_SEARCH_EVENTS", "x")
    monkeypatch.setenv("ANPR_STATE_MACHINE_SEARCH", "x")
    monkeypatch.setenv("ANPR_TABLE_AUDIT_TRAIL", "x")
    monkeypatch.setenv("ANPR_ANALYTICS_ENGINE", "duckdb")
    monkeypatch.setenv("ANPR_ANALYTICS_ROOT", str(tmp_path))
    assert SearchTaskSettings().analytics_root == str(tmp_path)
    assert SearchApiSettings().analytics_engine == "duckdb"


def test_a_file_compacted_away_during_a_query_is_a_storage_error_the_workflow_retries(tmp_path, monkeypatch):
    from anpr.analytics.sql import DUCKDB, build
    from anpr.kernel.db import StorageError
    from anpr.search.models import parse_query

    engine = DuckDBEngine(tmp_path, threads=1)
    # GIVEN a file listed for the query that is gone when DuckDB opens it (compaction deleted it)
    monkeypatch.setattr(engine, "relation", lambda lo, hi: f"read_parquet(['{tmp_path}/gone.parquet'])")
    query = build(
        parse_query("partial", {"pattern": "1AB*", "start_ms": NOW_MS - 2 * DAY, "end_ms": NOW_MS}),
        None,
        DUCKDB,
    )
    # WHEN it runs THEN the step fails with the error the state machine retries (not a crash)
    with pytest.raises(StorageError, match="changed while reading"):
        engine.rows(query)
