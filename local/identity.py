"""Personal logins on the local runtime: a Cognito user pool on moto, one group per role
(``anpr.kernel.platform.ROLES``, as CDK creates them), RS256 ID tokens and their verification.

The user pool checks the password; the ID token is then issued here, with Cognito's claim
shape (``sub``, ``cognito:username``, ``cognito:groups``, ``custom:zones``, ``custom:unit``,
``iss``, ``aud``, ``token_use=id``, ``iat``, ``exp``), signed with a key pair generated when the
runtime starts. Never with moto's bundled key pair: its private half ships in the moto package,
so anyone reaching the port could mint any role with it.

The web apps sign in through Cognito's own JSON API, which ``LocalCognitoApi`` emulates for the
four operations they call (InitiateAuth USER_PASSWORD_AUTH, RespondToAuthChallenge,
AssociateSoftwareToken, VerifySoftwareToken), with the user pool's ``mfa=REQUIRED`` (TOTP)
behaviour: the password (checked by moto), then a code of the person's authenticator (RFC 6238,
``local.totp``; moto would accept any code), or, for a person without one yet, MFA_SETUP. Only
then is an ID token issued. ``login()`` stays for code that signs in programmatically (tests,
demos, CLI tokens).
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from anpr.kernel import platform as spec
from botocore.exceptions import ClientError
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey
from joserfc.jwt import JWTClaimsRegistry

from local import totp

#: how long a local ID token is valid (Cognito's default: one hour)
TOKEN_TTL_S = 3600
#: the one algorithm the gateway accepts (no "none", no HS256 with the public key)
ALGORITHMS = ["RS256"]
#: how long a sign-in session (password given, challenge pending) lasts: Cognito's default, 3 min
AUTH_SESSION_TTL_S = 180
#: wrong codes one sign-in session takes; the last one ends it (Cognito: 3)
MAX_WRONG_CODES = 3
#: consecutive wrong passwords before a person's sign-in is refused for LOCKOUT_S
MAX_WRONG_PASSWORDS, LOCKOUT_S = 5, 60
_PASSWORD_REFUSED = "Incorrect username or password."


class InvalidToken(Exception):
    pass


class CognitoError(Exception):
    """A refusal in Cognito's words: its error type (``__type``) and message, HTTP 400."""

    def __init__(self, error_type: str, message: str):
        super().__init__(message)
        self.error_type, self.message = error_type, message


@dataclass
class _SignIn:
    """A sign-in under way (Cognito's ``Session``): whose, which challenge, until when."""

    username: str
    challenge: str  # SOFTWARE_TOKEN_MFA | MFA_SETUP | NEW_PASSWORD_REQUIRED
    expires_s: float
    wrong_codes: int = 0
    pending_secret: str | None = None  # MFA_SETUP: the secret given by AssociateSoftwareToken
    verified: bool = False  # MFA_SETUP: VerifySoftwareToken accepted a code of it
    pool_session: str | None = None  # NEW_PASSWORD_REQUIRED: moto's own session
    key: str = ""  # the Session string it is known by now


