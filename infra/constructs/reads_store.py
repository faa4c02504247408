"""DynamoDB tables from ``spec.TABLES``: on-demand, PITR, CMK encryption, TTL, GSIs (ALL).

PITR keeps every table restorable for the stage's ``pitr_days`` (not DynamoDB's default 35):
a read that TTL deleted stays restorable that long, so retention + TTL lag + PITR window must
fit in the legal 12 months (checked by ``infra.stages.Stage``; docs/networks.md).
"""

from __future__ import annotations

from anpr.kernel.platform import TABLES, Attribute, TableSpec
from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from infra.constructs.keys import DataKeys
from infra.constructs.registry import Registry
from infra.stages import Stage

_TYPES = {"S": dynamodb.AttributeType.STRING, "N": dynamodb.AttributeType.NUMBER}


def _attr(attribute: Attribute | None) -> dynamodb.Attribute | None:
    return None if attribute is None else dynamodb.Attribute(name=attribute.name, type=_TYPES[attribute.type])


class ReadsStore(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        keys: DataKeys,
        registry: Registry,
        removal: RemovalPolicy,
        tables: tuple[TableSpec, ...] = TABLES,
        stage: Stage | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        pitr_days = (stage or Stage(name="default")).pitr_days
        self.tables: dict[str, dynamodb.Table] = {}
        for spec in tables:
            table = dynamodb.Table(
                self,
                spec.id,
                partition_key=_attr(spec.partition_key),
                sort_key=_attr(spec.sort_key),
                billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
                point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                    point_in_time_recovery_enabled=True, recovery_period_in_days=pitr_days
                ),
                encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
                encryption_key=keys.for_class(spec.data_class),
                time_to_live_attribute=spec.ttl_attribute,
                stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES if spec.stream else None,
                deletion_protection=removal == RemovalPolicy.RETAIN,
                removal_policy=removal,
            )
            for index in spec.indexes:
                table.add_global_secondary_index(
                    index_name=index.name,
                    partition_key=_attr(index.partition_key),
                    sort_key=_attr(index.sort_key),
                    projection_type=dynamodb.ProjectionType.ALL,
                )
            self.tables[spec.id] = registry.add("table", spec.id, table)
