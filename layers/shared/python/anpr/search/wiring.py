"""Builds the real adapters from validated settings, once per container."""

from __future__ import annotations

import json
from functools import lru_cache

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from anpr.audit_store import default_trail
from anpr.cameras import DynamoCameraRegistry
from anpr.db import StorageError
from anpr.search.config import SearchApiSettings, SearchTaskSettings
from anpr.search.notify import SnsNotifier
from anpr.search.repository import DynamoSearchJobRepository
from anpr.search.results import S3ResultStore
from anpr.search.service import SearchService
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


@lru_cache(maxsize=1)
def search_service() -> SearchService:
    s = SearchApiSettings()
    return SearchService(
        jobs=DynamoSearchJobRepository(s.table_searches, s.region),
        results=S3ResultStore(s.bucket_search_results, boto3.client("s3", region_name=s.region)),
        starter=StepFunctionsStarter(
            s.state_machine_search, boto3.client("stepfunctions", region_name=s.region)
        ),
        audit=default_trail(),
        admin_window_days=s.admin_window_days,
        retention_days=s.retention_days,
        url_ttl_s=s.download_url_ttl_s,
    )


@lru_cache(maxsize=1)
def search_workflow() -> SearchWorkflow:
    s = SearchTaskSettings()
    return SearchWorkflow(
        jobs=DynamoSearchJobRepository(s.table_searches, s.region),
        results=S3ResultStore(s.bucket_search_results, boto3.client("s3", region_name=s.region)),
        source=DynamoReadSource(s.table_reads, boto3.client("dynamodb", region_name=s.region)),
        cameras=DynamoCameraRegistry(s.table_cameras, s.region),
        notifier=SnsNotifier(s.topic_search_events, boto3.client("sns", region_name=s.region)),
        limits=s.limits(),
        admin_window_days=s.admin_window_days,
        retention_days=s.retention_days,
    )
