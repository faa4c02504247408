"""The API side of searches: submit, status, results, cancel — justified and audited.

Who may do what (routes in anpr/search/spec.py; decision in docs/search.md):
- investigators submit, follow, read and cancel *their own* searches;
- supervisors may read any search's status and results (oversight), never submit or cancel;
- someone else's search answers 404, so its existence does not leak.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Callable
from typing import Protocol

from anpr.accountability.justification import DEFAULT_RULES, Justification, JustificationRules, check_access
from anpr.kernel.audit import AuditEvent, AuditTrail
from anpr.kernel.auth import Caller, Forbidden
from anpr.kernel.clock import DAY_MS, Clock, expires_at_s
from anpr.kernel.errors import BadRequest, Conflict, DomainError, NotFound
from anpr.reads.cameras import CameraRegistry
from anpr.reads.plates import mask
from anpr.search.crops import CropKeys
from anpr.search.models import (
    JobStatus,
    SearchJob,
    SearchResult,
    Sighting,
    SubmitRequest,
    check_not_future,
    named_plates,
    oldest_ms,
    parse_query,
)
from anpr.search.plan import DEFAULT_BOUNDS, CostBounds, check_bounds, estimate
from anpr.search.repository import SearchJobRepository
from anpr.search.results import CONTENT_TYPES, ResultStore, export_key, get_result

log = logging.getLogger(__name__)

EXPORT_FORMATS = ("csv", "geojson", "kml", "html", "png")
OVERSIGHT_ROLES = frozenset({"supervisor"})
MAX_PAGE_SIZE = 1000
MAX_LIST = 200


class ExecutionStarter(Protocol):
    def start(self, job_id: str) -> str: ...

    def stop(self, execution_arn: str, cause: str) -> None: ...


class EngineEstimator(Protocol):
    """Optional: the analytics route's API side (anpr.analytics.service.AnalyticsCost)."""

    def estimate(self, query, reads_table: dict, scanned_today: int = 0) -> dict:
        """The job's estimate in the chosen engine's terms (``engine``, ``reason``...); raises
        ``BadRequest`` above that engine's bounds."""
        ...


