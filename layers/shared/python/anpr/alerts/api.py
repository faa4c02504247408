"""Alerts REST routes: watchlist management and the patrol feed (roles: ``anpr.alerts.spec``)."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from pydantic import BaseModel, ConfigDict, Field

from anpr.alerts.messages import alert_summary, alert_view
from anpr.alerts.models import Outcome, WatchlistEntryIn
from anpr.kernel.errors import BadRequest
from anpr.kernel.http import Router, caller, services

router = Router()


class Acknowledge(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Outcome
    comment: str = Field(default="", max_length=2000)


# -- watchlist (watchlist_manager; supervisor reads) -------------------------------------


@router.get("/watchlist")
def list_entries(
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
    plate: Annotated[str | None, Query(max_length=20)] = None,
) -> dict:
    entries, nxt = services(router).watchlist.page(caller(router), limit, cursor, plate)
    return {"entries": [e.model_dump(mode="json") for e in entries], "cursor": nxt}


@router.post("/watchlist")
def create_entry(entry: Annotated[WatchlistEntryIn, Body()]):
    created = services(router).watchlist.create(entry, caller(router))
    return Response(
        status_code=201, content_type=content_types.APPLICATION_JSON, body=created.model_dump(mode="json")
    )


@router.post("/watchlist/import")
def import_entries() -> dict:
    event = router.current_event
    headers = {k.lower(): v for k, v in (event.headers or {}).items()}
    if headers.get("content-type", "").startswith("text/csv"):
        text = event.decoded_body or ""
    else:
        try:
            body = event.json_body or {}
        except ValueError:
            raise BadRequest('send the CSV as text/csv, or as JSON {"csv": "..."}') from None
        text = body.get("csv") if isinstance(body, dict) else None
        text = text if isinstance(text, str) else ""
    if not text.strip():
        raise BadRequest('send the CSV as text/csv, or as JSON {"csv": "..."}')
    return services(router).watchlist.import_csv(text, caller(router))


@router.get("/watchlist/<entry_id>")
def get_entry(entry_id: str) -> dict:
    return services(router).watchlist.get(entry_id, caller(router)).model_dump(mode="json")


@router.put("/watchlist/<entry_id>")
def update_entry(entry_id: str, entry: Annotated[WatchlistEntryIn, Body()]) -> dict:
    return services(router).watchlist.update(entry_id, entry, caller(router)).model_dump(mode="json")


@router.delete("/watchlist/<entry_id>")
def delete_entry(entry_id: str) -> dict:
    return {"deleted": services(router).watchlist.delete(entry_id, caller(router)).entry_id}


# -- alerts (patrol, supervisor) -----------------------------------------------------------


@router.get("/alerts")
def list_alerts(
    zone: Annotated[str, Query(min_length=1, max_length=64, description="a police zone, or 'national'")],
    status: Annotated[Literal["open", "acknowledged"], Query()] = "open",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict:
    found = services(router).desk.feed(zone, status, limit, caller(router))
    return {"alerts": [alert_summary(a) for a in found]}


@router.get("/alerts/follow-up")
def follow_up(
    zone: Annotated[str, Query(min_length=1, max_length=64)],
    start_ms: Annotated[int, Query(ge=0, le=10**14)],
    end_ms: Annotated[int, Query(ge=0, le=10**14)],
) -> dict:
    """A zone's shift for its supervisor: open, claimed, closed, escalated; the follow-up rate."""
    return services(router).desk.follow_up(zone, start_ms, end_ms, caller(router))


@router.get("/alerts/<alert_id>")
def get_alert(alert_id: str) -> dict:
    desk = services(router).desk
    alert = desk.view(alert_id, caller(router))
    return alert_view(alert, desk.presigner, desk.clock(), desk.presign_ttl_s)


@router.post("/alerts/<alert_id>/claim")
def claim(alert_id: str) -> dict:
    """ "I'm on it": every officer of the zone sees who took the alert."""
    return alert_summary(services(router).desk.claim(alert_id, caller(router)))


@router.post("/alerts/<alert_id>/acknowledge")
def acknowledge(alert_id: str, body: Annotated[Acknowledge, Body()]) -> dict:
    alert = services(router).desk.acknowledge(alert_id, body.outcome, body.comment, caller(router))
    return alert_summary(alert) | {"acknowledgement": alert.acknowledgement.model_dump(mode="json")}
