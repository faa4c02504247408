"""The one Lambda factory: every ``spec.FUNCTIONS`` entry is built here, the same way.

python3.11 on x86_64, JSON logs into a log group with the stage's retention, X-Ray active,
powertools/stage environment, layers by name, SQS event sources with partial batch
responses, and a role of its own that holds exactly what the function's ``uses`` need.

Wiring (env vars + grants) is a second step, :meth:`Functions.wire`, run once every
resource exists: state machines are built from the functions' ARNs, and a function may in
turn ``start`` a state machine.
"""

from __future__ import annotations

from anpr.kernel.platform import FUNCTIONS, FunctionSpec, Use
from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.bundling import python_layer, recipes
from infra.constructs.acknowledge import acknowledge
from infra.constructs.grants import grant, key_of
from infra.constructs.registry import Registry
from infra.constructs.retention import log_retention
from infra.stages import Stage, function_env

RUNTIME = lambda_.Runtime.PYTHON_3_11
ARCHITECTURE = lambda_.Architecture.X86_64
CODE_EXCLUDES = ["__pycache__", "*.pyc", "tests"]


def physical_name(kind: str, resource: object) -> str:
    """What a function's env var holds for a resource: what its SDK call needs."""
    return {
        "table": lambda r: r.table_name,
        "bucket": lambda r: r.bucket_name,
        "queue": lambda r: r.queue_url,
        "topic": lambda r: r.topic_arn,
        "state_machine": lambda r: r.state_machine_arn,
        "function": lambda r: r.function_name,
    }[kind](resource)


class Layers(Construct):
    """Layers by the names FunctionSpec.layers uses; each is built only if some function needs it."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self._recipes = recipes()
        self._built: dict[str, lambda_.LayerVersion] = {}

    def get(self, name: str) -> lambda_.LayerVersion:
        if name not in self._recipes:
            raise KeyError(
                f"anpr/kernel/platform.py names unknown layer {name!r}; known: {sorted(self._recipes)}"
            )
        if name not in self._built:
            self._built[name] = python_layer(self, name.capitalize(), self._recipes[name])
        return self._built[name]


class Functions(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: Stage,
        registry: Registry,
        removal: RemovalPolicy,
        functions: tuple[FunctionSpec, ...] = FUNCTIONS,
    ) -> None:
        super().__init__(scope, construct_id)
        self._stage, self._registry, self._removal = stage, registry, removal
        self._specs = functions
        self.layers = Layers(self, "Layers")
        self.functions: dict[str, lambda_.Function] = {}
        for spec in functions:
            self.functions[spec.id] = registry.add("function", spec.id, self._build(spec))

    def wire(self) -> None:
        """Env vars, grants and event sources, once every resource in the registry exists."""
        for spec in self._specs:
            function = self.functions[spec.id]
            for use in spec.uses:
                self._use(function, use)
            for source in spec.sources:
                function.add_event_source(
                    sources.SqsEventSource(
                        self._registry.get("queue", source.queue),
                        batch_size=source.batch_size,
                        max_batching_window=Duration.seconds(source.batching_window_s)
                        if source.batching_window_s
                        else None,
                        report_batch_item_failures=source.report_batch_item_failures,
                    )
                )

    def _use(self, function: lambda_.Function, use: Use) -> None:
        resource = self._registry.get(use.kind, use.resource)
        function.add_environment(use.env_var, physical_name(use.kind, resource))
        grant(function.role, use, resource, key_of(use.kind, resource))

    def _build(self, spec: FunctionSpec) -> lambda_.Function:
        scope = Construct(self, spec.id)
        log_group = logs.LogGroup(
            scope,
            "Logs",
            retention=log_retention(self._stage.log_retention_days),
            removal_policy=self._removal,
        )
        # a role per function (not AWSLambdaBasicExecutionRole): logs only to its own group
        role = iam.Role(
            scope,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"ANPR {self._stage.name} {spec.id} function",
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[log_group.log_group_arn]
            )
        )
        function = lambda_.Function(
            scope,
            "Handler",
            description=f"ANPR {spec.id} ({self._stage.name})",
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=spec.handler,
            code=lambda_.Code.from_asset(str(spec.code_path), exclude=CODE_EXCLUDES),
            memory_size=spec.memory_mb,
            timeout=Duration.seconds(spec.timeout_s),
            reserved_concurrent_executions=spec.reserved_concurrency,
            tracing=lambda_.Tracing.ACTIVE,
            logging_format=lambda_.LoggingFormat.JSON,
            application_log_level_v2=lambda_.ApplicationLogLevel.INFO,
            system_log_level_v2=lambda_.SystemLogLevel.WARN,
            log_group=log_group,
            role=role,
            layers=[self.layers.get(name) for name in spec.layers],
            environment=function_env(spec, self._stage),
        )
        acknowledge(
            function,
            "AwsSolutions-L1",
            "python3.11 is the platform runtime: every layer is built for cp311 (tflite-runtime 2.14 has no newer wheels).",
        )
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::*]",
            "X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions.",
        )
        return function