class SearchService:
    def __init__(
        self,
        jobs: SearchJobRepository,
        results: ResultStore,
        starter: ExecutionStarter,
        audit: AuditTrail,
        *,
        admin_window_days: int = 30,
        retention_days: int = 365,
        url_ttl_s: int = 300,
        clock: Clock,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
        cameras: CameraRegistry | None = None,
        bounds: CostBounds = DEFAULT_BOUNDS,
        rules: JustificationRules = DEFAULT_RULES,
        analytics: EngineEstimator | None = None,
        snapshot_url: Callable[[str], str | None] | None = None,
        crop_keys: CropKeys | None = None,
    ):
        self.jobs, self.store, self.starter, self.audit = jobs, results, starter, audit
        #: a presigned link to a snapshot key (the Snapshots bucket); None: no overview images
        self.snapshot_url = snapshot_url
        #: the plate crops ingest stored for the reads of a results page; None: no crops
        self.crop_keys = crop_keys
        #: long searches on the analytics copy: their engine and scan stated in the estimate
        self.analytics = analytics
        self.admin_window_days, self.retention_days = admin_window_days, retention_days
        self.url_ttl_s, self.clock, self.new_id = url_ttl_s, clock, new_id
        self.cameras, self.bounds, self.rules = cameras, bounds, rules

    # -- submit ---------------------------------------------------------------------------
    def submit(self, caller: Caller, request: SubmitRequest) -> SearchJob:
        query = parse_query(request.type, request.params)
        now = self.clock()
        justification = Justification(request.case_ref, request.reason, request.prosecutor_ref)
        try:
            check_not_future(query, now)
            justification = check_access(
                caller,
                justification,
                oldest_ms(query),
                now,
                self.admin_window_days,
                self.retention_days,
                self.rules,
            )
            cost = self.estimate(caller, query, now)
        except (DomainError, Forbidden) as exc:
            self._audit(
                caller,
                "search.submitted",
                "search/-",
                request,
                named_plates(query),
                outcome="denied",
                detail={"why": str(exc), "type": request.type},
            )
            raise
        job = SearchJob(
            job_id=self.new_id(),
            type=request.type,
            query=query.model_dump(mode="json"),
            owner_id=caller.user_id,
            owner_name=caller.username,
            owner_groups=sorted(caller.groups),
            case_ref=justification.case_ref,  # as checked: visible characters only
            reason=justification.reason,
            prosecutor_ref=justification.prosecutor_ref or None,
            submitted_ms=now,
            expires_at=expires_at_s(now, self.retention_days),
            estimate=cost,
        )
        self.jobs.create(job)
        self._audit(
            caller,
            "search.submitted",
            f"search/{job.job_id}",
            job,  # the justification as checked (visible characters only)
            named_plates(query),
            detail={"type": job.type, "query": job.query, "estimate": job.estimate},
        )
        try:
            arn = self.starter.start(job.job_id)
        except Exception as exc:  # the job must not stay QUEUED forever
            self.jobs.finish(job.job_id, JobStatus.FAILED, self.clock(), error=f"could not start: {exc}")
            raise
        self.jobs.set_execution(job.job_id, arn)
        log.info(
            "search submitted",
            extra={"job_id": job.job_id, "type": job.type, "plates": [mask(p) for p in named_plates(query)]},
        )
        return self.jobs.get(job.job_id)

    def estimate(self, caller: Caller, query, now_ms: int) -> dict:
        """The job's estimate in the terms of the engine that will run it (the reads table's
        partitions and read units, or the analytics copy's scan), its bounds checked
        (``BadRequest`` saying how to narrow it)."""
        cost = estimate(query, self.cameras)
        public = cost.public()
        if self.analytics is not None:
            public = self.analytics.estimate(query, public, self.spent_today(caller, now_ms, "scan_bytes"))
        if public["engine"] != "analytics":
            check_bounds(query, cost, self.bounds, self.spent_today(caller, now_ms))
        return public

    def spent_today(self, caller: Caller, now_ms: int, what: str = "read_units") -> int:
        """Estimated read units (or ``scan_bytes``) of the caller's searches of the last 24 hours."""
        jobs = self.jobs.list_by_owner(caller.user_id, since_ms=now_ms - DAY_MS, limit=1000)
        return sum(int((j.estimate or {}).get(what, 0)) for j in jobs)

    # -- read -----------------------------------------------------------------------------
    def status(self, caller: Caller, job_id: str) -> dict:
        """One ``search.status_viewed`` record per view: the status shows the query (plates)."""
        job = self._visible(caller, job_id, "search.status_viewed")
        self._audit(
            caller,
            "search.status_viewed",
            f"search/{job_id}",
            job,
            named_plates(job.parsed()),
            detail=self._whose(caller, job),
        )
        return job.public()

    def list(self, caller: Caller, days: int = 30, limit: int = 50) -> dict:
        """``GET /searches``: the caller's jobs, newest first; supervisors see everyone's
        (national scope until tokens carry a unit). One ``search.listed`` record per view."""
        if not 1 <= days <= self.retention_days or not 1 <= limit <= MAX_LIST:
            raise BadRequest(f"1 ≤ days ≤ {self.retention_days} and 1 ≤ limit ≤ {MAX_LIST}")
        since = self.clock() - days * DAY_MS
        oversight = bool(caller.groups & OVERSIGHT_ROLES)
        if oversight:
            jobs = self.jobs.list_recent(since, limit)
        else:
            jobs = self.jobs.list_by_owner(caller.user_id, since, limit)
        plates = [p for j in jobs for p in named_plates(j.parsed())]
        self.audit.record(
            AuditEvent.by(
                caller,
                "search.listed",
                resource="search/*" if oversight else f"search/owner/{caller.user_id}",
                plates=sorted(set(plates)),
                detail={"days": days, "limit": limit, "jobs": [j.job_id for j in jobs]},
            )
        )
        return {
            "items": [j.public() for j in jobs],
            "days": days,
            "count": len(jobs),
            "all_owners": oversight,
        }

    def results(self, caller: Caller, job_id: str, page: int = 1, page_size: int = 100) -> dict:
        """One page of a finished search's items. Each row carries its plate crop as a short-lived
        presigned link (``crop_url``, the read in ``crop_read_id``: a trajectory row's own read, a
        vehicle row's most confident sighting) and a vehicle row its sightings in time order
        (``track``); a convoy's page also carries the target's own sightings (``target``). One
        ``search.results_viewed`` record per page names its plates and the reads whose crops it
        linked: a page of thumbnails is one view, not one per image."""
        job = self._finished(caller, job_id, "search.results_viewed")
        if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
            raise BadRequest(f"page ≥ 1 and 1 ≤ page_size ≤ {MAX_PAGE_SIZE}")
        result = get_result(self.store, job_id)
        lo = (page - 1) * page_size
        items = [dict(i) for i in result.items[lo : lo + page_size]]
        shown = _row_reads(job.type, items, result)
        target = _target(result) if job.type == "convoy" else None
        crops = self._crop_urls([s for s in shown if s is not None])
        for item, s in zip(items, shown, strict=True):
            url = crops.get(s.read_id) if s is not None else None
            item["crop_url"], item["crop_read_id"] = url, s.read_id if url else None
        plates = {i["plate"] for i in items if "plate" in i}
        if target:
            plates.add(target[0]["plate"])
        self._audit(
            caller,
            "search.results_viewed",
            f"search/{job_id}",
            job,
            sorted(plates),
            detail={
                "page": page,
                "page_size": page_size,
                "crops": sorted(crops),
                **({"target_sightings": len(target)} if target is not None else {}),
                **self._whose(caller, job),
            },
        )
        return {
            "job_id": job_id,
            "type": job.type,
            "status": job.status.value,
            "provenance": result.provenance,
            "summary": result.summary,
            "page": page,
            "page_size": page_size,
            "total": len(result.items),
            "next_page": page + 1 if lo + page_size < len(result.items) else None,
            "crop_expires_s": self.url_ttl_s if crops else None,
            "items": items,
            **({"target": target} if target is not None else {}),
        }

    def _crop_urls(self, sightings: list[Sighting]) -> dict[str, str]:
        """read_id → a presigned link to its stored plate crop, for these reads only."""
        if self.crop_keys is None or self.snapshot_url is None or not sightings:
            return {}
        out = {}
        for read_id, key in self.crop_keys.crop_keys(sightings).items():
            url = self.snapshot_url(key)
            if url:
                out[read_id] = url
        return out

    def download(
        self, caller: Caller, job_id: str, fmt: str, inline: bool = False
    ) -> dict | tuple[bytes, str]:
        """A presigned link to an export (default), or the file itself (``inline``)."""
        if fmt not in EXPORT_FORMATS:
            raise BadRequest(f"format must be one of {', '.join(EXPORT_FORMATS)}")
        job = self._finished(caller, job_id, "search.results_downloaded")
        result = get_result(self.store, job_id)
        key = export_key(job_id, fmt)
        body = self.store.get(key)
        # the audit trail holds the file's fingerprint: what was handed over can be proven later
        sha256 = hashlib.sha256(body).hexdigest()
        self._audit(
            caller,
            "search.results_downloaded",
            f"search/{job_id}",
            job,
            result.plates(),
            detail={
                "format": fmt,
                "inline": inline,
                "sha256": sha256,
                "bytes": len(body),
                **self._whose(caller, job),
            },
        )
        if inline:
            return body, CONTENT_TYPES[fmt]
        filename = f"search-{job_id}.{fmt}"
        return {
            "job_id": job_id,
            "format": fmt,
            "filename": filename,
            "sha256": sha256,
            "expires_s": self.url_ttl_s,
            "url": self.store.url(key, filename, self.url_ttl_s),
        }

    def overview(self, caller: Caller, job_id: str, read_id: str) -> dict:
        """A presigned link to the overview image of one read among a finished search's results
        (``search.image_viewed``, with the plate: the snapshot shows the vehicle and its
        surroundings). A read that is not in the results answers 404, audited as denied."""
        job = self._finished(caller, job_id, "search.image_viewed")
        result = get_result(self.store, job_id)
        found = next((s for s in result.sightings if s.read_id == read_id), None)
        url = (
            self.snapshot_url(found.snapshot_key)
            if found and found.snapshot_key and self.snapshot_url
            else None
        )
        if found is None or url is None:
            why = f"search {job_id} has no overview image of read {read_id}"
            self._audit(
                caller,
                "search.image_viewed",
                f"search/{job_id}",
                job,
                [],
                outcome="denied",
                detail={"why": why, "read_id": read_id},
            )
            raise NotFound(why)
        self._audit(
            caller,
            "search.image_viewed",
            f"search/{job_id}",
            job,
            [found.plate],
            detail={"read_id": read_id, **self._whose(caller, job)},
        )
        return {
            "job_id": job_id,
            "read_id": read_id,
            "camera_id": found.camera_id,
            "capture_ms": found.capture_ms,
            "expires_s": self.url_ttl_s,
            "url": url,
        }

    # -- cancel ---------------------------------------------------------------------------
    def cancel(self, caller: Caller, job_id: str) -> dict:
        job = self._visible(caller, job_id, "search.cancelled")
        if job.owner_id != caller.user_id:
            why = "only the investigator who submitted a search may cancel it"
            self._audit(
                caller, "search.cancelled", f"search/{job_id}", job, [], outcome="denied", detail={"why": why}
            )
            raise Forbidden(why)
        job = self.jobs.finish(
            job_id, JobStatus.CANCELLED, self.clock(), error="cancelled by the investigator"
        )
        if job.execution_arn:
            try:  # the steps also stop on their own once they see CANCELLED
                self.starter.stop(job.execution_arn, "cancelled by the investigator")
            except Exception as exc:  # noqa: BLE001 - cancellation is already recorded
                log.warning(
                    "execution not stopped; steps will stop cooperatively",
                    extra={"job_id": job_id, "error": str(exc)},
                )
        self._audit(caller, "search.cancelled", f"search/{job_id}", job, [], detail={})
        return job.public()

    # -- helpers --------------------------------------------------------------------------
    def _visible(self, caller: Caller, job_id: str, action: str) -> SearchJob:
        """The job if the caller may see it; else 404 (someone else's job does not leak), audited
        as a denied ``action``: trying other people's job ids is itself worth a record."""
        try:
            job = self.jobs.get(job_id)
            if job.owner_id != caller.user_id and not caller.groups & OVERSIGHT_ROLES:
                raise NotFound(f"no search {job_id}")
        except NotFound as exc:
            self._audit(
                caller, action, f"search/{job_id}", None, [], outcome="denied", detail={"why": str(exc)}
            )
            raise NotFound(f"no search {job_id}") from None
        return job

    @staticmethod
    def _whose(caller: Caller, job: SearchJob) -> dict:
        own = job.owner_id == caller.user_id
        return {"status": job.status.value, "own": own, **({} if own else {"owner": job.owner_id})}

    def _finished(self, caller: Caller, job_id: str, action: str) -> SearchJob:
        job = self._visible(caller, job_id, action)
        if job.status != JobStatus.SUCCEEDED:
            raise Conflict(f"search {job_id} is {job.status.value}; results come when it has SUCCEEDED")
        return job

    def _audit(
        self,
        caller: Caller,
        action: str,
        resource: str,
        ctx,
        plates: list[str],
        outcome: str = "allowed",
        detail: dict | None = None,
    ) -> None:
        self.audit.record(
            AuditEvent.by(
                caller,
                action,
                outcome=outcome,
                resource=resource,
                plates=sorted(set(plates)),
                case_ref=getattr(ctx, "case_ref", None) or None,
                reason=getattr(ctx, "reason", None) or None,
                prosecutor_ref=getattr(ctx, "prosecutor_ref", None),
                detail=json.loads(json.dumps(detail or {})),
            )
        )


