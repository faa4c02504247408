"""Builds the ingest function's services from validated settings and a clock."""

from __future__ import annotations

import os

import boto3
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

from anpr.alerts.wiring import watchlist_hook
from anpr.ingest.quarantine import S3QuarantineStore
from anpr.ingest.service import IngestOutcome, IngestPolicy, SnapshotIngestor, snapshot_identity
from anpr.ingest.settings import IngestSettings
from anpr.ingest.snapshots import S3SnapshotStore
from anpr.kernel.clock import Clock, system_clock
from anpr.ocr.engine import load_engine
from anpr.reads.cameras import DynamoCameraRegistry
from anpr.reads.models import SnapshotRef
from anpr.reads.repository import DynamoPlateReadRepository


def network_hooks(settings: IngestSettings, clock: Clock) -> dict:
    """The networks concern's hooks (anpr.ingest.hooks), each where its table is deployed."""
    from anpr.accountability.wiring import trail_from
    from anpr.networks.activity import DynamoActivityStore
    from anpr.networks.adapters import DynamoZoneStore
    from anpr.networks.ingest_ops import DynamoDisagreementStore, NetworkIngestOps
    from anpr.networks.zones import RefreshingZoneMap

    s = settings
    hooks: dict = {}
    if s.table_police_zones:
        hooks["zones"] = RefreshingZoneMap(DynamoZoneStore(s.table_police_zones, s.region).list, clock)
    if s.table_camera_activity:
        hooks["activity"] = DynamoActivityStore(s.table_camera_activity, s.region)
    if s.table_camera_disagreements:
        hooks["disagreements"] = DynamoDisagreementStore(s.table_camera_disagreements, s.region)
    audit = trail_from(s, clock) if s.table_audit_trail else None
    hooks["observer"] = NetworkIngestOps(audit, s.metrics_namespace)
    return hooks


class IngestService:
    """The ingestor behind powertools idempotency: one snapshot → one outcome, ever."""

    def __init__(
        self, settings: IngestSettings, clock: Clock = system_clock, ingestor: SnapshotIngestor | None = None
    ):
        s3 = boto3.client("s3", region_name=settings.region)
        self.ingestor = ingestor or SnapshotIngestor(
            snapshots=S3SnapshotStore(s3),
            quarantine=S3QuarantineStore(settings.bucket_quarantine, clock, s3),
            cameras=DynamoCameraRegistry(settings.table_cameras, settings.region),
            reads=DynamoPlateReadRepository(settings.table_reads, settings.region),
            engine=load_engine(settings.ocr_engine),
            policy=IngestPolicy(
                retention_days=settings.retention_days,
                max_snapshot_bytes=settings.max_snapshot_bytes,
                max_future_skew_s=settings.max_future_skew_s,
                snapshot_bucket=settings.bucket_snapshots,
            ),
            # watchlist matching, where the alerts concern is deployed (None otherwise)
            clock=clock,
            after_store=watchlist_hook(os.environ, clock),
            **network_hooks(settings, clock),
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
        # bucket/key, not the version: a re-upload of the same key is a duplicate, not a new read
        result = self.ingest_once(snapshot={"identity": snapshot_identity(ref), "ref": ref.model_dump()})
        return IngestOutcome.model_validate(result)


def ingest_service(settings: IngestSettings | None = None, clock: Clock = system_clock) -> IngestService:
    """The ingest function's services: the ingestor behind idempotency."""
    return IngestService(settings or IngestSettings(), clock)
