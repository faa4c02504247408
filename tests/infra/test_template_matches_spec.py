"""The template is the spec: every entry of anpr/kernel/platform.py became the resource it describes.

Construct ids are spec ids, and ``stack.registry.logical_id(kind, id)`` names the
CloudFormation resource each entry became, so each check starts from the spec entry.
"""

from __future__ import annotations

import json

import pytest
from anpr.kernel.platform import (
    API_ROUTES,
    BUCKETS,
    FUNCTIONS,
    QUEUES,
    SCHEDULES,
    STATE_MACHINES,
    SUBSCRIPTIONS,
    TABLES,
    TOPICS,
    Notification,
    env_var_for,
)


def _get_att(lid: str) -> dict:
    return {"Fn::GetAtt": [lid, "Arn"]}


def _key_schema(partition, sort) -> list[dict]:
    schema = [{"AttributeName": partition.name, "KeyType": "HASH"}]
    if sort is not None:
        schema.append({"AttributeName": sort.name, "KeyType": "RANGE"})
    return schema


# -- the same set of resources ------------------------------------------------------------
@pytest.mark.parametrize(
    ("cfn_type", "kind", "specs"),
    [
        ("AWS::DynamoDB::Table", "table", TABLES),
        ("AWS::SQS::Queue", "queue", QUEUES),
        ("AWS::SNS::Subscription", "subscription", SUBSCRIPTIONS),
        ("AWS::StepFunctions::StateMachine", "state_machine", STATE_MACHINES),
        ("AWS::Scheduler::Schedule", "schedule", SCHEDULES),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_template_holds_exactly_the_spec_resources(synth, cfn_type, kind, specs):
    # GIVEN the spec entries of one kind WHEN mapped to logical ids
    expected = {synth.logical_id(kind, s.id) for s in specs}
    if cfn_type == "AWS::SNS::Subscription":  # plus the alarm topic's, from stage config (monitoring)
        topic = {"Ref": synth.stack.get_logical_id(synth.stack.monitoring.topic.node.default_child)}
        expected |= {
            lid for lid, r in synth.resources(cfn_type).items() if r["Properties"]["TopicArn"] == topic
        }
    if cfn_type == "AWS::SQS::Queue":  # plus the analytics feed's on-failure queue (its construct)
        expected |= {lid for lid in synth.resources(cfn_type) if lid.startswith("AnalyticsFeedDlq")}
    # THEN the template has those resources of that type, and no others
    assert set(synth.resources(cfn_type)) == expected


def test_template_holds_the_spec_buckets_plus_the_access_log_bucket(synth):
    expected = {synth.logical_id("bucket", b.id) for b in BUCKETS}
    expected.add(synth.stack.get_logical_id(synth.stack.access_logs.node.default_child))
    expected.add(synth.stack.get_logical_id(synth.stack.web.bucket.node.default_child))  # web apps
    for bucket in (synth.stack.analytics.bucket, synth.stack.analytics.results):  # the analytics copy
        expected.add(synth.stack.get_logical_id(bucket.node.default_child))
    assert set(synth.resources("AWS::S3::Bucket")) == expected


def test_template_holds_the_spec_topics_plus_the_alarm_topic(synth):
    expected = {synth.logical_id("topic", t.id) for t in TOPICS}
    expected.add(synth.stack.get_logical_id(synth.stack.monitoring.topic.node.default_child))
    assert set(synth.resources("AWS::SNS::Topic")) == expected


# -- tables -------------------------------------------------------------------------------
@pytest.mark.parametrize("spec", TABLES, ids=lambda t: t.id)
def test_table_matches_spec(synth, spec):
    props = synth.props(synth.logical_id("table", spec.id))
    assert props["KeySchema"] == _key_schema(spec.partition_key, spec.sort_key)
    declared = {a["AttributeName"]: a["AttributeType"] for a in props["AttributeDefinitions"]}
    for attr in filter(None, [spec.partition_key, spec.sort_key]):
        assert declared[attr.name] == attr.type
    indexes = {i["IndexName"]: i for i in props.get("GlobalSecondaryIndexes", [])}
    assert set(indexes) == {i.name for i in spec.indexes}
    for index in spec.indexes:
        assert indexes[index.name]["KeySchema"] == _key_schema(index.partition_key, index.sort_key)
        assert indexes[index.name]["Projection"] == {"ProjectionType": "ALL"}
        for attr in filter(None, [index.partition_key, index.sort_key]):
            assert declared[attr.name] == attr.type
    ttl = props.get("TimeToLiveSpecification")
    assert ttl == ({"AttributeName": spec.ttl_attribute, "Enabled": True} if spec.ttl_attribute else None)
    assert props["SSESpecification"]["KMSMasterKeyId"] == _get_att(synth.logical_id("key", spec.data_class))
    assert ("StreamSpecification" in props) == spec.stream


# -- buckets and notifications ------------------------------------------------------------
@pytest.mark.parametrize("spec", BUCKETS, ids=lambda b: b.id)
def test_bucket_matches_spec(synth, spec):
    props = synth.props(synth.logical_id("bucket", spec.id))
    rule = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert rule["KMSMasterKeyID"] == _get_att(synth.logical_id("key", spec.data_class))
    assert (props.get("VersioningConfiguration") == {"Status": "Enabled"}) == spec.versioned
    rule_ids = {r["Id"] for r in props["LifecycleConfiguration"]["Rules"]}
    assert ("expire-with-retention" in rule_ids) == spec.expire_with_retention


def _notification_cases():
    return [(b.id, n) for b in BUCKETS for n in b.notifications]


def _expected_s3_filter(notification: Notification) -> dict | None:
    rules = [
        {"Name": k, "Value": v}
        for k, v in (("prefix", notification.prefix), ("suffix", notification.suffix))
        if v
    ]
    return {"Key": {"FilterRules": rules}} if rules else None


@pytest.mark.parametrize(
    ("bucket", "notification"), _notification_cases(), ids=lambda v: getattr(v, "queue", v)
)
def test_bucket_notifies_the_spec_queue(synth, bucket, notification):
    # GIVEN the custom resource that configures the bucket's notifications
    bucket_lid = synth.logical_id("bucket", bucket)
    (config,) = [
        r["Properties"]["NotificationConfiguration"]
        for r in synth.resources("Custom::S3BucketNotifications").values()
        if r["Properties"]["BucketName"] == {"Ref": bucket_lid}
    ]
    # THEN each event of the notification goes to the spec's queue with the spec's filter
    queue_arn = _get_att(synth.logical_id("queue", notification.queue))
    for event in notification.events:
        matching = [
            q for q in config.get("QueueConfigurations", [])
            if q["QueueArn"] == queue_arn and q["Events"] == [event]
        ]  # fmt: skip
        assert len(matching) == 1, (event, config)
        assert matching[0].get("Filter") == _expected_s3_filter(notification)


# -- queues -------------------------------------------------------------------------------
@pytest.mark.parametrize("spec", QUEUES, ids=lambda q: q.id)
def test_queue_matches_spec(synth, spec):
    props = synth.props(synth.logical_id("queue", spec.id))
    assert props["VisibilityTimeout"] == spec.visibility_timeout_s
    if spec.dlq:
        assert props["RedrivePolicy"] == {
            "deadLetterTargetArn": _get_att(synth.logical_id("queue", spec.dlq)),
            "maxReceiveCount": spec.max_receive_count,
        }
    else:
        assert "RedrivePolicy" not in props


# -- event sources ------------------------------------------------------------------------
def _source_cases():
    return [(f.id, s) for f in FUNCTIONS for s in f.sources]


@pytest.mark.parametrize(("function", "source"), _source_cases(), ids=lambda v: getattr(v, "queue", v))
def test_event_source_mapping_matches_spec(synth, function, source):
    fn_ref = {"Ref": synth.logical_id("function", function)}
    queue_arn = _get_att(synth.logical_id("queue", source.queue))
    (mapping,) = [
        m["Properties"]
        for m in synth.resources("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == fn_ref and m["Properties"]["EventSourceArn"] == queue_arn
    ]
    assert mapping["BatchSize"] == source.batch_size
    assert mapping.get("MaximumBatchingWindowInSeconds", 0) == source.batching_window_s
    assert (
        "ReportBatchItemFailures" in mapping.get("FunctionResponseTypes", [])
    ) == source.report_batch_item_failures


def test_no_event_source_mapping_outside_the_spec(synth):
    mappings = synth.resources("AWS::Lambda::EventSourceMapping")
    # the one declared exception: the analytics feed reading the reads table's stream
    stream = [
        lid for lid, m in mappings.items() if "StreamArn" in json.dumps(m["Properties"]["EventSourceArn"])
    ]
    assert len(stream) == 1 and stream[0].startswith("AnalyticsFeed")
    assert len(mappings) - 1 == len(_source_cases())


# -- functions ----------------------------------------------------------------------------
@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda f: f.id)
def test_function_env_names_each_used_resource(synth, spec):
    # GIVEN a function's uses WHEN its environment is read
    env = synth.props(synth.logical_id("function", spec.id))["Environment"]["Variables"]
    # THEN each env var is the resource's Ref: table/bucket/function name, queue URL,
    # topic/state machine ARN (what the SDK call takes)
    for use in spec.uses:
        assert env[env_var_for(use.kind, use.resource)] == {
            "Ref": synth.logical_id(use.kind, use.resource)
        }, use


# -- topics / subscriptions ---------------------------------------------------------------
@pytest.mark.parametrize("spec", SUBSCRIPTIONS, ids=lambda s: s.id)
def test_subscription_matches_spec(synth, spec):
    props = synth.props(synth.logical_id("subscription", spec.id))
    assert props["Protocol"] == "sqs"
    assert props["TopicArn"] == {"Ref": synth.logical_id("topic", spec.topic)}
    assert props["Endpoint"] == _get_att(synth.logical_id("queue", spec.queue))
    assert props.get("FilterPolicy") == (spec.filter_policy or None)


# -- state machines / schedules -----------------------------------------------------------
@pytest.mark.parametrize("spec", STATE_MACHINES, ids=lambda s: s.id)
def test_state_machine_logs_and_traces(synth, spec):
    props = synth.props(synth.logical_id("state_machine", spec.id))
    assert props["TracingConfiguration"] == {"Enabled": True}
    assert props["LoggingConfiguration"]["Level"] == "ALL"
    substitutions = props.get("DefinitionSubstitutions", {})
    for placeholder, fid in spec.function_substitutions.items():
        assert substitutions[placeholder] == _get_att(synth.logical_id("function", fid))


@pytest.mark.parametrize("spec", SCHEDULES, ids=lambda s: s.id)
def test_schedule_invokes_its_function(synth, spec):
    props = synth.props(synth.logical_id("schedule", spec.id))
    assert props["Target"]["Arn"] == _get_att(synth.logical_id("function", spec.function))
    assert props["ScheduleExpression"].startswith(f"rate({spec.rate_minutes} minute")


# -- API ----------------------------------------------------------------------------------
def _resource_path(synth, resource_ref: dict) -> str:
    parts = []
    ref = resource_ref
    while "Ref" in ref:
        props = synth.props(ref["Ref"])
        parts.append(props["PathPart"])
        ref = props["ParentId"]
    return "/" + "/".join(reversed(parts))


@pytest.mark.parametrize("route", API_ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_route_is_a_method_with_its_authorization_on_its_function(synth, route):
    methods = [
        m["Properties"]
        for m in synth.resources("AWS::ApiGateway::Method").values()
        if m["Properties"]["HttpMethod"] == route.method
        and _resource_path(synth, m["Properties"]["ResourceId"]) == route.path
    ]
    assert len(methods) == 1, route
    (method,) = methods
    assert method["AuthorizationType"] == {"cognito": "COGNITO_USER_POOLS", "network_key": "NONE"}[route.auth]
    assert ("AuthorizerId" in method) == (route.auth == "cognito")
    assert method["Integration"]["Type"] == "AWS_PROXY"
    uri = str(method["Integration"]["Uri"])
    assert synth.logical_id("function", route.function) in uri


def test_no_api_method_outside_the_spec(synth):
    assert len(synth.resources("AWS::ApiGateway::Method")) == len(API_ROUTES)


def test_cognito_groups_are_the_spec_roles(synth):
    from anpr.kernel.platform import ROLES

    groups = {g["Properties"]["GroupName"] for g in synth.resources("AWS::Cognito::UserPoolGroup").values()}
    assert groups == set(ROLES)
