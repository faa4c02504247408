"""The REST API's OpenAPI document, built from every concern's router (the single source for
the web apps' typed client and the adversarial test suite).

``python -m anpr.kernel.openapi > openapi.json`` writes it; ``GET /openapi.json`` serves it.
Each operation carries ``x-roles``: the roles the spec allows (``anpr.kernel.platform.API_ROUTES``).
"""

from __future__ import annotations

import json
import re
import sys
from functools import cache

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from anpr.kernel.platform import API_ROUTES

TITLE = "National ANPR platform API"
VERSION = "1.0.0"


def _routers():
    from anpr.accountability.api import router as accountability
    from anpr.alerts.api import router as alerts
    from anpr.networks.api import router as networks
    from anpr.reads.api import router as reads
    from anpr.search.api import router as search

    return (reads, alerts, search, accountability, networks)


def _spec_path(path: str) -> str:
    return re.sub(r"\{(\w+)\}", "{}", path)


@cache
def document() -> dict:
    app = APIGatewayRestResolver(enable_validation=True)
    for router in _routers():
        app.include_router(router)
    doc = json.loads(app.get_openapi_json_schema(title=TITLE, version=VERSION))
    roles = {(r.method.lower(), _spec_path(r.path)): sorted(r.roles) for r in API_ROUTES}
    doc.setdefault("components", {})["securitySchemes"] = {
        "cognito": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT (Cognito ID token)"}
    }
    doc["security"] = [{"cognito": []}]
    for path, ops in doc.get("paths", {}).items():
        for method, op in ops.items():
            op["x-roles"] = roles.get((method, _spec_path(path)), [])
    return doc


def main() -> int:
    json.dump(document(), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
