"""Builds the live channel's services from validated settings (one per function)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import boto3

from anpr.accountability.wiring import trail_from
from anpr.alerts.adapters.dynamo import DynamoAlertRepository
from anpr.kernel.audit import AuditTrail
from anpr.kernel.clock import Clock, system_clock
from anpr.live.adapters.apigw import ManagementApiPoster
from anpr.live.adapters.dynamo import DynamoMemberStore
from anpr.live.adapters.jwt import CognitoTokenVerifier
from anpr.live.adapters.push import ByPlatform, SinkPush, SnsMobilePush, WebPush
from anpr.live.models import Connection, Device
from anpr.live.service import DeviceRegistry, Fanout, LiveGate
from anpr.live.settings import (
    ConnectionsTable,
    DevicesApiSettings,
    LiveConnectSettings,
    LiveFanoutSettings,
    PushSettings,
)


def _vapid(settings: PushSettings, session) -> dict:
    secret = session.client("secretsmanager").get_secret_value(SecretId=settings.push_vapid_secret_arn)
    return json.loads(secret["SecretString"])


def push_sender(settings: PushSettings, session, clock: Clock) -> ByPlatform:
    """Every platform to the sink locally; on AWS, those whose credentials are configured."""
    if settings.push_sink:
        sink = SinkPush(settings.push_sink, clock)
        return ByPlatform({"fcm": sink, "apns": sink, "webpush": sink})
    senders = {}
    apps = {
        p: arn for p, arn in (("fcm", settings.push_fcm_app_arn), ("apns", settings.push_apns_app_arn)) if arn
    }
    if apps:
        mobile = SnsMobilePush(session.client("sns"), apps)
        senders.update(dict.fromkeys(apps, mobile))
    if settings.push_vapid_secret_arn:
        keys = _vapid(settings, session)
        if keys.get("private_key"):
            senders["webpush"] = WebPush(keys["private_key"], settings.push_vapid_subject)
    return ByPlatform(senders)


@dataclass(frozen=True)
class GateServices:
    gate: LiveGate


@dataclass(frozen=True)
class FanoutServices:
    fanout: Fanout


@dataclass(frozen=True)
class DevicesServices:
    devices: DeviceRegistry
    audit: AuditTrail
    #: the VAPID public key the web app subscribes with ("" where Web Push is not configured)
    webpush_key: str


def connection_store(settings: ConnectionsTable | None = None) -> DynamoMemberStore:
    """``$disconnect`` only forgets the connection."""
    settings = settings or ConnectionsTable()
    return DynamoMemberStore(settings.table_live_connections, Connection, settings.region)


def gate_services(settings: LiveConnectSettings | None = None, clock: Clock = system_clock) -> GateServices:
    settings = settings or LiveConnectSettings()
    return GateServices(
        gate=LiveGate(
            connections=DynamoMemberStore(settings.table_live_connections, Connection, settings.region),
            verifier=CognitoTokenVerifier(
                settings.user_pool_issuer, settings.user_pool_client_id, clock, settings.live_jwks_url or None
            ),
            audit=trail_from(settings, clock),
            clock=clock,
            ttl_s=settings.live_connection_ttl_s,
        )
    )


def fanout_services(
    settings: LiveFanoutSettings | None = None, clock: Clock = system_clock
) -> FanoutServices:
    settings = settings or LiveFanoutSettings()
    session = boto3.session.Session(region_name=settings.region)
    return FanoutServices(
        fanout=Fanout(
            alerts=DynamoAlertRepository(settings.table_alerts, settings.region),
            connections=DynamoMemberStore(settings.table_live_connections, Connection, settings.region),
            devices=DynamoMemberStore(settings.table_push_devices, Device, settings.region),
            poster=ManagementApiPoster(
                session.client("apigatewaymanagementapi", endpoint_url=settings.live_endpoint)
            ),
            push=push_sender(settings, session, clock),
            audit=trail_from(settings, clock),
            clock=clock,
        )
    )


def devices_services(
    settings: DevicesApiSettings | None = None, clock: Clock = system_clock
) -> DevicesServices:
    settings = settings or DevicesApiSettings()
    session = boto3.session.Session(region_name=settings.region)
    audit = trail_from(settings, clock)
    key = ""
    if settings.push_vapid_secret_arn and not settings.push_sink:
        key = _vapid(settings, session).get("public_key", "")
    return DevicesServices(
        devices=DeviceRegistry(
            devices=DynamoMemberStore(settings.table_push_devices, Device, settings.region),
            push=push_sender(settings, session, clock),
            audit=audit,
            clock=clock,
            ttl_days=settings.device_ttl_days,
        ),
        audit=audit,
        webpush_key=key,
    )
