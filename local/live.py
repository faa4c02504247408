"""The live channel on the local runtime: API Gateway's WebSocket API, as the handlers see it.

- a WebSocket endpoint (``websockets``): a client's handshake becomes the ``$connect`` event of
  the LiveConnect function (``?token=`` in the query string; a non-2xx answer refuses the
  handshake with that status, as API Gateway does), its close the ``$disconnect`` event;
- a stand-in for the Management API on a second port (``POST|GET|DELETE /@connections/{id}``,
  410 ``GoneException`` for a closed one): the LiveFanout function's boto3
  ``apigatewaymanagementapi`` client is simply pointed at it (``ANPR_LIVE_ENDPOINT``);
- the user pool's public keys (``/.well-known/jwks.json``): LiveConnect verifies tokens against
  them as it verifies Cognito's on AWS;
- the push sink: every push is a JSON line in ``{workdir}/push.jsonl`` (``ANPR_PUSH_SINK``),
  also served at ``GET /push`` for the tests and the demo.

SNS → fan-out needs nothing here: the LiveFanout queue is subscribed to the Alerts topic (moto
delivers it) and ``local.esm`` feeds the function, as for every queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import threading
import time
import uuid
from http import HTTPStatus
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed
from werkzeug.wrappers import Request, Response

from local.gateway import LocalServer, json_response
from local.runtime import FunctionError, _free_port

log = logging.getLogger("local.live")


def timed_waits_hang() -> bool:
    """True under Debian's plain ``faketime`` (libfaketime preloaded, monotonic clock faked): a
    thread's timed wait (``queue.get(timeout=1)``, ``Event.wait(1)``) then sleeps until the *real*
    monotonic clock reaches the faked deadline, weeks away. The WebSocket clients of the tests and
    the demo wait that way; the live logic's clock is covered by tests/unit/test_live.py there."""
    return "faketime" in os.environ.get("LD_PRELOAD", "") and bool(os.environ.get("FAKETIME"))


