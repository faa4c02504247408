"""Cognito ID tokens verified in the function (a WebSocket API has no Cognito authorizer):
the user pool's published keys (RS256 only), issuer, audience (the app client), token use,
and the time claims against the injected clock, as API Gateway's authorizer checks them."""

from __future__ import annotations

import json
import threading
import urllib.request

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

from anpr.kernel.clock import Clock
from anpr.live.ports import InvalidToken


class CognitoTokenVerifier:
    def __init__(self, issuer: str, client_id: str, clock: Clock, jwks_url: str | None = None, fetch=None):
        self.jwks_url = jwks_url or f"{issuer}/.well-known/jwks.json"
        self._fetch = fetch or _get_json
        self._keys: KeySet | None = None
        self._lock = threading.Lock()
        self._claims = JWTClaimsRegistry(
            now=lambda: clock() // 1000,
            leeway=5,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": client_id},
            token_use={"essential": True, "value": "id"},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
        )

    def _key_set(self, refresh: bool = False) -> KeySet:
        with self._lock:
            if self._keys is None or refresh:
                self._keys = KeySet.import_key_set(self._fetch(self.jwks_url))
            return self._keys

    def verify(self, token: str) -> dict:
        try:
            try:
                claims = jwt.decode(token, self._key_set(), algorithms=["RS256"]).claims
            except ValueError:  # a key the cached set lacks (rotation): fetch the set once more
                claims = jwt.decode(token, self._key_set(refresh=True), algorithms=["RS256"]).claims
            self._claims.validate(claims)
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            raise InvalidToken(f"token refused: {exc}") from None
        return claims


def _get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.loads(r.read())
