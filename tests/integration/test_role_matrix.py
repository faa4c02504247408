"""Every role × endpoint pair, read from ``anpr.kernel.platform.API_ROUTES``: allowed roles get past
authorisation (any answer but 401/403/5xx — an empty request may well be a 400 or 404),
every other role gets 403 and leaves an ``access.denied`` record in the audit trail.

Routes added by any feature are picked up automatically; a feature whose API function does
not record denied attempts (``new_resolver(audit=...)`` plus the AUDIT_WRITER_USES grants)
fails here. A ``network_key`` route (cameras, no Cognito authorizer) serves no person at all:
whatever their role, a person's Cognito identity gets 401 from it and no grant.
"""

import json
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


COGNITO_ROUTES = [r for r in spec.API_ROUTES if r.auth == "cognito"]
DEVICE_ROUTES = [r for r in spec.API_ROUTES if r.auth == "network_key"]


def _route_id(route) -> str:
    return f"{route.method} {route.path}"


def test_every_route_is_either_for_people_or_for_devices():
    assert len(COGNITO_ROUTES) + len(DEVICE_ROUTES) == len(spec.API_ROUTES)
    assert [_route_id(r) for r in DEVICE_ROUTES] == ["POST /uploads"]


@pytest.mark.parametrize("route", COGNITO_ROUTES, ids=_route_id)
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


@pytest.mark.parametrize("route", DEVICE_ROUTES, ids=_route_id)
def test_no_role_opens_a_device_endpoint(route, aws, function_env, cameras):
    fn = spec.function(route.function)
    function_env(fn.id)
    serve = getattr(handler_for(fn.code), fn.handler.split(".")[-1])
    path, params = _fill(route.path)
    outcomes = {}
    for role in ROLES:
        # a person's verified claims (and a bearer token) but no network key
        event = api_event(route.method, route.path, path, claims=claims(f"{role}-device", role),
                          body={"camera_id": "BRU-001"}, path_params=params or None)  # fmt: skip
        event["headers"]["Authorization"] = "Bearer a-person-s-id-token"
        resp = serve(event, FakeLambdaContext())
        outcomes[role] = (resp["statusCode"], "error" in json.loads(resp["body"]))
    assert outcomes == dict.fromkeys(ROLES, (401, True))
