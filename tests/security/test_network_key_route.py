"""The camera upload route through the local API gateway: no Cognito authorizer in front of it
(cameras are no Cognito users), so the function's network-key check is the only door, as on AWS.
Every other route still needs an ID token at the gateway."""

import json

import pytest
from anpr.kernel import platform as spec
from werkzeug.test import Client

from local.gateway import LocalApiGateway
from local.identity import InvalidToken
from tests.helpers import FakeLambdaContext
from tests.integration.conftest import load_handler

pytestmark = pytest.mark.xdist_group("security")


class RefusingIdentity:
    """The gateway's Cognito side: refuses every token, remembers which it was asked about."""

    def __init__(self):
        self.asked: list[str] = []

    def verify(self, token: str) -> dict:
        self.asked.append(token)
        raise InvalidToken("not a token of this user pool")


@pytest.fixture
def gateway(aws, function_env, camera_network):
    """The local gateway invoking the spec's functions in-process; what reached them is kept."""
    function_env("CameraUploads")
    reached: list[tuple[str, dict]] = []

    def invoke(function_id: str, event: dict) -> dict:
        reached.append((function_id, event))
        fn = spec.function(function_id)
        return getattr(load_handler(fn.code), fn.handler.split(".")[-1])(event, FakeLambdaContext())

    identity = RefusingIdentity()
    gw = LocalApiGateway(identity=identity, invoke=invoke, port=0)
    yield Client(gw._wsgi), reached, camera_network, identity
    gw._server.server_close()


def _post(client, authorization: str | None, body: dict) -> tuple[int, dict]:
    headers = {"Authorization": authorization} if authorization is not None else {}
    resp = client.post("/uploads", headers=headers, data=json.dumps(body), content_type="application/json")
    return resp.status_code, resp.get_json()


def test_a_valid_network_key_gets_a_presigned_post_for_its_own_camera(gateway):
    client, reached, net, identity = gateway
    # WHEN the network's camera asks through the gateway with its network's key
    status, grant = _post(client, f"Network {net.key}", {"camera_id": net.camera_id})
    # THEN it gets a presigned POST for one key under its own prefix
    assert status == 200, grant
    assert grant["key"].startswith(f"snapshots/{net.network_id}/{net.camera_id}/")
    assert {"key", "policy", "Content-Type"} <= grant["fields"].keys() and grant["url"]
    # AND the CameraUploads function got the proxy event API Gateway sends for a method with no
    # authorizer: the header as sent, no claims
    ((function_id, event),) = reached
    assert function_id == "CameraUploads"
    assert (event["resource"], event["httpMethod"], event["path"]) == ("/uploads", "POST", "/uploads")
    assert event["headers"]["Authorization"] == f"Network {net.key}"
    assert "authorizer" not in event["requestContext"] and identity.asked == []


@pytest.mark.parametrize(
    ("authorization", "expected"),
    [
        pytest.param(None, 401, id="no-authorization"),
        pytest.param("Bearer {key}", 401, id="key-as-bearer-token"),
        pytest.param("Network {key}x", 401, id="wrong-secret"),
        pytest.param("Network anpr_net-b_0000.secret", 401, id="unknown-network"),
        pytest.param("Network ", 401, id="empty-key"),
    ],
)
def test_no_or_a_wrong_key_is_refused_with_a_reason(gateway, authorization, expected):
    client, _, net, identity = gateway
    header = authorization.format(key=net.key) if authorization else None
    status, body = _post(client, header, {"camera_id": net.camera_id})
    assert status == expected and body["error"].startswith("upload refused")
    assert identity.asked == []  # refused by the function, not by a Cognito authorizer


def test_a_valid_key_for_a_camera_of_no_or_another_network_is_forbidden(gateway, cameras):
    client, _, net, _ = gateway
    # BRU-001 is registered, but not in this network; GHOST-1 is registered nowhere
    for camera_id in ("BRU-001", "GHOST-1"):
        status, body = _post(client, f"Network {net.key}", {"camera_id": camera_id})
        assert status == 403 and camera_id in body["error"]


def test_the_other_routes_still_need_a_cognito_token_at_the_gateway(gateway):
    client, reached, net, identity = gateway
    # WHEN an ops route is called with no token, then with the network key instead of an ID token
    no_token = client.get("/networks")
    with_key = client.get("/networks", headers={"Authorization": f"Network {net.key}"})
    # THEN the gateway refuses both before any function runs; the key went to the Cognito check
    assert (no_token.status_code, with_key.status_code) == (401, 401)
    assert identity.asked == [f"Network {net.key}"] and reached == []
