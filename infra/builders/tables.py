"""DynamoDB tables of one concern: on-demand, PITR, CMK encryption, TTL, GSIs (ALL).

PITR keeps every table restorable for the stage's ``pitr_days`` (not DynamoDB's default 35):
a read that TTL deleted stays restorable that long, so retention + TTL lag + PITR window must
fit in the legal 12 months (checked by ``infra.stages.Stage``; docs/networks.md).
"""

from __future__ import annotations

from anpr.kernel.platform import Attribute, TableSpec
from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from infra.builders.base import Shared, kind_scope

_TYPES = {"S": dynamodb.AttributeType.STRING, "N": dynamodb.AttributeType.NUMBER}


def _attr(attribute: Attribute | None) -> dynamodb.Attribute | None:
    return None if attribute is None else dynamodb.Attribute(name=attribute.name, type=_TYPES[attribute.type])


def build_tables(scope: Construct, specs: tuple[TableSpec, ...], shared: Shared) -> dict[str, dynamodb.Table]:
    folder = kind_scope(scope, "Tables", specs)
    return {spec.id: shared.registry.add("table", spec.id, _table(folder, spec, shared)) for spec in specs}


def _table(scope: Construct, spec: TableSpec, shared: Shared) -> dynamodb.Table:
    table = dynamodb.Table(
        scope,
        spec.id,
        partition_key=_attr(spec.partition_key),
        sort_key=_attr(spec.sort_key),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True, recovery_period_in_days=shared.stage.pitr_days
        ),
        encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
        encryption_key=shared.keys.for_class(spec.data_class),
        time_to_live_attribute=spec.ttl_attribute,
        stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES if spec.stream else None,
        deletion_protection=shared.removal == RemovalPolicy.RETAIN,
        removal_policy=shared.removal,
    )
    for index in spec.indexes:
        table.add_global_secondary_index(
            index_name=index.name,
            partition_key=_attr(index.partition_key),
            sort_key=_attr(index.sort_key),
            projection_type=dynamodb.ProjectionType.ALL,
        )
    return table
