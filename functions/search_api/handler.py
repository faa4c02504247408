"""Search REST API: submit, status, results, cancel. Routes and roles: anpr.specs.search."""

from anpr.api_app import current_caller, new_resolver
from anpr.audit_store import default_trail
from anpr.search.models import SubmitRequest
from anpr.search.wiring import search_service
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
copy_config_to_registered_loggers(source_logger=logger, include={"anpr"})
tracer = Tracer()
metrics = Metrics()
app = new_resolver(audit=default_trail)


@app.post("/searches")
def submit() -> Response:
    job = search_service().submit(
        current_caller(app), SubmitRequest.model_validate(app.current_event.json_body)
    )
    return Response(
        status_code=202,
        content_type=content_types.APPLICATION_JSON,
        body=job.public(),
        headers={"Location": f"/searches/{job.job_id}"},
    )


@app.get("/searches/<job_id>")
def status(job_id: str) -> dict:
    return search_service().status(current_caller(app), job_id)


@app.get("/searches/<job_id>/results")
def results(job_id: str):
    q = app.current_event.query_string_parameters or {}
    fmt = q.get("format", "json")
    if fmt != "json":
        out = search_service().download(current_caller(app), job_id, fmt, inline=q.get("inline") == "true")
        if isinstance(out, tuple):
            body, content_type = out  # text as text; the PNG goes base64-encoded
            text = body if content_type.startswith("image/") else body.decode()
            return Response(status_code=200, content_type=content_type, body=text)
        return out
    return search_service().results(
        current_caller(app), job_id, _int(q, "page", 1), _int(q, "page_size", 100)
    )


@app.delete("/searches/<job_id>")
def cancel(job_id: str) -> dict:
    return search_service().cancel(current_caller(app), job_id)


def _int(q: dict, name: str, default: int) -> int:
    from anpr.errors import BadRequest

    try:
        return int(q.get(name, default))
    except ValueError:
        raise BadRequest(f"{name} must be an integer") from None


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
