"""The REST resolver: authentication and role checks once, in a middleware, for every route."""

from __future__ import annotations

import logging
from functools import lru_cache

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

from anpr.auth import Forbidden, Unauthenticated, authorise, caller_from_claims
from anpr.cameras import DynamoCameraRegistry
from anpr.config import ApiSettings

log = logging.getLogger(__name__)


def _json_error(status: int, message: str) -> Response:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body={"error": message})


def _auth_middleware(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response:
    event = app.current_event
    claims = (event.request_context.authorizer.claims or {}) if event.request_context.authorizer else {}
    try:
        caller = caller_from_claims(claims)
        authorise(caller, event.http_method, event.resource)
    except Unauthenticated as exc:
        return _json_error(401, str(exc))
    except Forbidden as exc:
        log.warning("access denied", extra={"user": claims.get("sub"), "detail": str(exc)})
        return _json_error(403, str(exc))
    app.append_context(caller=caller)
    return next_middleware(app)


@lru_cache(maxsize=1)
def _cameras():
    s = ApiSettings()
    return DynamoCameraRegistry(s.table_cameras, s.region)


def build_app() -> APIGatewayRestResolver:
    app = APIGatewayRestResolver()
    app.use(middlewares=[_auth_middleware])

    @app.get("/cameras")
    def list_cameras():
        return {"cameras": [c.model_dump(mode="json") for c in _cameras().list()]}

    return app
