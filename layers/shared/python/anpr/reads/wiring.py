"""Builds the read model's API services from validated settings and a clock."""

from __future__ import annotations

from dataclasses import dataclass

from anpr.accountability.settings import AuditTrailSettings
from anpr.accountability.wiring import trail_from
from anpr.kernel.audit import AuditTrail
from anpr.kernel.clock import Clock, system_clock
from anpr.reads.cameras import CameraRegistry, DynamoCameraRegistry
from anpr.reads.settings import CamerasTable


class ApiSettings(CamerasTable, AuditTrailSettings):
    pass


@dataclass(frozen=True)
class CoreApiServices:
    cameras: CameraRegistry
    #: refusals are recorded (``anpr.kernel.http.ApiFunction``)
    audit: AuditTrail


def core_api_services(settings: ApiSettings | None = None, clock: Clock = system_clock) -> CoreApiServices:
    s = settings or ApiSettings()
    return CoreApiServices(
        cameras=DynamoCameraRegistry(s.table_cameras, s.region), audit=trail_from(s, clock)
    )
