"""The analytics construct in a stack of its own: what it builds, and the cdk-nag gate over it."""

from __future__ import annotations

import pytest
from aws_cdk import App, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Template

from infra.constructs.analytics import Analytics
from infra.stages import stage
from tests.infra.synthesis import cdk_context, nag_findings, properties_of

pytestmark = pytest.mark.xdist_group("infra")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    app = App(context=cdk_context(), outdir=str(tmp_path_factory.mktemp("cdk-analytics")))
    stack = Stack(app, "AnalyticsTest", env={"region": "eu-west-1"})
    plates = kms.Key(stack, "Plates", enable_key_rotation=True)
    messages = kms.Key(stack, "Messages", enable_key_rotation=True)
    table = dynamodb.Table(
        stack,
        "Reads",
        partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
        sort_key=dynamodb.Attribute(name="sk", type=dynamodb.AttributeType.STRING),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
        encryption_key=plates,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        stream=dynamodb.StreamViewType.NEW_IMAGE,
    )
    logs = s3.Bucket(
        stack, "AccessLogs", enforce_ssl=True, block_public_access=s3.BlockPublicAccess.BLOCK_ALL
    )
    from infra.constructs.acknowledge import acknowledge

    acknowledge(
        logs, "AwsSolutions-S1", "Test stand-in for the platform's access-log bucket (logs itself nowhere)."
    )
    analytics = Analytics(
        stack,
        "Analytics",
        stage=stage("dev"),
        plates_key=plates,
        messages_key=messages,
        reads_table=table,
        access_logs=logs,
        removal=RemovalPolicy.DESTROY,
    )
    template = Template.from_stack(stack)
    return app, stack, analytics, template.to_json()


def test_no_unacknowledged_aws_solutions_findings(built):
    app, *_ = built
    findings = nag_findings(app)
    assert findings == [], "\n".join(findings)


def test_glue_table_projects_day_and_hour_partitions_over_the_parquet_columns(built):
    *_, tpl = built
    (table,) = properties_of(tpl, "AWS::Glue::Table")
    ti = table["TableInput"]
    assert [k["Name"] for k in ti["PartitionKeys"]] == ["day", "hour"]
    p = ti["Parameters"]
    assert p["projection.enabled"] == "true"
    assert p["projection.day.range"] == f"NOW-{stage('dev').retention_days}DAYS,NOW"
    assert p["projection.hour.digits"] == "2"
    assert [c["Name"] for c in ti["StorageDescriptor"]["Columns"]][:3] == ["read_id", "plate", "raw_text"]


def test_athena_workgroup_enforces_encrypted_results_and_a_scan_cutoff(built):
    *_, tpl = built
    (wg,) = properties_of(tpl, "AWS::Athena::WorkGroup")
    cfg = wg["WorkGroupConfiguration"]
    assert cfg["EnforceWorkGroupConfiguration"] is True
    assert cfg["BytesScannedCutoffPerQuery"] == 200 * 1024**3
    assert cfg["ResultConfiguration"]["EncryptionConfiguration"]["EncryptionOption"] == "SSE_KMS"


def test_buckets_expire_the_copy_with_retention_and_results_within_days(built):
    *_, tpl = built
    expirations = sorted(
        rule["ExpirationInDays"]
        for b in properties_of(tpl, "AWS::S3::Bucket")
        for rule in b.get("LifecycleConfiguration", {}).get("Rules", [])
        if "ExpirationInDays" in rule
    )
    assert expirations == [3, stage("dev").retention_days]
    encrypted = [b for b in properties_of(tpl, "AWS::S3::Bucket") if "BucketEncryption" in b]
    assert all(
        e["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
        for b in encrypted
        if b.get("LifecycleConfiguration")
        for e in b["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    )


def test_firehose_writes_parquet_partitioned_by_day_and_hour(built):
    *_, tpl = built
    (ds,) = properties_of(tpl, "AWS::KinesisFirehose::DeliveryStream")
    dest = ds["ExtendedS3DestinationConfiguration"]
    assert dest["Prefix"].startswith("reads/day=!{partitionKeyFromQuery:day}/hour=")
    assert dest["DataFormatConversionConfiguration"]["OutputFormatConfiguration"]["Serializer"][
        "ParquetSerDe"
    ]
    assert ds["DeliveryStreamEncryptionConfigurationInput"]["KeyType"] == "CUSTOMER_MANAGED_CMK"


def test_the_feed_reads_inserts_from_the_reads_stream(built):
    *_, tpl = built
    (esm,) = properties_of(tpl, "AWS::Lambda::EventSourceMapping")
    assert esm["FilterCriteria"]["Filters"][0]["Pattern"] == '{"eventName":["INSERT"]}'
    assert esm["BisectBatchOnFunctionError"] is True
