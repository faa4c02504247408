"""The vocabulary every concern declares its resources in (tables, buckets, queues, topics,
functions, routes, state machines, schedules). The composition is ``anpr.kernel.platform``.

The platform's resources, declared once.

This module is the single source of truth for *what* exists: tables and their keys,
buckets and their notifications, queues and their redrive, topics, functions with the
resources each one uses (and how), event-source mappings and state machines.

Two builders read it:
- the CDK app (``infra/constructs``) turns it into CloudFormation, and
- the local runtime (``local/``) creates the same resources on a moto server.

``tests/e2e/test_same_definitions.py`` proves both built the same thing.
Pure Python on purpose: importing it needs neither aws-cdk nor boto3. It lives in the
shared layer because functions read it too (each endpoint's allowed roles).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

#: repository root (layers/shared/python/anpr/kernel/spec.py → ../../../../..); builders only
ROOT = Path(__file__).resolve().parents[5]

#: "append" = PutItem only, never Update/Delete (the audit trail);
#: "manage" = read, write and delete objects (legal-hold evidence copies, released)
Access = Literal["read", "write", "read_write", "append", "manage", "send", "publish", "start", "invoke"]


@dataclass(frozen=True)
class Attribute:
    name: str
    type: Literal["S", "N"] = "S"


@dataclass(frozen=True)
class Index:
    name: str
    partition_key: Attribute
    sort_key: Attribute | None = None


@dataclass(frozen=True)
class TableSpec:
    id: str
    partition_key: Attribute
    sort_key: Attribute | None = None
    indexes: tuple[Index, ...] = ()
    ttl_attribute: str | None = None
    #: data class decides which KMS key encrypts it (see docs/decisions.md)
    data_class: Literal["plates", "audit", "ops"] = "plates"
    stream: bool = False


@dataclass(frozen=True)
class Notification:
    events: tuple[str, ...]
    queue: str
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True)
class BucketSpec:
    id: str
    notifications: tuple[Notification, ...] = ()
    #: objects expire with the reads they document (retention, days from stage config)
    expire_with_retention: bool = True
    versioned: bool = True
    data_class: Literal["plates", "audit", "ops"] = "plates"
    #: S3 Object Lock in compliance mode (write-once archive); needs versioning
    object_lock_days: int | None = None
    #: Object Lock enabled without a default retention: objects the writer puts under a legal
    #: hold cannot be deleted until the hold is lifted (held evidence); needs versioning
    object_lock: bool = False
    #: every version locked (Object Lock, GOVERNANCE) for the stage's retention from its
    #: creation: an overwritten or deleted object's original stays as long as the read made
    #: from it, then goes with the one-day noncurrent-version expiry (snapshots)
    lock_versions_for_retention: bool = False


@dataclass(frozen=True)
class QueueSpec:
    """An SQS queue (SSE-KMS); a work queue names its dead-letter queue, possibly another concern's."""

    id: str
    #: the DLQ a message goes to after ``max_receive_count`` failed receives
    dlq: str | None = None
    max_receive_count: int = 3
    #: longer than the consuming function's timeout (a message is not handed out twice at once)
    visibility_timeout_s: int = 30
    #: a DLQ keeps its messages 14 days (SQS's longest) and raises an alarm when not empty
    is_dlq: bool = False


@dataclass(frozen=True)
class TopicSpec:
    """An SNS topic (SSE-KMS); its subscribers are ``SubscriptionSpec`` entries."""

    id: str


@dataclass(frozen=True)
class SubscriptionSpec:
    """A topic → queue subscription with an SNS filter policy (zone, priority...)."""

    id: str
    topic: str
    queue: str
    filter_policy: dict = field(default_factory=dict)
    #: consumers get the message body itself and its attributes as SQS message attributes
    raw_message_delivery: bool = True


@dataclass(frozen=True)
class Use:
    """One function's use of one resource: gives it an env var and a least-privilege grant."""

    kind: Literal["table", "bucket", "queue", "topic", "state_machine", "function"]
    resource: str
    access: Access
    #: buckets only: the grant covers keys under this prefix (e.g. "crops/"); "" = every key
    prefix: str = ""

    @property
    def env_var(self) -> str:
        return env_var_for(self.kind, self.resource)


@dataclass(frozen=True)
class QueueSource:
    """SQS → Lambda event-source mapping."""

    queue: str
    batch_size: int = 10
    batching_window_s: int = 1
    report_batch_item_failures: bool = True


