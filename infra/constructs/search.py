"""Retrospective search workflows: Step Functions state machines from ASL files
(``spec.STATE_MACHINES``), with ``${Placeholder}`` → function ARN substitutions.

Logging ALL events without execution data (inputs name plates) and X-Ray tracing on.
Each state machine may invoke exactly the functions its definition names.
"""

from __future__ import annotations

import json

from anpr.kernel.platform import STATE_MACHINES, StateMachineSpec
from aws_cdk import ArnFormat, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.constructs.acknowledge import acknowledge, acknowledge_wildcard_resource
from infra.constructs.grants import grant, key_of
from infra.constructs.registry import Registry
from infra.constructs.retention import log_retention
from infra.stages import Stage


class Search(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: Stage,
        registry: Registry,
        removal: RemovalPolicy,
        state_machines: tuple[StateMachineSpec, ...] = STATE_MACHINES,
    ) -> None:
        super().__init__(scope, construct_id)
        self.state_machines: dict[str, sfn.StateMachine] = {}
        for spec in state_machines:
            functions = {ph: registry.get("function", fid) for ph, fid in spec.function_substitutions.items()}
            name = f"anpr-{stage.name}-{spec.id}"
            log_group = logs.LogGroup(
                self,
                f"{spec.id}Logs",
                # the vendedlogs prefix keeps the CloudWatch Logs resource policy small
                log_group_name=f"/aws/vendedlogs/states/{name}",
                retention=log_retention(stage.log_retention_days),
                removal_policy=removal,
            )
            machine = sfn.StateMachine(
                self,
                spec.id,
                # a known name lets the role name its own executions without a dependency cycle
                state_machine_name=name,
                definition_body=sfn.DefinitionBody.from_file(str(spec.definition_path)),
                definition_substitutions={ph: fn.function_arn for ph, fn in functions.items()},
                logs=sfn.LogOptions(
                    destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=False
                ),
                tracing_enabled=True,
                removal_policy=removal,
            )
            if functions:
                machine.add_to_role_policy(
                    iam.PolicyStatement(
                        actions=["lambda:InvokeFunction"],
                        resources=list(dict.fromkeys(fn.function_arn for fn in functions.values())),
                    )
                )
            # resources the definition reads or writes itself (e.g. a Distributed Map's ItemReader)
            for use in getattr(spec, "uses", ()):
                grant(
                    machine.role,
                    use,
                    registry.get(use.kind, use.resource),
                    key_of(use.kind, registry.get(use.kind, use.resource)),
                )
            if uses_distributed_map(json.loads(spec.definition_path.read_text())):
                self._allow_child_executions(machine, name)
            acknowledge(
                machine.role,
                "AwsSolutions-IAM5[Resource::*]",
                "CloudWatch Logs delivery (logs:*LogDelivery) and X-Ray writes support no resource-level permissions.",
            )
            self.state_machines[spec.id] = registry.add("state_machine", spec.id, machine)

    def _allow_child_executions(self, machine: sfn.StateMachine, name: str) -> None:
        """A Distributed Map starts, follows and stops child executions of its own machine."""
        stack = Stack.of(self)
        own_arn = stack.format_arn(
            service="states",
            resource="stateMachine",
            resource_name=name,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        executions = stack.format_arn(
            service="states",
            resource="execution",
            resource_name=f"{name}/*",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        machine.add_to_role_policy(
            iam.PolicyStatement(actions=["states:StartExecution"], resources=[own_arn])
        )
        machine.add_to_role_policy(
            iam.PolicyStatement(
                actions=["states:DescribeExecution", "states:StopExecution"], resources=[executions]
            )
        )
        acknowledge_wildcard_resource(
            machine.role,
            executions,
            "Distributed Map child executions get generated ids; scoped to this state machine's own executions.",
        )


def uses_distributed_map(definition: object) -> bool:
    """Whether an ASL document (any depth) holds a Map state in DISTRIBUTED mode."""
    if isinstance(definition, dict):
        config = definition.get("ProcessorConfig")
        if isinstance(config, dict) and config.get("Mode") == "DISTRIBUTED":
            return True
        return any(uses_distributed_map(v) for v in definition.values())
    if isinstance(definition, list):
        return any(uses_distributed_map(v) for v in definition)
    return False
