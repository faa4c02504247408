"""API Gateway on the local runtime: the spec's routes, a Cognito authorizer, Lambda proxy.

Requests without a valid ID token never reach a function (401, as on AWS); verified claims
are passed in ``requestContext.authorizer.claims`` exactly as API Gateway passes them.
A ``network_key`` route (``POST /uploads``, cameras) has no authorizer, as on AWS: the request
reaches its function as is, which checks ``Authorization: Network <key>`` itself.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from typing import Self

from anpr.kernel import platform as spec
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from local.identity import InvalidToken, LocalIdentity


def _pattern(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path) + "$")


class LocalServer:
    """A threaded WSGI server on 127.0.0.1:``port`` (0: any free port) answering with ``handle``."""

    def __init__(self, port: int, name: str):
        self._server = make_server("127.0.0.1", port, self._wsgi, threaded=True)
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True, name=name)

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _wsgi(self, environ, start_response):
        return self.handle(Request(environ))(environ, start_response)

    def handle(self, request: Request) -> Response:
        raise NotImplementedError


class LocalApiGateway(LocalServer):
    def __init__(self, identity: LocalIdentity, invoke, port: int):
        """``invoke(function_id, event) -> response dict``."""
        self.identity, self.invoke = identity, invoke
        self.routes = [(r, _pattern(r.path)) for r in spec.API_ROUTES]
        super().__init__(port, "gateway")

    def handle(self, request: Request) -> Response:
        match = None
        for route, rx in self.routes:
            m = rx.match(request.path)
            if m and route.method == request.method:
                match = (route, m.groupdict())
                break
        if match is None:
            return json_response(
                404 if not any(rx.match(request.path) for _, rx in self.routes) else 405,
                {"message": "Missing Authentication Token"},
            )
        route, params = match
        claims = None
        if route.auth == "cognito":
            token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
            if not token:
                return json_response(401, {"message": "Unauthorized"})
            try:
                claims = self.identity.verify(token)
            except InvalidToken:
                return json_response(401, {"message": "Unauthorized"})
        event = self._event(request, route, params, claims)
        resp = self.invoke(route.function, event)
        body = resp.get("body") or ""
        data = base64.b64decode(body) if resp.get("isBase64Encoded") else body.encode()
        out = Response(data, status=resp.get("statusCode", 200))
        for k, v in (resp.get("headers") or {}).items():
            out.headers[k] = v
        for k, vs in (resp.get("multiValueHeaders") or {}).items():
            for v in vs:
                out.headers.add(k, v)
        return out

    @staticmethod
    def _event(request: Request, route: spec.RouteSpec, params: dict, claims: dict | None) -> dict:
        query = {k: request.args.get(k) for k in request.args}
        context = {
            "resourcePath": route.path,
            "httpMethod": request.method,
            "path": f"/local{request.path}",
            "stage": "local",
            "requestId": str(uuid.uuid4()),
            "requestTimeEpoch": int(time.time() * 1000),
            "accountId": "123456789012",
            "identity": {"sourceIp": request.remote_addr or "127.0.0.1"},
        }
        if claims is not None:
            # API Gateway hands claims to the function as strings
            flat = {k: (",".join(v) if isinstance(v, list) else str(v)) for k, v in claims.items()}
            context["authorizer"] = {"claims": flat}
        return {
            "resource": route.path,
            "path": request.path,
            "httpMethod": request.method,
            "headers": dict(request.headers),
            # werkzeug's Headers iterate as (key, value) pairs, hence .keys()
            "multiValueHeaders": {k: request.headers.getlist(k) for k in request.headers.keys()},  # noqa: SIM118
            "queryStringParameters": query or None,
            "multiValueQueryStringParameters": {k: request.args.getlist(k) for k in request.args} or None,
            "pathParameters": params or None,
            "stageVariables": None,
            "requestContext": context,
            "body": request.get_data(as_text=True) or None,
            "isBase64Encoded": False,
        }


def json_response(status: int, body: dict) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")
