"""SQS queues of one concern: SSE-KMS (the messages key), TLS only, redrive to their DLQ with
the spec's maxReceiveCount. A DLQ may belong to another concern (found in the registry)."""

from __future__ import annotations

from anpr.kernel.platform import QueueSpec
from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.builders.base import Shared, kind_scope

#: SQS maximum: a DLQ keeps failed captures as long as SQS allows, for replay.
DLQ_RETENTION = Duration.days(14)


def encrypted_queue(
    scope: Construct, construct_id: str, key: kms.IKey, removal: RemovalPolicy, **options
) -> sqs.Queue:
    """An SQS queue encrypted with ``key`` (data keys reused 5 min), TLS only."""
    return sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.KMS,
        encryption_master_key=key,
        data_key_reuse=Duration.minutes(5),
        enforce_ssl=True,
        removal_policy=removal,
        **options,
    )


def build_queues(scope: Construct, specs: tuple[QueueSpec, ...], shared: Shared) -> dict[str, sqs.Queue]:
    folder = kind_scope(scope, "Queues", specs)
    # DLQs first, so a redrive can point at them whatever the declaration order
    return {
        spec.id: shared.registry.add("queue", spec.id, _queue(folder, spec, shared))
        for spec in sorted(specs, key=lambda q: q.dlq is not None)
    }


def _queue(scope: Construct, spec: QueueSpec, shared: Shared) -> sqs.Queue:
    dead_letter = None
    if spec.dlq:
        dead_letter = sqs.DeadLetterQueue(
            queue=shared.registry.get("queue", spec.dlq), max_receive_count=spec.max_receive_count
        )
    return encrypted_queue(
        scope,
        spec.id,
        shared.keys.messages,
        shared.removal,
        visibility_timeout=Duration.seconds(spec.visibility_timeout_s),
        retention_period=DLQ_RETENTION if spec.is_dlq else None,
        dead_letter_queue=dead_letter,
    )
