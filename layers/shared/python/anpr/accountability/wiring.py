"""Builds the accountability services from validated settings, once per container."""

from __future__ import annotations

from dataclasses import dataclass

from anpr.accountability.adapters.dynamo import (
    DynamoAuditTrail,
    DynamoHoldableReads,
    DynamoHoldStore,
    DynamoProbeStore,
    alert_counter,
    reads_counter,
)
from anpr.accountability.adapters.s3 import S3AuditArchive
from anpr.accountability.legal_hold import LegalHoldService
from anpr.accountability.models import ProbePolicy
from anpr.accountability.probes import ProbeService
from anpr.accountability.settings import AuditApiSettings, AuditTrailSettings, ProbeJobSettings, ProbeSettings
from anpr.accountability.transparency import AlertFigures
from anpr.kernel.clock import Clock, system_clock
from anpr.reads.cameras import DynamoCameraRegistry


def trail_from(settings: AuditTrailSettings, clock: Clock = system_clock) -> DynamoAuditTrail:
    """The trail every API function records to (table + write-once mirror)."""
    archive = (
        S3AuditArchive(settings.bucket_audit_archive, region=settings.region)
        if settings.bucket_audit_archive
        else None
    )
    return DynamoAuditTrail(settings.table_audit_trail, settings.region, archive=archive, clock=clock)


def probe_policy(settings: ProbeSettings) -> ProbePolicy:
    return ProbePolicy(
        rate=settings.probe_rate,
        min_per_week=settings.probe_min_per_week,
        escalate_after_days=settings.probe_escalate_after_days,
        seed=settings.probe_seed,
    )


def probe_service(settings: ProbeJobSettings, trail: DynamoAuditTrail, clock: Clock) -> ProbeService:
    return ProbeService(
        store=DynamoProbeStore(settings.table_probes, settings.region),
        reader=trail,
        trail=trail,
        policy=probe_policy(settings),
        clock=clock,
    )


@dataclass
class AuditApiServices:
    settings: AuditApiSettings
    trail: DynamoAuditTrail
    probes: ProbeService
    holds: LegalHoldService
    cameras: DynamoCameraRegistry

    @property
    def audit(self) -> DynamoAuditTrail:
        return self.trail

    def count_reads(self, start_ms: int, end_ms: int) -> int:
        return reads_counter(self.settings.table_reads, self.settings.region)(start_ms, end_ms)

    def count_alerts(self, start_ms: int, end_ms: int) -> AlertFigures:
        return alert_counter(self.settings.table_alerts, self.settings.region)(start_ms, end_ms)


def audit_api_services(
    settings: AuditApiSettings | None = None, clock: Clock = system_clock
) -> AuditApiServices:
    s = settings or AuditApiSettings()
    trail = trail_from(s, clock)
    return AuditApiServices(
        settings=s,
        trail=trail,
        probes=probe_service(s, trail, clock),
        holds=LegalHoldService(
            store=DynamoHoldStore(s.table_legal_holds, s.region),
            reads=DynamoHoldableReads(s.table_reads, s.bucket_held_evidence, s.region),
            trail=trail,
            clock=clock,
            admin_window_days=s.admin_window_days,
            retention_days=s.retention_days,
            rules=s.justification_rules(),
        ),
        cameras=DynamoCameraRegistry(s.table_cameras, s.region),
    )


@dataclass(frozen=True)
class ProbeJobServices:
    probes: ProbeService


def probe_job_services(
    settings: ProbeJobSettings | None = None, clock: Clock = system_clock
) -> ProbeJobServices:
    s = settings or ProbeJobSettings()
    return ProbeJobServices(probes=probe_service(s, trail_from(s, clock), clock))
