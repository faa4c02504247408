"""What every builder shares: the stage, the data keys, the registry, the removal policy, the
access-log bucket and the Lambda layers; and the small pieces more than one builder writes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from aws_cdk import RemovalPolicy
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.constructs.keys import DataKeys
from infra.constructs.registry import Registry
from infra.constructs.retention import log_retention
from infra.stages import Stage

if TYPE_CHECKING:
    from infra.builders.functions import Layers


@dataclass(frozen=True)
class Shared:
    stage: Stage
    keys: DataKeys
    registry: Registry
    removal: RemovalPolicy
    #: the server-access-log target of every bucket
    access_logs: s3.IBucket
    layers: Layers


def kind_scope(scope: Construct, name: str, specs: tuple) -> Construct | None:
    """``Tables``, ``Queues``...: one folder per kind under a concern, only if it has any."""
    return Construct(scope, name) if specs else None


def log_group(
    scope: Construct, construct_id: str, stage: Stage, removal: RemovalPolicy, name: str | None = None
) -> logs.LogGroup:
    """A log group kept for the stage's ``log_retention_days``."""
    return logs.LogGroup(
        scope,
        construct_id,
        log_group_name=name,
        retention=log_retention(stage.log_retention_days),
        removal_policy=removal,
    )
