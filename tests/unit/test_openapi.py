"""The published OpenAPI document covers exactly the spec's routes, with their roles."""

import re

from anpr.kernel.openapi import document
from anpr.kernel.platform import API_ROUTES


def _norm(path: str) -> str:
    return re.sub(r"\{\w+\}", "{}", path)


def test_every_spec_route_is_documented_with_its_roles_and_nothing_else():
    # GIVEN the document built from every concern's router
    doc = document()
    documented = {(m.upper(), _norm(p)): op for p, ops in doc["paths"].items() for m, op in ops.items()}
    # THEN each declared endpoint is there with the roles the spec allows
    declared = {(r.method, _norm(r.path)): sorted(r.roles) for r in API_ROUTES if r.path != "/openapi.json"}
    assert set(documented) == set(declared)
    for key, roles in declared.items():
        assert documented[key]["x-roles"] == roles
    # AND it says how to authenticate
    assert doc["security"] == [{"cognito": []}]