class LocalIdentity:
    def __init__(
        self,
        cognito,
        region: str,
        pool_name: str = "anpr-local-users",
        clock: Callable[[], float] = time.time,
    ):
        self.cognito, self.region, self._clock = cognito, region, clock
        self.pool_id = cognito.create_user_pool(
            PoolName=pool_name,
            AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},  # no self sign-up
            Policies={
                "PasswordPolicy": {
                    "MinimumLength": 12,
                    "RequireNumbers": True,
                    "RequireSymbols": True,
                    "RequireUppercase": True,
                    "RequireLowercase": True,
                }
            },
            Schema=[
                {"Name": "zones", "AttributeDataType": "String", "Mutable": True},
                {"Name": "unit", "AttributeDataType": "String", "Mutable": True},
            ],
        )["UserPool"]["Id"]
        self.client_id = cognito.create_user_pool_client(
            UserPoolId=self.pool_id,
            ClientName="anpr-local",
            ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        for role in spec.ROLES:
            cognito.create_group(UserPoolId=self.pool_id, GroupName=role)
        self.issuer = f"https://cognito-idp.{region}.amazonaws.com/{self.pool_id}"
        # this run's signing key: generated now, never written anywhere
        self._key = RSAKey.generate_key(2048, parameters={"kid": secrets.token_hex(8), "alg": "RS256"})
        self.jwks = KeySet([RSAKey.import_key(self._key.as_dict(private=False))])
        self._claims = JWTClaimsRegistry(
            now=lambda: int(self._clock()),
            leeway=0,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self.client_id},
            token_use={"essential": True, "value": "id"},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
        )
        self.passwords: dict[str, str] = {}
        #: each enrolled person's TOTP secret (what their authenticator app holds)
        self.totp_secrets: dict[str, str] = {}
        self.secrets_file: Path | None = None
        self._last_step: dict[str, int] = {}  # per person: the last time step a code was used for

    def add_user(
        self,
        username: str,
        *groups: str,
        zones: str | None = None,
        unit: str | None = None,
        enrolled: bool = True,
        temporary: bool = False,
    ) -> str:
        """A person with a random password; ``zones`` = comma-separated police zones or "national".

        ``enrolled``: the person has an authenticator app already (secret in ``totp_secrets``);
        otherwise their first sign-in goes through MFA_SETUP. ``temporary``: the password is a
        temporary one, as administrators hand out (first sign-in: NEW_PASSWORD_REQUIRED)."""
        password = "Aa1!" + secrets.token_urlsafe(12)
        attributes = [{"Name": "email", "Value": f"{username}@police.local"}]
        if zones:
            attributes.append({"Name": "custom:zones", "Value": zones})
        if unit:
            attributes.append({"Name": "custom:unit", "Value": unit})
        self.cognito.admin_create_user(
            UserPoolId=self.pool_id,
            Username=username,
            MessageAction="SUPPRESS",
            UserAttributes=attributes,
            **({"TemporaryPassword": password} if temporary else {}),
        )
        if not temporary:
            self.cognito.admin_set_user_password(
                UserPoolId=self.pool_id, Username=username, Password=password, Permanent=True
            )
        for g in groups:
            self.cognito.admin_add_user_to_group(UserPoolId=self.pool_id, Username=username, GroupName=g)
        self.passwords[username] = password
        if enrolled:
            self._enrol(username, totp.new_secret())
        return password

    def keep_secrets(self, path: Path) -> None:
        """Keep the people's TOTP secrets in ``path`` (owner-only; ``python -m local.totp <user>``)."""
        self.secrets_file = Path(path)
        self._save_secrets()

    def _enrol(self, username: str, secret: str) -> None:
        self.totp_secrets[username] = secret
        self._save_secrets()

    def _save_secrets(self) -> None:
        if self.secrets_file is not None:
            self.secrets_file.parent.mkdir(parents=True, exist_ok=True)
            self.secrets_file.touch(mode=0o600)
            self.secrets_file.write_text(json.dumps(self.totp_secrets, indent=1) + "\n")

    def unused_code(self, username: str) -> str | None:
        """What the person's authenticator shows that would be accepted now: the current code, or
        the next one where the current one was used already (None until a fresh one is due).
        For tests and demos that type a code into the apps."""
        secret, now = self.totp_secrets[username], totp.step_of(self._clock())
        for step in range(now, now + totp.WINDOW + 1):
            if step > self._last_step.get(username, -1):
                return totp.code_at_step(secret, step)
        return None

    def accept_code(self, username: str, secret: str, code: object) -> bool:
        """Is ``code`` the secret's code now (one step either side), and not one used before?
        A used code cannot be replayed: it marks its time step (and those before it) spent."""
        step = totp.matching_step(secret, code, self._clock()) if isinstance(code, str) else None
        if step is None or step <= self._last_step.get(username, -1):
            return False
        self._last_step[username] = step
        return True

    def login(self, username: str, password: str | None = None) -> str:
        """The user's ID token (what the patrol app / investigator CLI sends as Bearer), for code
        that signs in programmatically; people sign in through ``LocalCognitoApi`` (with MFA).

        The user pool checks the password (a wrong one raises its NotAuthorizedException)."""
        self.cognito.admin_initiate_auth(
            UserPoolId=self.pool_id,
            ClientId=self.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password or self.passwords[username]},
        )
        return self.sign(self._id_claims(username))

    def _id_claims(self, username: str) -> dict:
        user = self.cognito.admin_get_user(UserPoolId=self.pool_id, Username=username)
        attrs = {a["Name"]: a["Value"] for a in user.get("UserAttributes", [])}
        groups = [
            g["GroupName"]
            for g in self.cognito.admin_list_groups_for_user(UserPoolId=self.pool_id, Username=username)[
                "Groups"
            ]
        ]
        now = int(self._clock())
        claims = {
            "sub": attrs.get("sub") or username,
            "cognito:username": username,
            "cognito:groups": groups,
            "email": attrs.get("email", ""),
            "iss": self.issuer,
            "aud": self.client_id,
            "client_id": self.client_id,
            "token_use": "id",
            "auth_time": now,
            "iat": now,
            "exp": now + TOKEN_TTL_S,
        }
        for name in ("custom:zones", "custom:unit"):
            if attrs.get(name):
                claims[name] = attrs[name]
        return claims

    def sign(self, claims: dict) -> str:
        """An RS256 token signed with this run's key (login's, and tests' hand-made claims)."""
        return jwt.encode({"alg": "RS256", "kid": self._key.kid}, claims, self._key)

    def verify(self, token: str) -> dict:
        """What API Gateway's Cognito authorizer checks: signature (this run's key, RS256 only),
        issuer, audience, token use, and the time claims (exp, nbf, iat: numeric, not future)."""
        try:
            claims = jwt.decode(token, self.jwks, algorithms=ALGORITHMS).claims
            self._claims.validate(claims)
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            raise InvalidToken(f"token refused: {exc}") from None
        return claims


