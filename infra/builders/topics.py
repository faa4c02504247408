"""SNS topics of one concern and its topic → SQS subscriptions with filter policies (zone,
priority...). The topic or the queue may belong to another concern (found in the registry).

Subscriptions are written out (not ``SqsSubscription``) so their construct ids are the spec
ids and the queue/key policies list exact actions.
"""

from __future__ import annotations

from anpr.kernel.platform import SubscriptionSpec, TopicSpec
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from constructs import Construct

from infra.builders.base import Shared, kind_scope
from infra.constructs.registry import Registry

#: Alerts name the plate that matched a watchlist. Not the messages key: the subscribed
#: queues' key trusts SNS *for this topic*, which on the topic's own key would be a cycle.
TOPIC_DATA_CLASS = "plates"


def build_topics(scope: Construct, specs: tuple[TopicSpec, ...], shared: Shared) -> dict[str, sns.Topic]:
    folder = kind_scope(scope, "Topics", specs)
    key = shared.keys.for_class(TOPIC_DATA_CLASS)
    return {
        spec.id: shared.registry.add(
            "topic", spec.id, sns.Topic(folder, spec.id, master_key=key, enforce_ssl=True)
        )
        for spec in specs
    }


def build_subscriptions(
    scope: Construct, specs: tuple[SubscriptionSpec, ...], shared: Shared
) -> dict[str, sns.Subscription]:
    folder = kind_scope(scope, "Subscriptions", specs)
    return {
        spec.id: shared.registry.add("subscription", spec.id, _subscribe(folder, spec, shared.registry))
        for spec in specs
    }


def _subscribe(scope: Construct, spec: SubscriptionSpec, registry: Registry) -> sns.Subscription:
    topic: sns.Topic = registry.get("topic", spec.topic)
    queue = registry.get("queue", spec.queue)
    from_topic = {"ArnEquals": {"aws:SourceArn": topic.topic_arn}}
    sns_principal = iam.ServicePrincipal("sns.amazonaws.com")
    queue_policy = queue.add_to_resource_policy(
        iam.PolicyStatement(
            actions=["sqs:SendMessage"],
            principals=[sns_principal],
            resources=[queue.queue_arn],
            conditions=from_topic,
        )
    )
    if queue.encryption_master_key is not None:
        queue.encryption_master_key.add_to_resource_policy(
            iam.PolicyStatement(
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                principals=[sns_principal],
                resources=["*"],  # in a key policy "*" means this key
                conditions=from_topic,
            )
        )
    subscription = sns.Subscription(
        scope,
        spec.id,
        topic=topic,
        endpoint=queue.queue_arn,
        protocol=sns.SubscriptionProtocol.SQS,
        region=topic.env.region,
        raw_message_delivery=spec.raw_message_delivery,
    )
    if spec.filter_policy:
        # raw JSON from the spec, so every SNS operator (prefix, numeric, anything-but) works
        subscription.node.default_child.add_property_override("FilterPolicy", spec.filter_policy)
    if queue_policy.policy_dependable is not None:
        subscription.node.add_dependency(queue_policy.policy_dependable)
    return subscription
