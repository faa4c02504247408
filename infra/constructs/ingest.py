"""Snapshot intake: S3 buckets (``spec.BUCKETS``), SQS queues (``spec.QUEUES``) and the
S3 ObjectCreated → SQS notifications between them.

Every bucket: SSE-KMS with its data-class key (bucket key on), public access blocked,
TLS-only policy, versioning, server access logs to a dedicated log bucket, and objects that
expire with the reads they document (stage ``retention_days``).
Every queue: SSE-KMS, TLS-only policy, redrive to its DLQ with the spec's maxReceiveCount.
"""

from __future__ import annotations

import re

from anpr.kernel.platform import BUCKETS, QUEUES, BucketSpec, QueueSpec
from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.constructs.acknowledge import acknowledge
from infra.constructs.keys import DataKeys
from infra.constructs.registry import Registry
from infra.stages import Stage

#: SQS maximum: a DLQ keeps failed captures as long as SQS allows, for replay.
DLQ_RETENTION = Duration.days(14)
#: A version that stops being current (lifecycle expiry or overwrite) is removed a day
#: later, so nothing outlives the legal retention window by more than that.
NONCURRENT_VERSION_GRACE_DAYS = 1


def s3_event_type(event: str) -> s3.EventType:
    """``s3:ObjectCreated:*`` → ``EventType.OBJECT_CREATED``, ``s3:ObjectCreated:Put`` → ``OBJECT_CREATED_PUT``."""
    parts = [p for p in event.removeprefix("s3:").split(":") if p != "*"]
    name = "_".join(re.sub(r"(?<=[a-z])(?=[A-Z])", "_", p).upper() for p in parts)
    try:
        return s3.EventType[name]
    except KeyError:
        raise ValueError(f"anpr/kernel/platform.py: unknown S3 event {event!r}") from None


class Ingest(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: Stage,
        keys: DataKeys,
        registry: Registry,
        removal: RemovalPolicy,
        buckets: tuple[BucketSpec, ...] = BUCKETS,
        queues: tuple[QueueSpec, ...] = QUEUES,
    ) -> None:
        super().__init__(scope, construct_id)
        self._stage, self._keys, self._registry, self._removal = stage, keys, registry, removal
        self.queues: dict[str, sqs.Queue] = {}
        self.buckets: dict[str, s3.Bucket] = {}

        # DLQs first, so a redrive can point at them whatever the declaration order
        for spec in sorted(queues, key=lambda q: q.dlq is not None):
            self.queues[spec.id] = registry.add("queue", spec.id, self._queue(spec))

        self.access_logs = self._access_log_bucket()
        for spec in buckets:
            bucket = registry.add("bucket", spec.id, self._bucket(spec))
            self.buckets[spec.id] = bucket
            for notification in spec.notifications:
                key_filter = s3.NotificationKeyFilter(
                    prefix=notification.prefix or None, suffix=notification.suffix or None
                )
                for event in notification.events:
                    bucket.add_event_notification(
                        s3_event_type(event),
                        s3n.SqsDestination(registry.get("queue", notification.queue)),
                        key_filter,
                    )
        self._acknowledge_notifications_handler()

    def _acknowledge_notifications_handler(self) -> None:
        # CDK's singleton custom resource that writes the buckets' NotificationConfiguration
        stack = Stack.of(self)
        for handler in stack.node.children:
            if handler.node.id.startswith("BucketNotificationsHandler"):
                acknowledge(
                    handler.node.find_child("Role"),
                    "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
                    "CDK-internal handler that sets bucket notifications at deploy time; basic execution role is logs only.",
                )

    # -- queues -------------------------------------------------------------------------
    def _queue(self, spec: QueueSpec) -> sqs.Queue:
        dead_letter = None
        if spec.dlq:
            dead_letter = sqs.DeadLetterQueue(
                queue=self._registry.get("queue", spec.dlq), max_receive_count=spec.max_receive_count
            )
        return sqs.Queue(
            self,
            spec.id,
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=self._keys.messages,
            data_key_reuse=Duration.minutes(5),
            enforce_ssl=True,
            visibility_timeout=Duration.seconds(spec.visibility_timeout_s),
            retention_period=DLQ_RETENTION if spec.is_dlq else None,
            dead_letter_queue=dead_letter,
            removal_policy=self._removal,
        )

    # -- buckets ------------------------------------------------------------------------
    def _bucket(self, spec: BucketSpec) -> s3.Bucket:
        rules = [
            s3.LifecycleRule(
                id="abort-incomplete-uploads", abort_incomplete_multipart_upload_after=Duration.days(1)
            )
        ]
        if spec.expire_with_retention:
            rules.append(self._retention_rule(spec.versioned))
        elif getattr(spec, "object_lock", False):
            # a released copy's delete leaves a noncurrent version: gone a day later
            rules.append(
                s3.LifecycleRule(
                    id="released-versions",
                    noncurrent_version_expiration=Duration.days(NONCURRENT_VERSION_GRACE_DAYS),
                    expired_object_delete_marker=True,
                )
            )
        # write-once (WORM) evidence, e.g. the audit mirror; a field the spec may carry
        lock_days = getattr(spec, "object_lock_days", None)
        return s3.Bucket(
            self,
            spec.id,
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self._keys.for_class(spec.data_class),
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            enforce_ssl=True,
            minimum_tls_version=1.2,
            versioned=spec.versioned or bool(lock_days),
            # evidence buckets: locked per object (legal hold) or by default retention (archive)
            object_lock_enabled=True if lock_days or getattr(spec, "object_lock", False) else None,
            object_lock_default_retention=self._lock_retention(lock_days) if lock_days else None,
            lifecycle_rules=rules,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix=f"{spec.id}/",
            removal_policy=self._removal,
        )

    def _lock_retention(self, days: int) -> s3.ObjectLockRetention:
        """The stage's mode: COMPLIANCE (prod, nobody can shorten it) or GOVERNANCE (dev)."""
        if self._stage.audit_lock_mode == "GOVERNANCE":
            return s3.ObjectLockRetention.governance(Duration.days(days))
        return s3.ObjectLockRetention.compliance(Duration.days(days))

    def _retention_rule(self, versioned: bool) -> s3.LifecycleRule:
        days = self._stage.retention_days
        return s3.LifecycleRule(
            id="expire-with-retention",
            expiration=Duration.days(days),
            noncurrent_version_expiration=Duration.days(NONCURRENT_VERSION_GRACE_DAYS) if versioned else None,
        )

    def _access_log_bucket(self) -> s3.Bucket:
        bucket = s3.Bucket(
            self,
            "AccessLogs",
            # S3 server access logging can only deliver to SSE-S3 buckets (not SSE-KMS)
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            enforce_ssl=True,
            minimum_tls_version=1.2,
            versioned=True,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="abort-incomplete-uploads", abort_incomplete_multipart_upload_after=Duration.days(1)
                ),
                self._retention_rule(versioned=True),
            ],
            removal_policy=self._removal,
        )
        acknowledge(
            bucket,
            "AwsSolutions-S1",
            "This is the server-access-log target of every other bucket; logging it into itself would loop.",
        )
        return bucket
