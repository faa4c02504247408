"""The camera registry's REST routes (roles: ``anpr.ingest.spec``; served by the ``Api`` function)."""

from __future__ import annotations

from anpr.kernel.http import Router, services

router = Router()


@router.get("/cameras")
def list_cameras() -> dict:
    return {"cameras": [c.model_dump(mode="json") for c in services(router).cameras.list()]}
