"""Builds the real adapters from validated settings, once per container."""

from __future__ import annotations

import os
from functools import lru_cache

import boto3
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

from anpr.alerts_wiring import watchlist_hook
from anpr.cameras import DynamoCameraRegistry
from anpr.config import IngestSettings
from anpr.ingest import IngestOutcome, IngestPolicy, SnapshotIngestor
from anpr.models import SnapshotRef
from anpr.ocr.engine import load_engine
from anpr.quarantine import S3QuarantineStore
from anpr.reads import DynamoPlateReadRepository
from anpr.snapshots import S3SnapshotStore


class IngestService:
    """The ingestor behind powertools idempotency: one snapshot → one outcome, ever."""

    def __init__(self, settings: IngestSettings, ingestor: SnapshotIngestor | None = None):
        s3 = boto3.client("s3", region_name=settings.region)
        self.ingestor = ingestor or SnapshotIngestor(
            snapshots=S3SnapshotStore(s3),
            quarantine=S3QuarantineStore(settings.bucket_quarantine, s3),
            cameras=DynamoCameraRegistry(settings.table_cameras, settings.region),
            reads=DynamoPlateReadRepository(settings.table_reads, settings.region),
            engine=load_engine(settings.ocr_engine),
            policy=IngestPolicy(
                retention_days=settings.retention_days,
                max_snapshot_bytes=settings.max_snapshot_bytes,
                max_future_skew_s=settings.max_future_skew_s,
            ),
            # watchlist matching, where the alerts concern is deployed (None otherwise)
            after_store=watchlist_hook(os.environ),
        )
        self.config = IdempotencyConfig(
            event_key_jmespath="identity",
            expires_after_seconds=settings.idempotency_ttl_s,
            response_hook=self._on_duplicate,
        )
        persistence = DynamoDBPersistenceLayer(
            table_name=settings.table_idempotency,
            boto3_session=boto3.session.Session(region_name=settings.region),
        )
        self.ingest_once = idempotent_function(
            data_keyword_argument="snapshot", persistence_store=persistence, config=self.config
        )(self._ingest)

    def _ingest(self, snapshot: dict) -> dict:
        return self.ingestor.ingest(SnapshotRef(**snapshot["ref"])).model_dump(mode="json")

    def _on_duplicate(self, response: dict, data_record) -> dict:
        ref = SnapshotRef(bucket=response["bucket"], key=response["key"])
        return self.ingestor.record_duplicate(ref, response).model_dump(mode="json")

    def ingest(self, ref: SnapshotRef) -> IngestOutcome:
        result = self.ingest_once(snapshot={"identity": ref.identity, "ref": ref.model_dump()})
        return IngestOutcome.model_validate(result)


@lru_cache(maxsize=1)
def ingest_service() -> IngestService:
    return IngestService(IngestSettings())
