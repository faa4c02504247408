"""What every command line that talks to the platform shares: the API client (the person's
token, the API's own error message on one line) and the one-line failure (``CliError``).
Command-line code only: not shipped in the Lambda layer (``*cli.py``)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable


class CliError(Exception):
    """A one-line reason the command failed (printed without a traceback, exit 1)."""


def api_message(code: int, raw: str) -> str:
    """The API's own words: ``{"error": "..."}`` (validation errors: the first field's message)."""
    try:
        doc = json.loads(raw)
    except ValueError:
        return raw.strip()[:300] or f"HTTP {code}"
    if not isinstance(doc, dict):
        return raw.strip()[:300]
    details = doc.get("details") or []
    if details and isinstance(details, list):
        parts = []
        for d in details[:3]:
            text = str(d.get("error", "")).removeprefix("Value error, ")
            field = d.get("field", "")
            parts.append(text if field in ("", "body", "params") else f"{field}: {text}")
        return "; ".join(parts)
    return str(doc.get("error") or doc.get("message") or raw.strip()[:300])


def bearer_request(
    base: str, token: str, method: str, path: str, body: dict | None = None
) -> urllib.request.Request:
    """A JSON request to the platform's API as the person whose bearer ``token`` it carries."""
    return urllib.request.Request(
        base + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )


class ApiClient:
    """The platform's REST API as the person logged in (their bearer token); failures become one
    line (``CliError``) with the API's own words, never a traceback."""

    timeout_s = 30

    def __init__(self, base_url: str, token: str, opener: Callable = urllib.request.urlopen):
        if not base_url:
            raise CliError("no API address: pass --api URL or set ANPR_API")
        if not token:
            raise CliError("no token: pass --token T or set ANPR_TOKEN (make local prints one per role)")
        self.base, self.token, self.opener = base_url.rstrip("/"), token, opener

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        req = bearer_request(self.base, self.token, method, path, body)
        try:
            with self.opener(req, timeout=self.timeout_s) as resp:
                return json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as exc:
            message = api_message(exc.code, exc.read().decode(errors="replace"))
            raise CliError(f"{message} (HTTP {exc.code})") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise CliError(f"cannot reach the API at {self.base}: {reason}") from None
        except ValueError as exc:
            raise CliError(f"the API at {self.base} did not answer JSON: {exc}") from None
