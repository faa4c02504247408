"""Builds the alerting adapters from validated settings (ingest hook, API, re-sender)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import boto3
from botocore.config import Config

from anpr.accountability.wiring import trail_from
from anpr.alerts.adapters.dynamo import DynamoAlertRepository, DynamoWatchlistRepository
from anpr.alerts.adapters.s3 import S3Presigner
from anpr.alerts.adapters.sns import SnsAlertPublisher
from anpr.alerts.matcher import Matcher, WatchlistCache
from anpr.alerts.service import AlertDesk, AlertPolicy, AlertResender, AlertService
from anpr.alerts.settings import AlertMatchSettings, AlertsApiSettings, ResenderSettings
from anpr.alerts.watchlist_service import WatchlistService
from anpr.alerts.zones import ZoneDirectory, camera_zones
from anpr.kernel.audit import AuditTrail
from anpr.kernel.clock import Clock, system_clock
from anpr.kernel.config import BaseConfig
from anpr.reads.cameras import DynamoCameraRegistry
from anpr.reads.models import PlateRead

#: the ingest function has these once the alerts concern is deployed (spec extra_uses)
HOOK_ENV = ("ANPR_TABLE_WATCHLIST", "ANPR_TABLE_ALERTS", "ANPR_TOPIC_ALERTS")


def settings_from(model: type[BaseConfig], env: Mapping[str, str]) -> BaseConfig:
    """``model`` validated from ``env`` (not the process environment): testable wiring."""
    data = {}
    for name, field in model.model_fields.items():
        key = field.validation_alias if isinstance(field.validation_alias, str) else f"ANPR_{name.upper()}"
        if key in env:
            data[key if isinstance(field.validation_alias, str) else name] = env[key]
    return model.model_validate(data)


def presigner(session, ttl_s: int) -> S3Presigner:
    # SigV4: required for SSE-KMS objects (the snapshots bucket), and expiry is enforced
    return S3Presigner(session.client("s3", config=Config(signature_version="s3v4")), ttl_s)


def policy_of(settings) -> AlertPolicy:
    return AlertPolicy(
        dedupe_window_s=settings.alert_dedupe_minutes * 60,
        resend_after_s=settings.alert_resend_minutes * 60,
        escalate_after_s=settings.alert_escalate_minutes * 60,
        max_resends=settings.alert_max_resends,
        retention_days=settings.retention_days,
        max_age_s=settings.alert_max_age_minutes * 60,
    )


def _publisher(session, settings: AlertMatchSettings | ResenderSettings, clock: Clock) -> SnsAlertPublisher:
    """The alerts topic publisher; photo links are presigned for ``alert_presign_ttl_s``."""
    return SnsAlertPublisher(
        settings.topic_alerts,
        session.client("sns"),
        presigner(session, settings.alert_presign_ttl_s),
        clock=clock,
        ttl_s=settings.alert_presign_ttl_s,
    )


def alert_service(settings: AlertMatchSettings, clock: Clock = system_clock) -> AlertService:
    session = boto3.session.Session(region_name=settings.region)
    cache = WatchlistCache(
        DynamoWatchlistRepository(settings.table_watchlist, settings.region),
        clock=clock,
        refresh_s=settings.watchlist_refresh_s,
    )
    return AlertService(
        matcher=Matcher(cache),
        alerts=DynamoAlertRepository(settings.table_alerts, settings.region),
        publisher=_publisher(session, settings, clock),
        cameras=DynamoCameraRegistry(settings.table_cameras, settings.region),
        policy=policy_of(settings),
        clock=clock,
    )


def watchlist_hook(
    settings_env: Mapping[str, str], clock: Clock = system_clock
) -> Callable[[list[PlateRead]], None] | None:
    """The SnapshotIngestor's ``after_store`` hook, or None where alerting is not deployed."""
    if any(not settings_env.get(k) for k in HOOK_ENV):
        return None
    return alert_service(settings_from(AlertMatchSettings, settings_env), clock)


def resender(settings: ResenderSettings, clock: Clock = system_clock) -> AlertResender:
    session = boto3.session.Session(region_name=settings.region)
    return AlertResender(
        alerts=DynamoAlertRepository(settings.table_alerts, settings.region),
        publisher=_publisher(session, settings, clock),
        policy=policy_of(settings),
        clock=clock,
    )


@dataclass(frozen=True)
class AlertsApiServices:
    watchlist: WatchlistService
    desk: AlertDesk
    audit: AuditTrail


@dataclass(frozen=True)
class ResenderServices:
    resender: AlertResender


def resender_services(
    settings: ResenderSettings | None = None, clock: Clock = system_clock
) -> ResenderServices:
    return ResenderServices(resender=resender(settings or ResenderSettings(), clock))


def _changes(session, settings: AlertsApiSettings):
    """Claims and closes to the live channel's fan-out, where it is deployed."""
    if not settings.queue_live_fanout:
        return None
    from anpr.live.adapters.sqs import QueueAlertChanges

    return QueueAlertChanges(session.client("sqs"), settings.queue_live_fanout)


def api_services(settings: AlertsApiSettings | None = None, clock: Clock = system_clock) -> AlertsApiServices:
    settings = settings or AlertsApiSettings()
    audit = trail_from(settings, clock)
    session = boto3.session.Session(region_name=settings.region)
    watchlist = DynamoWatchlistRepository(settings.table_watchlist, settings.region)
    alerts = DynamoAlertRepository(settings.table_alerts, settings.region)
    desk = AlertDesk(
        alerts=alerts,
        watchlist=watchlist,
        audit=audit,
        presigner=presigner(session, settings.alert_presign_ttl_s),
        presign_ttl_s=settings.alert_presign_ttl_s,
        known_zones=ZoneDirectory(
            camera_zones(DynamoCameraRegistry(settings.table_cameras, settings.region)), clock=clock
        ),
        admin_window_days=settings.admin_window_days,
        clock=clock,
        changes=_changes(session, settings),
    )
    service = WatchlistService(
        watchlist,
        audit,
        clock=clock,
        max_validity_days=settings.watchlist_max_validity_days,
        max_import_lines=settings.watchlist_import_max_lines,
        hits=alerts.hit_counts,
    )
    return AlertsApiServices(watchlist=service, desk=desk, audit=audit)