def _track_point(s: Sighting) -> dict:
    return {
        "read_id": s.read_id,
        "capture_ms": s.capture_ms,
        "camera_id": s.camera_id,
        "lat": s.lat,
        "lon": s.lon,
    }


def _row_reads(search_type: str, items: list[dict], result: SearchResult) -> list[Sighting | None]:
    """The read whose crop each row shows; a vehicle row also gets its ``track`` (its sightings
    in this search, in time order; a convoy's target sightings are not the partner's)."""
    if search_type == "trajectory":
        by_id = {s.read_id: s for s in result.sightings}
        return [by_id.get(i.get("read_id", "")) for i in items]
    by_plate: dict[str, list[Sighting]] = {}
    for s in result.sightings:
        if s.tag != "target":
            by_plate.setdefault(s.plate, []).append(s)
    out: list[Sighting | None] = []
    for item in items:
        seen = sorted(by_plate.get(item.get("plate", ""), []), key=lambda s: (s.capture_ms, s.read_id))
        item["track"] = [_track_point(s) for s in seen]
        out.append(max(seen, key=lambda s: (s.confidence, s.capture_ms)) if seen else None)
    return out


def _target(result: SearchResult) -> list[dict]:
    """A convoy's target: its own sightings, in time order (drawn under the partners)."""
    mine = sorted((s for s in result.sightings if s.tag == "target"), key=lambda s: (s.capture_ms, s.read_id))
    return [{"plate": s.plate, **_track_point(s)} for s in mine]
