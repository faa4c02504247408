"""Shared REST plumbing for every API function: authentication, role checks, audit of
denied attempts, and domain-exception → HTTP mapping, written once."""

from __future__ import annotations

import logging
from collections.abc import Callable

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from pydantic import ValidationError

from anpr.audit import AuditEvent, AuditTrail
from anpr.auth import Caller, Forbidden, Unauthenticated, authorise, caller_from_claims
from anpr.errors import DomainError

log = logging.getLogger(__name__)


def json_error(status: int, message: str, **extra) -> Response:
    return Response(
        status_code=status, content_type=content_types.APPLICATION_JSON, body={"error": message, **extra}
    )


def new_resolver(audit: Callable[[], AuditTrail] | None = None) -> APIGatewayRestResolver:
    """A resolver whose every route is authenticated and authorised by ``anpr.spec.API_ROUTES``.

    ``audit`` is called lazily (once config is loaded) to record denied attempts.
    """
    app = APIGatewayRestResolver()

    def auth_middleware(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response:
        event = app.current_event
        authorizer = event.request_context.authorizer
        claims = (authorizer.claims if authorizer else None) or {}
        try:
            caller = caller_from_claims(claims)
        except Unauthenticated as exc:
            return json_error(401, str(exc))
        try:
            authorise(caller, event.http_method, event.resource)
        except Forbidden as exc:
            log.warning("access denied", extra={"user": caller.user_id, "detail": str(exc)})
            if audit is not None:
                audit().record(
                    AuditEvent.by(
                        caller,
                        "access.denied",
                        outcome="denied",
                        resource=f"{event.http_method} {event.path}",
                        detail={"why": str(exc)},
                    )
                )
            return json_error(403, str(exc))
        app.append_context(caller=caller)
        return next_middleware(app)

    app.use(middlewares=[auth_middleware])

    @app.exception_handler(DomainError)
    def _domain(exc: DomainError):
        return json_error(exc.status, str(exc))

    @app.exception_handler(Forbidden)
    def _forbidden(exc: Forbidden):
        return json_error(403, str(exc))

    @app.exception_handler(ValidationError)
    def _invalid(exc: ValidationError):
        errors = [{"field": ".".join(str(p) for p in e["loc"]), "error": e["msg"]} for e in exc.errors()]
        return json_error(400, "invalid request", details=errors)

    return app


def current_caller(app: APIGatewayRestResolver) -> Caller:
    return app.context["caller"]
