"""The REST API's OpenAPI document, built from every concern's router (the single source for
the web apps' typed client and the adversarial test suite).

``python -m anpr.kernel.openapi > openapi.json`` writes it; ``GET /openapi.json`` serves it.
Each operation carries ``x-roles``: the roles the spec allows (``anpr.kernel.platform.API_ROUTES``)
and its security: the Cognito ID token, or for a ``network_key`` route (cameras) the network's key
in ``Authorization: Network <key>``.
"""

from __future__ import annotations

import json
import re
import sys
from functools import cache
from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body

from anpr.kernel.platform import API_ROUTES
from anpr.networks.models import UploadGrant, UploadRequest

TITLE = "National ANPR platform API"
VERSION = "1.0.0"


def _routers():
    from anpr.accountability.api import router as accountability
    from anpr.alerts.api import router as alerts
    from anpr.live.api import router as live
    from anpr.networks.api import router as networks
    from anpr.reads.api import router as reads
    from anpr.search.api import router as search

    return (reads, alerts, search, accountability, networks, live, _camera_upload_router())


#: every refusal's body: ``{"error": "<reason>"}``
_ERROR = {
    "application/json": {
        "schema": {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]}
    }
}


def _camera_upload_router() -> Router:
    """The camera upload route, documented with the models its function validates and answers
    (served by ``functions/networks_api/handler.py:upload_handler``, not by a resolver)."""
    router = Router()

    @router.post(
        "/uploads",
        summary="A presigned POST for one snapshot under the camera's own network prefix",
        responses={
            200: {
                "description": "the presigned POST",
                "content": {"application/json": {"model": UploadGrant}},
            },
            400: {"description": "invalid request", "content": _ERROR},
            401: {"description": "bad or revoked network key", "content": _ERROR},
            403: {"description": "camera unknown, retired or of another network", "content": _ERROR},
        },
    )
    def upload(request: Annotated[UploadRequest, Body()]) -> UploadGrant:  # pragma: no cover - never served
        raise NotImplementedError("documentation only: served by the CameraUploads function")

    return router


def _spec_path(path: str) -> str:
    return re.sub(r"\{(\w+)\}", "{}", path)


@cache
def document() -> dict:
    app = APIGatewayRestResolver(enable_validation=True)
    for router in _routers():
        app.include_router(router)
    doc = json.loads(app.get_openapi_json_schema(title=TITLE, version=VERSION))
    routes = {(r.method.lower(), _spec_path(r.path)): r for r in API_ROUTES}
    doc.setdefault("components", {})["securitySchemes"] = {
        "cognito": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT (Cognito ID token)"},
        "networkKey": {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "a camera network's upload key: `Network anpr_{network}_{key_id}.{secret}`",
        },
    }
    doc["security"] = [{"cognito": []}]
    for path, ops in doc.get("paths", {}).items():
        for method, op in ops.items():
            route = routes.get((method, _spec_path(path)))
            op["x-roles"] = sorted(route.roles) if route else []
            if route is not None and route.auth == "network_key":
                op["security"] = [{"networkKey": []}]
                op["responses"].pop("422", None)  # the function answers bad input with a 400
    return doc


def main() -> int:
    json.dump(document(), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
