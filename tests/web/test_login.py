"""Personal sign-in with MFA in the web apps (issue 14): password, then the authenticator's code,
through Cognito's JSON API (locally local/web.py's /cognito/); a first sign-in sets up the
authenticator (MFA_SETUP) or replaces a temporary password first (NEW_PASSWORD_REQUIRED)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest

from local import totp


def _cognito(platform, operation: str, body, target_prefix: str = "AWSCognitoIdentityProviderService."):
    req = urllib.request.Request(
        platform.web.url + "/cognito/",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target_prefix + operation},
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def _password_step(p, user: str, password: str) -> None:
    p.page.fill("#username", user)
    p.page.fill("#password", password)
    p.page.click("#login")


def _signed_in_token(p) -> str | None:
    return p.page.evaluate("sessionStorage.getItem('anpr.session')")


def test_the_password_alone_does_not_sign_in_the_code_does(page_factory, platform):
    # GIVEN the console WHEN an enrolled person gives their password
    p = page_factory()
    p.open("/console/")
    _password_step(p, "auditor.maes", platform.passwords["auditor.maes"])
    # THEN the code is asked, and nobody is signed in yet
    p.page.wait_for_selector("#code")
    assert p.page.inner_text("#mfa-form h2") == "Verification code"
    assert p.page.get_attribute("#code", "autocomplete") == "one-time-code"
    assert _signed_in_token(p) is None and p.page.query_selector("#whoami") is None
    p.shot("login-mfa")
    # WHEN the language changes mid-way THEN the code step stays, in the new language
    p.page.select_option("#lang", "fr")
    assert p.page.inner_text("#mfa-form h2") == "Code de vérification"
    # AND WHEN the authenticator's code is given THEN the console opens for that person
    p.page.fill("#code", platform.code("auditor.maes"))
    p.page.click("#verify")
    p.page.wait_for_selector("#whoami")
    assert "auditor.maes" in p.page.inner_text("#whoami")
    assert p.errors == []


def test_wrong_codes_are_refused_with_a_message_and_the_third_ends_the_sign_in(page_factory, platform):
    # GIVEN the patrol app in Dutch and a correct password
    p = page_factory(mobile=True)
    p.open("/patrol/", lang="nl")
    _password_step(p, "officer.dubois", platform.passwords["officer.dubois"])
    p.page.wait_for_selector("#code")
    right = totp.code(platform.rt.identity.totp_secrets["officer.dubois"], time.time())
    # WHEN a wrong code is given THEN a Dutch message, still on the code step, no token
    for attempt in range(2):
        p.page.fill("#code", f"{(int(right) + 500_000 + attempt) % 1_000_000:06d}")
        p.page.click("#verify")
        p.page.wait_for_selector(".login .error:has-text('Verkeerde code')")
        p.page.evaluate("document.querySelector('.login .error').textContent = ''")
        assert p.page.query_selector("#code") and _signed_in_token(p) is None
    # WHEN a third wrong code comes THEN back to the password, saying why, still nobody signed in
    p.page.fill("#code", f"{(int(right) + 500_002) % 1_000_000:06d}")
    p.page.click("#verify")
    p.page.wait_for_selector("#password")
    assert "te veel verkeerde codes" in p.page.inner_text(".login .error")
    assert _signed_in_token(p) is None and p.page.query_selector("#whoami") is None


def test_a_new_person_sets_up_an_authenticator_at_first_sign_in(page_factory, platform):
    # GIVEN a person ops just added, with no authenticator yet
    user = "ops.janssen"
    platform.rt.identity.add_user(user, "ops", enrolled=False)
    p = page_factory()
    p.open("/console/", lang="en")
    _password_step(p, user, platform.passwords[user])
    # WHEN they sign in THEN the set-up screen shows a key and the otpauth link to add to an app
    p.page.wait_for_selector("#enrol-form")
    secret = p.page.inner_text("#totp-secret").replace(" ", "")  # shown in groups of four
    assert len(secret) == 32 and p.page.inner_text("#totp-uri").startswith(
        "otpauth://totp/ANPR%3Aops.janssen?secret="
    )
    assert _signed_in_token(p) is None
    p.shot("login-enrol")
    # AND a code of another key is refused
    p.page.fill("#code", totp.code(totp.new_secret(), time.time()))
    p.page.click("#verify")
    p.page.wait_for_selector(".login .error:has-text('Wrong code')")
    p.errors.clear()  # Chromium logs the refusal's 400: expected here, nowhere else
    # WHEN the app's code for that key is given THEN signed in, with the ops screens
    p.page.fill("#code", totp.code(secret, time.time()))
    p.page.click("#verify")
    p.page.wait_for_selector("#whoami")
    assert platform.rt.identity.totp_secrets[user] == secret
    # AND the next sign-in asks for that authenticator's code, no new set-up
    p.page.click("#logout")
    _password_step(p, user, platform.passwords[user])
    p.page.wait_for_selector("#mfa-form")
    assert p.errors == []


def test_a_temporary_password_is_replaced_then_the_authenticator_set_up(page_factory, platform):
    # GIVEN a person whose administrator gave a temporary password
    user = "officer.nieuw"
    temporary = platform.rt.identity.add_user(user, "patrol", enrolled=False, temporary=True)
    p = page_factory(mobile=True)
    p.open("/patrol/", lang="fr")
    _password_step(p, user, temporary)
    # WHEN they sign in THEN a new password is asked; a weak one is refused, in French
    p.page.wait_for_selector("#new-password-form")
    p.page.fill("#new-password", "court")
    p.page.fill("#repeat-password", "court")
    p.page.evaluate("document.querySelector('#new-password-form').noValidate = true")
    p.page.click("#set-password")
    p.page.wait_for_selector(".login .error:has-text('politique')")
    # WHEN a strong one is chosen THEN the authenticator set-up follows, then the app
    p.page.fill("#new-password", "Un-nouveau-mot-2-passe!")
    p.page.fill("#repeat-password", "Un-nouveau-mot-2-passe!")
    p.page.click("#set-password")
    p.page.wait_for_selector("#enrol-form")
    p.page.fill("#code", totp.code(p.page.inner_text("#totp-secret").replace(" ", ""), time.time()))
    p.page.click("#verify")
    p.page.wait_for_selector("#whoami")
    assert platform.passwords[user] == "Un-nouveau-mot-2-passe!"


def test_the_apps_are_told_where_to_sign_in(platform):
    # GIVEN the local web server WHEN the apps read their config THEN Cognito's endpoint and client
    with urllib.request.urlopen(platform.web.url + "/config.json", timeout=10) as r:
        cfg = json.loads(r.read())
    assert cfg["auth"] == {"endpoint": "/cognito/", "clientId": platform.rt.identity.client_id}


@pytest.mark.parametrize(
    ("operation", "body", "error_type"),
    [
        ("InitiateAuth", {"AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": "auditor.maes"}},
         "InvalidParameterException"),
        ("InitiateAuth", {"AuthFlow": "USER_PASSWORD_AUTH",
                          "AuthParameters": {"USERNAME": "auditor.maes", "PASSWORD": "Wrong-Password-1!"}},
         "NotAuthorizedException"),
        ("AdminInitiateAuth", {}, "UnknownOperationException"),
        ("InitiateAuth", "[1, 2]", "SerializationException"),
    ],
)  # fmt: skip
def test_refused_sign_in_calls_are_400s_in_cognitos_shape(platform, operation, body, error_type):
    # GIVEN the local sign-in endpoint WHEN a call Cognito would refuse is sent THEN 400, its type
    if isinstance(body, dict):
        body = {**body, "ClientId": platform.rt.identity.client_id}
    status, answer = _cognito(platform, operation, body)
    assert (status, answer["__type"]) == (400, error_type)
    assert "IdToken" not in json.dumps(answer)


def test_the_old_password_only_login_is_gone(platform):
    # GIVEN the local web server WHEN a password alone is posted to the former /login THEN no token
    req = urllib.request.Request(
        platform.web.url + "/login",
        data=json.dumps(
            {"username": "auditor.maes", "password": platform.passwords["auditor.maes"]}
        ).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(req, timeout=10)
    assert exc.value.code in (404, 405) and b"token" not in exc.value.read()
