"""Search job state: the Searches table (DynamoDB, TTL), and an in-memory fake.

Status moves QUEUED → RUNNING → SUCCEEDED | FAILED, or → CANCELLED from QUEUED/RUNNING;
every transition is conditional so a late step cannot resurrect a cancelled job.
"""

from __future__ import annotations

import json
from typing import Protocol

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, PutError, PynamoDBException, UpdateError
from pynamodb.models import Model

from anpr.kernel.db import StorageError, all_projection_index, table_meta, table_models
from anpr.kernel.errors import Conflict, NotFound
from anpr.search.models import TERMINAL, JobStatus, SearchJob

_ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)


class SearchJobRepository(Protocol):
    def create(self, job: SearchJob) -> None: ...

    def get(self, job_id: str) -> SearchJob: ...

    def start(self, job_id: str, now_ms: int) -> SearchJob: ...

    def set_plan(self, job_id: str, partitions_total: int) -> None: ...

    def add_progress(self, job_id: str, partitions: int) -> None: ...

    def set_execution(self, job_id: str, execution_arn: str) -> None: ...

    def finish(
        self, job_id: str, status: JobStatus, now_ms: int, result_count: int = 0, error: str | None = None
    ) -> SearchJob: ...

    def list_by_owner(self, owner_id: str, since_ms: int = 0, limit: int = 100) -> list[SearchJob]:
        """The owner's jobs submitted at or after ``since_ms``, newest first."""
        ...

    def list_recent(self, since_ms: int, limit: int = 100) -> list[SearchJob]:
        """Everyone's jobs submitted at or after ``since_ms``, newest first (oversight)."""
        ...


def submitted_sk(submitted_ms: int) -> str:
    return f"{submitted_ms:013d}"


@table_models
def searches_model(table_name: str, region: str, host: str | None) -> type[Model]:

    class SearchItem(Model):
        Meta = table_meta(table_name, region, host)

        job_id = UnicodeAttribute(hash_key=True)
        doc = UnicodeAttribute()  # the job's fixed part, JSON
        status = UnicodeAttribute()
        owner_id = UnicodeAttribute()
        submitted_sk = UnicodeAttribute(null=True)
        by_owner = all_projection_index("byOwner", "owner_id", "submitted_sk")
        started_ms = NumberAttribute(null=True)
        finished_ms = NumberAttribute(null=True)
        partitions_total = NumberAttribute(default=0)
        partitions_done = NumberAttribute(default=0)
        result_count = NumberAttribute(default=0)
        error = UnicodeAttribute(null=True)
        execution_arn = UnicodeAttribute(null=True)
        expires_at = NumberAttribute()  # epoch seconds: the table's TTL attribute

    return SearchItem


_MUTABLE = (
    "status",
    "started_ms",
    "finished_ms",
    "partitions_total",
    "partitions_done",
    "result_count",
    "error",
    "execution_arn",
)


class DynamoSearchJobRepository:
    def __init__(self, table_name: str, region: str):
        self._model = searches_model(table_name, region)

    def create(self, job: SearchJob) -> None:
        fixed = job.model_dump(mode="json", exclude=set(_MUTABLE))
        item = self._model(
            job_id=job.job_id,
            doc=json.dumps(fixed),
            owner_id=job.owner_id,
            submitted_sk=submitted_sk(job.submitted_ms),
            status=job.status.value,
            expires_at=job.expires_at,
        )
        try:
            item.save(condition=self._model.job_id.does_not_exist())
        except PutError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                raise Conflict(f"search {job.job_id} exists") from exc
            raise StorageError(f"searches table write failed: {exc.msg}") from exc

    def get(self, job_id: str) -> SearchJob:
        try:
            item = self._model.get(job_id, consistent_read=True)
        except DoesNotExist as exc:
            raise NotFound(f"no search {job_id}") from exc
        except PynamoDBException as exc:
            raise StorageError(f"searches table read failed: {exc.msg}") from exc
        return self._job(item)

    @staticmethod
    def _job(item) -> SearchJob:
        data = json.loads(item.doc)
        for name in _MUTABLE:
            data[name] = getattr(item, name)
        data["partitions_done"] = int(data["partitions_done"] or 0)
        return SearchJob.model_validate(data)

    def _update(self, job_id: str, actions, condition=None) -> None:
        condition = (
            self._model.job_id.exists() & condition if condition is not None else self._model.job_id.exists()
        )
        try:
            self._model(job_id=job_id).update(actions=actions, condition=condition)
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                current = self.get(job_id)  # NotFound if it does not exist
                raise Conflict(f"search {job_id} is {current.status.value}") from exc
            raise StorageError(f"searches table update failed: {exc.msg}") from exc

    def start(self, job_id: str, now_ms: int) -> SearchJob:
        m = self._model
        self._update(
            job_id,
            [m.status.set(JobStatus.RUNNING.value), m.started_ms.set(now_ms)],
            m.status == JobStatus.QUEUED.value,
        )
        return self.get(job_id)

    def set_plan(self, job_id: str, partitions_total: int) -> None:
        m = self._model
        self._update(
            job_id,
            [m.partitions_total.set(partitions_total), m.partitions_done.set(0)],
            m.status == JobStatus.RUNNING.value,
        )

    def add_progress(self, job_id: str, partitions: int) -> None:
        self._update(job_id, [self._model.partitions_done.add(partitions)])

    def set_execution(self, job_id: str, execution_arn: str) -> None:
        self._update(job_id, [self._model.execution_arn.set(execution_arn)])

    def finish(
        self, job_id: str, status: JobStatus, now_ms: int, result_count: int = 0, error: str | None = None
    ) -> SearchJob:
        m = self._model
        actions = [m.status.set(status.value), m.finished_ms.set(now_ms), m.result_count.set(result_count)]
        if error is not None:
            actions.append(m.error.set(error[:2000]))
        self._update(job_id, actions, m.status.is_in(*(s.value for s in _ACTIVE)))
        return self.get(job_id)

    def list_by_owner(self, owner_id: str, since_ms: int = 0, limit: int = 100) -> list[SearchJob]:
        try:
            items = self._model.by_owner.query(
                owner_id,
                self._model.submitted_sk >= submitted_sk(since_ms),
                scan_index_forward=False,
                limit=limit,
            )
            return [self._job(i) for i in items]
        except PynamoDBException as exc:
            raise StorageError(f"searches table query failed: {exc.msg}") from exc

    def list_recent(self, since_ms: int, limit: int = 100) -> list[SearchJob]:
        # oversight only, over a small table (jobs expire with retention): a filtered scan
        try:
            items = self._model.scan(self._model.submitted_sk >= submitted_sk(since_ms))
            jobs = sorted((self._job(i) for i in items), key=lambda j: j.submitted_ms, reverse=True)
        except PynamoDBException as exc:
            raise StorageError(f"searches table scan failed: {exc.msg}") from exc
        return jobs[:limit]


def is_terminal(job: SearchJob) -> bool:
    return job.status in TERMINAL
