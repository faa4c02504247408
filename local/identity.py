"""Personal logins on the local runtime: a Cognito user pool on moto, one group per role
(``anpr.kernel.platform.ROLES``, as CDK creates them), RS256 ID tokens and their verification.

The user pool checks the password; the ID token is then issued here, with Cognito's claim
shape (``sub``, ``cognito:username``, ``cognito:groups``, ``custom:zones``, ``custom:unit``,
``iss``, ``aud``, ``token_use=id``, ``iat``, ``exp``), signed with a key pair generated when the
runtime starts. Never with moto's bundled key pair: its private half ships in the moto package,
so anyone reaching the port could mint any role with it.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

from anpr.kernel import platform as spec
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey
from joserfc.jwt import JWTClaimsRegistry

#: how long a local ID token is valid (Cognito's default: one hour)
TOKEN_TTL_S = 3600
#: the one algorithm the gateway accepts (no "none", no HS256 with the public key)
ALGORITHMS = ["RS256"]


class InvalidToken(Exception):
    pass


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

    def add_user(self, username: str, *groups: str, zones: str | None = None, unit: str | None = None) -> str:
        """A person with a random password; ``zones`` = comma-separated police zones or "national"."""
        password = "Aa1!" + secrets.token_urlsafe(12)
        attributes = [{"Name": "email", "Value": f"{username}@police.local"}]
        if zones:
            attributes.append({"Name": "custom:zones", "Value": zones})
        if unit:
            attributes.append({"Name": "custom:unit", "Value": unit})
        self.cognito.admin_create_user(
            UserPoolId=self.pool_id, Username=username, MessageAction="SUPPRESS", UserAttributes=attributes
        )
        self.cognito.admin_set_user_password(
            UserPoolId=self.pool_id, Username=username, Password=password, Permanent=True
        )
        for g in groups:
            self.cognito.admin_add_user_to_group(UserPoolId=self.pool_id, Username=username, GroupName=g)
        self.passwords[username] = password
        return password

    def login(self, username: str, password: str | None = None) -> str:
        """The user's ID token (what the patrol app / investigator CLI sends as Bearer).

        The user pool checks the password (a wrong one raises its NotAuthorizedException)."""
        self.cognito.admin_initiate_auth(
            UserPoolId=self.pool_id,
            ClientId=self.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password or self.passwords[username]},
        )
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
        return self.sign(claims)

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
