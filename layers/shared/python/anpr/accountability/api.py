"""Accountability REST routes: oversight queries, audit verification, transparency figures,
probe answers and legal holds (roles: ``anpr.accountability.spec``). Typed query parameters
and pydantic bodies: powertools validates them and answers 400 with the field and reason."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from anpr.accountability import access_log as log
from anpr.accountability import service
from anpr.accountability.models import Answer, PlaceHold, ProbeStatus, ReleaseHold
from anpr.kernel.http import Router, caller, services

router = Router()


@router.get("/audit/plates/<plate>/accesses")
def plate_accesses(
    plate: str,
    case_ref: Annotated[str, Query(max_length=64)] = "",
    reason: Annotated[str, Query(max_length=2000)] = "",
    start: Annotated[str | None, Query(alias="from", max_length=40)] = None,
    end: Annotated[str | None, Query(alias="to", max_length=40)] = None,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
):
    report = service.plate_accesses(
        services(router), caller(router), plate, case_ref, reason, start, end, format
    )
    if format == "csv":
        return Response(
            status_code=200,
            content_type="text/csv",
            body=report.to_csv(),
            headers={"Content-Disposition": f'attachment; filename="accesses-{report.plate}.csv"'},
        )
    return report.model_dump(mode="json")


@router.get("/audit/accesses")
def access_log(
    case_ref: Annotated[str, Query(max_length=64)] = "",
    reason: Annotated[str, Query(max_length=2000)] = "",
    start: Annotated[str | None, Query(alias="from", max_length=40)] = None,
    end: Annotated[str | None, Query(alias="to", max_length=40)] = None,
    person: Annotated[str, Query(max_length=100)] = "",
    case: Annotated[str, Query(max_length=64)] = "",
    action: Annotated[str, Query(max_length=64)] = "",
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> dict:
    """The access log of a period (≤ 31 days), filtered by person, case and action; justified."""
    return log.access_log(
        services(router), caller(router), case_ref, reason, start, end,
        person=person, case=case, action=action, limit=limit,
    )  # fmt: skip


@router.get("/audit/verify")
def verify():
    return service.verify(services(router), caller(router)).model_dump(mode="json")


@router.get("/transparency")
def transparency(
    start: Annotated[str | None, Query(alias="from", max_length=40)] = None,
    end: Annotated[str | None, Query(alias="to", max_length=40)] = None,
):
    return service.transparency(services(router), caller(router), start, end).model_dump(mode="json")


@router.get("/probes")
def list_probes(status: Annotated[ProbeStatus | None, Query()] = None):
    probes = service.list_probes(services(router), caller(router), status)
    return {"probes": [p.model_dump(mode="json") for p in probes]}


@router.post("/probes/<probe_id>/answer")
def answer_probe(probe_id: str, answer: Annotated[Answer, Body()]):
    return service.answer_probe(services(router), caller(router), probe_id, answer).model_dump(mode="json")


@router.get("/legal-holds")
def list_holds(status: Annotated[Literal["active", "released"] | None, Query()] = None):
    holds = service.list_holds(services(router), caller(router), status)
    return {"holds": [h.model_dump(mode="json") for h in holds]}


@router.post("/legal-holds")
def place_hold(request: Annotated[PlaceHold, Body()]):
    hold = service.place_hold(services(router), caller(router), request)
    return Response(
        status_code=201, content_type=content_types.APPLICATION_JSON, body=hold.model_dump(mode="json")
    )


@router.get("/legal-holds/<hold_id>")
def get_hold(hold_id: str):
    return service.get_hold(services(router), caller(router), hold_id).model_dump(mode="json")


@router.post("/legal-holds/<hold_id>/release")
def release_hold(hold_id: str, request: Annotated[ReleaseHold, Body()]):
    return service.release_hold(services(router), caller(router), hold_id, request).model_dump(mode="json")
