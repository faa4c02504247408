"""Cameras uploading as they do after ``cdk deploy``: ``POST /uploads`` with their network's key
(``Authorization: Network <key>``), then the file to the presigned POST it answers.

Keys come from the local runtime (``LocalRuntime.issue_network_keys``: ``anpr.networks.seed``
registers the zones, networks and cameras and returns one key per network). A camera of
network A asking with B's key is refused (403) and reported; ``force_under`` writes a file
under another network's prefix with plain S3 access, which ingest must quarantine
``wrong_network``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from anpr.reads.models import CAPTURE_HEADERS, Camera

#: every metadata header a camera may send: each one is a condition of the presigned POST
#: (S3 refuses a form field the policy does not name), sent empty when unknown
METADATA_FIELDS = CAPTURE_HEADERS


class UploadRefused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(f"{status}: {message}")
        self.status, self.message = status, message


#: (token, request body) -> (status, answer): over HTTP, or straight to the function (tests)
GrantTransport = Callable[[str, dict], tuple[int, dict]]


def _post(url: str, data: bytes, headers: dict[str, str], timeout_s: float) -> tuple[int, bytes]:
    """One HTTP POST with the standard library (cameras are plain HTTPS clients, so is this)."""
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def multipart_form(fields: Mapping[str, str], body: bytes, content_type: str) -> tuple[bytes, str]:
    """An S3 POST-policy form: the fields, then the file last (S3 ignores fields after it)."""
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="snapshot"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    )
    parts.append(head.encode() + body + f"\r\n--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def http_grants(api_url: str, timeout_s: float = 10.0) -> GrantTransport:
    def ask(token: str, body: dict) -> tuple[int, dict]:
        status, raw = _post(
            f"{api_url.rstrip('/')}/uploads",
            json.dumps(body).encode(),
            {"Authorization": f"Network {token}", "Content-Type": "application/json"},
            timeout_s,
        )
        try:
            return status, json.loads(raw or b"{}")
        except ValueError:
            return status, {"error": raw[:200].decode(errors="replace")}

    return ask


def handler_grants(invoke: Callable[[dict], dict]) -> GrantTransport:
    """The CameraUploads function called with an API Gateway proxy event (no gateway route)."""

    def ask(token: str, body: dict) -> tuple[int, dict]:
        event = {
            "resource": "/uploads",
            "path": "/uploads",
            "httpMethod": "POST",
            "headers": {"Authorization": f"Network {token}", "Content-Type": "application/json"},
            "requestContext": {"resourcePath": "/uploads", "httpMethod": "POST", "requestId": "sim"},
            "body": json.dumps(body),
            "isBase64Encoded": False,
        }
        answer = invoke(event)
        return answer["statusCode"], json.loads(answer.get("body") or "{}")

    return ask


@dataclass
class NetworkUploader:
    """Uploads for cameras of several networks, each with its own network's key."""

    grants: GrantTransport
    keys: Mapping[str, str]  # network id -> upload key
    network_of: Mapping[str, str]  # camera id -> network id
    timeout_s: float = 10.0

    def upload(
        self,
        camera_id: str,
        body: bytes,
        metadata: Mapping[str, str],
        content_type: str = "image/jpeg",
        as_network: str | None = None,
    ) -> str:
        """The key the file was stored under; ``UploadRefused`` when /uploads or S3 says no.
        ``as_network``: present that network's key instead of the camera's own (a refusal test)."""
        token = self.keys[as_network or self.network_of[camera_id]]
        status, grant = self.grants(token, {"camera_id": camera_id, "content_type": content_type})
        if status != 200:
            raise UploadRefused(status, grant.get("error", ""))
        fields = dict(grant["fields"])
        for name in METADATA_FIELDS:
            fields.setdefault(f"x-amz-meta-{name}", str(metadata.get(name, "")))
        form, form_type = multipart_form(fields, body, content_type)
        status, answer = _post(grant["url"], form, {"Content-Type": form_type}, self.timeout_s)
        if status >= 300:
            raise UploadRefused(status, answer[:200].decode(errors="replace"))
        return grant["key"]


def cameras_of_networks(paths) -> list[Camera]:
    """The cameras of network data files (``data/networks/*.json``: ``{"network", "cameras"}``)."""
    cameras = []
    for path in paths:
        doc = json.loads(Path(path).read_text())
        network = doc["network"]["network_id"]
        cameras += [Camera(**{**c, "network": network}) for c in doc.get("cameras", [])]
    return cameras


def force_under(
    s3_client, bucket: str, network: str, key: str, body: bytes, metadata: Mapping[str, str]
) -> str:
    """Write ``key`` (snapshots/{own network}/{camera}/...) under ``network``'s prefix instead,
    with plain S3 access: what a leaked role or a misconfigured gateway would do."""
    parts = key.split("/")
    forced = "/".join([parts[0], network, *parts[2:]])
    s3_client.put_object(
        Bucket=bucket, Key=forced, Body=body, ContentType="image/jpeg", Metadata=dict(metadata)
    )
    return forced
