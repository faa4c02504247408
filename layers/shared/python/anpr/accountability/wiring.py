"""Builds the accountability services from validated settings, once per container."""

from __future__ import annotations

from dataclasses import dataclass

from anpr.accountability.audit_store import DynamoAuditTrail, trail_from
from anpr.accountability.legal_hold import DynamoHoldableReads, DynamoHoldStore, LegalHoldService
from anpr.accountability.probes import DynamoProbeStore, ProbePolicy, ProbeService
from anpr.accountability.settings import AuditApiSettings, ProbeJobSettings, ProbeSettings
from anpr.accountability.transparency import reads_counter
from anpr.kernel.clock import Clock, system_clock
from anpr.reads.cameras import DynamoCameraRegistry


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
