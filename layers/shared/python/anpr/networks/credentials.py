"""Per-network upload keys: ``anpr_{network}_{key_id}.{secret}``, stored as a SHA-256 of the
secret (256 random bits: a plain hash is enough, there is nothing to brute-force)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

PREFIX = "anpr"


@dataclass(frozen=True)
class IssuedKey:
    network_id: str
    key_id: str
    secret: str

    @property
    def token(self) -> str:
        """What the operator configures on its cameras (shown once, never stored)."""
        return f"{PREFIX}_{self.network_id}_{self.key_id}.{self.secret}"

    @property
    def secret_hash(self) -> str:
        return hash_secret(self.secret)


@dataclass(frozen=True)
class PresentedKey:
    network_id: str
    key_id: str
    secret: str


def new_key(network_id: str) -> IssuedKey:
    return IssuedKey(network_id, secrets.token_hex(4), secrets.token_urlsafe(32))


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse(token: str) -> PresentedKey | None:
    """The parts of a presented key, or None when it is not one of ours."""
    head, sep, secret = (token or "").strip().partition(".")
    parts = head.split("_")
    if not sep or len(parts) != 3 or parts[0] != PREFIX or not secret:
        return None
    return PresentedKey(parts[1], parts[2], secret)


def matches(presented: PresentedKey, key_id: str | None, key_hash: str | None) -> bool:
    if not key_id or not key_hash:
        return False
    return hmac.compare_digest(presented.key_id, key_id) & hmac.compare_digest(
        hash_secret(presented.secret), key_hash
    )
