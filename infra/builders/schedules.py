"""Timed work of one concern: an EventBridge Scheduler schedule per ``ScheduleSpec`` that
invokes its function with a constant JSON payload, through a role allowed to invoke that
function only.
"""

from __future__ import annotations

import json

from anpr.kernel.platform import ScheduleSpec
from aws_cdk import Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_scheduler as scheduler
from constructs import Construct

from infra.builders.base import Shared, kind_scope


def build_schedules(
    scope: Construct, specs: tuple[ScheduleSpec, ...], shared: Shared
) -> dict[str, scheduler.CfnSchedule]:
    folder = kind_scope(scope, "Schedules", specs)
    return {
        spec.id: shared.registry.add("schedule", spec.id, _schedule(folder, spec, shared)) for spec in specs
    }


def _schedule(scope: Construct, spec: ScheduleSpec, shared: Shared) -> scheduler.CfnSchedule:
    function = shared.registry.get("function", spec.function)
    role = iam.Role(scope, f"{spec.id}Role", assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com"))
    role.add_to_principal_policy(
        iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[function.function_arn])
    )
    return scheduler.CfnSchedule(
        scope,
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


def _rate(every: Duration) -> str:
    minutes = int(every.to_minutes())
    return f"rate({minutes} minute{'s' if minutes != 1 else ''})"
