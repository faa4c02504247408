"""S3 buckets of one concern, and the S3 ObjectCreated → SQS notifications the spec declares.

Every bucket: SSE-KMS with its data-class key (bucket key on), public access blocked,
TLS-only policy, versioning, server access logs to the platform's access-log bucket, and
objects that expire with the reads they document (stage ``retention_days``).
"""

from __future__ import annotations

import re

from anpr.kernel.platform import BucketSpec
from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from constructs import Construct

from infra.builders.base import Shared, kind_scope
from infra.constructs.acknowledge import acknowledge
from infra.stages import Stage

#: A version that stops being current (lifecycle expiry or overwrite) is removed a day
#: later, so nothing outlives the legal retention window by more than that.
NONCURRENT_VERSION_GRACE_DAYS = 1
ABORT_INCOMPLETE_UPLOADS = s3.LifecycleRule(
    id="abort-incomplete-uploads", abort_incomplete_multipart_upload_after=Duration.days(1)
)


def s3_event_type(event: str) -> s3.EventType:
    """``s3:ObjectCreated:*`` → ``EventType.OBJECT_CREATED``, ``s3:ObjectCreated:Put`` → ``OBJECT_CREATED_PUT``."""
    parts = [p for p in event.removeprefix("s3:").split(":") if p != "*"]
    name = "_".join(re.sub(r"(?<=[a-z])(?=[A-Z])", "_", p).upper() for p in parts)
    try:
        return s3.EventType[name]
    except KeyError:
        raise ValueError(f"anpr/<concern>/spec.py: unknown S3 event {event!r}") from None


def expire_after(
    days: int, *, versioned: bool = True, rule_id: str = "expire-with-retention"
) -> s3.LifecycleRule:
    """Objects expire after ``days``; their noncurrent versions a day after that."""
    return s3.LifecycleRule(
        id=rule_id,
        expiration=Duration.days(days),
        noncurrent_version_expiration=Duration.days(NONCURRENT_VERSION_GRACE_DAYS) if versioned else None,
    )


def secure_bucket(
    scope: Construct,
    construct_id: str,
    *,
    key: kms.IKey,
    access_logs: s3.IBucket,
    log_prefix: str,
    removal: RemovalPolicy,
    lifecycle_rules: list[s3.LifecycleRule],
    versioned: bool = True,
    **options,
) -> s3.Bucket:
    """SSE-KMS (bucket key), no public access, owner-enforced, TLS 1.2 only, access-logged."""
    return s3.Bucket(
        scope,
        construct_id,
        encryption=s3.BucketEncryption.KMS,
        encryption_key=key,
        bucket_key_enabled=True,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        enforce_ssl=True,
        minimum_tls_version=1.2,
        versioned=versioned,
        lifecycle_rules=[ABORT_INCOMPLETE_UPLOADS, *lifecycle_rules],
        server_access_logs_bucket=access_logs,
        server_access_logs_prefix=log_prefix,
        removal_policy=removal,
        **options,
    )


def access_log_bucket(scope: Construct, construct_id: str, stage: Stage, removal: RemovalPolicy) -> s3.Bucket:
    """The server-access-log target of every other bucket (kept as long as the reads)."""
    bucket = s3.Bucket(
        scope,
        construct_id,
        # S3 server access logging can only deliver to SSE-S3 buckets (not SSE-KMS)
        encryption=s3.BucketEncryption.S3_MANAGED,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        enforce_ssl=True,
        minimum_tls_version=1.2,
        versioned=True,
        lifecycle_rules=[ABORT_INCOMPLETE_UPLOADS, expire_after(stage.retention_days)],
        removal_policy=removal,
    )
    acknowledge(
        bucket,
        "AwsSolutions-S1",
        "This is the server-access-log target of every other bucket; logging it into itself would loop.",
    )
    return bucket


def build_buckets(scope: Construct, specs: tuple[BucketSpec, ...], shared: Shared) -> dict[str, s3.Bucket]:
    folder = kind_scope(scope, "Buckets", specs)
    buckets = {
        spec.id: shared.registry.add("bucket", spec.id, _bucket(folder, spec, shared)) for spec in specs
    }
    for spec in specs:
        for notification in spec.notifications:
            key_filter = s3.NotificationKeyFilter(
                prefix=notification.prefix or None, suffix=notification.suffix or None
            )
            for event in notification.events:
                buckets[spec.id].add_event_notification(
                    s3_event_type(event),
                    s3n.SqsDestination(shared.registry.get("queue", notification.queue)),
                    key_filter,
                )
    if any(spec.notifications for spec in specs):
        _acknowledge_notifications_handler(Stack.of(scope))
    return buckets


def _bucket(scope: Construct, spec: BucketSpec, shared: Shared) -> s3.Bucket:
    rules = []
    if spec.expire_with_retention:
        rules.append(expire_after(shared.stage.retention_days, versioned=spec.versioned))
    elif spec.object_lock:
        # a released copy's delete leaves a noncurrent version: gone a day later
        rules.append(
            s3.LifecycleRule(
                id="released-versions",
                noncurrent_version_expiration=Duration.days(NONCURRENT_VERSION_GRACE_DAYS),
                expired_object_delete_marker=True,
            )
        )
    # write-once (WORM) evidence: locked per object (legal hold) or by default retention (archive)
    lock_days = spec.object_lock_days
    retention_lock = (
        s3.ObjectLockRetention.governance(Duration.days(shared.stage.retention_days))
        if spec.lock_versions_for_retention
        else None
    )
    return secure_bucket(
        scope,
        spec.id,
        key=shared.keys.for_class(spec.data_class),
        access_logs=shared.access_logs,
        log_prefix=f"{spec.id}/",
        removal=shared.removal,
        lifecycle_rules=rules,
        versioned=spec.versioned or bool(lock_days),
        object_lock_enabled=True if lock_days or spec.object_lock or retention_lock else None,
        object_lock_default_retention=_lock_retention(shared.stage, lock_days)
        if lock_days
        else retention_lock,
    )


def _lock_retention(stage: Stage, days: int) -> s3.ObjectLockRetention:
    """The stage's mode: COMPLIANCE (prod, nobody can shorten it) or GOVERNANCE (dev)."""
    if stage.audit_lock_mode == "GOVERNANCE":
        return s3.ObjectLockRetention.governance(Duration.days(days))
    return s3.ObjectLockRetention.compliance(Duration.days(days))


def _acknowledge_notifications_handler(stack: Stack) -> None:
    # CDK's singleton custom resource that writes the buckets' NotificationConfiguration
    for handler in stack.node.children:
        if handler.node.id.startswith("BucketNotificationsHandler"):
            acknowledge(
                handler.node.find_child("Role"),
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
                "CDK-internal handler that sets bucket notifications at deploy time; basic execution role is logs only.",
            )
