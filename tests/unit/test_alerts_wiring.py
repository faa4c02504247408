"""The ingest hook is wired only where the alerts concern is deployed; settings come from the
given environment mapping, validated."""

import pytest
from anpr.alerts.service import AlertService
from anpr.alerts.settings import AlertMatchSettings
from anpr.alerts.wiring import settings_from, watchlist_hook
from anpr.kernel.platform import function
from pydantic import ValidationError

ENV = {
    "ANPR_TABLE_WATCHLIST": "w",
    "ANPR_TABLE_ALERTS": "a",
    "ANPR_TOPIC_ALERTS": "arn:aws:sns:eu-west-1:123456789012:alerts",
    "ANPR_TABLE_CAMERAS": "c",
    "ANPR_BUCKET_SNAPSHOTS": "s",
    "AWS_REGION": "eu-west-1",
}


def test_hook_absent_without_alerts_env():
    assert watchlist_hook({}) is None
    assert watchlist_hook({k: v for k, v in ENV.items() if k != "ANPR_TOPIC_ALERTS"}) is None


def test_hook_built_from_the_ingest_env():
    hook = watchlist_hook({**ENV, "ANPR_ALERT_DEDUPE_MINUTES": "7"})
    assert isinstance(hook, AlertService)
    assert hook.policy.dedupe_window_s == 7 * 60


def test_refresh_interval_may_not_exceed_60_seconds():
    with pytest.raises(ValidationError):
        settings_from(AlertMatchSettings, {**ENV, "ANPR_WATCHLIST_REFRESH_S": "120"})


def test_ingest_function_gets_exactly_the_alerting_grants():
    uses = {(u.kind, u.resource, u.access) for u in function("Ingest").uses}
    assert {
        ("table", "Watchlist", "read"),
        ("table", "Alerts", "read_write"),
        ("topic", "Alerts", "publish"),
    } <= uses
    # every env var the hook needs is one the spec gives the ingest function
    env_vars = {u.env_var for u in function("Ingest").uses}
    assert {
        "ANPR_TABLE_WATCHLIST",
        "ANPR_TABLE_ALERTS",
        "ANPR_TOPIC_ALERTS",
        "ANPR_TABLE_CAMERAS",
        "ANPR_BUCKET_SNAPSHOTS",
    } <= env_vars
