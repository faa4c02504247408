"""Networks REST routes (ops): networks, their cameras, bulk imports, zones (roles: ``anpr.networks.spec``)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from anpr.kernel.errors import NotFound
from anpr.kernel.http import Router, caller, services
from anpr.networks.models import CameraIn, ImportRequest, NetworkIn
from anpr.reads.models import QuarantineReason

router = Router()


def _created(body: dict, location: str) -> Response:
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body=body,
        headers={"Location": location},
    )


@router.get("/networks")
def list_networks() -> dict:
    return {"networks": services(router).networks.list()}


@router.post("/networks")
def register_network(request: Annotated[NetworkIn, Body()]):
    out = services(router).networks.register(caller(router), request)
    return _created(out, f"/networks/{out['network_id']}")


@router.get("/networks/<network_id>")
def get_network(network_id: str) -> dict:
    return services(router).networks.get(network_id).public()


@router.delete("/networks/<network_id>")
def retire_network(network_id: str) -> dict:
    return services(router).networks.retire(caller(router), network_id)


@router.post("/networks/<network_id>/key")
def rotate_key(network_id: str) -> dict:
    return services(router).networks.rotate_key(caller(router), network_id)


@router.get("/networks/<network_id>/disagreements")
def list_disagreements(
    network_id: str,
    since_ms: Annotated[int | None, Query(ge=0)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict:
    return services(router).networks.disagreements(network_id, since_ms, limit)


@router.get("/networks/<network_id>/cameras")
def list_cameras(network_id: str) -> dict:
    return {"cameras": services(router).networks.cameras(network_id)}


@router.post("/networks/<network_id>/cameras")
def register_camera(network_id: str, request: Annotated[CameraIn, Body()]):
    out = services(router).networks.register_camera(caller(router), network_id, request)
    return _created(out, f"/networks/{network_id}/cameras/{out['camera_id']}")


@router.post("/networks/<network_id>/cameras/import")
def import_cameras(network_id: str, request: Annotated[ImportRequest, Body()]) -> dict:
    return services(router).networks.import_cameras(caller(router), network_id, request).model_dump()


@router.delete("/networks/<network_id>/cameras/<camera_id>")
def retire_camera(network_id: str, camera_id: str) -> dict:
    return services(router).networks.retire_camera(caller(router), network_id, camera_id)


@router.get("/cameras/health")
def camera_health() -> dict:
    """Each camera's health (silent, quarantining), refused uploads per network, the alarms."""
    health = services(router).health
    if health is None:
        raise NotFound("camera health is not kept on this stage")
    return health.health()


@router.get("/zones")
def list_zones() -> dict:
    return {"zones": services(router).networks.list_zones()}


@router.put("/zones")
def load_zones(geojson: Annotated[dict, Body()]) -> dict:
    return services(router).networks.load_zones(caller(router), geojson)


# --- the quarantine browser (anpr.ingest.quarantine_api)


def _quarantine():
    q = services(router).quarantine
    if q is None:
        raise NotFound("the quarantine browser is not deployed on this stage")
    return q


@router.get("/quarantine")
def list_quarantine(
    reason: Annotated[QuarantineReason | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    after: Annotated[str | None, Query(max_length=1024)] = None,
) -> dict:
    """Quarantined snapshots' reason documents, a page at a time (key order), no image."""
    return _quarantine().list(reason.value if reason else None, limit, after)


@router.get("/quarantine/image")
def quarantine_image(
    id: Annotated[str, Query(min_length=1, max_length=1024)],
    case_ref: Annotated[str | None, Query(max_length=128)] = None,
    reason: Annotated[str | None, Query(max_length=2000)] = None,
) -> dict:
    """A short presigned link to one quarantined snapshot's kept copy; justified and audited."""
    return _quarantine().image(caller(router), id, case_ref, reason)
