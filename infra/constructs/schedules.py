"""Timed work (``spec.SCHEDULES``): an EventBridge Scheduler schedule per entry that invokes
its function with a constant JSON payload, through a role allowed to invoke that function
only.
"""

from __future__ import annotations

import json

from anpr.kernel.platform import SCHEDULES, ScheduleSpec
from aws_cdk import Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_scheduler as scheduler
from constructs import Construct

from infra.constructs.registry import Registry


class Schedules(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        registry: Registry,
        schedules: tuple[ScheduleSpec, ...] = SCHEDULES,
    ) -> None:
        super().__init__(scope, construct_id)
        self.schedules: dict[str, scheduler.CfnSchedule] = {}
        for spec in schedules:
            function = registry.get("function", spec.function)
            role = iam.Role(
                self, f"{spec.id}Role", assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com")
            )
            role.add_to_principal_policy(
                iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[function.function_arn])
            )
            schedule = scheduler.CfnSchedule(
                self,
                spec.id,
                schedule_expression=_rate(Duration.minutes(spec.rate_minutes)),
                flexible_time_window=scheduler.CfnSchedule.FlexibleTimeWindowProperty(mode="OFF"),
                target=scheduler.CfnSchedule.TargetProperty(
                    arn=function.function_arn,
                    role_arn=role.role_arn,
                    input=json.dumps(spec.payload, sort_keys=True),
                    retry_policy=scheduler.CfnSchedule.RetryPolicyProperty(maximum_retry_attempts=2),
                ),
            )
            self.schedules[spec.id] = registry.add("schedule", spec.id, schedule)


def _rate(every: Duration) -> str:
    minutes = int(every.to_minutes())
    return f"rate({minutes} minute{'s' if minutes != 1 else ''})"
