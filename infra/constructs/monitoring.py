"""Operations: an SNS topic for alarms (subscribed from stage config), alarms on what must
never silently pile up and one dashboard.

Alarms are rates and ages, not single events: DLQ depth (any message), the age of the oldest
message on each work queue, each function's error rate and throttle rate (metric math over
invocations), failed searches, API 5xx, refused camera uploads and silent cameras. The
per-network widgets use SEARCH expressions over the ``network`` dimension
(``anpr.networks.metrics``): a new network appears on the dashboard without a deploy.
"""

from __future__ import annotations

from anpr.kernel.platform import QUEUES
from anpr.networks import metrics as network_metrics
from aws_cdk import Duration, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.constructs.keys import DataKeys
from infra.stages import Stage

PERIOD = Duration.minutes(5)
#: a work queue whose oldest message waits longer than this is falling behind (seconds)
OLDEST_MESSAGE_AGE_S = 600
#: percent of invocations, over three 5-minute periods
ERROR_RATE_PCT = 2
THROTTLE_RATE_PCT = 1
#: refused uploads (all networks) in 5 minutes: a misconfigured or hostile device
UPLOAD_REFUSALS = 20


class Monitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: Stage,
        keys: DataKeys,
        queues: dict[str, sqs.Queue],
        functions: dict[str, lambda_.Function],
        state_machines: dict[str, sfn.StateMachine],
        api: apigw.RestApi | None,
    ) -> None:
        super().__init__(scope, construct_id)
        ops_key = keys.for_class("ops")
        self.topic = sns.Topic(
            self, "AlarmTopic", display_name=f"ANPR {stage.name} alarms", master_key=ops_key, enforce_ssl=True
        )
        # CloudWatch must be able to publish to the encrypted topic
        ops_key.add_to_resource_policy(
            iam.PolicyStatement(
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                resources=["*"],  # in a key policy "*" means this key
                conditions={"StringEquals": {"aws:SourceAccount": Stack.of(self).account}},
            )
        )
        if stage.alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(stage.alarm_email))
        self.alarms: list[cw.Alarm] = []
        dlq_ids = {q.id for q in QUEUES if q.is_dlq}
        for qid, queue in queues.items():
            if qid in dlq_ids:
                self._alarm(
                    f"{qid}NotEmpty",
                    queue.metric_approximate_number_of_messages_visible(
                        period=Duration.minutes(1), statistic="Maximum"
                    ),
                    f"{qid}: messages failed processing and wait for replay",
                )
            else:
                self._alarm(
                    f"{qid}OldestMessage",
                    queue.metric_approximate_age_of_oldest_message(
                        period=Duration.minutes(1), statistic="Maximum"
                    ),
                    f"{qid}: the oldest message has waited over {OLDEST_MESSAGE_AGE_S} s (ingest falls behind)",
                    threshold=OLDEST_MESSAGE_AGE_S,
                    periods=5,
                )
        for fid, function in functions.items():
            invocations = function.metric_invocations(period=PERIOD, statistic="Sum")
            self._alarm(
                f"{fid}ErrorRate",
                self._rate(function.metric_errors(period=PERIOD, statistic="Sum"), invocations, "errors"),
                f"{fid}: more than {ERROR_RATE_PCT} % of invocations fail",
                threshold=ERROR_RATE_PCT,
                periods=3,
            )
            self._alarm(
                f"{fid}ThrottleRate",
                self._rate(
                    function.metric_throttles(period=PERIOD, statistic="Sum"), invocations, "throttles"
                ),
                f"{fid}: more than {THROTTLE_RATE_PCT} % of invocations throttled",
                threshold=THROTTLE_RATE_PCT,
                periods=3,
            )
        for mid, machine in state_machines.items():
            self._alarm(
                f"{mid}Failed",
                machine.metric_failed(period=PERIOD, statistic="Sum"),
                f"{mid}: failed executions",
            )
        if api is not None:
            self._alarm(
                "Api5xx", api.metric_server_error(period=PERIOD, statistic="Sum"), "API: 5xx responses"
            )
        namespace = network_metrics.NAMESPACE
        self._alarm(
            "UploadsRefused",
            cw.Metric(
                namespace=namespace, metric_name=network_metrics.REFUSED, period=PERIOD, statistic="Sum"
            ),
            f"cameras: more than {UPLOAD_REFUSALS} uploads refused in 5 minutes (see the audit trail)",
            threshold=UPLOAD_REFUSALS,
        )
        self._alarm(
            "SilentCameras",
            cw.Metric(
                namespace=namespace, metric_name=network_metrics.SILENT, period=PERIOD, statistic="Maximum"
            ),
            "cameras: silent during their usual traffic hours (daily report per network)",
        )

        dashboard = cw.Dashboard(self, "Dashboard", dashboard_name=f"anpr-{stage.name}")
        dashboard.add_widgets(
            *[
                cw.GraphWidget(
                    title=f"{fid} invocations / errors / throttles",
                    left=[
                        fn.metric_invocations(period=PERIOD),
                        fn.metric_errors(period=PERIOD),
                        fn.metric_throttles(period=PERIOD),
                    ],
                    right=[fn.metric_duration(period=PERIOD, statistic="p95")],
                )
                for fid, fn in functions.items()
            ],
            *[
                cw.GraphWidget(
                    title=f"{qid} depth / age",
                    left=[q.metric_approximate_number_of_messages_visible(period=PERIOD)],
                    right=[q.metric_approximate_age_of_oldest_message(period=PERIOD)],
                )
                for qid, q in queues.items()
            ],
            cw.AlarmStatusWidget(title="Alarms", alarms=self.alarms, width=24),
        )
        dashboard.add_widgets(*self._network_widgets(namespace))

    @staticmethod
    def _network_widgets(namespace: str) -> list[cw.IWidget]:
        """One line per network (SEARCH over the ``network`` dimension): networks are data."""

        def by_network(
            metric: str, stat: str, dims: str = "network", period_s: int = 60
        ) -> cw.MathExpression:
            return cw.MathExpression(
                expression=f"SEARCH('{{{namespace},{dims}}} MetricName=\"{metric}\"', '{stat}', {period_s})",
                label="",
                period=Duration.seconds(period_s),
            )

        m = network_metrics
        # (title, width, left, right): one graph per line
        graphs = (
            ("Snapshots / min per network", 12, [by_network(m.SNAPSHOTS, "Sum")], []),
            ("Quarantined per network and reason", 12, [by_network(m.QUARANTINED, "Sum", "network,reason", 300)], []),
            ("OCR confidence per network (avg)", 8, [by_network(m.CONFIDENCE, "Average", period_s=300)], []),
            ("Upload → read latency per network (p95, ms)", 8, [by_network(m.LATENCY, "p95", period_s=300)], []),
            (
                "Refused uploads and silent cameras per network", 8,
                [by_network(m.REFUSED, "Sum", "network,reason", 300)],
                [by_network(m.SILENT, "Maximum", period_s=300)],
            ),
            ("Camera reads our OCR disagrees with, per network", 8, [by_network(m.DISAGREEMENTS, "Sum", period_s=300)], []),
        )  # fmt: skip
        return [cw.GraphWidget(title=t, width=w, left=left, right=right) for t, w, left, right in graphs]

    @staticmethod
    def _rate(part: cw.IMetric, whole: cw.IMetric, label: str) -> cw.MathExpression:
        """``part`` as a percentage of ``whole`` (0 when nothing ran)."""
        return cw.MathExpression(
            expression="IF(whole > 0, 100 * part / whole, 0)",
            using_metrics={"part": part, "whole": whole},
            label=f"{label} %",
            period=PERIOD,
        )

    def _alarm(
        self, alarm_id: str, metric: cw.IMetric, description: str, *, threshold: float = 0, periods: int = 1
    ) -> None:
        alarm = cw.Alarm(
            self,
            alarm_id,
            metric=metric,
            threshold=threshold,
            comparison_operator=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=periods,
            treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
            alarm_description=description,
        )
        alarm.add_alarm_action(cw_actions.SnsAction(self.topic))
        alarm.add_ok_action(cw_actions.SnsAction(self.topic))
        self.alarms.append(alarm)
