"""Device routes: push registration for the officer's phone or browser (roles: ``anpr.live.spec``)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from anpr.kernel.errors import NotFound
from anpr.kernel.http import Router, caller, services
from anpr.live.models import DeviceIn

router = Router()


@router.post("/devices")
def register_device(device: Annotated[DeviceIn, Body()]):
    """One endpoint per device, tied to me: registering the same token again updates it."""
    stored = services(router).devices.register(device, caller(router))
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=stored.public())


@router.get("/devices/webpush-key")
def webpush_key() -> dict:
    """The VAPID public key the web app subscribes with."""
    key = services(router).webpush_key
    if not key:
        raise NotFound("web push is not configured on this platform")
    return {"public_key": key}


@router.delete("/devices/<device_id>")
def remove_device(device_id: Annotated[str, Path(min_length=1, max_length=64)]) -> dict:
    return {"removed": services(router).devices.remove(device_id, caller(router)).device_id}
