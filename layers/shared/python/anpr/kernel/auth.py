"""Who is calling, and may they? Roles per endpoint come from ``anpr.kernel.platform.API_ROUTES``.

API Gateway's Cognito authorizer has already verified the token; this module reads the
verified claims and enforces the endpoint's roles (defence in depth, and the same code
runs in the local runtime against locally signed tokens).
"""

from __future__ import annotations

from dataclasses import dataclass

from anpr.kernel.platform import API_ROUTES, RouteSpec


class Unauthenticated(Exception):
    pass


class Forbidden(Exception):
    pass


@dataclass(frozen=True)
class Caller:
    user_id: str  # Cognito sub: one person, never a shared account
    username: str
    groups: frozenset[str]


def caller_from_claims(claims: dict | None) -> Caller:
    if not claims or not claims.get("sub"):
        raise Unauthenticated("no verified identity on the request")
    raw = claims.get("cognito:groups") or []
    if isinstance(raw, str):  # API Gateway flattens the list: "[a, b]" or "a,b"
        raw = [g.strip() for g in raw.strip("[]").replace(",", " ").split()]
    return Caller(
        user_id=claims["sub"],
        username=claims.get("cognito:username") or claims.get("username") or claims["sub"],
        groups=frozenset(raw),
    )


def route_for(method: str, resource: str) -> RouteSpec | None:
    return next((r for r in API_ROUTES if r.method == method and r.path == resource), None)


def authorise(caller: Caller, method: str, resource: str) -> RouteSpec:
    route = route_for(method, resource)
    if route is None:
        raise Forbidden(f"{method} {resource} is not a declared endpoint")
    if not caller.groups & set(route.roles):
        raise Forbidden(
            f"{method} {resource} requires one of {sorted(route.roles)}; caller has {sorted(caller.groups)}"
        )
    return route
