"""Scheduled audit-probe jobs (EventBridge Scheduler on AWS, ticked locally):
``{"job": "draw", "period_days": 1}`` (optionally ``"end_ms"``) and ``{"job": "escalate"}``."""

from typing import Literal

from anpr.accountability.wiring import probe_job_services
from anpr.kernel.http import Lazy
from anpr.kernel.observability import instrumented, logger
from pydantic import BaseModel, Field

services = Lazy(probe_job_services)


class ProbeJob(BaseModel):
    job: Literal["draw", "escalate"]
    period_days: float = Field(default=1, gt=0, le=31)
    #: explicit period end (demo, backfill); default: the last complete aligned period
    end_ms: int | None = Field(default=None, gt=0)


def _payload(event: dict) -> dict:
    """EventBridge Scheduler delivers the constant input as is (AWS); an EventBridge-style
    envelope carries it in ``detail`` (the local runtime's tick). Accept both."""
    if "job" not in event and isinstance(event.get("detail"), dict):
        return event["detail"]
    return event


def handle(event: dict, context) -> dict:
    return run(ProbeJob.model_validate(_payload(event)))


def run(event: ProbeJob) -> dict:
    service = services().probes
    if event.job == "draw":
        probes = service.draw_period(event.period_days, event.end_ms)
        logger.info("probes drawn", extra={"drawn": len(probes)})
        return {"job": "draw", "drawn": [p.probe_id for p in probes]}
    probes = service.escalate_overdue()
    logger.info("probes escalated", extra={"escalated": len(probes)})
    return {"job": "escalate", "escalated": [p.probe_id for p in probes]}


lambda_handler = instrumented(handle)
