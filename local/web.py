"""The web apps on the local runtime: serves the built console and patrol app (``web/dist``),
``/config.json`` (where the API and the sign-in endpoint are), ``POST /cognito/`` (Cognito's
sign-in API on the local user pool: password, then the authenticator's code; ``LocalCognitoApi``)
and ``/api/*`` proxied to the local API gateway, so the pages and the API share one origin (no
CORS on the gateway, as CloudFront does when deployed).

    .venv/bin/python -m local.web basemap web/src/generated/basemap.json   # the offline map layer
"""

from __future__ import annotations

import json
import mimetypes
import sys
import urllib.error
import urllib.request
from pathlib import Path

from werkzeug.wrappers import Request, Response

from local.gateway import LocalServer, json_response
from local.identity import CognitoError, LocalCognitoApi

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "web" / "dist"
#: no third-party origin anywhere; images may come from the object store (presigned crop links)
CSP = (
    "default-src 'self'; img-src 'self' data: blob: {images}; connect-src 'self'; "
    "style-src 'self'; script-src 'self'; worker-src 'self'; manifest-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-encoding",
    "content-length",
    "server",
    "date",
}
#: where the apps send Cognito's API calls locally (deployed: https://cognito-idp.<region>.amazonaws.com/)
COGNITO_PATH = "/cognito/"
_TARGET_PREFIX = "AWSCognitoIdentityProviderService."


def basemap() -> dict:
    """The simulator's Brussels roads as lines ([lat, lon] points): the map's base layer."""
    from local.simulator.make_cameras import ROADS

    return {
        "source": "local/simulator/make_cameras.py ROADS",
        "roads": [
            {
                "name": r.name,
                "kind": r.kind,
                "points": [[round(lat, 5), round(lon, 5)] for lat, lon in r.points],
                "closed": r.closed,
            }
            for r in ROADS
        ],
    }


class WebServer(LocalServer):
    """Static files + config + sign-in + API proxy, on 127.0.0.1:``port``."""

    def __init__(self, identity, api_url: str, port: int = 0, dist: Path = DIST, images_origin: str = ""):
        self.identity, self.api_url, self.dist = identity, api_url.rstrip("/"), Path(dist)
        self.cognito = LocalCognitoApi(identity)
        self.csp = CSP.format(images=images_origin).replace("  ", " ")
        super().__init__(port, "web")

    def start(self) -> WebServer:
        if not (self.dist / "index.html").exists():
            raise FileNotFoundError(f"{self.dist} has no built apps: run `make web`")
        return super().start()

    def handle(self, request: Request) -> Response:
        if request.path == "/config.json":
            resp = json_response(
                200,
                {"apiUrl": "/api", "auth": {"endpoint": COGNITO_PATH, "clientId": self.identity.client_id}},
            )
        elif request.path == COGNITO_PATH:
            resp = (
                self._cognito(request)
                if request.method == "POST"
                else json_response(405, {"__type": "UnknownOperationException", "message": "POST only"})
            )
        elif request.path.startswith("/api/"):
            resp = self._proxy(request)
        else:
            resp = self._static(request.path)
        resp.headers["Content-Security-Policy"] = self.csp
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["Referrer-Policy"] = "no-referrer"
        return resp

    def _cognito(self, request: Request) -> Response:
        """One Cognito API call: ``X-Amz-Target`` names the operation, the body is its JSON
        request; refusals come back as Cognito sends them (400, ``__type`` and ``message``)."""
        target = request.headers.get("X-Amz-Target", "")
        try:
            body = json.loads(request.get_data() or b"null")
            answer = self.cognito.call(target.removeprefix(_TARGET_PREFIX), body)
        except json.JSONDecodeError:
            return _cognito_error(CognitoError("SerializationException", "the request body is not JSON"))
        except CognitoError as exc:
            return _cognito_error(exc)
        resp = json_response(200, answer)
        resp.headers["Content-Type"] = "application/x-amz-json-1.1"
        resp.headers["Cache-Control"] = "no-store"
        return resp

    def _proxy(self, request: Request) -> Response:
        url = self.api_url + request.full_path.removeprefix("/api").rstrip("?")
        headers = {
            k: v
            for k, v in request.headers.items()
            if k.lower() in ("authorization", "content-type", "accept")
        }
        req = urllib.request.Request(
            url, data=request.get_data() or None, headers=headers, method=request.method
        )
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                status, data, out_headers = r.status, r.read(), r.headers.items()
        except urllib.error.HTTPError as e:
            status, data, out_headers = e.code, e.read(), e.headers.items()
        except urllib.error.URLError as e:
            return json_response(502, {"error": f"API unreachable: {e.reason}"})
        resp = Response(data, status=status)
        for k, v in out_headers:
            if k.lower() not in _HOP_BY_HOP:
                resp.headers[k] = v
        return resp

    def _static(self, path: str) -> Response:
        rel = path.lstrip("/") or "index.html"
        if rel.endswith("/"):
            rel += "index.html"
        target = (self.dist / rel).resolve()
        if not target.is_relative_to(self.dist.resolve()):
            return json_response(404, {"error": "not found"})
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            return json_response(404, {"error": "not found"})
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if target.suffix == ".webmanifest":
            ctype = "application/manifest+json"
        resp = Response(target.read_bytes(), content_type=ctype)
        # hashed assets never change; pages and the service worker are revalidated
        resp.headers["Cache-Control"] = (
            "public, max-age=31536000, immutable" if "/assets/" in path else "no-cache"
        )
        return resp


def _cognito_error(exc: CognitoError) -> Response:
    resp = json_response(400, {"__type": exc.error_type, "message": exc.message})
    resp.headers["Content-Type"] = "application/x-amz-json-1.1"
    resp.headers["x-amzn-ErrorType"] = exc.error_type
    return resp


def start_web(rt, gateway, port: int = 8000) -> WebServer | None:
    """The hook ``make local`` calls: the apps next to the running gateway (says where, or why not)."""
    server = WebServer(rt.identity, gateway.url, port, images_origin=rt.endpoint)
    try:
        server.start()
    except FileNotFoundError as exc:
        print(f"web apps not served: {exc}")
        return None
    print(f"web apps: {server.url}/console/ and {server.url}/patrol/")
    print(sign_in_help(rt.identity))
    return server


def sign_in_help(identity) -> str:
    """How each person of this run signs in: password, then their authenticator's code."""
    where = f"; their secrets are in {identity.secrets_file}" if identity.secrets_file else ""
    lines = [f"sign in with a password, then a 6-digit code (.venv/bin/python -m local.totp <user>{where}):"]
    for user, password in identity.passwords.items():  # local, random, this run only
        secret = identity.totp_secrets.get(user)
        device = f"authenticator secret {secret}" if secret else "no authenticator yet: set one up at sign-in"
        lines.append(f"  {user} / {password}  ({device})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["basemap"] and len(args) == 2:
        Path(args[1]).write_text(json.dumps(basemap(), separators=(",", ":")) + "\n")
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
