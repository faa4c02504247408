"""Creates the platform's resources on a moto endpoint from ``anpr.kernel.platform`` — the same
declarations the CDK app synthesises. Used by the local runtime and the moto tests."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from anpr.kernel import platform as spec

from infra.stages import Stage, function_env

REGION = "eu-west-1"
ACCOUNT = "123456789012"


@dataclass
class Provisioned:
    """Physical names and ARNs of what was created, by (kind, spec id)."""

    prefix: str
    names: dict[tuple[str, str], str] = field(default_factory=dict)
    arns: dict[tuple[str, str], str] = field(default_factory=dict)
    queue_urls: dict[str, str] = field(default_factory=dict)

    def name(self, kind: str, rid: str) -> str:
        return self.names[(kind, rid)]

    def function_env(self, fn: spec.FunctionSpec, stage: Stage) -> dict[str, str]:
        """The env the CDK factory gives the function, with local names."""

        def value_of(use: spec.Use) -> str:
            key = (use.kind, use.resource)
            return self.arns[key] if use.kind == "state_machine" else self.names[key]

        return function_env(fn, stage, value_of)


def physical_name(prefix: str, rid: str) -> str:
    return f"{prefix}-{spec._snake(rid).replace('_', '-')}"


def provision(session, prefix: str = "anpr-local", function_arn=None) -> Provisioned:
    """Create every spec resource through ``session`` (a boto3 Session or client factory).

    ``function_arn(fn_id)`` supplies Lambda ARNs for state-machine substitutions.
    """
    out = Provisioned(prefix=prefix)
    ddb = session.client("dynamodb", region_name=REGION)
    s3 = session.client("s3", region_name=REGION)
    sqs = session.client("sqs", region_name=REGION)
    sns = session.client("sns", region_name=REGION)

    for t in spec.TABLES:
        name = physical_name(prefix, t.id)
        attrs = {t.partition_key.name: t.partition_key.type}
        key_schema = [{"AttributeName": t.partition_key.name, "KeyType": "HASH"}]
        if t.sort_key:
            attrs[t.sort_key.name] = t.sort_key.type
            key_schema.append({"AttributeName": t.sort_key.name, "KeyType": "RANGE"})
        gsis = []
        for ix in t.indexes:
            attrs[ix.partition_key.name] = ix.partition_key.type
            ks = [{"AttributeName": ix.partition_key.name, "KeyType": "HASH"}]
            if ix.sort_key:
                attrs[ix.sort_key.name] = ix.sort_key.type
                ks.append({"AttributeName": ix.sort_key.name, "KeyType": "RANGE"})
            gsis.append({"IndexName": ix.name, "KeySchema": ks, "Projection": {"ProjectionType": "ALL"}})
        kwargs = {"GlobalSecondaryIndexes": gsis} if gsis else {}
        if t.stream:
            kwargs["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
        ddb.create_table(
            TableName=name,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": k, "AttributeType": v} for k, v in attrs.items()],
            KeySchema=key_schema,
            **kwargs,
        )
        if t.ttl_attribute:
            ddb.update_time_to_live(
                TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": t.ttl_attribute}
            )
        out.names[("table", t.id)] = name
        out.arns[("table", t.id)] = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"

    # DLQs first so redrive policies can name them
    for q in sorted(spec.QUEUES, key=lambda q: not q.is_dlq):
        name = physical_name(prefix, q.id)
        attributes = {"VisibilityTimeout": str(q.visibility_timeout_s)}
        if q.dlq:
            attributes["RedrivePolicy"] = json.dumps(
                {"deadLetterTargetArn": out.arns[("queue", q.dlq)], "maxReceiveCount": q.max_receive_count}
            )
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        out.queue_urls[q.id] = url
        out.names[("queue", q.id)] = url
        out.arns[("queue", q.id)] = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"

    for t in spec.TOPICS:
        arn = sns.create_topic(Name=physical_name(prefix, t.id))["TopicArn"]
        out.names[("topic", t.id)] = arn
        out.arns[("topic", t.id)] = arn
    for sub in spec.SUBSCRIPTIONS:
        attrs = {"RawMessageDelivery": "true" if sub.raw_message_delivery else "false"}
        if sub.filter_policy:
            attrs["FilterPolicy"] = json.dumps(sub.filter_policy)
        sns.subscribe(
            TopicArn=out.arns[("topic", sub.topic)],
            Protocol="sqs",
            Endpoint=out.arns[("queue", sub.queue)],
            Attributes=attrs,
            ReturnSubscriptionArn=True,
        )

    for b in spec.BUCKETS:
        name = physical_name(prefix, b.id)
        s3.create_bucket(
            Bucket=name,
            CreateBucketConfiguration={"LocationConstraint": REGION},
            **({"ObjectLockEnabledForBucket": True} if b.object_lock_days or b.object_lock else {}),
        )
        if b.object_lock_days:
            s3.put_object_lock_configuration(
                Bucket=name,
                ObjectLockConfiguration={
                    "ObjectLockEnabled": "Enabled",
                    "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": b.object_lock_days}},
                },
            )
        if b.versioned:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        out.names[("bucket", b.id)] = name
        out.arns[("bucket", b.id)] = f"arn:aws:s3:::{name}"
        if b.notifications:
            s3.put_bucket_notification_configuration(
                Bucket=name,
                NotificationConfiguration={
                    "QueueConfigurations": [
                        {
                            "Id": f"{b.id}-to-{n.queue}",
                            "QueueArn": out.arns[("queue", n.queue)],
                            "Events": list(n.events),
                            **_filter(n),
                        }
                        for n in b.notifications
                    ]
                },
            )

    for fn in spec.FUNCTIONS:
        out.names[("function", fn.id)] = physical_name(prefix, fn.id)
        out.arns[("function", fn.id)] = _fake_fn_arn(prefix, fn.id)

    if spec.STATE_MACHINES:
        sfn = session.client("stepfunctions", region_name=REGION)
        for sm in spec.STATE_MACHINES:
            name = physical_name(prefix, sm.id)
            arn = sfn.create_state_machine(
                name=name,
                definition=render_definition(sm, function_arn or (lambda fid: _fake_fn_arn(prefix, fid))),
                roleArn=f"arn:aws:iam::{ACCOUNT}:role/{name}-role",
            )["stateMachineArn"]
            out.names[("state_machine", sm.id)] = arn
            out.arns[("state_machine", sm.id)] = arn
    return out


def render_definition(sm: spec.StateMachineSpec, function_arn) -> str:
    """The ASL file with ${Placeholder}s replaced — exactly what CDK substitutes on AWS."""
    text = sm.definition_path.read_text()
    for placeholder, fid in sm.function_substitutions.items():
        text = text.replace("${" + placeholder + "}", function_arn(fid))
    return text


def _fake_fn_arn(prefix: str, fid: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{physical_name(prefix, fid)}"


def _filter(n: spec.Notification) -> dict:
    rules = []
    if n.prefix:
        rules.append({"Name": "prefix", "Value": n.prefix})
    if n.suffix:
        rules.append({"Name": "suffix", "Value": n.suffix})
    return {"Filter": {"Key": {"FilterRules": rules}}} if rules else {}
