"""The platform's resources, declared once.

This module is the single source of truth for *what* exists: tables and their keys,
buckets and their notifications, queues and their redrive, topics, functions with the
resources each one uses (and how), event-source mappings and state machines.

Two builders read it:
- the CDK app (``infra/constructs``) turns it into CloudFormation, and
- the local runtime (``local/``) creates the same resources on a moto server.

``tests/infra/test_same_definitions.py`` proves both built the same thing.
Pure Python on purpose: importing it needs neither aws-cdk nor boto3. It lives in the
shared layer because functions read it too (each endpoint's allowed roles).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

#: repository root (layers/shared/python/anpr/spec.py → ../../../..); builders only
ROOT = Path(__file__).resolve().parents[4]

Access = Literal["read", "write", "read_write", "send", "publish", "start"]


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


@dataclass(frozen=True)
class QueueSpec:
    id: str
    dlq: str | None = None
    max_receive_count: int = 3
    visibility_timeout_s: int = 30
    is_dlq: bool = False


@dataclass(frozen=True)
class TopicSpec:
    id: str


@dataclass(frozen=True)
class SubscriptionSpec:
    """A topic → queue subscription with an SNS filter policy (zone, priority...)."""

    id: str
    topic: str
    queue: str
    filter_policy: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Use:
    """One function's use of one resource: gives it an env var and a least-privilege grant."""

    kind: Literal["table", "bucket", "queue", "topic", "state_machine"]
    resource: str
    access: Access

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
    #: service name for powertools Logger/Metrics/Tracer
    service: str = ""
    reserved_concurrency: int | None = None

    @property
    def code_path(self) -> Path:
        return ROOT / "functions" / self.code


@dataclass(frozen=True)
class RouteSpec:
    """One REST endpoint: behind the Cognito authorizer, allowed to these roles only."""

    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
    path: str  # API Gateway style, e.g. /searches/{id}
    function: str  # FunctionSpec.id serving it
    roles: tuple[str, ...]


@dataclass(frozen=True)
class StateMachineSpec:
    id: str
    #: ASL file (JSON) under infra/statemachines; ${...} placeholders name functions
    definition_file: str
    #: placeholder → FunctionSpec.id whose ARN replaces it
    function_substitutions: dict = field(default_factory=dict)

    @property
    def definition_path(self) -> Path:
        return ROOT / "infra" / "statemachines" / self.definition_file


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


# ---------------------------------------------------------------------------------------
# The platform
# ---------------------------------------------------------------------------------------

S = Attribute

TABLES: tuple[TableSpec, ...] = (
    # Key design and load calculation: docs/decisions.md (2026-11-28, reads table).
    TableSpec(
        id="Reads",
        partition_key=S("pk"),  # T#{yyyymmddHHMM}#{shard:02d}: one-minute slice × write shard
        sort_key=S("sk"),  # {capture_ms:013d}#{read_id}
        indexes=(
            Index("byPlate", S("plate_pk"), S("ts_sk")),  # P#{plate}
            Index("byCamera", S("camera_pk"), S("ts_sk")),  # C#{camera_id}#{yyyymmdd}
        ),
        ttl_attribute="expires_at",
    ),
    TableSpec(id="Cameras", partition_key=S("camera_id"), data_class="ops"),
    TableSpec(id="Idempotency", partition_key=S("id"), ttl_attribute="expiration", data_class="ops"),
)

BUCKETS: tuple[BucketSpec, ...] = (
    BucketSpec(
        id="Snapshots",
        notifications=(
            Notification(events=("s3:ObjectCreated:*",), queue="Ingest", prefix="snapshots/"),
        ),
    ),
    # Bad input is kept, never dropped: the object copy plus a reason document.
    BucketSpec(id="Quarantine"),
)

QUEUES: tuple[QueueSpec, ...] = (
    QueueSpec(id="IngestDlq", is_dlq=True),
    # visibility ≥ 6 × function timeout (AWS guidance for SQS event sources)
    QueueSpec(id="Ingest", dlq="IngestDlq", max_receive_count=3, visibility_timeout_s=180),
)

TOPICS: tuple[TopicSpec, ...] = ()

SUBSCRIPTIONS: tuple[SubscriptionSpec, ...] = ()

FUNCTIONS: tuple[FunctionSpec, ...] = (
    FunctionSpec(
        id="Ingest",
        code="ingest",
        service="ingest",
        memory_mb=1024,
        timeout_s=30,
        layers=("shared", "ocr"),
        uses=(
            Use("bucket", "Snapshots", "read_write"),  # reads snapshots, writes plate crops
            Use("bucket", "Quarantine", "write"),
            Use("table", "Reads", "write"),
            Use("table", "Cameras", "read"),
            Use("table", "Idempotency", "read_write"),
        ),
        sources=(QueueSource(queue="Ingest", batch_size=10, batching_window_s=1),),
    ),
    FunctionSpec(
        id="Api",
        code="api",
        service="api",
        memory_mb=512,
        timeout_s=29,  # API Gateway's integration limit
        uses=(Use("table", "Cameras", "read"),),
    ),
)

STATE_MACHINES: tuple[StateMachineSpec, ...] = ()

#: Cognito groups. Every person logs in personally; what each group may call is API_ROUTES.
ROLES: tuple[str, ...] = ("patrol", "investigator", "watchlist_manager", "supervisor", "auditor", "ops")

#: Every endpoint and who may call it, in one place (enforced by API Gateway's Cognito
#: authorizer for authentication and by anpr.auth in the function for the role).
API_ROUTES: tuple[RouteSpec, ...] = (
    RouteSpec("GET", "/cameras", "Api", roles=ROLES),
)


def function(fid: str) -> FunctionSpec:
    return next(f for f in FUNCTIONS if f.id == fid)


def queue(qid: str) -> QueueSpec:
    return next(q for q in QUEUES if q.id == qid)


def table(tid: str) -> TableSpec:
    return next(t for t in TABLES if t.id == tid)
