"""Every role × endpoint pair, read from ``anpr.kernel.platform.API_ROUTES``: allowed roles get past
authorisation (any answer but 401/403/5xx — an empty request may well be a 400 or 404),
every other role gets 403 and leaves an ``access.denied`` record in the audit trail.

Routes added by any feature are picked up automatically; a feature whose API function does
not record denied attempts (``new_resolver(audit=...)`` plus the AUDIT_WRITER_USES grants)
fails here.
"""

import re

import pytest
from anpr.accountability.adapters.dynamo import DynamoAuditTrail
from anpr.kernel import platform as spec
from anpr.kernel.clock import system_clock
from anpr.kernel.roles import ROLES

from local.resources import REGION
from tests.helpers import FakeLambdaContext, api_event, claims
from tests.integration.conftest import load_handler

_handlers: dict[str, object] = {}


def handler_for(code: str):
    return load_handler(code)  # fresh services per test: each test has its own moto account


def _fill(path: str) -> tuple[str, dict]:
    names = re.findall(r"{(\w+)}", path)
    params = {n: f"matrix-{n}" for n in names}
    return re.sub(r"{(\w+)}", lambda m: params[m.group(1)], path), params


def verdict(status: int, denied_records: int) -> str:
    if status == 403:
        return "denied, audited" if denied_records == 1 else "denied, NOT audited"
    if status in (401,) or status >= 500:
        return f"status {status}"
    return "allowed"


@pytest.mark.parametrize("route", spec.API_ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_every_role_on_every_endpoint(route, aws, function_env, cameras):
    fn = spec.function(route.function)
    function_env(fn.id)
    module = handler_for(fn.code)
    trail = DynamoAuditTrail(aws.name("table", "AuditTrail"), REGION, clock=system_clock)
    path, params = _fill(route.path)
    body = {} if route.method in ("POST", "PUT", "PATCH") else None

    outcomes = {}
    for role in ROLES:
        user = f"{role}-{route.method}-{route.path}".replace("/", "_")
        event = api_event(route.method, route.path, path, claims=claims(user, role), body=body,
                          path_params=params or None)  # fmt: skip
        status = module.lambda_handler(event, FakeLambdaContext())["statusCode"]
        denied = [
            r.event
            for r in trail.by_actor(f"sub-{user}", 0, 2**42)
            if r.event.action == "access.denied" and r.event.outcome == "denied"
        ]
        outcomes[role] = (status, len(denied))

    expected = {role: ("denied, audited" if role not in route.roles else "allowed") for role in ROLES}
    actual = {role: verdict(status, n) for role, (status, n) in outcomes.items()}
    assert actual == expected, f"{route.method} {route.path}: {outcomes}"
    denied_records = [r.event for r in trail.records() if r.event.action == "access.denied"]
    assert all(e.resource == f"{route.method} {path}" for e in denied_records)
