"""Accountability REST API: oversight queries, audit verification, transparency figures,
probe answers and legal holds. Routes and roles: anpr.specs.accountability."""

from anpr.accountability import api
from anpr.accountability.wiring import audit_api_services
from anpr.api_app import current_caller, new_resolver
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
copy_config_to_registered_loggers(source_logger=logger, include={"anpr"})
tracer = Tracer()
metrics = Metrics()
app = new_resolver(audit=lambda: audit_api_services().trail)


@app.get("/audit/plates/<plate>/accesses")
def plate_accesses(plate: str):
    q = app.current_event.query_string_parameters or {}
    report = api.plate_accesses(audit_api_services(), current_caller(app), plate, q)
    if q.get("format") == "csv":
        return Response(
            status_code=200,
            content_type="text/csv",
            body=report.to_csv(),
            headers={"Content-Disposition": f'attachment; filename="accesses-{report.plate}.csv"'},
        )
    return report.model_dump(mode="json")


@app.get("/audit/verify")
def verify():
    return api.verify(audit_api_services(), current_caller(app)).model_dump(mode="json")


@app.get("/transparency")
def transparency():
    q = app.current_event.query_string_parameters or {}
    return api.transparency(audit_api_services(), current_caller(app), q).model_dump(mode="json")


@app.get("/probes")
def list_probes():
    q = app.current_event.query_string_parameters or {}
    return {"probes": [p.model_dump(mode="json") for p in api.list_probes(audit_api_services(), q)]}


@app.post("/probes/<probe_id>/answer")
def answer_probe(probe_id: str):
    probe = api.answer_probe(audit_api_services(), current_caller(app), probe_id, app.current_event.json_body)
    return probe.model_dump(mode="json")


@app.get("/legal-holds")
def list_holds():
    q = app.current_event.query_string_parameters or {}
    return {"holds": [h.model_dump(mode="json") for h in audit_api_services().holds.list(q.get("status"))]}


@app.post("/legal-holds")
def place_hold():
    hold = api.place_hold(audit_api_services(), current_caller(app), app.current_event.json_body)
    return Response(
        status_code=201, content_type=content_types.APPLICATION_JSON, body=hold.model_dump(mode="json")
    )


@app.get("/legal-holds/<hold_id>")
def get_hold(hold_id: str):
    return audit_api_services().holds.get(hold_id).model_dump(mode="json")


@app.post("/legal-holds/<hold_id>/release")
def release_hold(hold_id: str):
    hold = api.release_hold(audit_api_services(), current_caller(app), hold_id, app.current_event.json_body)
    return hold.model_dump(mode="json")


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
