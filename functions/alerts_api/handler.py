"""Alerts REST API: watchlist management and the patrol feed. Routes and roles: anpr.specs.alerts."""

from functools import lru_cache

from anpr.alerts.config import AlertsApiSettings
from anpr.alerts.models import Outcome, WatchlistEntryIn
from anpr.alerts.publisher import alert_summary, alert_view
from anpr.alerts_wiring import api_services
from anpr.api_app import current_caller, new_resolver
from anpr.audit_store import default_trail
from anpr.errors import BadRequest
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
copy_config_to_registered_loggers(source_logger=logger, include={"anpr"})
tracer = Tracer()
metrics = Metrics()


@lru_cache(maxsize=1)
def services():
    return api_services(AlertsApiSettings(), default_trail())


app = new_resolver(audit=default_trail)


def _int(name: str, default: int) -> int:
    raw = app.current_event.get_query_string_value(name, str(default))
    try:
        return int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be an integer") from None


# -- watchlist (watchlist_manager; supervisor reads) -------------------------------------


@app.get("/watchlist")
def list_entries() -> dict:
    q = app.current_event.get_query_string_value
    entries, nxt = services()[0].page(current_caller(app), _int("limit", 100), q("cursor"), q("plate"))
    return {"entries": [e.model_dump(mode="json") for e in entries], "cursor": nxt}


@app.post("/watchlist")
def create_entry():
    entry = services()[0].create(
        WatchlistEntryIn.model_validate(app.current_event.json_body or {}), current_caller(app)
    )
    return entry.model_dump(mode="json"), 201


@app.post("/watchlist/import")
def import_entries() -> dict:
    event = app.current_event
    content_type = (
        (event.headers or {}).get("Content-Type") or (event.headers or {}).get("content-type") or ""
    )
    if content_type.startswith("text/csv"):
        text = event.decoded_body or ""
    else:
        text = (event.json_body or {}).get("csv") or ""
    if not text.strip():
        raise BadRequest('send the CSV as text/csv, or as JSON {"csv": "..."}')
    return services()[0].import_csv(text, current_caller(app))


@app.get("/watchlist/<entry_id>")
def get_entry(entry_id: str) -> dict:
    return services()[0].get(entry_id, current_caller(app)).model_dump(mode="json")


@app.put("/watchlist/<entry_id>")
def update_entry(entry_id: str) -> dict:
    data = WatchlistEntryIn.model_validate(app.current_event.json_body or {})
    return services()[0].update(entry_id, data, current_caller(app)).model_dump(mode="json")


@app.delete("/watchlist/<entry_id>")
def delete_entry(entry_id: str) -> dict:
    return {"deleted": services()[0].delete(entry_id, current_caller(app)).entry_id}


# -- alerts (patrol, supervisor) -----------------------------------------------------------


@app.get("/alerts")
def list_alerts() -> dict:
    q = app.current_event.get_query_string_value
    zone = q("zone")
    if not zone:
        raise BadRequest("zone is required (a police zone, or 'national')")
    found = services()[1].feed(zone, q("status", "open"), _int("limit", 50), current_caller(app))
    return {"alerts": [alert_summary(a) for a in found]}


@app.get("/alerts/<alert_id>")
def get_alert(alert_id: str) -> dict:
    desk = services()[1]
    alert = desk.view(alert_id, current_caller(app))
    return alert_view(alert, desk.presigner, desk.now_ms(), desk.presign_ttl_s)


@app.post("/alerts/<alert_id>/acknowledge")
def acknowledge(alert_id: str) -> dict:
    body = app.current_event.json_body or {}
    try:
        outcome = Outcome(body.get("outcome"))
    except ValueError:
        raise BadRequest(f"outcome must be one of {[o.value for o in Outcome]}") from None
    comment = body.get("comment") or ""
    if not isinstance(comment, str) or len(comment) > 2000:
        raise BadRequest("comment must be text, at most 2000 characters")
    alert = services()[1].acknowledge(alert_id, outcome, comment, current_caller(app))
    return alert_summary(alert) | {"acknowledgement": alert.acknowledgement.model_dump(mode="json")}


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
