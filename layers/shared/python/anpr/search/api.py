"""Search REST routes: submit, status, results, exports, cancel (roles: ``anpr.search.spec``)."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from anpr.kernel.http import Router, caller, services
from anpr.search.models import SubmitRequest
from anpr.search.service import MAX_LIST, MAX_PAGE_SIZE

router = Router()

ExportFormat = Literal["json", "csv", "geojson", "kml", "html", "png"]


@router.post("/searches")
def submit(request: Annotated[SubmitRequest, Body()]):
    job = services(router).search.submit(caller(router), request)
    return Response(
        status_code=202,
        content_type=content_types.APPLICATION_JSON,
        body=job.public(),
        headers={"Location": f"/searches/{job.job_id}"},
    )


@router.get("/searches")
def list_searches(
    days: Annotated[int, Query(ge=1, le=400)] = 30,
    limit: Annotated[int, Query(ge=1, le=MAX_LIST)] = 50,
) -> dict:
    return services(router).search.list(caller(router), days=days, limit=limit)


@router.get("/searches/<job_id>")
def status(job_id: str) -> dict:
    return services(router).search.status(caller(router), job_id)


@router.get("/searches/<job_id>/results")
def results(
    job_id: str,
    format: Annotated[ExportFormat, Query()] = "json",
    inline: Annotated[bool, Query()] = False,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 100,
):
    search = services(router).search
    if format != "json":
        out = search.download(caller(router), job_id, format, inline=inline)
        if isinstance(out, tuple):
            body, content_type = out  # text as text; the PNG goes base64-encoded
            text = body if content_type.startswith("image/") else body.decode()
            return Response(status_code=200, content_type=content_type, body=text)
        return out
    return search.results(caller(router), job_id, page, page_size)


@router.delete("/searches/<job_id>")
def cancel(job_id: str) -> dict:
    return services(router).search.cancel(caller(router), job_id)
