"""Alerting settings, validated once per container (env names: ``anpr.kernel.platform.env_var_for``)."""

from __future__ import annotations

from pydantic import Field

from anpr.accountability.settings import AuditTrailSettings
from anpr.kernel.config import BaseConfig
from anpr.reads.settings import CamerasTable


class WatchlistTable(BaseConfig):
    table_watchlist: str


class AlertsTable(BaseConfig):
    table_alerts: str


class AlertTuning(BaseConfig):
    #: the same plate against the same entry within this many minutes updates one alert
    alert_dedupe_minutes: int = Field(default=10, ge=1, le=24 * 60)
    #: an open high-priority alert is sent again after this many minutes...
    alert_resend_minutes: int = Field(default=5, ge=1, le=24 * 60)
    #: an open high-priority alert nobody claimed goes to the zone's supervisor and dispatch after
    alert_escalate_minutes: int = Field(default=3, ge=1, le=24 * 60)
    #: ...at most this many times
    alert_max_resends: int = Field(default=3, ge=0, le=20)
    #: lifetime of the presigned crop/snapshot links in a message
    alert_presign_ttl_s: int = Field(default=900, ge=60, le=3600)
    #: a read captured longer ago than this (against the clock) raises no live alert: it is
    #: recorded as a late hit (a camera's backlog, a re-upload: not a car that is there now)
    alert_max_age_minutes: int = Field(default=15, ge=1, le=24 * 60)
    #: a watchlist change reaches every ingest container within this (≤ 60 s by requirement)
    watchlist_refresh_s: int = Field(default=30, ge=1, le=60)


class AlertMatchSettings(WatchlistTable, AlertsTable, AlertTuning):
    """The ingest function's alerting part (its other settings: anpr.ingest.settings.IngestSettings)."""

    topic_alerts: str
    table_cameras: str
    bucket_snapshots: str


class AlertsApiSettings(WatchlistTable, AlertsTable, AlertTuning, CamerasTable, AuditTrailSettings):
    bucket_snapshots: str
    #: largest CSV accepted in one call (API Gateway: 29 s); larger lists are split
    watchlist_import_max_lines: int = Field(default=2000, ge=1, le=20_000)
    #: an entry may not be listed for longer than this without being re-submitted
    watchlist_max_validity_days: int = Field(default=366, ge=1, le=3660)
    #: the live channel's fan-out queue (claims and closes go to every officer of the zone)
    queue_live_fanout: str = ""


class ResenderSettings(AlertsTable, AlertTuning):
    topic_alerts: str
    bucket_snapshots: str
