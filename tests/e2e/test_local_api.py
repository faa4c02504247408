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


def _moto_signed(claims: dict) -> str:
    """A token signed with the private key moto ships in its package (anyone can read it)."""
    import gzip
    from importlib import resources

    from joserfc import jwt
    from joserfc.jwk import KeySet, RSAKey

    raw = resources.files("moto.cognitoidp").joinpath("resources/jwks-private.json.gz").read_bytes()
    data = json.loads(gzip.decompress(raw))
    key = KeySet.import_key_set(data).keys[0] if "keys" in data else RSAKey.import_key(data)
    return jwt.encode({"alg": "RS256", "kid": key.kid or "moto"}, claims, key)


def _claims(rt, **over) -> dict:
    import time

    now = int(time.time())
    base = {
        "sub": "x",
        "cognito:username": "officer.dupont",
        "cognito:groups": ["patrol"],
        "iss": rt.identity.issuer,
        "aud": rt.identity.client_id,
        "token_use": "id",
        "iat": now,
        "exp": now + 600,
    }
    return {**base, **over}


def test_token_forged_with_motos_bundled_key_is_refused(platform):
    rt, gw = platform
    # GIVEN a token with the right claims, signed with moto's published private key
    forged = _moto_signed(_claims(rt, **{"cognito:groups": ["auditor", "investigator"]}))
    # WHEN it is sent THEN the gateway refuses it (local tokens are signed by this run's key)
    assert _get(f"{gw.url}/cameras", forged)[0] == 401


@pytest.mark.parametrize(
    "over",
    [
        pytest.param({"exp": "abc"}, id="non-numeric-exp"),
        pytest.param({"exp": None}, id="null-exp"),
        pytest.param({"nbf": 4_102_444_800}, id="future-nbf"),
        pytest.param({"iat": 4_102_444_800}, id="future-iat"),
        pytest.param({"iat": "now"}, id="non-numeric-iat"),
        pytest.param({"exp": 1_000_000_000}, id="expired"),
        pytest.param({"token_use": "access"}, id="access-token"),
        pytest.param({"aud": "another-client"}, id="other-audience"),
        pytest.param({"iss": "https://evil.example"}, id="other-issuer"),
    ],
)
def test_bad_time_and_audience_claims_answer_401_never_500(platform, over):
    rt, gw = platform
    # GIVEN a token signed with this run's key but with one bad claim
    token = rt.identity.sign(_claims(rt, **over))
    # WHEN it is sent THEN it is refused as unauthenticated, not a server error
    assert _get(f"{gw.url}/cameras", token)[0] == 401


def test_login_token_has_the_cognito_claim_shape_with_zones_and_unit(platform):
    rt, _ = platform
    # GIVEN an officer of zone BXL-5339, unit PZ-5339
    rt.identity.add_user("officer.leroy", "patrol", zones="BXL-5339", unit="PZ-5339")
    # WHEN they log in
    claims = rt.identity.verify(rt.identity.login("officer.leroy"))
    # THEN the ID token carries Cognito's claims and the zone membership
    assert claims["cognito:username"] == "officer.leroy" and claims["cognito:groups"] == ["patrol"]
    assert claims["custom:zones"] == "BXL-5339" and claims["custom:unit"] == "PZ-5339"
    assert claims["token_use"] == "id" and claims["aud"] == rt.identity.client_id
    assert claims["exp"] > claims["iat"] and claims["sub"]


def test_wrong_password_gives_no_token(platform):
    rt, _ = platform
    with pytest.raises(Exception, match="(?i)password|not ?authorized"):
        rt.identity.login("officer.dupont", "Wrong-password-1!")
