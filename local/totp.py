"""Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), what an
authenticator app shows and what Cognito's software-token MFA checks. The local runtime's user
pool uses it in place of Cognito's own check (moto accepts any code).

    .venv/bin/python -m local.totp officer.dubois    # the current code of a demo person (make local)
    .venv/bin/python -m local.totp JBSWY3DPEHPK3PXP  # the current code of a secret (base32)
    .venv/bin/python -m local.totp officer.dubois other-workdir/totp.json

A person's secret is kept in ``.local-runtime/totp.json`` by ``make local`` (this run only).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import struct
import sys
import time
import urllib.parse
from pathlib import Path

STEP_S = 30
DIGITS = 6
#: codes of the step before and after the current one are accepted too (clock drift, typing time)
WINDOW = 1
#: where ``make local`` keeps this run's secrets, one per person
SECRETS_FILE = Path(".local-runtime") / "totp.json"


def new_secret() -> str:
    """A random 160-bit secret, base32 without padding (what Cognito's AssociateSoftwareToken gives)."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def _key(secret: str) -> bytes:
    clean = secret.replace(" ", "").upper()
    return base64.b32decode(clean + "=" * (-len(clean) % 8))


def step_of(at_s: float) -> int:
    return int(at_s // STEP_S)


def code_at_step(secret: str, step: int, digits: int = DIGITS, digest=hashlib.sha1) -> str:
    """RFC 4226 HOTP of the counter ``step`` (RFC 6238 section 4: the counter is the time step)."""
    mac = hmac.new(_key(secret), struct.pack(">Q", step), digest).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def code(secret: str, at_s: float) -> str:
    """The code an authenticator app shows at ``at_s`` (epoch seconds)."""
    return code_at_step(secret, step_of(at_s))


def matching_step(secret: str, candidate: str, at_s: float, window: int = WINDOW) -> int | None:
    """The time step whose code ``candidate`` is (within ``window`` steps of ``at_s``), else None."""
    if not (isinstance(candidate, str) and len(candidate) == DIGITS and candidate.isdigit()):
        return None
    now = step_of(at_s)
    for step in range(now - window, now + window + 1):
        if hmac.compare_digest(code_at_step(secret, step), candidate):
            return step
    return None


def otpauth_uri(secret: str, account: str, issuer: str = "ANPR") -> str:
    """The ``otpauth://`` link authenticator apps import (Key Uri Format)."""
    label = urllib.parse.quote(f"{issuer}:{account}")
    query = urllib.parse.urlencode(
        {"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS, "period": STEP_S}
    )
    return f"otpauth://totp/{label}?{query}"


def main(argv: list[str] | None = None, clock=time.time, secrets_file: Path = SECRETS_FILE) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (1, 2):
        print(__doc__)
        return 2
    if len(args) == 2:
        secrets_file = Path(args[1])
    known = json.loads(secrets_file.read_text()) if secrets_file.is_file() else {}
    secret = known.get(args[0], args[0])
    try:
        _key(secret)
    except ValueError:
        print(
            f"{args[0]!r} is neither a person of this run ({secrets_file}) nor a base32 secret",
            file=sys.stderr,
        )
        return 2
    now = clock()
    print(f"{code(secret, now)}  (valid {STEP_S - int(now) % STEP_S} s more)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
