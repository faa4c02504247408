"""Personal logins on the local runtime: a Cognito user pool on moto, one group per role
(``anpr.kernel.platform.ROLES``, as CDK creates them), real RS256 ID tokens and their verification."""

from __future__ import annotations

import gzip
import json
import secrets
import time
from importlib import resources

from anpr.kernel import platform as spec
from joserfc import jwt
from joserfc.jwk import KeySet


class InvalidToken(Exception):
    pass


class LocalIdentity:
    def __init__(self, cognito, region: str, pool_name: str = "anpr-local-users"):
        self.cognito, self.region = cognito, region
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
        )["UserPool"]["Id"]
        self.client_id = cognito.create_user_pool_client(
            UserPoolId=self.pool_id,
            ClientName="anpr-local",
            ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        for role in spec.ROLES:
            cognito.create_group(UserPoolId=self.pool_id, GroupName=role)
        self.issuer = f"https://cognito-idp.{region}.amazonaws.com/{self.pool_id}"
        # moto signs with the key pair shipped in its package; verify with its public half
        raw = resources.files("moto.cognitoidp").joinpath("resources/jwks-public.json.gz").read_bytes()
        self._keys = KeySet.import_key_set(json.loads(gzip.decompress(raw)))
        self.passwords: dict[str, str] = {}

    def add_user(self, username: str, *groups: str) -> str:
        password = "Aa1!" + secrets.token_urlsafe(12)
        self.cognito.admin_create_user(
            UserPoolId=self.pool_id,
            Username=username,
            MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": f"{username}@police.local"}],
        )
        self.cognito.admin_set_user_password(
            UserPoolId=self.pool_id, Username=username, Password=password, Permanent=True
        )
        for g in groups:
            self.cognito.admin_add_user_to_group(UserPoolId=self.pool_id, Username=username, GroupName=g)
        self.passwords[username] = password
        return password

    def login(self, username: str, password: str | None = None) -> str:
        """The user's ID token (what the patrol app / investigator CLI sends as Bearer)."""
        auth = self.cognito.admin_initiate_auth(
            UserPoolId=self.pool_id,
            ClientId=self.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password or self.passwords[username]},
        )
        return auth["AuthenticationResult"]["IdToken"]

    def verify(self, token: str) -> dict:
        """What API Gateway's Cognito authorizer checks: signature, issuer, audience, expiry."""
        try:
            claims = jwt.decode(token, self._keys).claims
        except Exception as exc:  # noqa: BLE001 (any decode failure is an invalid token)
            raise InvalidToken(f"token signature invalid: {exc}") from None
        if claims.get("iss") != self.issuer:
            raise InvalidToken("token from another issuer")
        if claims.get("aud") != self.client_id or claims.get("token_use") != "id":
            raise InvalidToken("token not issued for this API")
        if claims.get("exp", 0) < time.time():
            raise InvalidToken("token expired")
        return claims
