"""``anpr networks`` against the networks handler on moto: register a network file, import, retire."""

import io
import json
import re
import urllib.error
from urllib.parse import urlparse

from anpr.kernel.clock import fixed
from anpr.kernel.platform import API_ROUTES, ROOT
from anpr.networks import wiring
from anpr.networks.cli import NetworksClient, run

from tests.helpers import NOW_MS, FakeLambdaContext, api_event, claims
from tests.integration.conftest import load_handler


class Args:
    def __init__(self, networks, **kw):
        self.networks, self.api, self.token = networks, "https://api.example", "t"
        self.__dict__.update(kw)


def opener_for(module, who):
    """urllib's opener, answered by the Lambda handler (the route found from the spec)."""

    def open_(req, timeout=None):
        path = urlparse(req.full_url).path
        for r in API_ROUTES:
            pattern = "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", r.path) + "$"
            m = re.match(pattern, path)
            if r.function == "NetworksApi" and r.method == req.get_method() and m:
                body = json.loads(req.data) if req.data else None
                event = api_event(
                    r.method, r.path, path, claims=who, body=body, path_params=m.groupdict() or None
                )
                resp = module.lambda_handler(event, FakeLambdaContext())
                if resp["statusCode"] >= 400:
                    raise urllib.error.HTTPError(
                        path, resp["statusCode"], "", {}, io.BytesIO(resp["body"].encode())
                    )
                return io.BytesIO(resp["body"].encode())
        raise AssertionError(f"no route for {req.get_method()} {path}")

    return open_


def test_ops_register_import_and_retire_a_network_from_the_cli(aws, function_env, tmp_path):
    function_env("NetworksApi")
    module = load_handler("networks_api")
    module.function.services.use(wiring.api_services(clock=fixed(NOW_MS)))
    client = NetworksClient("https://api.example", "t", opener=opener_for(module, claims("olga", "ops")))
    out: list[str] = []
    # GIVEN the national zones WHEN ops register the Gent network file (network + 180 cameras)
    assert run(Args("zones", file=str(ROOT / "data/zones/belgium.geojson")), client, out.append) == 0
    assert run(Args("register", file=str(ROOT / "data/networks/gent-lez.json")), client, out.append) == 0
    # THEN the key is printed once and every camera registered
    assert "upload key (shown once): anpr_gent-lez_" in out[1]
    assert out[2].startswith("gent-lez: 180 registered, 0 rejected")
    # WHEN a CSV with one bad line is imported THEN the bad line is reported with its reason
    csv = tmp_path / "more.csv"
    csv.write_text("camera_id,lat,lon\nGNT-X1,51.05,3.72\nGNT-X2,north,3.72\n")
    assert run(Args("import", network="gent-lez", file=str(csv)), client, out.append) == 0
    assert out[3].startswith("gent-lez: 1 registered, 1 rejected") and "line 3 (GNT-X2)" in out[4]
    # AND retiring revokes the key and retires the 181 cameras
    assert run(Args("retire", network="gent-lez"), client, out.append) == 0
    assert out[-1] == "gent-lez retired; key revoked; 181 cameras retired\n"


def test_cli_errors_are_one_line_reasons(aws, function_env, capsys):
    function_env("NetworksApi")
    module = load_handler("networks_api")
    module.function.services.use(wiring.api_services(clock=fixed(NOW_MS)))
    client = NetworksClient(
        "https://api.example", "t", opener=opener_for(module, claims("ivan", "investigator"))
    )
    assert run(Args("list"), client, print) == 1
    assert "requires one of ['ops']" in capsys.readouterr().err


def test_ops_see_a_networks_disagreements_per_camera_from_the_cli(aws, function_env):
    from anpr.ingest.hooks import Disagreement
    from anpr.networks.ingest_ops import DynamoDisagreementStore

    function_env("NetworksApi")
    module = load_handler("networks_api")
    module.function.services.use(wiring.api_services(clock=fixed(NOW_MS)))
    client = NetworksClient("https://api.example", "t", opener=opener_for(module, claims("olga", "ops")))
    out: list[str] = []
    run(Args("zones", file=str(ROOT / "data/zones/belgium.geojson")), client, out.append)
    run(Args("register", file=str(ROOT / "data/networks/gent-lez.json")), client, out.append)
    # GIVEN ingest flagged one read of GNT-0001
    DynamoDisagreementStore(aws.name("table", "CameraDisagreements"), "eu-west-1").put(
        Disagreement(network="gent-lez", camera_id="GNT-0001", read_id="r1", capture_ms=NOW_MS - 1000,
                     ours_masked="1AB***4", ours_confidence=0.9, camera_masked="1AB***5",
                     snapshot_key="k.json", expires_at=NOW_MS // 1000 + 3600)
    )  # fmt: skip
    # WHEN ops ask THEN the count per camera and each masked pair are printed
    assert run(Args("disagreements", network="gent-lez"), client, out.append) == 0
    assert out[-2].startswith("gent-lez: 1 disagreements since") and "(GNT-0001 1)" in out[-2]
    assert "ours 1AB***4 camera 1AB***5 (r1)" in out[-1]
