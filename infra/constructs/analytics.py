"""The analytics copy of the reads (docs/analytics.md): long searches on Athena.

    Reads table stream ─▶ AnalyticsFeed λ ─▶ Firehose (JSON → Parquet with the Glue schema,
    (INSERT, new image)    (flat rows)       dynamic partitions day/hour from capture_ms)
                                                   │
                                                   ▼
    Athena workgroup ◀── Glue table (partition projection) ◀── analytics bucket reads/day=/hour=/
    (enforced: results bucket, SSE-KMS, bytes cutoff)

- analytics bucket: SSE-KMS with the plates key (the copy *is* plate data), versioned,
  TLS only, access-logged, objects expire after the stage's retention (365 days; a version
  made noncurrent goes a day later);
- Glue database + ``reads`` table: the Parquet columns of ``anpr.analytics.models.COLUMNS``,
  partitions ``day`` (projected date, ``NOW-<retention>DAYS`` → ``NOW``) and ``hour`` (00–23):
  no crawler, no partition maintenance;
- Athena workgroup with enforced configuration: results to a bucket of their own (plates key,
  expiring after ``results_days``), engine v3, CloudWatch metrics, and a per-query cutoff of
  ``bytes_cutoff_gb`` scanned (a runaway query stops at a known price);
- the feed function (stream → Firehose) with a DLQ for batches that still fail after retries.

Part of ``AnprStack`` (the ``Reads`` TableSpec has ``stream=True``); Firehose, Glue and Athena
are no spec kinds, so it is a construct of its own, built with the same bucket, queue and
function builders as the concerns (``infra/builders``).
``tests/infra/test_analytics_construct.py`` synthesizes it in a stack of its own and runs the
cdk-nag pack over it.
"""

from __future__ import annotations

from pathlib import Path

import jsii
from anpr.analytics.models import COLUMNS, PARTITION_KEYS, READS_PREFIX
from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_athena as athena
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.builders.base import log_group
from infra.builders.buckets import expire_after, secure_bucket
from infra.builders.functions import lambda_function
from infra.builders.grants import KMS_ENCRYPT, QUEUE_SEND
from infra.builders.queues import DLQ_RETENTION, encrypted_queue
from infra.constructs.acknowledge import acknowledge, acknowledge_wildcard_resource
from infra.stages import Stage

FEED_CODE = Path(__file__).resolve().parents[2] / "functions" / "analytics_feed"
#: Firehose's largest buffer: fewer, bigger files (dynamic partitioning needs ≥ 64 MB)
BUFFER_MB, BUFFER_S = 128, 900


@jsii.implements(lambda_.IEventSourceDlq)
class _ExplicitSqsDlq:
    """The stream mapping's on-failure queue, granted with explicit actions (CDK's ``SqsDlq``
    grants ``kms:GenerateDataKey*``/``kms:ReEncrypt*`` wildcards, which the stack forbids)."""

    def __init__(self, queue: sqs.IQueue, key: kms.IKey):
        self._queue, self._key = queue, key

    def bind(self, _target, target_handler) -> lambda_.DlqDestinationConfig:
        target_handler.add_to_role_policy(
            iam.PolicyStatement(actions=list(QUEUE_SEND), resources=[self._queue.queue_arn])
        )
        target_handler.add_to_role_policy(
            iam.PolicyStatement(actions=list(KMS_ENCRYPT), resources=[self._key.key_arn])
        )
        return lambda_.DlqDestinationConfig(destination=self._queue.queue_arn)


