"""Fakes of the search ports (same contracts as the adapters)."""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Iterator

from anpr.kernel.errors import Conflict, NotFound
from anpr.reads import keys
from anpr.search.models import JobStatus, SearchJob, Sighting
from anpr.search.notify import message
from anpr.search.repository import _ACTIVE
from anpr.search.service import SearchService

from tests.fakes.accountability import InMemoryAuditTrail


class InMemoryNotifier:
    def __init__(self):
        self.sent: list[dict] = []

    def notify(self, job: SearchJob) -> None:
        self.sent.append(message(job))


class InMemoryResultStore:
    def __init__(self, bucket: str = "results"):
        self.bucket = bucket
        self.objects: dict[str, bytes] = {}

    def put(self, key: str, body: bytes, content_type: str = "application/json") -> None:
        self.objects[key] = body

    def get(self, key: str) -> bytes:
        try:
            return self.objects[key]
        except KeyError:
            raise NotFound("result not available") from None

    def keys(self, key_prefix: str) -> list[str]:
        return sorted(k for k in self.objects if k.startswith(key_prefix))

    def url(self, key: str, filename: str, expires_s: int = 300) -> str:
        return f"memory://{self.bucket}/{key}?filename={filename}"


class InMemoryReadSource:
    """The same contract over sightings held in memory (unit tests, the benchmark)."""

    def __init__(self, sightings: Iterable[Sighting] = ()):
        self._by_pk: dict[str, list[tuple[int, str, Sighting]]] = defaultdict(list)
        self._by_camera: dict[str, list[tuple[int, str, Sighting]]] = defaultdict(list)
        self._by_plate: dict[str, list[tuple[int, str, Sighting]]] = defaultdict(list)
        self._sorted = True
        self.add(sightings)

    @classmethod
    def from_reads(cls, reads) -> InMemoryReadSource:
        return cls(Sighting.from_read(r) for r in reads)

    def add(self, sightings: Iterable[Sighting]) -> None:
        for s in sightings:
            row = (s.capture_ms, s.read_id, s)
            self._by_pk[keys.partition_key(s.capture_ms, s.read_id)].append(row)
            self._by_camera[s.camera_id].append(row)
            self._by_plate[s.plate].append(row)
        self._sorted = False

    def all_sightings(self) -> Iterator[Sighting]:
        for rows in self._by_pk.values():
            for row in rows:
                yield row[2]

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_pk.values())

    def _ensure_sorted(self) -> None:
        if not self._sorted:
            for index in (self._by_pk, self._by_camera, self._by_plate):
                for rows in index.values():
                    rows.sort(key=lambda r: (r[0], r[1]))
            self._sorted = True

    def _between(self, rows: list, start_ms: int, end_ms: int) -> Iterator[Sighting]:
        self._ensure_sorted()
        i = bisect.bisect_left(rows, (start_ms, ""))
        while i < len(rows) and rows[i][0] <= end_ms:
            yield rows[i][2]
            i += 1

    def partition(
        self, pk: str, start_ms: int, end_ms: int, contains: str | None = None
    ) -> Iterator[Sighting]:
        for s in self._between(self._by_pk.get(pk, []), start_ms, end_ms):
            if contains is None or contains in s.plate:
                yield s

    def camera(self, camera_id: str, start_ms: int, end_ms: int) -> Iterator[Sighting]:
        yield from self._between(self._by_camera.get(camera_id, []), start_ms, end_ms)

    def plate(self, plate: str, start_ms: int, end_ms: int) -> Iterator[Sighting]:
        yield from self._between(self._by_plate.get(plate, []), start_ms, end_ms)


class InMemorySearchJobRepository:
    def __init__(self):
        self.jobs: dict[str, SearchJob] = {}

    def create(self, job: SearchJob) -> None:
        if job.job_id in self.jobs:
            raise Conflict(f"search {job.job_id} exists")
        self.jobs[job.job_id] = job

    def get(self, job_id: str) -> SearchJob:
        try:
            return self.jobs[job_id]
        except KeyError:
            raise NotFound(f"no search {job_id}") from None

    def _set(self, job_id: str, allowed=None, **changes) -> SearchJob:
        job = self.get(job_id)
        if allowed is not None and job.status not in allowed:
            raise Conflict(f"search {job_id} is {job.status.value}")
        self.jobs[job_id] = job = job.model_copy(update=changes)
        return job

    def start(self, job_id: str, now_ms: int) -> SearchJob:
        return self._set(job_id, (JobStatus.QUEUED,), status=JobStatus.RUNNING, started_ms=now_ms)

    def set_plan(self, job_id: str, partitions_total: int) -> None:
        self._set(job_id, (JobStatus.RUNNING,), partitions_total=partitions_total, partitions_done=0)

    def add_progress(self, job_id: str, partitions: int) -> None:
        self._set(job_id, partitions_done=self.get(job_id).partitions_done + partitions)

    def set_execution(self, job_id: str, execution_arn: str) -> None:
        self._set(job_id, execution_arn=execution_arn)

    def finish(
        self, job_id: str, status: JobStatus, now_ms: int, result_count: int = 0, error: str | None = None
    ) -> SearchJob:
        changes = {"status": status, "finished_ms": now_ms, "result_count": result_count}
        if error is not None:
            changes["error"] = error
        return self._set(job_id, _ACTIVE, **changes)

    def list_by_owner(self, owner_id: str, since_ms: int = 0, limit: int = 100) -> list[SearchJob]:
        return self.list_recent(since_ms, limit=len(self.jobs) or 1, owner_id=owner_id)[:limit]

    def list_recent(self, since_ms: int, limit: int = 100, owner_id: str | None = None) -> list[SearchJob]:
        jobs = [
            j
            for j in self.jobs.values()
            if j.submitted_ms >= since_ms and (owner_id is None or j.owner_id == owner_id)
        ]
        return sorted(jobs, key=lambda j: j.submitted_ms, reverse=True)[:limit]


class RecordingStarter:
    """The workflow starter: keeps the jobs started and the executions stopped."""

    def __init__(self):
        self.started, self.stopped = [], []

    def start(self, job_id):
        self.started.append(job_id)
        return f"arn:aws:states:eu-west-1:123456789012:execution:search:{job_id}"

    def stop(self, arn, cause):
        self.stopped.append(arn)


def in_memory_search_service(now_ms: int, **options) -> SearchService:
    """A SearchService on these fakes at a fixed ``now_ms``, job ids ``job0``, ``job1``…;
    ``options``: its optional ports (``snapshot_url``, ``crop_keys``…)."""
    ids = iter(f"job{i}" for i in range(100))
    return SearchService(
        InMemorySearchJobRepository(),
        InMemoryResultStore(),
        RecordingStarter(),
        InMemoryAuditTrail(),
        clock=lambda: now_ms,
        new_id=lambda: next(ids),
        **options,
    )
