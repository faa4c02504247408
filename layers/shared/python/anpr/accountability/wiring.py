"""Builds the accountability services from validated settings, once per container."""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache

from anpr.accountability.legal_hold import DynamoHoldableReads, DynamoHoldStore, LegalHoldService
from anpr.accountability.probes import DynamoProbeStore, ProbePolicy, ProbeService
from anpr.accountability.settings import AuditApiSettings, ProbeJobSettings, ProbeSettings
from anpr.accountability.transparency import reads_counter
from anpr.audit_store import DynamoAuditTrail, trail_from
from anpr.cameras import DynamoCameraRegistry


def now_ms() -> int:
    return int(time.time() * 1000)


def probe_policy(settings: ProbeSettings) -> ProbePolicy:
    return ProbePolicy(
        rate=settings.probe_rate,
        min_per_week=settings.probe_min_per_week,
        escalate_after_days=settings.probe_escalate_after_days,
        seed=settings.probe_seed,
    )


def probe_service(settings: ProbeJobSettings, trail: DynamoAuditTrail, clock=now_ms) -> ProbeService:
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

    def count_reads(self, start_ms: int, end_ms: int) -> int:
        return reads_counter(self.settings.table_reads, self.settings.region)(start_ms, end_ms)


@lru_cache(maxsize=1)
def audit_api_services() -> AuditApiServices:
    s = AuditApiSettings()
    trail = trail_from(s)
    return AuditApiServices(
        settings=s,
        trail=trail,
        probes=probe_service(s, trail),
        holds=LegalHoldService(
            store=DynamoHoldStore(s.table_legal_holds, s.region),
            reads=DynamoHoldableReads(s.table_reads, s.bucket_held_evidence, s.region),
            trail=trail,
            clock=now_ms,
            admin_window_days=s.admin_window_days,
            retention_days=s.retention_days,
        ),
        cameras=DynamoCameraRegistry(s.table_cameras, s.region),
    )


@lru_cache(maxsize=1)
def probe_job_service() -> ProbeService:
    s = ProbeJobSettings()
    return probe_service(s, trail_from(s))
