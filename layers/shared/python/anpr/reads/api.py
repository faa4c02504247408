"""The camera registry's REST routes (roles: ``anpr.ingest.spec``; served by the ``Api`` function)."""

from __future__ import annotations

from anpr.kernel.http import Router, services

router = Router()


@router.get("/cameras")
def list_cameras() -> dict:
    return {"cameras": [c.model_dump(mode="json") for c in services(router).cameras.list()]}


@router.get("/openapi.json", include_in_schema=False)
def openapi() -> dict:
    """The whole REST API's document (every concern's routes, with the roles each allows)."""
    from anpr.kernel.openapi import document

    return document()
