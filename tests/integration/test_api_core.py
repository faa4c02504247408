"""Core API on moto: authenticated, role-checked from the first endpoint."""

import json

import pytest

from tests.helpers import FakeLambdaContext, api_event, claims
from tests.integration.conftest import load_handler


@pytest.fixture
def api(aws, function_env, cameras):
    function_env("Api")
    handler = load_handler("api")
    return handler


def test_cameras_listed_for_an_authenticated_role(api):
    # GIVEN a patrol officer's verified token WHEN listing cameras THEN the registry comes back
    resp = api.lambda_handler(
        api_event("GET", "/cameras", claims=claims("p1", "patrol")), FakeLambdaContext()
    )
    assert resp["statusCode"] == 200
    assert {c["camera_id"] for c in json.loads(resp["body"])["cameras"]} == {"BRU-001", "BRU-OLD"}


def test_no_identity_is_refused(api):
    resp = api.lambda_handler(api_event("GET", "/cameras", claims=None), FakeLambdaContext())
    assert resp["statusCode"] == 401


def test_a_user_without_any_group_is_forbidden(api):
    resp = api.lambda_handler(api_event("GET", "/cameras", claims=claims("x")), FakeLambdaContext())
    assert resp["statusCode"] == 403
