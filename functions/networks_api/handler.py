"""Networks REST API (ops) and the camera upload endpoint.

``lambda_handler``: routes in anpr.networks.api, roles in anpr.networks.spec (Cognito users).
``upload_handler``: ``POST /uploads`` for cameras, authenticated by their network's key in
``Authorization: Network <key>`` (no Cognito user; docs/networks.md "Upload endpoint").
``silence_handler``: the scheduled silent-camera watch and daily report (anpr.networks.silence).
"""

import json

from anpr.kernel.errors import DomainError
from anpr.kernel.http import ApiFunction, Lazy
from anpr.kernel.observability import API_GATEWAY_REST, instrumented
from anpr.networks.api import router
from anpr.networks.models import UploadRequest
from anpr.networks.silence_job import run_silence_job
from anpr.networks.wiring import api_services, silence_services, upload_services
from pydantic import ValidationError

function = ApiFunction([router], Lazy(api_services))
lambda_handler = function.lambda_handler

uploads = Lazy(upload_services)


def _answer(status: int, body: dict) -> dict:
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}


def _token(event: dict) -> str:
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    scheme, _, token = (headers.get("authorization") or "").partition(" ")
    return token.strip() if scheme.lower() == "network" else ""


def handle_upload(event: dict, context) -> dict:
    try:
        request = UploadRequest.model_validate_json(event.get("body") or "{}")
    except ValidationError as exc:
        reason = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors()[:3])
        return _answer(400, {"error": f"invalid request: {reason}"})
    try:
        grant = uploads().uploads.grant(_token(event), request)
    except DomainError as exc:
        return _answer(exc.status, {"error": str(exc)})
    return _answer(200, grant.model_dump())


upload_handler = instrumented(handle_upload, correlation_id_path=API_GATEWAY_REST)


silence = Lazy(silence_services)


def handle_silence(event: dict, context) -> dict:
    """Scheduled: ``{"job": "watch"}`` every 15 minutes, ``{"job": "report"}`` once a day."""
    return run_silence_job(silence(), event.get("job", "watch"))


silence_handler = instrumented(handle_silence)