class LocalLive:
    def __init__(self, rt, port: int | None = None, management_port: int | None = None):
        """``rt``: a started ``LocalRuntime`` whose API (``start_api``) is up: its user pool."""
        if rt.identity is None:
            raise RuntimeError("start the API first (rt.start_api()): the live channel checks its tokens")
        self.rt = rt
        self.port = port or _free_port()
        self.url = f"ws://127.0.0.1:{self.port}"
        self.sink = Path(rt.workdir) / "push.jsonl"
        self.sockets: dict[str, object] = {}
        self._handshakes: dict[object, str] = {}
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Future | None = None
        self._stopping = False
        self._thread = threading.Thread(target=self._run, daemon=True, name="live-ws")
        self._http = _ManagementApi(self, management_port or 0)
        self.management_url = self._http.url

    # -- lifecycle ---------------------------------------------------------------------------

    def function_env(self) -> dict[str, dict[str, str]]:
        """What the CDK construct sets on AWS (infra/constructs/live.py), with local values."""
        identity = self.rt.identity
        return {
            "LiveConnect": {
                "ANPR_USER_POOL_ISSUER": identity.issuer,
                "ANPR_USER_POOL_CLIENT_ID": identity.client_id,
                "ANPR_LIVE_JWKS_URL": f"{self.management_url}/.well-known/jwks.json",
            },
            "LiveFanout": {"ANPR_LIVE_ENDPOINT": self.management_url, "ANPR_PUSH_SINK": str(self.sink)},
            "LiveDevices": {"ANPR_PUSH_SINK": str(self.sink)},
        }

    def start(self) -> LocalLive:
        for fid, env in self.function_env().items():
            self.rt.hosts[fid].configure(env)
        self.rt.hosts["LiveConnect"].warm_up()  # the first officer's handshake need not wait for imports
        self._http.start()
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the local WebSocket endpoint did not start")
        return self

    def expose(self, web) -> None:
        """Tells the web apps (``local.web.WebServer``) where the live channel is: ``/config.json``
        gains ``liveUrl`` and the pages' CSP may connect to it (CloudFront's config on AWS)."""
        serve = web.handle

        def handle(request: Request) -> Response:
            resp = serve(request)
            if request.path == "/config.json" and resp.status_code == 200:
                resp.set_data(json.dumps({**json.loads(resp.get_data()), "liveUrl": self.url}))
            return resp

        web.csp = web.csp.replace("connect-src 'self'", f"connect-src 'self' {self.url}")
        web.handle = handle

    def stop(self) -> None:
        self._stopping = True  # the cloud is going away: closing sockets need no $disconnect
        if self._stop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._stop.set_result, None)
            self._thread.join(timeout=5)
        self._http.stop()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._serve())
        self._loop.close()

    async def _serve(self) -> None:
        from websockets.asyncio.server import serve

        self._stop = self._loop.create_future()
        # the handshake waits for the LiveConnect function (a cold start imports and fetches keys)
        async with serve(
            self._connected, "127.0.0.1", self.port, process_request=self._handshake, open_timeout=60
        ):
            self._ready.set()
            await self._stop

    # -- $connect / $disconnect --------------------------------------------------------------

    def _event(self, route: str, connection_id: str, request=None) -> dict:
        now = int(time.time() * 1000)  # the gateway's request time, as API Gateway stamps it
        query = {k: v[0] for k, v in parse_qs(urlsplit(request.path).query).items()} if request else {}
        headers = dict(request.headers.raw_items()) if request else {}
        return {
            "headers": headers or None,
            "queryStringParameters": query or None,
            "requestContext": {
                "routeKey": route,
                "eventType": "CONNECT" if route == "$connect" else "DISCONNECT",
                "connectionId": connection_id,
                "domainName": "127.0.0.1",
                "stage": "local",
                "apiId": "local",
                "requestId": str(uuid.uuid4()),
                "requestTimeEpoch": now,
                "connectedAt": now,
            },
            "isBase64Encoded": False,
        }

    def _invoke(self, fid: str, event: dict) -> dict:
        try:
            return self.rt.hosts[fid].invoke(event)
        except FunctionError as exc:
            log.warning("%s failed: %s", fid, exc)
            return {"statusCode": 500, "body": json.dumps({"error": "internal error"})}

    async def _handshake(self, connection, request):
        connection_id = secrets.token_urlsafe(12)
        answer = await asyncio.to_thread(
            self._invoke, "LiveConnect", self._event("$connect", connection_id, request)
        )
        status = int(answer.get("statusCode") or 500)
        if not 200 <= status < 300:
            return connection.respond(HTTPStatus(status), (answer.get("body") or "") + "\n")
        self._handshakes[connection] = connection_id
        return None

    async def _connected(self, ws) -> None:
        connection_id = self._handshakes.pop(ws)
        self.sockets[connection_id] = ws
        try:
            with contextlib.suppress(ConnectionClosed):  # a dropped socket ends like a closed one
                async for _ in ws:  # the $default route: clients have nothing to say yet
                    pass
        finally:
            self.sockets.pop(connection_id, None)
            if not self._stopping:
                await asyncio.to_thread(
                    self._invoke, "LiveDisconnect", self._event("$disconnect", connection_id)
                )

    # -- the Management API, the user pool's keys, the push sink -------------------------------

    def _handle(self, request: Request) -> Response:
        path = request.path
        if path == "/.well-known/jwks.json":
            return json_response(200, self.rt.identity.jwks.as_dict())
        if path == "/push" and request.method == "GET":
            return json_response(200, {"pushes": self.pushes()})
        if not path.startswith("/@connections/"):
            return json_response(404, {"message": "not found"})
        connection_id = path.removeprefix("/@connections/")
        ws = self.sockets.get(connection_id)
        if ws is None:
            return Response(
                json.dumps({"message": "connection gone"}),
                status=410,
                content_type="application/json",
                headers={"x-amzn-ErrorType": "GoneException"},
            )
        if request.method == "POST":
            data = request.get_data()
            future = asyncio.run_coroutine_threadsafe(ws.send(data.decode("utf-8", "replace")), self._loop)
            try:
                future.result(timeout=5)
            except Exception:  # noqa: BLE001 - the socket closed meanwhile
                return json_response(410, {"message": "connection gone"})
            return Response(status=200)
        if request.method == "DELETE":
            asyncio.run_coroutine_threadsafe(ws.close(), self._loop)
            return Response(status=204)
        return json_response(200, {"connectedAt": None, "identity": {"sourceIp": "127.0.0.1"}})

    def pushes(self) -> list[dict]:
        if not self.sink.exists():
            return []
        return [json.loads(line) for line in self.sink.read_text().splitlines() if line.strip()]


class _ManagementApi(LocalServer):
    """The Management API stand-in, the user pool's keys and the push sink (``LocalLive._handle``)."""

    def __init__(self, live: LocalLive, port: int):
        super().__init__(port, "live-mgmt")
        self.live = live

    def handle(self, request: Request) -> Response:
        return self.live._handle(request)


def camera_upload(rt, camera, plate: str, capture_ms: int, seed: int = 0) -> str:
    """What a camera does: a rendered snapshot of ``plate`` put in the snapshots bucket with its
    capture metadata (the camera's own read included). The ingest path takes it from there:
    OCR, reads, watchlist match, the Alerts topic, the live fan-out. Returns the key."""
    import io
    import random

    from anpr.ingest.snapshots import snapshot_key
    from anpr.ocr.render import render_snapshot
    from anpr.reads.models import CaptureMetadata

    image, _box = render_snapshot(plate, "BE", random.Random(seed), size=(640, 480), night=False)
    buf = io.BytesIO()
    image.convert("RGB").save(buf, format="JPEG", quality=85)
    key = snapshot_key(camera.camera_id, capture_ms, secrets.token_hex(16))
    meta = CaptureMetadata.model_validate(
        {
            "camera-id": camera.camera_id,
            "capture-ms": capture_ms,
            "lat": camera.lat,
            "lon": camera.lon,
            "heading": camera.heading,
            "camera-plate": plate,
            "camera-plate-confidence": 0.95,
            "camera-plate-country": "BE",
        }
    ).to_s3_metadata()
    rt.client("s3").put_object(
        Bucket=rt.name("bucket", "Snapshots"),
        Key=key,
        Body=buf.getvalue(),
        ContentType="image/jpeg",
        Metadata=meta,
    )
    return key
