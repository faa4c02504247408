"""Builds the networks services from validated settings and a clock."""

from __future__ import annotations

from dataclasses import dataclass

import boto3

from anpr.accountability.wiring import trail_from
from anpr.ingest.quarantine_api import QuarantineService, S3QuarantineBrowser
from anpr.kernel.audit import AuditTrail
from anpr.kernel.clock import Clock, system_clock
from anpr.networks.activity import DynamoActivityStore
from anpr.networks.adapters import DynamoNetworkStore, DynamoZoneStore, cloudwatch_refusal_counter, s3_signer
from anpr.networks.ingest_ops import DynamoDisagreementStore
from anpr.networks.service import HealthService, NetworkService, UploadService
from anpr.networks.settings import CameraUploadSettings, NetworksApiSettings, SilenceSettings
from anpr.networks.silence import SilenceRule, SilenceWatch
from anpr.reads.cameras import DynamoCameraRegistry


@dataclass(frozen=True)
class NetworksApiServices:
    networks: NetworkService
    audit: AuditTrail
    health: HealthService | None = None
    quarantine: QuarantineService | None = None


@dataclass(frozen=True)
class UploadServices:
    uploads: UploadService
    audit: AuditTrail


def api_services(
    settings: NetworksApiSettings | None = None, clock: Clock = system_clock
) -> NetworksApiServices:
    s = settings or NetworksApiSettings()
    trail = trail_from(s, clock)
    networks = DynamoNetworkStore(s.table_networks, s.region)
    # no cache: ops read back what they just registered
    cameras = DynamoCameraRegistry(s.table_cameras, s.region, cache_size=0)
    browser = (
        S3QuarantineBrowser(
            s.bucket_quarantine, boto3.client("s3", region_name=s.region), s.quarantine_url_ttl_s
        )
        if s.bucket_quarantine
        else None
    )
    health = (
        HealthService(
            cameras=cameras,
            networks=networks,
            activity=DynamoActivityStore(s.table_camera_activity, s.region),
            rule=SilenceRule(silent_minutes=s.silence_minutes, usual_share=s.silence_usual_share),
            clock=clock,
            quarantined=browser.counts if browser else None,
            refusals=trail.by_actor,
            weeks=s.silence_weeks,
        )
        if s.table_camera_activity
        else None
    )
    return NetworksApiServices(
        health=health,
        quarantine=QuarantineService(browser, trail, clock) if browser else None,
        networks=NetworkService(
            networks=networks,
            cameras=cameras,
            zones=DynamoZoneStore(s.table_police_zones, s.region),
            audit=trail,
            clock=clock,
            disagreements=(
                DynamoDisagreementStore(s.table_camera_disagreements, s.region)
                if s.table_camera_disagreements
                else None
            ),
        ),
        audit=trail,
    )


def upload_services(
    settings: CameraUploadSettings | None = None, clock: Clock = system_clock
) -> UploadServices:
    s = settings or CameraUploadSettings()
    trail = trail_from(s, clock)
    return UploadServices(
        uploads=UploadService(
            networks=DynamoNetworkStore(s.table_networks, s.region),
            cameras=DynamoCameraRegistry(s.table_cameras, s.region, cache_size=0),
            signer=s3_signer(s.bucket_snapshots, s.region),
            audit=trail,
            refused=cloudwatch_refusal_counter(s.metrics_namespace),
            clock=clock,
            max_bytes=s.upload_max_bytes,
            expires_in_s=s.upload_url_ttl_s,
        ),
        audit=trail,
    )


@dataclass(frozen=True)
class SilenceServices:
    activity: DynamoActivityStore
    watch: SilenceWatch
    rule: SilenceRule
    weeks: int
    clock: Clock
    metrics_namespace: str


def silence_services(settings: SilenceSettings | None = None, clock: Clock = system_clock) -> SilenceServices:
    s = settings or SilenceSettings()
    rule = SilenceRule(silent_minutes=s.silence_minutes, usual_share=s.silence_usual_share)
    return SilenceServices(
        activity=DynamoActivityStore(s.table_camera_activity, s.region),
        watch=SilenceWatch(rule, clock),
        rule=rule,
        weeks=s.silence_weeks,
        clock=clock,
        metrics_namespace=s.metrics_namespace,
    )
