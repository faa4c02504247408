"""REST plumbing, written once: one resolver per API function joining its concerns' routers.

Every request is, in this order:
1. authenticated (the verified Cognito claims API Gateway passes on) and authorised against
   the route's roles in the spec (``anpr.kernel.platform.API_ROUTES``) — before any body is
   parsed, so a caller without the role learns nothing about the route's inputs; a refusal is
   audited (``access.denied``);
2. validated by powertools (``enable_validation=True``: typed query parameters and pydantic
   bodies declared on the route);
3. served by the route with the function's services (``services(router)``) and the caller
   (``caller(router)``).

Domain exceptions and validation errors map to 4xx answers with a reason, never a 500.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from pydantic import ValidationError

from anpr.kernel.audit import AuditEvent, AuditTrail
from anpr.kernel.auth import Caller, Forbidden, Unauthenticated, authorise, caller_from_claims
from anpr.kernel.errors import DomainError
from anpr.kernel.observability import API_GATEWAY_REST, instrumented

log = logging.getLogger(__name__)

S = TypeVar("S")

__all__ = ["ApiFunction", "Lazy", "Router", "caller", "json_error", "services"]


class Lazy(Generic[S]):
    """A function's services: built on first use (once per container), replaceable by tests."""

    def __init__(self, build: Callable[[], S]):
        self._build, self._value = build, None

    def __call__(self) -> S:
        if self._value is None:
            self._value = self._build()
        return self._value

    def use(self, value: S) -> S:
        """Tests inject their own services (fakes, a pinned clock) instead of clearing caches."""
        self._value = value
        return value


def json_error(status: int, message: str, **extra) -> Response:
    return Response(
        status_code=status, content_type=content_types.APPLICATION_JSON, body={"error": message, **extra}
    )


def _field(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def validation_details(errors: Iterable[dict]) -> list[dict]:
    return [{"field": _field(e.get("loc", ())), "error": e.get("msg", "invalid")} for e in errors]


def _summary(details: list[dict]) -> str:
    return "; ".join(f"{d['field']}: {d['error']}" for d in details[:5]) or "invalid request"


def _new_resolver() -> APIGatewayRestResolver:
    app = APIGatewayRestResolver(enable_validation=True)

    @app.not_found
    def _not_found(exc):
        return json_error(404, f"no such resource: {app.current_event.http_method} {app.current_event.path}")

    @app.exception_handler(json.JSONDecodeError)
    def _not_json(exc: json.JSONDecodeError):
        return json_error(400, f"the body must be JSON ({exc.msg} at character {exc.pos})")

    @app.exception_handler(DomainError)
    def _domain(exc: DomainError):
        return json_error(exc.status, str(exc))

    @app.exception_handler(Forbidden)
    def _forbidden(exc: Forbidden):
        return json_error(403, str(exc))

    @app.exception_handler(RequestValidationError)
    def _invalid_request(exc: RequestValidationError):
        details = validation_details(exc.errors())
        return json_error(400, f"invalid request: {_summary(details)}", details=details)

    @app.exception_handler(ValidationError)
    def _invalid(exc: ValidationError):
        details = validation_details(exc.errors())
        return json_error(400, f"invalid request: {_summary(details)}", details=details)

    return app


def _denied(status: int, message: str) -> dict:
    return {
        "statusCode": status,
        "headers": {"Content-Type": content_types.APPLICATION_JSON},
        "body": json.dumps({"error": message}),
        "isBase64Encoded": False,
    }


class ApiFunction(Generic[S]):
    """One REST Lambda: ``lambda_handler`` for the runtime, ``services`` for tests to replace.

    ``services`` must expose ``audit`` (an ``AuditTrail``): refusals are recorded there.
    """

    def __init__(self, routers: Iterable[Router], services: Lazy[S]):
        self.app = _new_resolver()
        self.routers = tuple(routers)
        for router in self.routers:
            self.app.include_router(router)
        self.services = services
        self.lambda_handler = instrumented(self.handle, correlation_id_path=API_GATEWAY_REST)

    def handle(self, event: dict, context: Any) -> dict:
        claims = ((event.get("requestContext") or {}).get("authorizer") or {}).get("claims") or {}
        method, resource = event.get("httpMethod", ""), event.get("resource", "")
        try:
            who = caller_from_claims(claims)
        except Unauthenticated as exc:
            return _denied(401, str(exc))
        try:
            authorise(who, method, resource)
        except Forbidden as exc:
            log.warning("access denied", extra={"user": who.user_id, "detail": str(exc)})
            self._audit_denied(who, f"{method} {event.get('path', resource)}", str(exc))
            return _denied(403, str(exc))
        for router in self.routers:  # a router shared by several resolvers (tests) reads ours
            router.api_resolver = self.app
        self.app.append_context(caller=who, services=self.services())
        return self.app.resolve(event, context)

    def _audit_denied(self, who: Caller, resource: str, why: str) -> None:
        trail: AuditTrail = self.services().audit
        trail.record(
            AuditEvent.by(who, "access.denied", outcome="denied", resource=resource, detail={"why": why})
        )


def caller(router: Router | APIGatewayRestResolver) -> Caller:
    return router.context["caller"]


def services(router: Router | APIGatewayRestResolver):
    return router.context["services"]
