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


#: the ``custom:zones`` value for national scope
NATIONAL_SCOPE = "national"


@dataclass(frozen=True)
class Caller:
    user_id: str  # Cognito sub: one person, never a shared account
    username: str
    groups: frozenset[str]
    #: police-zone codes the person belongs to (ID-token claim ``custom:zones``, comma-separated);
    #: ``NATIONAL_SCOPE`` in it means every zone (federal police, dispatch)
    zones: frozenset[str] = frozenset()
    #: the person's unit code (claim ``custom:unit``)
    unit: str = ""

    @property
    def national_scope(self) -> bool:
        return NATIONAL_SCOPE in self.zones

    def covers_zone(self, zone: str) -> bool:
        """Whether this person's zones include ``zone`` (national scope includes every zone)."""
        return self.national_scope or zone in self.zones


def _claim_list(raw) -> list[str]:
    """A claim list as API Gateway may pass it: a list, "a,b", "[a, b]" or "a b"."""
    if isinstance(raw, str):
        raw = raw.strip().strip("[]").replace(",", " ").split()
    return [str(v).strip() for v in raw or () if str(v).strip()]


def caller_from_claims(claims: dict | None) -> Caller:
    if not claims or not claims.get("sub"):
        raise Unauthenticated("no verified identity on the request")
    return Caller(
        user_id=claims["sub"],
        username=claims.get("cognito:username") or claims.get("username") or claims["sub"],
        # API Gateway flattens the list: "[a, b]" or "a,b"
        groups=frozenset(_claim_list(claims.get("cognito:groups"))),
        zones=frozenset(_claim_list(claims.get("custom:zones"))),
        unit=str(claims.get("custom:unit") or "").strip(),
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