class Analytics(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: Stage,
        plates_key: kms.IKey,
        messages_key: kms.IKey,
        reads_table: dynamodb.ITable,
        access_logs: s3.IBucket,
        removal: RemovalPolicy,
        layers: list[lambda_.ILayerVersion] | None = None,
        results_days: int = 3,
        bytes_cutoff_gb: int = 200,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self._stage, self._key, self._logs, self._removal = stage, plates_key, access_logs, removal
        self.bucket = self._bucket("Bucket", stage.retention_days)
        self.results = self._bucket("Results", results_days)

        # -- Glue: the table Firehose converts into and Athena reads ------------------------
        self.database_name = f"anpr_{stage.name}_analytics"
        self.table_name = "reads"
        database = glue.CfnDatabase(
            self,
            "Database",
            catalog_id=stack.account,
            database_input=glue.CfnDatabase.DatabaseInputProperty(
                name=self.database_name, description="ANPR analytics copy of the plate reads"
            ),
        )
        location = f"s3://{self.bucket.bucket_name}/{READS_PREFIX}"
        self.table = glue.CfnTable(
            self,
            "ReadsTable",
            catalog_id=stack.account,
            database_name=self.database_name,
            table_input=glue.CfnTable.TableInputProperty(
                name=self.table_name,
                table_type="EXTERNAL_TABLE",
                parameters={
                    "classification": "parquet",
                    "projection.enabled": "true",
                    "projection.day.type": "date",
                    "projection.day.format": "yyyy-MM-dd",
                    "projection.day.range": f"NOW-{stage.retention_days}DAYS,NOW",
                    "projection.day.interval": "1",
                    "projection.day.interval.unit": "DAYS",
                    "projection.hour.type": "integer",
                    "projection.hour.range": "0,23",
                    "projection.hour.digits": "2",
                    "storage.location.template": f"{location}day=${{day}}/hour=${{hour}}/",
                },
                partition_keys=[glue.CfnTable.ColumnProperty(name=k, type="string") for k in PARTITION_KEYS],
                storage_descriptor=glue.CfnTable.StorageDescriptorProperty(
                    location=location,
                    columns=[glue.CfnTable.ColumnProperty(name=c, type=t) for c, (_, t) in COLUMNS.items()],
                    input_format="org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                    output_format="org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
                    serde_info=glue.CfnTable.SerdeInfoProperty(
                        serialization_library="org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
                    ),
                ),
            ),
        )
        self.table.node.add_dependency(database)

        # -- Athena: one workgroup, its configuration enforced -------------------------------
        self.workgroup = athena.CfnWorkGroup(
            self,
            "WorkGroup",
            name=f"anpr-{stage.name}-analytics",
            description="ANPR long searches over the analytics copy (results encrypted, scans capped)",
            state="ENABLED",
            recursive_delete_option=removal == RemovalPolicy.DESTROY,
            work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
                enforce_work_group_configuration=True,
                publish_cloud_watch_metrics_enabled=True,
                bytes_scanned_cutoff_per_query=bytes_cutoff_gb * 1024**3,
                engine_version=athena.CfnWorkGroup.EngineVersionProperty(
                    selected_engine_version="Athena engine version 3"
                ),
                result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                    output_location=f"s3://{self.results.bucket_name}/athena/",
                    encryption_configuration=athena.CfnWorkGroup.EncryptionConfigurationProperty(
                        encryption_option="SSE_KMS", kms_key=plates_key.key_arn
                    ),
                ),
            ),
        )

        # -- Firehose: JSON rows → Parquet, partitioned by day/hour ---------------------------
        self.delivery_stream = self._firehose(stack)

        # -- the feed: reads stream → Firehose ------------------------------------------------
        self.feed = self._feed(reads_table, messages_key, layers or [])

    # -- pieces ---------------------------------------------------------------------------
    def _bucket(self, cid: str, expire_days: int) -> s3.Bucket:
        return secure_bucket(
            self,
            cid,
            key=self._key,
            access_logs=self._logs,
            log_prefix=f"Analytics{cid}/",
            removal=self._removal,
            lifecycle_rules=[expire_after(expire_days, rule_id="expire")],
        )

    def _firehose(self, stack: Stack) -> firehose.CfnDeliveryStream:
        name = f"anpr-{self._stage.name}-reads-to-parquet"
        firehose_logs = log_group(self, "FirehoseLogs", self._stage, self._removal)
        log_stream = logs.LogStream(
            self, "FirehoseLogStream", log_group=firehose_logs, removal_policy=self._removal
        )
        role = iam.Role(
            self,
            "FirehoseRole",
            assumed_by=iam.ServicePrincipal(
                "firehose.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": stack.account}}
            ),
            description="Firehose: write Parquet to the analytics bucket, read the Glue schema",
        )
        objects = self.bucket.arn_for_objects("*")
        role.add_to_policy(
            iam.PolicyStatement(
                actions=[
                    "s3:AbortMultipartUpload",
                    "s3:GetBucketLocation",
                    "s3:GetObject",
                    "s3:ListBucket",
                    "s3:ListBucketMultipartUploads",
                    "s3:PutObject",
                ],
                resources=[self.bucket.bucket_arn, objects],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(actions=["kms:Decrypt", "kms:GenerateDataKey"], resources=[self._key.key_arn])
        )
        glue_arns = [
            stack.format_arn(service="glue", resource="catalog"),
            stack.format_arn(service="glue", resource="database", resource_name=self.database_name),
            stack.format_arn(
                service="glue", resource="table", resource_name=f"{self.database_name}/{self.table_name}"
            ),
        ]
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["glue:GetTable", "glue:GetTableVersion", "glue:GetTableVersions"],
                resources=glue_arns,
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(actions=["logs:PutLogEvents"], resources=[firehose_logs.log_group_arn])
        )
        acknowledge_wildcard_resource(
            role,
            objects,
            "Firehose writes objects under generated day/hour keys in the analytics bucket only.",
        )
        jq = '{day: (.capture_ms / 1000 | strftime("%Y-%m-%d")), hour: (.capture_ms / 1000 | strftime("%H"))}'
        stream = firehose.CfnDeliveryStream(
            self,
            "DeliveryStream",
            delivery_stream_name=name,
            delivery_stream_type="DirectPut",
            delivery_stream_encryption_configuration_input=firehose.CfnDeliveryStream.DeliveryStreamEncryptionConfigurationInputProperty(
                key_type="CUSTOMER_MANAGED_CMK", key_arn=self._key.key_arn
            ),
            extended_s3_destination_configuration=firehose.CfnDeliveryStream.ExtendedS3DestinationConfigurationProperty(
                bucket_arn=self.bucket.bucket_arn,
                role_arn=role.role_arn,
                prefix=f"{READS_PREFIX}day=!{{partitionKeyFromQuery:day}}/hour=!{{partitionKeyFromQuery:hour}}/",
                error_output_prefix="errors/!{firehose:error-output-type}/!{timestamp:yyyy-MM-dd}/",
                buffering_hints=firehose.CfnDeliveryStream.BufferingHintsProperty(
                    size_in_m_bs=BUFFER_MB, interval_in_seconds=BUFFER_S
                ),
                compression_format="UNCOMPRESSED",  # Parquet compresses (SNAPPY) inside the file
                encryption_configuration=firehose.CfnDeliveryStream.EncryptionConfigurationProperty(
                    kms_encryption_config=firehose.CfnDeliveryStream.KMSEncryptionConfigProperty(
                        awskms_key_arn=self._key.key_arn
                    )
                ),
                cloud_watch_logging_options=firehose.CfnDeliveryStream.CloudWatchLoggingOptionsProperty(
                    enabled=True,
                    log_group_name=firehose_logs.log_group_name,
                    log_stream_name=log_stream.log_stream_name,
                ),
                dynamic_partitioning_configuration=firehose.CfnDeliveryStream.DynamicPartitioningConfigurationProperty(
                    enabled=True,
                    retry_options=firehose.CfnDeliveryStream.RetryOptionsProperty(duration_in_seconds=300),
                ),
                processing_configuration=firehose.CfnDeliveryStream.ProcessingConfigurationProperty(
                    enabled=True,
                    processors=[
                        firehose.CfnDeliveryStream.ProcessorProperty(
                            type="MetadataExtraction",
                            parameters=[
                                firehose.CfnDeliveryStream.ProcessorParameterProperty(
                                    parameter_name="MetadataExtractionQuery", parameter_value=jq
                                ),
                                firehose.CfnDeliveryStream.ProcessorParameterProperty(
                                    parameter_name="JsonParsingEngine", parameter_value="JQ-1.6"
                                ),
                            ],
                        )
                    ],
                ),
                data_format_conversion_configuration=firehose.CfnDeliveryStream.DataFormatConversionConfigurationProperty(
                    enabled=True,
                    input_format_configuration=firehose.CfnDeliveryStream.InputFormatConfigurationProperty(
                        deserializer=firehose.CfnDeliveryStream.DeserializerProperty(
                            open_x_json_ser_de=firehose.CfnDeliveryStream.OpenXJsonSerDeProperty()
                        )
                    ),
                    output_format_configuration=firehose.CfnDeliveryStream.OutputFormatConfigurationProperty(
                        serializer=firehose.CfnDeliveryStream.SerializerProperty(
                            parquet_ser_de=firehose.CfnDeliveryStream.ParquetSerDeProperty(
                                compression="SNAPPY"
                            )
                        )
                    ),
                    schema_configuration=firehose.CfnDeliveryStream.SchemaConfigurationProperty(
                        catalog_id=stack.account,
                        database_name=self.database_name,
                        table_name=self.table_name,
                        region=stack.region,
                        role_arn=role.role_arn,
                        version_id="LATEST",
                    ),
                ),
            ),
        )
        stream.node.add_dependency(role)
        stream.node.add_dependency(self.table)
        return stream

    def _feed(
        self, reads_table: dynamodb.ITable, messages_key: kms.IKey, layers: list[lambda_.ILayerVersion]
    ) -> lambda_.Function:
        scope = Construct(self, "Feed")
        dlq = encrypted_queue(scope, "Dlq", messages_key, self._removal, retention_period=DLQ_RETENTION)
        acknowledge(
            dlq,
            "AwsSolutions-SQS3",
            "This queue is the feed's on-failure destination (a DLQ itself): stream batches that failed every retry.",
        )
        function = lambda_function(
            scope,
            stage=self._stage,
            removal=self._removal,
            description=f"ANPR {self._stage.name} analytics feed (reads stream to Firehose)",
            code=FEED_CODE,
            x_ray_reason="dynamodb:ListStreams and X-Ray writes support no resource-level permissions.",
            architecture=lambda_.Architecture.ARM_64,
            handler="handler.lambda_handler",
            memory_size=256,
            timeout=Duration.seconds(60),
            layers=layers,
            environment={
                "ANPR_STAGE": self._stage.name,
                "ANPR_ANALYTICS_DELIVERY_STREAM": self.delivery_stream.delivery_stream_name or "",
                "POWERTOOLS_SERVICE_NAME": "analytics-feed",
            },
        )
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["firehose:PutRecordBatch"], resources=[self.delivery_stream.attr_arn]
            )
        )
        function.add_to_role_policy(
            iam.PolicyStatement(actions=["kms:GenerateDataKey"], resources=[self._key.key_arn])
        )
        function.add_event_source(
            sources.DynamoEventSource(
                reads_table,
                starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                batch_size=500,
                max_batching_window=Duration.seconds(10),
                bisect_batch_on_error=True,
                report_batch_item_failures=True,
                retry_attempts=5,
                on_failure=_ExplicitSqsDlq(dlq, messages_key),
                filters=[lambda_.FilterCriteria.filter({"eventName": lambda_.FilterRule.is_equal("INSERT")})],
            )
        )
        return function

    def search_env(self) -> dict[str, str]:
        """What a search task needs to run its SQL on Athena (anpr.analytics.settings)."""
        return {
            "ANPR_ANALYTICS_ENGINE": "athena",
            "ANPR_ANALYTICS_WORKGROUP": self.workgroup.name,
            "ANPR_ANALYTICS_DATABASE": self.database_name,
            "ANPR_ANALYTICS_TABLE": self.table_name,
        }

    def serve_searches(self, task: lambda_.Function, api: lambda_.Function) -> None:
        """Long searches on Athena (docs/analytics.md "In the search workflow"): both search
        functions learn where the copy is (the API states the engine and scan in the job); the
        task may run queries in this workgroup only, read the Glue table, the copy and its own
        results. Explicit actions, no wildcard action."""
        stack = Stack.of(self)
        for fn in (task, api):
            for name, value in self.search_env().items():
                fn.add_environment(name, value)
        workgroup = stack.format_arn(
            service="athena", resource="workgroup", resource_name=self.workgroup.name
        )
        task.add_to_role_policy(
            iam.PolicyStatement(
                actions=[
                    "athena:StartQueryExecution",
                    "athena:GetQueryExecution",
                    "athena:GetQueryResults",
                    "athena:StopQueryExecution",
                    "athena:GetWorkGroup",
                ],
                resources=[workgroup],
            )
        )
        task.add_to_role_policy(
            iam.PolicyStatement(
                actions=["glue:GetDatabase", "glue:GetTable", "glue:GetPartitions"],
                resources=[
                    stack.format_arn(service="glue", resource="catalog"),
                    stack.format_arn(service="glue", resource="database", resource_name=self.database_name),
                    stack.format_arn(
                        service="glue",
                        resource="table",
                        resource_name=f"{self.database_name}/{self.table_name}",
                    ),
                ],
            )
        )
        copy_objects, results_objects = self.bucket.arn_for_objects("*"), self.results.arn_for_objects("*")
        task.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"],
                resources=[self.bucket.bucket_arn, copy_objects],
            )
        )
        task.add_to_role_policy(
            iam.PolicyStatement(
                actions=[
                    "s3:GetObject",
                    "s3:PutObject",
                    "s3:ListBucket",
                    "s3:GetBucketLocation",
                    "s3:AbortMultipartUpload",
                    "s3:ListMultipartUploadParts",
                ],
                resources=[self.results.bucket_arn, results_objects],
            )
        )
        task.add_to_role_policy(
            iam.PolicyStatement(actions=["kms:Decrypt", "kms:GenerateDataKey"], resources=[self._key.key_arn])
        )
        role = task.role
        acknowledge_wildcard_resource(
            role, copy_objects, "Athena reads the day/hour Parquet objects of the analytics copy (read only)."
        )
        acknowledge_wildcard_resource(
            role, results_objects, "Athena writes and the task reads query results under generated keys."
        )