@dataclass(frozen=True)
class FunctionSpec:
    id: str
    #: folder under functions/ holding handler.py
    code: str
    handler: str = "handler.lambda_handler"
    memory_mb: int = 512
    timeout_s: int = 30
    uses: tuple[Use, ...] = ()
    sources: tuple[QueueSource, ...] = ()
    layers: tuple[str, ...] = ("shared",)
    #: service name for powertools Logger/Metrics/Tracer; "" = the id in kebab case
    #: ("AuditApi" → "audit-api")
    service: str = ""
    reserved_concurrency: int | None = None

    def __post_init__(self) -> None:
        if not self.service:
            object.__setattr__(self, "service", _snake(self.id).replace("_", "-"))

    @property
    def code_path(self) -> Path:
        return ROOT / "functions" / self.code


#: a REST API function answers within API Gateway's integration limit (29 s), with 512 MB
API_MEMORY_MB = 512
API_TIMEOUT_S = 29


def api_function(id: str, code: str, uses: tuple[Use, ...], **options) -> FunctionSpec:
    """A function behind the REST API: ``API_MEMORY_MB`` and ``API_TIMEOUT_S`` unless ``options``
    say otherwise (other FunctionSpec fields: handler, memory_mb...)."""
    options = {"memory_mb": API_MEMORY_MB, "timeout_s": API_TIMEOUT_S, **options}
    return FunctionSpec(id=id, code=code, uses=uses, **options)


@dataclass(frozen=True)
class RouteSpec:
    """One REST endpoint: behind the Cognito authorizer, allowed to these roles only; or, with
    ``auth="network_key"``, called by devices (cameras) with no Cognito user at all."""

    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
    path: str  # API Gateway style, e.g. /searches/{id}
    function: str  # FunctionSpec.id serving it
    roles: tuple[str, ...]
    #: the route shows personal data (plates, reads, who looked at what): every view and every
    #: refusal is audited (checked by tests/security). False only for registry/aggregate data.
    personal_data: bool = True
    #: "cognito": API Gateway's Cognito authorizer, then the role check in the function;
    #: "network_key": no authorizer, the function itself checks ``Authorization: Network <key>``
    #: (a camera network's upload key, anpr.networks); no person, hence no roles
    auth: Literal["cognito", "network_key"] = "cognito"

    def __post_init__(self) -> None:
        if self.auth == "cognito" and not self.roles:
            raise ValueError(f"{self.method} {self.path}: a Cognito route needs at least one role")
        if self.auth == "network_key" and (self.roles or self.personal_data):
            raise ValueError(
                f"{self.method} {self.path}: a network-key route has no roles and shows no personal data"
            )


def routes(
    function: str, roles: tuple[str, ...], *endpoints: str, personal_data: bool = True
) -> tuple[RouteSpec, ...]:
    """Endpoints ("GET /path") one function serves to the same roles: ``*routes(...)`` in a part."""
    return tuple(
        RouteSpec(method, path, function, roles=roles, personal_data=personal_data)
        for method, path in (endpoint.split(" ", 1) for endpoint in endpoints)
    )


@dataclass(frozen=True)
class StateMachineSpec:
    id: str
    #: ASL file (JSON) under infra/statemachines; ${...} placeholders name functions
    definition_file: str
    #: placeholder → FunctionSpec.id whose ARN replaces it
    function_substitutions: dict = field(default_factory=dict)
    #: what the state machine's own role needs (e.g. a Distributed Map reading its plan)
    uses: tuple[Use, ...] = ()

    @property
    def definition_path(self) -> Path:
        return ROOT / "infra" / "statemachines" / self.definition_file


@dataclass(frozen=True)
class ScheduleSpec:
    """A function run on a schedule (EventBridge Scheduler on AWS; ticked by the local runtime)."""

    id: str
    function: str
    rate_minutes: int
    #: constant JSON input the function receives
    payload: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SpecPart:
    """One concern's resources: ``anpr.<concern>.spec.PART``, composed by ``anpr.kernel.platform``."""

    tables: tuple[TableSpec, ...] = ()
    buckets: tuple[BucketSpec, ...] = ()
    queues: tuple[QueueSpec, ...] = ()
    topics: tuple[TopicSpec, ...] = ()
    subscriptions: tuple[SubscriptionSpec, ...] = ()
    functions: tuple[FunctionSpec, ...] = ()
    state_machines: tuple[StateMachineSpec, ...] = ()
    routes: tuple[RouteSpec, ...] = ()
    schedules: tuple[ScheduleSpec, ...] = ()
    #: grants this concern adds to another concern's function, e.g. the ingest function
    #: matching watchlists: {"Ingest": (Use("table", "Watchlist", "read"), ...)}
    extra_uses: dict = field(default_factory=dict)


def env_var_for(kind: str, resource: str) -> str:
    """``ANPR_TABLE_READS``, ``ANPR_BUCKET_SNAPSHOTS``...: one naming rule for both builders."""
    return f"ANPR_{kind.upper()}_{_snake(resource).upper()}"


def _snake(name: str) -> str:
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and not name[i - 1].isupper():
            out.append("_")
        out.append(ch)
    return "".join(out).lower()
