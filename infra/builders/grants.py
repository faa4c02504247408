"""Least-privilege permissions for a function's ``Use`` of a resource, written out.

CDK's ``grant*`` helpers add wildcard actions (``s3:GetObject*``, ``kms:GenerateDataKey*``,
``kms:ReEncrypt*``); for plate data we list every action instead, so the policy reads as
an inventory of what each function may do. One row per (kind, access).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from anpr.kernel.platform import Use
from anpr.kernel.platform import table as table_spec
from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_iam as iam

from infra.constructs.acknowledge import acknowledge_wildcard_resource

KMS_DECRYPT = ("kms:Decrypt",)
KMS_ENCRYPT = ("kms:Decrypt", "kms:GenerateDataKey")
KMS_DYNAMODB_READ = ("kms:Decrypt", "kms:DescribeKey")
KMS_DYNAMODB_WRITE = ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey")

TABLE_READ = (
    "dynamodb:BatchGetItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
)
TABLE_WRITE = (
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DeleteItem",
    "dynamodb:DescribeTable",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
)
#: PutItem without a condition could overwrite; the writer sets attribute_not_exists(pk)
TABLE_APPEND = ("dynamodb:DescribeTable", "dynamodb:PutItem")
OBJECT_READ = ("s3:GetObject",)
OBJECT_WRITE = ("s3:PutObject",)
#: lets a missing key answer 404 instead of 403 (the ingest path tells them apart)
BUCKET_LIST = ("s3:ListBucket",)
QUEUE_SEND = ("sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage")
QUEUE_CONSUME = (
    "sqs:ChangeMessageVisibility",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
    "sqs:ReceiveMessage",
)


@dataclass(frozen=True)
class Statement:
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    #: an acknowledgement for a resource ARN that ends in a wildcard (objects, indexes)
    wildcard_reason: str = ""


def _u(*groups: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(set().union(*groups)))


def statements_for(use: Use, resource: Any) -> tuple[list[Statement], tuple[str, ...]]:
    """(statements on the resource, actions on its KMS key) for one use."""
    kind, access = use.kind, use.access
    if kind == "table":
        if access == "append":  # the audit trail: new items only, never update or delete
            return [Statement(TABLE_APPEND, (resource.table_arn,))], KMS_DYNAMODB_WRITE
        reads = access in ("read", "read_write")
        writes = access in ("write", "read_write")
        if not (reads or writes):
            raise _unsupported(use)
        arn = resource.table_arn
        out = [Statement(_u(TABLE_READ if reads else (), TABLE_WRITE if writes else ()), (arn,))]
        if reads and table_spec(use.resource).indexes:
            out.append(
                Statement(
                    TABLE_READ,
                    (f"{arn}/index/*",),
                    f"queries this table's own GSIs ({use.resource}); no other table is reachable",
                )
            )
        return out, KMS_DYNAMODB_WRITE if writes else KMS_DYNAMODB_READ
    if kind == "bucket":
        reads = access in ("read", "read_write", "manage")
        writes = access in ("write", "read_write", "append", "manage")
        if not (reads or writes):
            raise _unsupported(use)
        objects = f"{resource.bucket_arn}/{use.prefix}*"
        # "manage" may also delete: releasing a legal hold lifts the copies' S3 legal hold and
        # deletes them (the version itself: the bucket is versioned, with Object Lock)
        deletes = (
            ("s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectLegalHold")
            if access == "manage"
            else ()
        )
        actions = _u(OBJECT_READ if reads else (), OBJECT_WRITE if writes else (), deletes)
        out = [
            Statement(
                actions,
                (objects,),
                f"object keys are data-driven; scoped to {use.resource} objects under '{use.prefix}' only",
            )
        ]
        if reads:
            out.append(Statement(BUCKET_LIST, (resource.bucket_arn,)))
        return out, KMS_ENCRYPT if writes else KMS_DECRYPT
    if kind == "queue":
        if access == "send":
            return [Statement(QUEUE_SEND, (resource.queue_arn,))], KMS_ENCRYPT
        if access == "read":
            return [Statement(QUEUE_CONSUME, (resource.queue_arn,))], KMS_DECRYPT
        raise _unsupported(use)
    if kind == "topic" and access == "publish":
        return [Statement(("sns:Publish",), (resource.topic_arn,))], KMS_ENCRYPT
    if kind == "state_machine" and access == "start":
        # whoever starts a job may also stop it (search cancel); scoped to this machine's executions
        executions = Stack.of(resource).format_arn(
            service="states",
            resource="execution",
            resource_name=f"{resource.state_machine_name}:*",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        return [
            Statement(("states:StartExecution",), (resource.state_machine_arn,)),
            Statement(
                ("states:StopExecution", "states:DescribeExecution"),
                (executions,),
                wildcard_reason="Stop/describe the executions of this one state machine (job cancel).",
            ),
        ], ()
    if kind == "function" and access == "invoke":
        return [Statement(("lambda:InvokeFunction",), (resource.function_arn,))], ()
    raise _unsupported(use)


def _unsupported(use: Use) -> ValueError:
    return ValueError(
        f"anpr/<concern>/spec.py: access {use.access!r} is not supported on a {use.kind} ({use})"
    )


#: per kind: the attribute a function's env var holds (what its SDK call needs), and the one
#: holding the resource's KMS key (None: AWS-owned or none)
_ATTRIBUTES = {
    "table": ("table_name", "encryption_key"),
    "bucket": ("bucket_name", "encryption_key"),
    "queue": ("queue_url", "encryption_master_key"),
    "topic": ("topic_arn", "master_key"),
    "state_machine": ("state_machine_arn", None),
    "function": ("function_name", None),
}


def physical_name(kind: str, resource: Any) -> str:
    """What a function's env var holds for a resource (table name, queue URL, topic ARN...)."""
    return getattr(resource, _ATTRIBUTES[kind][0])


def key_of(kind: str, resource: Any) -> Any:
    """The KMS key a resource is encrypted with (None: AWS-owned or none)."""
    attribute = _ATTRIBUTES[kind][1]
    return getattr(resource, attribute) if attribute else None


def grant(role: iam.IRole, use: Use, resource: Any, key: Any | None) -> None:
    """Add the statements for ``use`` to ``role`` and acknowledge the scoped wildcards."""
    statements, key_actions = statements_for(use, resource)
    for statement in statements:
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=list(statement.actions), resources=list(statement.resources))
        )
    if key is not None and key_actions:
        role.add_to_principal_policy(iam.PolicyStatement(actions=list(key_actions), resources=[key.key_arn]))
    for statement in statements:
        if statement.wildcard_reason:
            for arn in statement.resources:
                acknowledge_wildcard_resource(role, arn, statement.wildcard_reason)
