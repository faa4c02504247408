"""Accountability REST routes: oversight queries, audit verification, transparency figures,
probe answers and legal holds (roles: ``anpr.accountability.spec``)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response, content_types

from anpr.accountability import service
from anpr.kernel.http import Router, caller, services

router = Router()


@router.get("/audit/plates/<plate>/accesses")
def plate_accesses(plate: str):
    q = router.current_event.query_string_parameters or {}
    report = service.plate_accesses(services(router), caller(router), plate, q)
    if q.get("format") == "csv":
        return Response(
            status_code=200,
            content_type="text/csv",
            body=report.to_csv(),
            headers={"Content-Disposition": f'attachment; filename="accesses-{report.plate}.csv"'},
        )
    return report.model_dump(mode="json")


@router.get("/audit/verify")
def verify():
    return service.verify(services(router), caller(router)).model_dump(mode="json")


@router.get("/transparency")
def transparency():
    q = router.current_event.query_string_parameters or {}
    return service.transparency(services(router), caller(router), q).model_dump(mode="json")


@router.get("/probes")
def list_probes():
    q = router.current_event.query_string_parameters or {}
    return {"probes": [p.model_dump(mode="json") for p in service.list_probes(services(router), q)]}


@router.post("/probes/<probe_id>/answer")
def answer_probe(probe_id: str):
    probe = service.answer_probe(services(router), caller(router), probe_id, router.current_event.json_body)
    return probe.model_dump(mode="json")


@router.get("/legal-holds")
def list_holds():
    q = router.current_event.query_string_parameters or {}
    return {"holds": [h.model_dump(mode="json") for h in services(router).holds.list(q.get("status"))]}


@router.post("/legal-holds")
def place_hold():
    hold = service.place_hold(services(router), caller(router), router.current_event.json_body)
    return Response(
        status_code=201, content_type=content_types.APPLICATION_JSON, body=hold.model_dump(mode="json")
    )


@router.get("/legal-holds/<hold_id>")
def get_hold(hold_id: str):
    return services(router).holds.get(hold_id).model_dump(mode="json")


@router.post("/legal-holds/<hold_id>/release")
def release_hold(hold_id: str):
    hold = service.release_hold(services(router), caller(router), hold_id, router.current_event.json_body)
    return hold.model_dump(mode="json")
