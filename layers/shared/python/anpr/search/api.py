"""Search REST routes: submit, status, results, exports, cancel (roles: ``anpr.search.spec``)."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from pydantic import BaseModel, ConfigDict

from anpr.accountability.justification import JUDICIAL_ROLES
from anpr.kernel.clock import DAY_MS
from anpr.kernel.errors import BadRequest
from anpr.kernel.http import Router, caller, services
from anpr.search.models import SubmitRequest, check_not_future, oldest_ms, parse_query
from anpr.search.plan import estimate
from anpr.search.service import MAX_LIST, MAX_PAGE_SIZE

router = Router()


class EstimateRequest(BaseModel):
    """POST /searches/estimate body: the search as it would be submitted, without justification."""

    model_config = ConfigDict(extra="ignore")  # the console may send the whole form

    type: Literal["trajectory", "partial", "place", "ab", "convoy"]
    params: dict


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


@router.post("/searches/estimate")
def estimate_search(request: Annotated[EstimateRequest, Body()]) -> dict:
    """What a search would cost and which age rule applies, before it is submitted: nothing is
    read from the reads table (only the camera registry) and nothing personal is returned."""
    search, who = services(router).search, caller(router)
    query = parse_query(request.type, request.params)
    now = search.clock()
    check_not_future(query, now)
    spent = search.spent_today(who, now)
    try:  # the engine that would run it, its figures and bounds: what a submit would record
        cost, refusal = search.estimate(who, query, now), None
    except BadRequest as exc:
        cost, refusal = estimate(query, search.cameras).public(), str(exc)
    oldest = oldest_ms(query)
    age_days = max(0, (now - oldest) // DAY_MS)
    return {
        "type": request.type,
        "estimate": cost,
        "bounds": {
            "job_partitions": search.bounds.job_partitions,
            "job_read_units": search.bounds.job_read_units,
            "user_read_units_per_day": search.bounds.user_read_units_per_day,
        },
        "spent_today": spent,
        "refusal": refusal,
        "age": {
            "oldest_ms": oldest,
            "days": age_days,
            "admin_window_days": search.admin_window_days,
            "retention_days": search.retention_days,
            "needs_prosecutor_ref": oldest < now - search.admin_window_days * DAY_MS,
            "judicial": bool(who.groups & JUDICIAL_ROLES),
            "beyond_retention": oldest < now - search.retention_days * DAY_MS,
        },
    }


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


@router.get("/searches/<job_id>/reads/<read_id>/image")
def overview_image(job_id: str, read_id: str) -> dict:
    """A presigned link to one result read's overview image; each view audited."""
    return services(router).search.overview(caller(router), job_id, read_id)


@router.delete("/searches/<job_id>")
def cancel(job_id: str) -> dict:
    return services(router).search.cancel(caller(router), job_id)
