"""Alert fan-out: SNS topics (``spec.TOPICS``) and their SQS subscriptions with filter
policies (``spec.SUBSCRIPTIONS``: zone, priority...).

Subscriptions are written out (not ``SqsSubscription``) so their construct ids are the spec
ids and the queue/key policies list exact actions.
"""

from __future__ import annotations

from anpr.kernel.platform import SUBSCRIPTIONS, TOPICS, SubscriptionSpec, TopicSpec
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from constructs import Construct

from infra.constructs.keys import DataKeys
from infra.constructs.registry import Registry

#: Alerts name the plate that matched a watchlist. Not the messages key: the subscribed
#: queues' key trusts SNS *for this topic*, which on the topic's own key would be a cycle.
TOPIC_DATA_CLASS = "plates"


class Alerts(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        keys: DataKeys,
        registry: Registry,
        topics: tuple[TopicSpec, ...] = TOPICS,
        subscriptions: tuple[SubscriptionSpec, ...] = SUBSCRIPTIONS,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topics: dict[str, sns.Topic] = {}
        self.subscriptions: dict[str, sns.Subscription] = {}
        for spec in topics:
            topic = sns.Topic(self, spec.id, master_key=keys.for_class(TOPIC_DATA_CLASS), enforce_ssl=True)
            self.topics[spec.id] = registry.add("topic", spec.id, topic)
        for spec in subscriptions:
            self.subscriptions[spec.id] = registry.add(
                "subscription", spec.id, self._subscribe(spec, registry)
            )

    def _subscribe(self, spec: SubscriptionSpec, registry: Registry) -> sns.Subscription:
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
            self,
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