class LocalCognitoApi:
    """Cognito's JSON API (``X-Amz-Target: AWSCognitoIdentityProviderService.<operation>``) for
    the operations the web apps call, on the local user pool: the same requests, responses and
    error types as ``https://cognito-idp.<region>.amazonaws.com/``, so the apps have one sign-in
    code path. ``call`` returns the response body or raises ``CognitoError`` (HTTP 400)."""

    def __init__(self, identity: LocalIdentity):
        self.identity = identity
        self._sign_ins: dict[str, _SignIn] = {}
        self._wrong_passwords: dict[str, tuple[int, float]] = {}  # per person: count, locked until
        self.operations: dict[str, Callable[[dict], dict]] = {
            "InitiateAuth": self.initiate_auth,
            "RespondToAuthChallenge": self.respond_to_auth_challenge,
            "AssociateSoftwareToken": self.associate_software_token,
            "VerifySoftwareToken": self.verify_software_token,
        }

    def call(self, operation: str, body: object) -> dict:
        if operation not in self.operations:
            raise CognitoError("UnknownOperationException", f"{operation} is not served locally")
        if not isinstance(body, dict):
            raise CognitoError("SerializationException", "the request body is not a JSON object")
        return self.operations[operation](body)

    # -- the operations ----------------------------------------------------------------------------

    def initiate_auth(self, body: dict) -> dict:
        self._check_client(body)
        if body.get("AuthFlow") != "USER_PASSWORD_AUTH":
            raise CognitoError("InvalidParameterException", "AuthFlow must be USER_PASSWORD_AUTH")
        params = body.get("AuthParameters") or {}
        username, password = _text(params, "USERNAME"), _text(params, "PASSWORD")
        now = self._now()
        count, locked_until = self._wrong_passwords.get(username, (0, 0.0))
        if locked_until > now:
            raise CognitoError("NotAuthorizedException", "Password attempts exceeded")
        try:
            answer = self.identity.cognito.admin_initiate_auth(
                UserPoolId=self.identity.pool_id,
                ClientId=self.identity.client_id,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password},
            )
        except ClientError:  # wrong password and unknown user alike: no user existence errors
            count += 1
            self._wrong_passwords[username] = (
                (0, now + LOCKOUT_S) if count >= MAX_WRONG_PASSWORDS else (count, 0.0)
            )
            raise CognitoError("NotAuthorizedException", _PASSWORD_REFUSED) from None
        self._wrong_passwords.pop(username, None)
        if answer.get("ChallengeName") == "NEW_PASSWORD_REQUIRED":
            return self._challenge(username, "NEW_PASSWORD_REQUIRED", pool_session=answer.get("Session"))
        return self._mfa_challenge(username)

    def respond_to_auth_challenge(self, body: dict) -> dict:
        self._check_client(body)
        name = body.get("ChallengeName")
        if name not in ("SOFTWARE_TOKEN_MFA", "MFA_SETUP", "NEW_PASSWORD_REQUIRED"):
            raise CognitoError("InvalidParameterException", f"challenge {name!r} is not supported")
        sign_in = self._take(body, name)
        responses = body.get("ChallengeResponses") or {}
        if not isinstance(responses, dict) or responses.get("USERNAME") != sign_in.username:
            raise CognitoError("NotAuthorizedException", "Invalid session for the user.")
        if name == "SOFTWARE_TOKEN_MFA":
            secret = self.identity.totp_secrets[sign_in.username]
            self._check_code(
                sign_in, secret, responses.get("SOFTWARE_TOKEN_MFA_CODE"), "CodeMismatchException"
            )
            return self._tokens(sign_in.username)
        if name == "MFA_SETUP":
            if not sign_in.verified:
                raise CognitoError("InvalidParameterException", "verify the software token first")
            self.identity._enrol(sign_in.username, sign_in.pending_secret)
            return self._tokens(sign_in.username)
        new_password = _text(responses, "NEW_PASSWORD")
        try:
            self.identity.cognito.admin_respond_to_auth_challenge(
                UserPoolId=self.identity.pool_id,
                ClientId=self.identity.client_id,
                ChallengeName="NEW_PASSWORD_REQUIRED",
                Session=sign_in.pool_session,
                ChallengeResponses={"USERNAME": sign_in.username, "NEW_PASSWORD": new_password},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "InvalidPasswordException":
                raise CognitoError("NotAuthorizedException", "Invalid session for the user.") from None
            self._restore(sign_in)  # another password may be tried with the same Session
            raise CognitoError("InvalidPasswordException", "Password does not conform to policy") from None
        self.identity.passwords[sign_in.username] = new_password
        return self._mfa_challenge(sign_in.username)

    def associate_software_token(self, body: dict) -> dict:
        if "Session" not in body:
            raise CognitoError("InvalidParameterException", "only the sign-in Session is served locally")
        sign_in = self._take(body, "MFA_SETUP")
        sign_in.pending_secret, sign_in.verified = totp.new_secret(), False
        return {"SecretCode": sign_in.pending_secret, "Session": self._keep(sign_in)}

    def verify_software_token(self, body: dict) -> dict:
        if "Session" not in body:
            raise CognitoError("InvalidParameterException", "only the sign-in Session is served locally")
        sign_in = self._take(body, "MFA_SETUP")
        if sign_in.pending_secret is None:
            self._restore(sign_in)
            raise CognitoError("InvalidParameterException", "associate a software token first")
        self._check_code(
            sign_in, sign_in.pending_secret, body.get("UserCode"), "EnableSoftwareTokenMFAException"
        )
        sign_in.verified = True
        return {"Status": "SUCCESS", "Session": self._keep(sign_in)}

    # -- sign-in sessions --------------------------------------------------------------------------

    def _now(self) -> float:
        return self.identity._clock()

    def _check_client(self, body: dict) -> None:
        if body.get("ClientId") != self.identity.client_id:
            raise CognitoError("ResourceNotFoundException", "User pool client does not exist.")

    def _mfa_challenge(self, username: str) -> dict:
        if username in self.identity.totp_secrets:
            return self._challenge(username, "SOFTWARE_TOKEN_MFA")
        answer = self._challenge(username, "MFA_SETUP")
        answer["ChallengeParameters"]["MFAS_CAN_SETUP"] = '["SOFTWARE_TOKEN_MFA"]'
        return answer

    def _challenge(self, username: str, name: str, pool_session: str | None = None) -> dict:
        sign_in = _SignIn(username, name, self._now() + AUTH_SESSION_TTL_S, pool_session=pool_session)
        return {
            "ChallengeName": name,
            "Session": self._keep(sign_in),
            "ChallengeParameters": {"USER_ID_FOR_SRP": username},
        }

    def _keep(self, sign_in: _SignIn) -> str:
        """A fresh session string for the sign-in (each answer's Session replaces the last)."""
        now = self._now()
        # the web server answers on threads: iterate over a copy, tolerate a key gone meanwhile
        for key in [k for k, v in list(self._sign_ins.items()) if v.expires_s <= now]:
            self._sign_ins.pop(key, None)
        sign_in.key = secrets.token_urlsafe(48)
        self._sign_ins[sign_in.key] = sign_in
        return sign_in.key

    def _restore(self, sign_in: _SignIn) -> None:
        """The sign-in under its Session again, after a refusal the person may correct."""
        self._sign_ins[sign_in.key] = sign_in

    def _take(self, body: dict, challenge: str) -> _SignIn:
        """The sign-in of the request's Session, which is spent: each is used once."""
        key = body.get("Session")
        sign_in = self._sign_ins.pop(key, None) if isinstance(key, str) else None
        if sign_in is None or sign_in.expires_s <= self._now():
            raise CognitoError("NotAuthorizedException", "Invalid session for the user, session is expired.")
        if sign_in.challenge != challenge:
            raise CognitoError("NotAuthorizedException", "Invalid session for the user.")
        return sign_in

    def _check_code(self, sign_in: _SignIn, secret: str, code: object, error_type: str) -> None:
        if self.identity.accept_code(sign_in.username, secret, code):
            return
        sign_in.wrong_codes += 1
        if sign_in.wrong_codes >= MAX_WRONG_CODES:
            raise CognitoError(
                "NotAuthorizedException", "Invalid session for the user, too many wrong codes."
            )
        # the same Session may be tried again (Cognito: until it expires or the third wrong code)
        self._restore(sign_in)
        raise CognitoError(error_type, "Invalid code received for user")

    def _tokens(self, username: str) -> dict:
        claims = self.identity._id_claims(username)
        access = {
            k: claims[k] for k in ("sub", "cognito:groups", "iss", "client_id", "auth_time", "iat", "exp")
        } | {"token_use": "access", "username": username, "scope": "aws.cognito.signin.user.admin"}
        return {
            "AuthenticationResult": {
                "IdToken": self.identity.sign(claims),
                "AccessToken": self.identity.sign(access),
                "ExpiresIn": TOKEN_TTL_S,
                "TokenType": "Bearer",
            },
            "ChallengeParameters": {},
        }


def _text(params: object, name: str) -> str:
    value = params.get(name) if isinstance(params, dict) else None
    if not isinstance(value, str) or not value:
        raise CognitoError("InvalidParameterException", f"Missing required parameter {name}")
    return value
