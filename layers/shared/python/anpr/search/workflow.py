"""The state machine's task steps (infra/statemachines/search.asl.json), one method each.

Every step takes and returns small JSON: the ASL passes ``{"step": ..., "job_id": ...}`` (or a
Map item), so the same code runs under Step Functions on AWS, moto's ASL engine locally, and
the tests' direct driver.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Protocol

from anpr.accountability.justification import DEFAULT_RULES, Justification, JustificationRules, check_access
from anpr.kernel.auth import Caller, Forbidden
from anpr.kernel.clock import Clock
from anpr.kernel.db import StorageError
from anpr.kernel.errors import Conflict, DomainError
from anpr.reads.cameras import CameraRegistry
from anpr.search import exports, maps
from anpr.search.crops import CropSource
from anpr.search.merge import merge
from anpr.search.models import JobStatus, SearchJob, oldest_ms
from anpr.search.partition import run_item
from anpr.search.plan import DEFAULT_LIMITS, PlanLimits, mode_for, partitions_in, plan
from anpr.search.repository import SearchJobRepository
from anpr.search.results import (
    CONTENT_TYPES,
    ResultStore,
    export_key,
    get_result,
    prefix,
    put_part,
    put_result,
    read_parts,
)
from anpr.search.source import ReadSource

log = logging.getLogger(__name__)


class SearchRejected(Exception):
    """Validation or authorisation failed at run time (Lambda errorType ``SearchRejected``)."""


class SearchCancelled(Exception):
    """The investigator cancelled the search; the remaining steps stop."""


class Notifier(Protocol):
    def notify(self, job: SearchJob) -> None: ...


class AnalyticsHook(Protocol):
    """Optional: runs long searches on the analytics copy (anpr.analytics.service.AnalyticsRoute)."""

    def choose(self, query): ...

    def plan(self, query) -> tuple[object, list[dict] | None]: ...

    def run_item(self, query, item: dict) -> list: ...


class SearchWorkflow:
    def __init__(
        self,
        jobs: SearchJobRepository,
        results: ResultStore,
        source: ReadSource,
        cameras: CameraRegistry,
        notifier: Notifier,
        *,
        limits: PlanLimits = DEFAULT_LIMITS,
        admin_window_days: int = 30,
        retention_days: int = 365,
        clock: Clock,
        analytics: AnalyticsHook | None = None,
        rules: JustificationRules = DEFAULT_RULES,
        crops: CropSource | None = None,
    ):
        self.jobs, self.results, self.source, self.cameras, self.notifier = (
            jobs,
            results,
            source,
            cameras,
            notifier,
        )
        self.limits, self.clock = limits, clock
        self.admin_window_days, self.retention_days = admin_window_days, retention_days
        self.rules = rules
        #: plate crops for the HTML export (none without a source: the page still works)
        self.crops = crops
        #: long partial/convoy searches on the analytics copy (anpr.analytics.service.AnalyticsRoute)
        self.analytics = analytics

    def dispatch(self, event: dict) -> dict:
        step = event.get("step")
        handlers = {
            "validate": lambda: self.validate(event["job_id"]),
            "plan": lambda: self.plan(event["job_id"]),
            "query": lambda: self.query(event["item"]),
            "merge": lambda: self.merge(event["job_id"]),
            "export": lambda: self.export(event["job_id"]),
            "finish": lambda: self.finish(event["job_id"], int(event.get("count", 0))),
            "fail": lambda: self.fail(event["job_id"], event.get("error") or {}),
        }
        if step not in handlers:
            raise ValueError(f"unknown step {step!r}")
        return handlers[step]()

    # -- steps ----------------------------------------------------------------------------
    def validate(self, job_id: str) -> dict:
        """Re-check what the API checked: a job exists only if the API accepted it, and its
        justification still holds for the data it reaches."""
        job = self.jobs.get(job_id)
        try:
            query = job.parsed()
            caller = Caller(job.owner_id, job.owner_name, frozenset(job.owner_groups))
            check_access(
                caller,
                Justification(job.case_ref, job.reason, job.prosecutor_ref),
                oldest_ms(query),
                job.submitted_ms,
                self.admin_window_days,
                self.retention_days,
                self.rules,
            )
        except (DomainError, Forbidden, ValueError) as exc:
            raise SearchRejected(str(exc)) from exc
        self._running(lambda: self.jobs.start(job_id, self.clock()), job_id)
        return {"job_id": job_id, "type": job.type}

    def plan(self, job_id: str) -> dict:
        job = self._require_running(job_id)
        choice, items = self.analytics.plan(job.parsed()) if self.analytics else (None, None)
        try:
            if items is None:
                items = plan(job.parsed(), self.cameras, self.source, self.limits)
        except DomainError as exc:
            raise SearchRejected(str(exc)) from exc
        items = [{**item, "job_id": job_id} for item in items]
        self.jobs.set_plan(job_id, sum(partitions_in(i) for i in items))
        mode = mode_for(items, self.limits)
        out = {
            "mode": mode,
            "count": len(items),
            "bucket": self.results.bucket,
            "items_key": f"{prefix(job_id)}plan.json",
        }
        if choice is not None:  # which engine reads the reads, why, and at what estimated cost
            out["engine"] = choice.as_dict()
        if mode == "distributed":  # the Distributed Map reads the items from S3 (ItemReader)
            self.results.put(out["items_key"], json.dumps(items).encode())
        else:
            out["items"] = items
        log.info("search planned", extra={"job_id": job_id, "items": len(items), "mode": mode})
        return out

    def query(self, item: dict) -> dict:
        job_id = item["job_id"]
        job = self.jobs.get(job_id)
        if job.status != JobStatus.RUNNING:  # cancelled (or already failed): nothing more to read
            return {"index": item["index"], "rows": 0, "skipped": True}
        if item["kind"] == "analytics":
            try:
                rows = self.analytics.run_item(job.parsed(), item)
            except DomainError as exc:
                raise SearchRejected(str(exc)) from exc
        else:
            rows = run_item(job.parsed(), item, self.source)
        if rows:
            put_part(self.results, job_id, item["index"], rows)
        self.jobs.add_progress(job_id, partitions_in(item))
        return {"index": item["index"], "rows": len(rows)}

    def merge(self, job_id: str) -> dict:
        job = self._require_running(job_id)
        result = merge(job.parsed(), read_parts(self.results, job_id), job.provenance(self.clock()))
        if self.analytics:  # the result says which engine read the reads, why, at what estimated cost
            result.summary["engine"] = self.analytics.choose(job.parsed()).as_dict()
        put_result(self.results, result)
        return {"job_id": job_id, "count": len(result.items), "sightings": len(result.sightings)}

    def export(self, job_id: str) -> dict:
        self._require_running(job_id)
        result = get_result(self.results, job_id)
        places = self._places()
        files = {
            "csv": exports.to_csv(result, places),
            "geojson": exports.to_geojson(result, places),
            "kml": exports.to_kml(result, places),
            "html": maps.to_html(result, places=places, crops=self._crops(result)).encode(),
            "png": maps.to_png(result, places=places),
        }
        for fmt, body in files.items():
            self.results.put(export_key(job_id, fmt), body, CONTENT_TYPES[fmt])
        return {"job_id": job_id, "formats": sorted(files)}

    def finish(self, job_id: str, count: int) -> dict:
        job = self._running(
            lambda: self.jobs.finish(job_id, JobStatus.SUCCEEDED, self.clock(), count), job_id
        )
        self._notify(job)
        return {"job_id": job_id, "status": job.status.value}

    def fail(self, job_id: str, error: dict) -> dict:
        """Record a clear error for GET /searches/{id}: '<Error>: <message>'."""
        message = _message(error)
        job = self.jobs.get(job_id)
        if job.status in (JobStatus.QUEUED, JobStatus.RUNNING):
            job = self.jobs.finish(job_id, JobStatus.FAILED, self.clock(), error=message)
            self._notify(job)
        log.warning("search failed", extra={"job_id": job_id, "error": message, "status": job.status.value})
        return {"job_id": job_id, "status": job.status.value, "error": job.error}

    # -- helpers --------------------------------------------------------------------------
    def _crops(self, result) -> dict[str, bytes]:
        if self.crops is None:
            return {}
        try:
            return self.crops.crops(result.sightings)
        except StorageError as exc:  # evidence without pictures beats no evidence
            log.warning("plate crops unavailable", extra={"error": str(exc)})
            return {}

    def _places(self) -> dict[str, str]:
        """Camera id → "name, road, municipality" for the exports (evidence names places)."""
        out = {}
        for c in self.cameras.list():
            words = [w for w in (c.name, c.road, c.municipality) if w]
            out[c.camera_id] = ", ".join(dict.fromkeys(words))
        return {k: v for k, v in out.items() if v}

    def _notify(self, job: SearchJob) -> None:
        try:  # the job's state is the record; a lost notice must not fail a finished search
            self.notifier.notify(job)
        except StorageError as exc:
            log.warning("search notification not sent", extra={"job_id": job.job_id, "error": str(exc)})

    def _require_running(self, job_id: str) -> SearchJob:
        job = self.jobs.get(job_id)
        if job.status == JobStatus.CANCELLED:
            raise SearchCancelled(f"search {job_id} was cancelled")
        if job.status != JobStatus.RUNNING:
            raise SearchRejected(f"search {job_id} is {job.status.value}")
        return job

    def _running(self, change: Callable[[], SearchJob], job_id: str) -> SearchJob:
        try:
            return change()
        except Conflict as exc:
            if self.jobs.get(job_id).status == JobStatus.CANCELLED:
                raise SearchCancelled(f"search {job_id} was cancelled") from exc
            raise SearchRejected(str(exc)) from exc


def _message(error: dict) -> str:
    """Step Functions' Catch output ``{"Error", "Cause"}``; a Lambda error's Cause is JSON."""
    name = error.get("Error") or "Error"
    cause = error.get("Cause") or ""
    try:
        parsed = json.loads(cause)
        cause = parsed.get("errorMessage") or cause
    except (ValueError, AttributeError):
        pass
    if name == "States.TaskFailed" and not cause:
        cause = "a step failed"
    return f"{name}: {cause}".strip()[:2000]
