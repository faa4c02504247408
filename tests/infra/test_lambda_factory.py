"""The one Lambda factory: every function in the spec is built the same way."""

from __future__ import annotations

import pytest
from anpr.kernel.platform import FUNCTIONS

from infra.stages import stage as stage_config

DEV = stage_config("dev")


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda f: f.id)
def test_function_runtime_tracing_and_json_logs(synth, spec):
    # GIVEN a FunctionSpec WHEN the factory built it
    props = synth.props(synth.logical_id("function", spec.id))
    # THEN it runs python3.11 on x86_64, traced, logging JSON into its own log group
    assert props["Runtime"] == "python3.11"
    assert props["Architectures"] == ["x86_64"]
    assert props["TracingConfig"] == {"Mode": "Active"}
    assert props["LoggingConfig"]["LogFormat"] == "JSON"
    log_group = props["LoggingConfig"]["LogGroup"]["Ref"]
    assert synth.props(log_group)["RetentionInDays"] == DEV.log_retention_days
    assert props["Handler"] == spec.handler
    assert props["MemorySize"] == spec.memory_mb and props["Timeout"] == spec.timeout_s
    assert len(props.get("Layers", [])) == len(spec.layers)


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda f: f.id)
def test_function_environment(synth, spec):
    env = synth.props(synth.logical_id("function", spec.id))["Environment"]["Variables"]
    assert env["ANPR_STAGE"] == DEV.name
    assert env["ANPR_RETENTION_DAYS"] == str(DEV.retention_days)
    assert env["ANPR_ADMIN_WINDOW_DAYS"] == str(DEV.admin_window_days)
    assert env["POWERTOOLS_SERVICE_NAME"] == (spec.service or spec.id.lower())
    assert env["POWERTOOLS_METRICS_NAMESPACE"] == "ANPR"
    for use in spec.uses:
        assert use.env_var in env, use


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda f: f.id)
def test_function_role_is_its_own_and_has_no_managed_policy(synth, spec):
    props = synth.props(synth.logical_id("function", spec.id))
    role = synth.props(props["Role"]["Fn::GetAtt"][0])
    assert "ManagedPolicyArns" not in role
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "lambda.amazonaws.com"
    }


#: CDK's own functions that run only while deploying: the S3 notifications' handler and the
#: SNS platform applications' custom resource provider (AwsCustomResource, infra/constructs/live.py)
CDK_DEPLOYMENT_TIME_FUNCTIONS = ("BucketNotificationsHandler", "AWS679f53fac002430cb0da5b7982bd2287")


def test_only_cdk_internal_functions_are_outside_the_factory(synth):
    ours = {synth.logical_id("function", f.id) for f in FUNCTIONS}
    others = [
        lid for lid, fn in synth.resources("AWS::Lambda::Function").items()
        if lid not in ours and not lid.startswith(CDK_DEPLOYMENT_TIME_FUNCTIONS)
    ]  # fmt: skip
    # the one exception: the analytics feed, a DynamoDB-stream consumer built by
    # infra/constructs/analytics.py with its own role (checked in the next test)
    assert [lid for lid in others if not lid.startswith("AnalyticsFeed")] == []
    assert len(others) <= 1


def test_the_analytics_feed_only_reads_the_stream_and_writes_its_firehose(synth):
    # GIVEN the analytics feed's role policies
    policies = [
        p for lid, p in synth.resources("AWS::IAM::Policy").items() if lid.startswith("AnalyticsFeedRole")
    ]
    assert policies, "the analytics feed has its own role"
    actions = {
        action
        for p in policies
        for stmt in p["Properties"]["PolicyDocument"]["Statement"]
        for action in ([stmt["Action"]] if isinstance(stmt["Action"], str) else stmt["Action"])
    }
    # THEN it writes nothing but Firehose records and its failure queue: no table, no bucket
    assert "firehose:PutRecordBatch" in actions
    assert not {
        a for a in actions if a.startswith(("dynamodb:Put", "dynamodb:Update", "dynamodb:Delete", "s3:"))
    }
