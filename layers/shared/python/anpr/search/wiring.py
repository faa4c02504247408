"""Builds the search services (API and workflow task) from validated settings and a clock."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import partial

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from anpr.accountability.wiring import trail_from
from anpr.alerts.adapters.s3 import S3Presigner
from anpr.analytics.wiring import analytics_cost, analytics_route
from anpr.kernel.audit import AuditTrail
from anpr.kernel.clock import Clock, system_clock
from anpr.kernel.db import StorageError
from anpr.reads.cameras import DynamoCameraRegistry
from anpr.search.crops import DynamoCropKeys, SnapshotCrops
from anpr.search.notify import SnsNotifier
from anpr.search.repository import DynamoSearchJobRepository
from anpr.search.results import S3ResultStore
from anpr.search.service import SearchService
from anpr.search.settings import SearchApiSettings, SearchTaskSettings
from anpr.search.source import DynamoReadSource
from anpr.search.workflow import SearchWorkflow


class StepFunctionsStarter:
    """One execution per job, named after the job: a retried submit cannot start it twice."""

    def __init__(self, state_machine_arn: str, client):
        self._arn, self._sfn = state_machine_arn, client

    def start(self, job_id: str) -> str:
        try:
            return self._sfn.start_execution(
                stateMachineArn=self._arn, name=job_id, input=json.dumps({"job_id": job_id})
            )["executionArn"]
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"search workflow did not start: {exc}") from exc

    def stop(self, execution_arn: str, cause: str) -> None:
        self._sfn.stop_execution(executionArn=execution_arn, cause=cause)


@dataclass(frozen=True)
class SearchApiServices:
    search: SearchService
    audit: AuditTrail


@dataclass(frozen=True)
class SearchTaskServices:
    workflow: SearchWorkflow


def snapshot_links(s: SearchApiSettings):
    """Presigned links to the Snapshots bucket's overview images (None where not wired)."""
    if not s.bucket_snapshots:
        return None
    presigner = S3Presigner(boto3.client("s3", region_name=s.region), ttl_s=s.download_url_ttl_s)
    return partial(presigner.url, s.bucket_snapshots)


def api_services(settings: SearchApiSettings | None = None, clock: Clock = system_clock) -> SearchApiServices:
    s = settings or SearchApiSettings()
    trail = trail_from(s, clock)
    return SearchApiServices(
        search=SearchService(
            jobs=DynamoSearchJobRepository(s.table_searches, s.region),
            results=S3ResultStore(s.bucket_search_results, boto3.client("s3", region_name=s.region)),
            starter=StepFunctionsStarter(
                s.state_machine_search, boto3.client("stepfunctions", region_name=s.region)
            ),
            audit=trail,
            admin_window_days=s.admin_window_days,
            retention_days=s.retention_days,
            url_ttl_s=s.download_url_ttl_s,
            clock=clock,
            cameras=DynamoCameraRegistry(s.table_cameras, s.region),
            bounds=s.bounds(),
            rules=s.justification_rules(),
            analytics=analytics_cost(s),
            snapshot_url=snapshot_links(s),
            # each results row's plate crop: the reads' crop keys, presigned like the overview
            crop_keys=(
                DynamoCropKeys(s.table_reads, boto3.client("dynamodb", region_name=s.region))
                if s.table_reads
                else None
            ),
        ),
        audit=trail,
    )


def task_services(
    settings: SearchTaskSettings | None = None, clock: Clock = system_clock
) -> SearchTaskServices:
    s = settings or SearchTaskSettings()
    source = DynamoReadSource(s.table_reads, boto3.client("dynamodb", region_name=s.region))
    cameras = DynamoCameraRegistry(s.table_cameras, s.region)
    return SearchTaskServices(
        workflow=SearchWorkflow(
            jobs=DynamoSearchJobRepository(s.table_searches, s.region),
            results=S3ResultStore(s.bucket_search_results, boto3.client("s3", region_name=s.region)),
            source=source,
            cameras=cameras,
            notifier=SnsNotifier(s.topic_search_events, boto3.client("sns", region_name=s.region)),
            limits=s.limits(),
            admin_window_days=s.admin_window_days,
            retention_days=s.retention_days,
            clock=clock,
            rules=s.justification_rules(),
            crops=SnapshotCrops(
                s.table_reads,
                boto3.client("dynamodb", region_name=s.region),
                boto3.client("s3", region_name=s.region),
            ),
            # long partial/convoy searches on the analytics copy; a convoy's target sightings
            # come from the reads table's byPlate index (one plate), the SQL scans their windows
            analytics=analytics_route(s, cameras, plates=source),
        )
    )
