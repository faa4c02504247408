"""The platform: every concern's resources, composed (the single source of truth).

Each concern declares its part in its own ``spec.py`` (``anpr.<concern>.spec.PART``), in the
vocabulary of ``anpr.kernel.spec``. This module lists the concerns explicitly: a concern
whose module is missing fails the import loudly, it is never silently left out.

Two builders read it: the CDK app (``infra/``) and the local runtime (``local/``);
``tests/e2e/test_same_definitions.py`` proves both built the same thing. Pure Python on
purpose: importing it needs neither aws-cdk nor boto3.
"""

from __future__ import annotations

import dataclasses as _dc

from anpr.accountability.spec import PART as _ACCOUNTABILITY
from anpr.alerts.spec import PART as _ALERTS
from anpr.ingest.spec import PART as _INGEST
from anpr.kernel.roles import ROLES  # noqa: F401
from anpr.kernel.spec import (  # noqa: F401  (the vocabulary, re-exported for builders)
    ROOT,
    Access,
    Attribute,
    BucketSpec,
    FunctionSpec,
    Index,
    Notification,
    QueueSource,
    QueueSpec,
    RouteSpec,
    ScheduleSpec,
    SpecPart,
    StateMachineSpec,
    SubscriptionSpec,
    TableSpec,
    TopicSpec,
    Use,
    _snake,
    env_var_for,
)
from anpr.live.spec import PART as _LIVE
from anpr.networks.spec import PART as _NETWORKS
from anpr.search.spec import PART as _SEARCH

#: concerns, in dependency order
PARTS: tuple[SpecPart, ...] = (_INGEST, _ACCOUNTABILITY, _ALERTS, _SEARCH, _NETWORKS, _LIVE)


def _all(attr: str) -> tuple:
    return tuple(x for part in PARTS for x in getattr(part, attr))


def _with_extra_uses(functions: tuple[FunctionSpec, ...]) -> tuple[FunctionSpec, ...]:
    extra: dict[str, list[Use]] = {}
    for part in PARTS:
        for fid, uses in part.extra_uses.items():
            extra.setdefault(fid, []).extend(uses)
    return tuple(
        _dc.replace(f, uses=f.uses + tuple(u for u in extra.get(f.id, ()) if u not in f.uses))
        for f in functions
    )


TABLES: tuple[TableSpec, ...] = _all("tables")
BUCKETS: tuple[BucketSpec, ...] = _all("buckets")
QUEUES: tuple[QueueSpec, ...] = _all("queues")
TOPICS: tuple[TopicSpec, ...] = _all("topics")
SUBSCRIPTIONS: tuple[SubscriptionSpec, ...] = _all("subscriptions")
FUNCTIONS: tuple[FunctionSpec, ...] = _with_extra_uses(_all("functions"))
STATE_MACHINES: tuple[StateMachineSpec, ...] = _all("state_machines")
SCHEDULES: tuple[ScheduleSpec, ...] = _all("schedules")
#: Every endpoint and who may call it, in one place (enforced by API Gateway's Cognito
#: authorizer for authentication and by anpr.kernel.auth in the function for the role).
API_ROUTES: tuple[RouteSpec, ...] = _all("routes")


def function(fid: str) -> FunctionSpec:
    return next(f for f in FUNCTIONS if f.id == fid)


def queue(qid: str) -> QueueSpec:
    return next(q for q in QUEUES if q.id == qid)


def table(tid: str) -> TableSpec:
    return next(t for t in TABLES if t.id == tid)
