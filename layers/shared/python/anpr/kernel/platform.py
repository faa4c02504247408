"""The platform: every concern's resources, composed (the single source of truth).

Each concern declares its part in its own ``spec.py`` (``anpr.<concern>.spec.PART``), in the
vocabulary of ``anpr.kernel.spec``. This module lists the concerns explicitly, by name
(``CONCERNS``: the CDK app builds one construct per concern): a concern whose module is missing
fails the import loudly, it is never silently left out; so does an id two concerns declare, or
grants added to a function no concern declares.

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

#: the concerns by name (the CDK construct of each: ``infra.constructs.concern.Concern``), in
#: dependency order: a concern may name resources of the concerns before it (a DLQ, a topic)
_DECLARED: dict[str, SpecPart] = {
    "Ingest": _INGEST,
    "Accountability": _ACCOUNTABILITY,
    "Alerts": _ALERTS,
    "Search": _SEARCH,
    "Networks": _NETWORKS,
    "Live": _LIVE,
}

_KINDS = ("tables", "buckets", "queues", "topics", "subscriptions", "functions", "state_machines",
          "routes", "schedules")  # fmt: skip


def _check(concerns: dict[str, SpecPart]) -> None:
    """Fail loudly: an id declared twice, or grants added to a function nobody declares."""
    for kind in _KINDS:
        if kind == "routes":
            ids = [(r.method, r.path) for part in concerns.values() for r in part.routes]
        else:
            ids = [x.id for part in concerns.values() for x in getattr(part, kind)]
        twice = sorted({str(i) for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"anpr/<concern>/spec.py: {kind} declared twice: {twice}")
    declared = {f.id for part in concerns.values() for f in part.functions}
    for name, part in concerns.items():
        unknown = sorted(set(part.extra_uses) - declared)
        if unknown:
            raise ValueError(f"anpr.{name.lower()}.spec: extra_uses for undeclared functions {unknown}")


def _with_extra_uses(concerns: dict[str, SpecPart]) -> dict[str, SpecPart]:
    """Each part with the grants other concerns add to its functions (``SpecPart.extra_uses``)."""
    extra: dict[str, list[Use]] = {}
    for part in concerns.values():
        for fid, uses in part.extra_uses.items():
            extra.setdefault(fid, []).extend(uses)

    def merged(f: FunctionSpec) -> FunctionSpec:
        return _dc.replace(
            f, uses=f.uses + tuple(dict.fromkeys(u for u in extra.get(f.id, ()) if u not in f.uses))
        )

    return {
        name: _dc.replace(part, functions=tuple(merged(f) for f in part.functions))
        for name, part in concerns.items()
    }


_check(_DECLARED)
#: every concern's part by name, its functions holding every grant (their own + extra_uses)
CONCERNS: dict[str, SpecPart] = _with_extra_uses(_DECLARED)
PARTS: tuple[SpecPart, ...] = tuple(CONCERNS.values())


def _all(attr: str) -> tuple:
    return tuple(x for part in PARTS for x in getattr(part, attr))


TABLES: tuple[TableSpec, ...] = _all("tables")
BUCKETS: tuple[BucketSpec, ...] = _all("buckets")
QUEUES: tuple[QueueSpec, ...] = _all("queues")
TOPICS: tuple[TopicSpec, ...] = _all("topics")
SUBSCRIPTIONS: tuple[SubscriptionSpec, ...] = _all("subscriptions")
FUNCTIONS: tuple[FunctionSpec, ...] = _all("functions")
STATE_MACHINES: tuple[StateMachineSpec, ...] = _all("state_machines")
SCHEDULES: tuple[ScheduleSpec, ...] = _all("schedules")
#: Every endpoint and who may call it, in one place (enforced by API Gateway's Cognito
#: authorizer for authentication and by anpr.kernel.auth in the function for the role;
#: a ``network_key`` route by its function alone).
API_ROUTES: tuple[RouteSpec, ...] = _all("routes")


def _find(items: tuple, kind: str, spec_id: str):
    try:
        return next(x for x in items if x.id == spec_id)
    except StopIteration:
        raise KeyError(f"no {kind} {spec_id!r} in any concern's spec (anpr/<concern>/spec.py)") from None


def function(fid: str) -> FunctionSpec:
    return _find(FUNCTIONS, "function", fid)


def queue(qid: str) -> QueueSpec:
    return _find(QUEUES, "queue", qid)


def table(tid: str) -> TableSpec:
    return _find(TABLES, "table", tid)
