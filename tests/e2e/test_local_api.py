"""The local API gateway: real Cognito-style logins, authorizer, role checks."""

import json
import urllib.error
import urllib.request

import pytest
from anpr.reads.cameras import DynamoCameraRegistry

from local.runtime import LocalRuntime
from tests.helpers import camera

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local-runtime")]


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    rt = LocalRuntime(workdir=tmp_path_factory.mktemp("api"), prefix="anpr-api")
    rt.start()
    DynamoCameraRegistry(rt.name("table", "Cameras"), "eu-west-1").put_many([camera("BRU-001")])
    gw = rt.start_api()
    rt.identity.add_user("officer.dupont", "patrol")
    rt.identity.add_user("nobody")
    yield rt, gw
    rt.stop()


def _get(url, token=None):
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def test_logged_in_officer_lists_cameras(platform):
    rt, gw = platform
    # GIVEN an officer who logged in personally WHEN calling the API with the ID token
    status, body = _get(f"{gw.url}/cameras", rt.identity.login("officer.dupont"))
    # THEN the function ran with the verified identity
    assert status == 200 and body["cameras"][0]["camera_id"] == "BRU-001"


def test_missing_or_forged_token_never_reaches_a_function(platform):
    rt, gw = platform
    assert _get(f"{gw.url}/cameras")[0] == 401
    token = rt.identity.login("officer.dupont")
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert _get(f"{gw.url}/cameras", forged)[0] == 401


def test_user_without_a_role_is_forbidden(platform):
    rt, gw = platform
    assert _get(f"{gw.url}/cameras", rt.identity.login("nobody"))[0] == 403
