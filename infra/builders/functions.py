"""The one Lambda factory: every function of every concern is built here, the same way.

python3.11, JSON logs into a log group with the stage's retention, X-Ray active,
powertools/stage environment, layers by name, SQS event sources with partial batch
responses, and a role of its own that holds exactly what the function's ``uses`` need.

Wiring (env vars + grants + event sources) is a second step, :func:`wire_functions`, run once
every concern's resources exist: a function may use another concern's table, and a state
machine is built from its functions' ARNs while a function may in turn ``start`` it.
"""

from __future__ import annotations

from pathlib import Path

from anpr.kernel.platform import FunctionSpec, Use
from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from constructs import Construct

from infra.builders.base import Shared, kind_scope, log_group
from infra.builders.grants import grant, key_of, physical_name
from infra.bundling import python_layer, recipes
from infra.constructs.acknowledge import acknowledge
from infra.constructs.registry import Registry
from infra.stages import Stage, function_env

RUNTIME = lambda_.Runtime.PYTHON_3_11
ARCHITECTURE = lambda_.Architecture.X86_64
CODE_EXCLUDES = ["__pycache__", "*.pyc", "tests"]
RUNTIME_REASON = "python3.11 is the platform runtime: every layer is built for cp311 (tflite-runtime 2.14 has no newer wheels)."


class Layers(Construct):
    """Layers by the names FunctionSpec.layers uses; each is built only if some function needs it."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self._recipes = recipes()
        self._built: dict[str, lambda_.LayerVersion] = {}

    def get(self, name: str) -> lambda_.LayerVersion:
        if name not in self._recipes:
            raise KeyError(f"a FunctionSpec names unknown layer {name!r}; known: {sorted(self._recipes)}")
        if name not in self._built:
            self._built[name] = python_layer(self, name.capitalize(), self._recipes[name])
        return self._built[name]


def lambda_function(
    scope: Construct,
    *,
    stage: Stage,
    removal: RemovalPolicy,
    description: str,
    code: Path,
    x_ray_reason: str,
    **options,
) -> lambda_.Function:
    """``scope/Logs``, ``scope/Role`` and ``scope/Handler``: a traced python3.11 function logging
    JSON into its own log group, with a role of its own that may write only there."""
    logs = log_group(scope, "Logs", stage, removal)
    # a role per function (not AWSLambdaBasicExecutionRole): logs only to its own group
    role = iam.Role(
        scope, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"), description=description
    )
    role.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[logs.log_group_arn]
        )
    )
    function = lambda_.Function(
        scope,
        "Handler",
        description=description,
        runtime=RUNTIME,
        code=lambda_.Code.from_asset(str(code), exclude=CODE_EXCLUDES),
        tracing=lambda_.Tracing.ACTIVE,
        logging_format=lambda_.LoggingFormat.JSON,
        log_group=logs,
        role=role,
        **options,
    )
    acknowledge(function, "AwsSolutions-L1", RUNTIME_REASON)
    acknowledge(role, "AwsSolutions-IAM5[Resource::*]", x_ray_reason)
    return function


def build_functions(
    scope: Construct, specs: tuple[FunctionSpec, ...], shared: Shared
) -> dict[str, lambda_.Function]:
    folder = kind_scope(scope, "Functions", specs)
    return {spec.id: shared.registry.add("function", spec.id, _build(folder, spec, shared)) for spec in specs}


def _build(scope: Construct, spec: FunctionSpec, shared: Shared) -> lambda_.Function:
    stage = shared.stage
    return lambda_function(
        Construct(scope, spec.id),
        stage=stage,
        removal=shared.removal,
        description=f"ANPR {stage.name} {spec.id} function",
        code=spec.code_path,
        x_ray_reason="X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions.",
        architecture=ARCHITECTURE,
        handler=spec.handler,
        memory_size=spec.memory_mb,
        timeout=Duration.seconds(spec.timeout_s),
        reserved_concurrent_executions=spec.reserved_concurrency,
        application_log_level_v2=lambda_.ApplicationLogLevel.INFO,
        system_log_level_v2=lambda_.SystemLogLevel.WARN,
        layers=[shared.layers.get(name) for name in spec.layers],
        environment=function_env(spec, stage),
    )


def wire_functions(
    functions: dict[str, lambda_.Function], specs: tuple[FunctionSpec, ...], registry: Registry
) -> None:
    """Env vars, grants and event sources, once every resource in the registry exists."""
    for spec in specs:
        function = functions[spec.id]
        for use in spec.uses:
            _use(function, use, registry)
        for source in spec.sources:
            function.add_event_source(
                sources.SqsEventSource(
                    registry.get("queue", source.queue),
                    batch_size=source.batch_size,
                    max_batching_window=Duration.seconds(source.batching_window_s)
                    if source.batching_window_s
                    else None,
                    report_batch_item_failures=source.report_batch_item_failures,
                )
            )


def _use(function: lambda_.Function, use: Use, registry: Registry) -> None:
    resource = registry.get(use.kind, use.resource)
    function.add_environment(use.env_var, physical_name(use.kind, resource))
    grant(function.role, use, resource, key_of(use.kind, resource))
