"""One customer-managed KMS key per data class (plates, audit, ops), rotated yearly, plus
one for messages in flight on SQS queues.

Separate keys let the audit trail be shared with oversight bodies without granting
decrypt on plate reads, and let one data class be disabled in an incident. Queues get their
own key because S3 and SNS are trusted on a queue's key *for a given bucket or topic*
(aws:SourceArn): on that bucket's or topic's own key, key and resource would depend on
each other.
"""

from __future__ import annotations

import typing

from anpr.kernel.platform import TableSpec
from aws_cdk import RemovalPolicy
from aws_cdk import aws_kms as kms
from constructs import Construct

from infra.constructs.registry import Registry
from infra.stages import Stage

#: the data classes a concern's spec may name (TableSpec.data_class / BucketSpec.data_class)
DATA_CLASSES: tuple[str, ...] = typing.get_args(typing.get_type_hints(TableSpec)["data_class"])


class DataKeys(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, stage: Stage, registry: Registry, removal: RemovalPolicy
    ) -> None:
        super().__init__(scope, construct_id)
        self.keys: dict[str, kms.Key] = {}
        for data_class in DATA_CLASSES:
            key = kms.Key(
                self,
                data_class.capitalize(),
                alias=f"alias/anpr/{stage.name}/{data_class}",
                description=f"ANPR {stage.name}: encrypts {data_class} data at rest",
                enable_key_rotation=True,
                removal_policy=removal,
            )
            self.keys[data_class] = registry.add("key", data_class, key)
        self.messages = kms.Key(
            self,
            "Messages",
            alias=f"alias/anpr/{stage.name}/messages",
            description=f"ANPR {stage.name}: encrypts SQS messages (they name captures and plates)",
            enable_key_rotation=True,
            removal_policy=removal,
        )
        registry.add("key", "messages", self.messages)

    def for_class(self, data_class: str) -> kms.Key:
        return self.keys[data_class]
