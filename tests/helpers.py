"""Shared test builders: snapshots, S3-in-SQS events, a LambdaContext."""

from __future__ import annotations

import io
import json
import uuid
from dataclasses import dataclass

from anpr.reads.models import Camera, CaptureMetadata
from PIL import Image, ImageDraw

NOW_MS = 1_795_000_000_000  # 2026-11-18, fixed clock for tests


def jpeg(width: int = 320, height: int = 240, text: str = "1-ABC-234") -> bytes:
    img = Image.new("RGB", (width, height), (90, 90, 100))
    d = ImageDraw.Draw(img)
    d.rectangle((100, 150, 220, 180), fill=(255, 255, 255))
    d.text((110, 158), text, fill=(150, 0, 0))
    buf = io.BytesIO()
    img.save(buf, format="JPEG")
    return buf.getvalue()


def camera(camera_id: str = "BRU-001", **kw) -> Camera:
    base = {
        "camera_id": camera_id,
        "name": "Rue de la Loi",
        "lat": 50.8466,
        "lon": 4.3644,
        "heading": 90.0,
        "road": "N3",
        "municipality": "Bruxelles",
        "zone": "BRU-CAPITALE-IXELLES",
    }
    base.update(kw)
    return Camera(**base)


def metadata(
    camera_id: str = "BRU-001", capture_ms: int = NOW_MS - 1000, plate: str | None = "1ABC234", **kw
) -> dict[str, str]:
    m = CaptureMetadata.model_validate(
        {
            "camera-id": camera_id,
            "capture-ms": capture_ms,
            "camera-plate": plate,
            "camera-plate-confidence": 0.9,
            **kw,
        }
    ).to_s3_metadata()
    return m


def s3_event_body(
    bucket: str, key: str, etag: str = "etag", size: int = 1000, version: str | None = None
) -> str:
    obj = {"key": key, "size": size, "eTag": etag, "sequencer": "0A1B2C3D4E5F678901"}
    if version:
        obj["versionId"] = version
    return json.dumps(
        {
            "Records": [
                {
                    "eventVersion": "2.1",
                    "eventSource": "aws:s3",
                    "awsRegion": "eu-west-1",
                    "eventTime": "2026-11-18T10:00:00.000Z",
                    "eventName": "ObjectCreated:Put",
                    "userIdentity": {"principalId": "AWS:CAMERA"},
                    "requestParameters": {"sourceIPAddress": "127.0.0.1"},
                    "responseElements": {
                        "x-amz-request-id": "C3D13FE58DE4C810",
                        "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD",
                    },
                    "s3": {
                        "s3SchemaVersion": "1.0",
                        "configurationId": "ingest",
                        "bucket": {
                            "name": bucket,
                            "ownerIdentity": {"principalId": "A3NL1KOZZKExample"},
                            "arn": f"arn:aws:s3:::{bucket}",
                        },
                        "object": obj,
                    },
                }
            ]
        }
    )


def sqs_event(bodies: list[str], queue_arn: str = "arn:aws:sqs:eu-west-1:123456789012:ingest") -> dict:
    return {
        "Records": [
            {
                "messageId": str(uuid.uuid4()),
                "receiptHandle": "rh",
                "body": b,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": "1795000000000",
                    "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                    "ApproximateFirstReceiveTimestamp": "1795000000000",
                },
                "messageAttributes": {},
                "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3",
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": "eu-west-1",
            }
            for b in bodies
        ]
    }


@dataclass
class FakeLambdaContext:
    function_name: str = "test"
    memory_limit_in_mb: int = 128
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:123456789012:function:test"
    aws_request_id: str = "52fdfc07-2182-154f-163f-5f0f9a621d72"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 30_000


def claims(user: str = "alice", *groups: str, zones: str | None = None, unit: str | None = None) -> dict:
    """Verified Cognito claims as API Gateway's authorizer passes them to the function.

    ``zones``: the ``custom:zones`` attribute ("BXL-5339,BXL-5340" or "national"); ``unit``:
    ``custom:unit``. Left out of the claims when None.
    """
    out = {"sub": f"sub-{user}", "cognito:username": user, "cognito:groups": ",".join(groups)}
    if zones is not None:
        out["custom:zones"] = zones
    if unit is not None:
        out["custom:unit"] = unit
    return out


def api_event(
    method: str,
    resource: str,
    path: str | None = None,
    *,
    claims: dict | None = None,
    body: dict | str | None = None,
    query: dict | None = None,
    path_params: dict | None = None,
) -> dict:
    """An API Gateway REST (v1) proxy event, as the Cognito-authorised API sends it."""
    return {
        "resource": resource,
        "path": path or resource,
        "httpMethod": method,
        "headers": {"Content-Type": "application/json"},
        "multiValueHeaders": {},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in (query or {}).items()} or None,
        "pathParameters": path_params,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/local{path or resource}",
            "stage": "local",
            "requestId": str(uuid.uuid4()),
            "accountId": "123456789012",
            "identity": {"sourceIp": "127.0.0.1"},
            "authorizer": {"claims": claims} if claims is not None else None,
        },
        "body": body if isinstance(body, str) or body is None else json.dumps(body),
        "isBase64Encoded": False,
    }
