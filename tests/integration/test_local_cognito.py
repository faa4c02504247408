"""The local sign-in (local.identity.LocalCognitoApi): Cognito's JSON API on the moto user pool
with MFA required, as the web apps call it: password, then the authenticator's code; enrolment
(MFA_SETUP) for a person without one; a temporary password replaced first. Time is a manual clock."""

import boto3
import pytest
from moto import mock_aws

from local import totp
from local.identity import AUTH_SESSION_TTL_S, CognitoError, LocalCognitoApi, LocalIdentity

T0 = 1_800_000_010.0  # any instant: every time below is relative to it


class Clock:
    def __init__(self, now: float = T0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def identity(clock):
    with mock_aws():
        ident = LocalIdentity(boto3.client("cognito-idp", region_name="eu-west-1"), "eu-west-1", clock=clock)
        ident.add_user("officer.dubois", "patrol", zones="BXL-5339")
        yield ident


@pytest.fixture
def api(identity):
    return LocalCognitoApi(identity)


def _password(api, user, password=None):
    return api.call(
        "InitiateAuth",
        {
            "AuthFlow": "USER_PASSWORD_AUTH",
            "ClientId": api.identity.client_id,
            "AuthParameters": {"USERNAME": user, "PASSWORD": password or api.identity.passwords[user]},
        },
    )


def _respond(api, name, session, user, **responses):
    return api.call(
        "RespondToAuthChallenge",
        {
            "ChallengeName": name,
            "ClientId": api.identity.client_id,
            "Session": session,
            "ChallengeResponses": {"USERNAME": user, **responses},
        },
    )


def _code(api, session, user, code):
    """The authenticator's code for the SOFTWARE_TOKEN_MFA challenge."""
    return _respond(api, "SOFTWARE_TOKEN_MFA", session, user, SOFTWARE_TOKEN_MFA_CODE=code)


def _other_than(code: str) -> str:
    """A six-digit code that is not ``code`` (nor its neighbours' in practice: 1 in 10^6)."""
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _refused(error_type, call, *args, **kwargs) -> str:
    with pytest.raises(CognitoError) as exc:
        call(*args, **kwargs)
    assert exc.value.error_type == error_type, exc.value.message
    return exc.value.message


def _code_refused(error_type, api, session, user, code) -> str:
    return _refused(error_type, _code, api, session, user, code)


def test_password_then_code_gives_a_verifiable_id_token(api, identity, clock):
    # GIVEN an enrolled person WHEN they give their password THEN the code is asked, no token yet
    first = _password(api, "officer.dubois")
    assert first["ChallengeName"] == "SOFTWARE_TOKEN_MFA" and "AuthenticationResult" not in first
    assert first["ChallengeParameters"]["USER_ID_FOR_SRP"] == "officer.dubois"
    # WHEN they give their authenticator's current code
    code = totp.code(identity.totp_secrets["officer.dubois"], clock())
    done = _code(api, first["Session"], "officer.dubois", code)
    # THEN an ID token the API accepts, with the person's groups and zones
    claims = identity.verify(done["AuthenticationResult"]["IdToken"])
    assert claims["cognito:username"] == "officer.dubois" and claims["cognito:groups"] == ["patrol"]
    assert claims["custom:zones"] == "BXL-5339"
    # AND the access token is no ID token (the API refuses it)
    with pytest.raises(Exception, match="refused"):
        identity.verify(done["AuthenticationResult"]["AccessToken"])


@pytest.mark.parametrize("user", ["officer.dubois", "nobody.at.all"])
def test_wrong_password_and_unknown_person_are_refused_alike(api, user):
    # GIVEN a wrong password, or a person who does not exist WHEN signing in THEN the same refusal
    assert _refused("NotAuthorizedException", _password, api, user, "Wrong-password-1!") == (
        "Incorrect username or password."
    )


def test_repeated_wrong_passwords_lock_the_sign_in_for_a_while(api, clock):
    # GIVEN five wrong passwords in a row
    for _ in range(5):
        _refused("NotAuthorizedException", _password, api, "officer.dubois", "Wrong-password-1!")
    # WHEN the right one follows at once THEN it is refused too
    assert (
        _refused("NotAuthorizedException", _password, api, "officer.dubois") == "Password attempts exceeded"
    )
    # AND a minute later it is accepted
    clock.now += 61
    assert _password(api, "officer.dubois")["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


def test_wrong_codes_are_refused_and_the_third_ends_the_sign_in(api, identity, clock):
    session = _password(api, "officer.dubois")["Session"]
    right = totp.code(identity.totp_secrets["officer.dubois"], clock())
    wrong = _other_than(right)
    # GIVEN a wrong code WHEN given twice THEN refused each time, the session still usable
    for _ in range(2):
        _code_refused("CodeMismatchException", api, session, "officer.dubois", wrong)
    # WHEN a third wrong code comes THEN the sign-in is over: even the right code no longer works
    _code_refused("NotAuthorizedException", api, session, "officer.dubois", wrong)
    _code_refused("NotAuthorizedException", api, session, "officer.dubois", right)


def test_a_used_session_and_a_used_code_cannot_be_replayed(api, identity, clock):
    session = _password(api, "officer.dubois")["Session"]
    code = totp.code(identity.totp_secrets["officer.dubois"], clock())
    _code(api, session, "officer.dubois", code)
    # GIVEN a successful sign-in WHEN its Session is sent again THEN refused (each is used once)
    _code_refused("NotAuthorizedException", api, session, "officer.dubois", code)
    # AND WHEN the same code is given in a new sign-in THEN refused: a code is good once
    again = _password(api, "officer.dubois")["Session"]
    _code_refused("CodeMismatchException", api, again, "officer.dubois", code)
    # AND the next code of the authenticator is (the person waits for it)
    clock.now += totp.STEP_S
    nxt = totp.code(identity.totp_secrets["officer.dubois"], clock())
    assert "AuthenticationResult" in _code(api, again, "officer.dubois", nxt)


def test_a_session_expires_after_three_minutes(api, identity, clock):
    session = _password(api, "officer.dubois")["Session"]
    clock.now += AUTH_SESSION_TTL_S + 1
    code = totp.code(identity.totp_secrets["officer.dubois"], clock())
    message = _code_refused("NotAuthorizedException", api, session, "officer.dubois", code)
    assert "expired" in message


def test_a_session_is_bound_to_its_person(api, identity, clock):
    identity.add_user("officer.peeters", "patrol")
    session = _password(api, "officer.peeters")["Session"]
    code = totp.code(identity.totp_secrets["officer.dubois"], clock())
    # GIVEN Peeters' session WHEN Dubois' name and code are sent with it THEN refused
    _code_refused("NotAuthorizedException", api, session, "officer.dubois", code)


def test_a_person_without_authenticator_enrols_one_then_signs_in_with_it(api, identity, clock):
    identity.add_user("ops.wouters", "ops", enrolled=False)
    # GIVEN no authenticator WHEN the password is given THEN MFA_SETUP
    first = _password(api, "ops.wouters")
    assert first["ChallengeName"] == "MFA_SETUP"
    # AND finishing the setup before verifying a code is refused
    assoc = api.call("AssociateSoftwareToken", {"Session": first["Session"]})
    _refused("InvalidParameterException", _respond, api, "MFA_SETUP", assoc["Session"], "ops.wouters")
    # WHEN a secret is associated and a wrong code, then its right code, is verified
    again = api.call("AssociateSoftwareToken", {"Session": _password(api, "ops.wouters")["Session"]})
    secret = again["SecretCode"]
    wrong = _other_than(totp.code(secret, clock()))
    _refused(
        "EnableSoftwareTokenMFAException",
        api.call,
        "VerifySoftwareToken",
        {"Session": again["Session"], "UserCode": wrong},
    )
    verified = api.call(
        "VerifySoftwareToken", {"Session": again["Session"], "UserCode": totp.code(secret, clock())}
    )
    assert verified["Status"] == "SUCCESS"
    done = _respond(api, "MFA_SETUP", verified["Session"], "ops.wouters")
    # THEN tokens, and from now on the person is asked for that authenticator's code
    assert identity.verify(done["AuthenticationResult"]["IdToken"])["cognito:groups"] == ["ops"]
    assert identity.totp_secrets["ops.wouters"] == secret
    assert _password(api, "ops.wouters")["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


def test_a_temporary_password_is_replaced_before_the_authenticator_is_set_up(api, identity):
    temporary = identity.add_user("officer.nieuw", "patrol", enrolled=False, temporary=True)
    first = _password(api, "officer.nieuw", temporary)
    assert first["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    # GIVEN a new password below the policy WHEN sent THEN refused, the same session still usable
    _refused(
        "InvalidPasswordException",
        _respond,
        api,
        "NEW_PASSWORD_REQUIRED",
        first["Session"],
        "officer.nieuw",
        NEW_PASSWORD="short",
    )
    nxt = _respond(
        api, "NEW_PASSWORD_REQUIRED", first["Session"], "officer.nieuw", NEW_PASSWORD="A-new-Passw0rd!"
    )
    # THEN the authenticator is set up next, and the new password is the one that works
    assert nxt["ChallengeName"] == "MFA_SETUP"
    assert _password(api, "officer.nieuw", "A-new-Passw0rd!")["ChallengeName"] == "MFA_SETUP"
    _refused("NotAuthorizedException", _password, api, "officer.nieuw", temporary)


#: stands for the web client's id in the cases below
CLIENT = "<the client>"


@pytest.mark.parametrize(
    ("operation", "body", "error_type"),
    [
        (
            "InitiateAuth",
            {"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": "someone-else"},
            "ResourceNotFoundException",
        ),
        ("InitiateAuth", {"AuthFlow": "USER_SRP_AUTH", "ClientId": CLIENT}, "InvalidParameterException"),
        (
            "InitiateAuth",
            {"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": CLIENT, "AuthParameters": {"USERNAME": "x"}},
            "InvalidParameterException",
        ),
        (
            "RespondToAuthChallenge",
            {"ChallengeName": "CUSTOM_CHALLENGE", "ClientId": CLIENT},
            "InvalidParameterException",
        ),
        (
            "RespondToAuthChallenge",
            {"ChallengeName": "SOFTWARE_TOKEN_MFA", "ClientId": CLIENT, "Session": "made-up"},
            "NotAuthorizedException",
        ),
        ("AssociateSoftwareToken", {"AccessToken": "x"}, "InvalidParameterException"),
        ("VerifySoftwareToken", {"Session": 12, "UserCode": "123456"}, "NotAuthorizedException"),
        ("AdminCreateUser", {}, "UnknownOperationException"),
        ("InitiateAuth", ["not", "an", "object"], "SerializationException"),
    ],
)
def test_malformed_calls_get_cognitos_error_types(api, operation, body, error_type):
    # GIVEN a call Cognito would refuse WHEN sent THEN the same error type, never another exception
    if isinstance(body, dict) and body.get("ClientId") == CLIENT:
        body = {**body, "ClientId": api.identity.client_id}
    _refused(error_type, api.call, operation, body)
