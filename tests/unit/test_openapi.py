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
    # AND it says how to authenticate: a Cognito ID token by default...
    assert doc["security"] == [{"cognito": []}]
    assert doc["components"]["securitySchemes"]["cognito"]["scheme"] == "bearer"
    cognito_ops = [op for key, op in documented.items() if key != ("POST", "/uploads")]
    assert cognito_ops and all("security" not in op for op in cognito_ops)


def test_the_camera_upload_route_is_documented_with_the_network_key_and_no_roles():
    # GIVEN the document
    doc = document()
    key = doc["components"]["securitySchemes"]["networkKey"]
    # THEN the network key is an apiKey in the Authorization header...
    assert (key["type"], key["in"], key["name"]) == ("apiKey", "header", "Authorization")
    # ...which POST /uploads, and only it, requires instead of a Cognito token, with no roles
    device = [r for r in API_ROUTES if r.auth == "network_key"]
    assert [(r.method, r.path) for r in device] == [("POST", "/uploads")]
    keyed = {(m.upper(), p) for p, ops in doc["paths"].items() for m, op in ops.items() if "security" in op}
    assert keyed == {("POST", "/uploads")}
    op = doc["paths"]["/uploads"]["post"]
    assert op["security"] == [{"networkKey": []}] and op["x-roles"] == []
    # AND its body and answer are the models the function validates and returns
    assert op["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/UploadRequest")
    assert op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/UploadGrant")
    assert {"400", "401", "403"} <= op["responses"].keys() and "422" not in op["responses"]
    assert set(doc["components"]["schemas"]["UploadRequest"]["properties"]) == {"camera_id", "content_type"}
