"""The moto-backed fixtures of the integration suite (one moto account per test), and a camera
network registered through the API for the device route (``POST /uploads``)."""

import json
from dataclasses import dataclass

import pytest
from anpr.kernel.platform import ROOT

from tests.helpers import FakeLambdaContext, api_event, claims
from tests.integration.conftest import aws, cameras, function_env, load_handler  # noqa: F401


@dataclass(frozen=True)
class CameraNetwork:
    network_id: str
    camera_id: str
    #: the network's upload key, as its operator received it at registration
    key: str


@pytest.fixture
def camera_network(aws, function_env) -> CameraNetwork:  # noqa: F811
    """One network (its zone from the national file) with one fixed camera, registered by ops."""
    function_env("NetworksApi")
    api = load_handler("networks_api")
    ops = claims("olga", "ops")

    def ops_call(method: str, resource: str, path: str, body: dict, params: dict | None = None) -> dict:
        event = api_event(method, resource, path, claims=ops, body=body, path_params=params)
        resp = api.lambda_handler(event, FakeLambdaContext())
        assert resp["statusCode"] < 300, resp["body"]
        return json.loads(resp["body"])

    ops_call("PUT", "/zones", "/zones", json.loads((ROOT / "data/zones/belgium.geojson").read_text()))
    network = ops_call("POST", "/networks", "/networks", {"network_id": "net-a", "name": "Network A",
                       "kind": "city", "contact": "ops@net-a.example", "zones": ["GNT-5415"]})  # fmt: skip
    ops_call("POST", "/networks/{id}/cameras", "/networks/net-a/cameras",
             {"camera_id": "NETA-1", "lat": 51.05, "lon": 3.72}, {"id": "net-a"})  # fmt: skip
    return CameraNetwork("net-a", "NETA-1", network["upload_key"])
