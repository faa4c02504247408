"""Step Functions state machines of one concern, from ASL files, with ``${Placeholder}`` →
function ARN substitutions.

Logging ALL events without execution data (inputs name plates) and X-Ray tracing on.
Each state machine may invoke exactly the functions its definition names.
"""

from __future__ import annotations

import json

from anpr.kernel.platform import StateMachineSpec
from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.builders.base import Shared, kind_scope, log_group
from infra.builders.grants import grant, key_of
from infra.constructs.acknowledge import acknowledge, acknowledge_wildcard_resource


def build_state_machines(
    scope: Construct, specs: tuple[StateMachineSpec, ...], shared: Shared
) -> dict[str, sfn.StateMachine]:
    folder = kind_scope(scope, "StateMachines", specs)
    return {
        spec.id: shared.registry.add("state_machine", spec.id, _machine(folder, spec, shared))
        for spec in specs
    }


def _machine(scope: Construct, spec: StateMachineSpec, shared: Shared) -> sfn.StateMachine:
    registry = shared.registry
    functions = {ph: registry.get("function", fid) for ph, fid in spec.function_substitutions.items()}
    name = f"anpr-{shared.stage.name}-{spec.id}"
    # the vendedlogs prefix keeps the CloudWatch Logs resource policy small
    logs = log_group(
        scope, f"{spec.id}Logs", shared.stage, shared.removal, name=f"/aws/vendedlogs/states/{name}"
    )
    machine = sfn.StateMachine(
        scope,
        spec.id,
        # a known name lets the role name its own executions without a dependency cycle
        state_machine_name=name,
        definition_body=sfn.DefinitionBody.from_file(str(spec.definition_path)),
        definition_substitutions={ph: fn.function_arn for ph, fn in functions.items()},
        logs=sfn.LogOptions(destination=logs, level=sfn.LogLevel.ALL, include_execution_data=False),
        tracing_enabled=True,
        removal_policy=shared.removal,
    )
    if functions:
        machine.add_to_role_policy(
            iam.PolicyStatement(
                actions=["lambda:InvokeFunction"],
                resources=list(dict.fromkeys(fn.function_arn for fn in functions.values())),
            )
        )
    # resources the definition reads or writes itself (e.g. a Distributed Map's ItemReader)
    for use in spec.uses:
        resource = registry.get(use.kind, use.resource)
        grant(machine.role, use, resource, key_of(use.kind, resource))
    if uses_distributed_map(json.loads(spec.definition_path.read_text())):
        _allow_child_executions(scope, machine, name)
    acknowledge(
        machine.role,
        "AwsSolutions-IAM5[Resource::*]",
        "CloudWatch Logs delivery (logs:*LogDelivery) and X-Ray writes support no resource-level permissions.",
    )
    return machine


def _allow_child_executions(scope: Construct, machine: sfn.StateMachine, name: str) -> None:
    """A Distributed Map starts, follows and stops child executions of its own machine."""
    stack = Stack.of(scope)
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
    machine.add_to_role_policy(iam.PolicyStatement(actions=["states:StartExecution"], resources=[own_arn]))
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
