"""Operations: an SNS topic for alarms, alarms on what must never silently pile up
(DLQ depth, function errors, API 5xx, failed searches) and one dashboard.
"""

from __future__ import annotations

from anpr.kernel.platform import QUEUES
from aws_cdk import Duration, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.constructs.keys import DataKeys
from infra.stages import Stage

PERIOD = Duration.minutes(5)


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
        for fid, function in functions.items():
            self._alarm(
                f"{fid}Errors",
                function.metric_errors(period=PERIOD, statistic="Sum"),
                f"{fid}: function errors",
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

    def _alarm(self, alarm_id: str, metric: cw.IMetric, description: str) -> None:
        alarm = cw.Alarm(
            self,
            alarm_id,
            metric=metric,
            threshold=0,
            comparison_operator=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
            alarm_description=description,
        )
        alarm.add_alarm_action(cw_actions.SnsAction(self.topic))
        alarm.add_ok_action(cw_actions.SnsAction(self.topic))
        self.alarms.append(alarm)
