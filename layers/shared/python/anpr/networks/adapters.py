"""DynamoDB stores, the S3 presigned-POST signer and the refusal metric (AWS adapters)."""

from __future__ import annotations

import json
from collections.abc import Iterable

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, PynamoDBException
from pynamodb.models import Model

from anpr.kernel.db import StorageError, table_meta, table_models
from anpr.kernel.observability import logger
from anpr.networks import metrics
from anpr.networks.models import Network, Zone
from anpr.reads.models import CAPTURE_HEADERS


@table_models
def networks_model(table_name: str, region: str, host: str | None) -> type[Model]:
    class NetworkItem(Model):
        Meta = table_meta(table_name, region, host)

        network_id = UnicodeAttribute(hash_key=True)
        name = UnicodeAttribute()
        kind = UnicodeAttribute()
        contact = UnicodeAttribute()
        zones = ListAttribute(of=UnicodeAttribute)
        status = UnicodeAttribute()
        created_ms = NumberAttribute()
        retired_ms = NumberAttribute(null=True)
        key_id = UnicodeAttribute(null=True)
        key_hash = UnicodeAttribute(null=True)

    return NetworkItem


@table_models
def zones_model(table_name: str, region: str, host: str | None) -> type[Model]:
    class ZoneItem(Model):
        Meta = table_meta(table_name, region, host)

        code = UnicodeAttribute(hash_key=True)
        name = UnicodeAttribute()
        kind = UnicodeAttribute()
        languages = ListAttribute(of=UnicodeAttribute)
        polygons = UnicodeAttribute()  # JSON: [[[[lon, lat], ...], ...], ...]

    return ZoneItem


class DynamoNetworkStore:
    def __init__(self, table_name: str, region: str):
        self._model = networks_model(table_name, region)

    def get(self, network_id: str) -> Network | None:
        try:
            return Network(**self._model.get(network_id).attribute_values)
        except DoesNotExist:
            return None
        except PynamoDBException as exc:
            raise StorageError(f"networks table read failed: {exc.msg}") from exc

    def put(self, network: Network) -> None:
        try:
            self._model(**network.model_dump(mode="json")).save()
        except PynamoDBException as exc:
            raise StorageError(f"networks table write failed: {exc.msg}") from exc

    def list(self) -> list[Network]:
        try:
            return [Network(**i.attribute_values) for i in self._model.scan()]
        except PynamoDBException as exc:
            raise StorageError(f"networks table scan failed: {exc.msg}") from exc


class DynamoZoneStore:
    def __init__(self, table_name: str, region: str):
        self._model = zones_model(table_name, region)

    def replace_all(self, zones: Iterable[Zone]) -> None:
        zones = list(zones)
        keep = {z.code for z in zones}
        try:
            with self._model.batch_write() as batch:
                for z in zones:
                    batch.save(
                        self._model(
                            code=z.code,
                            name=z.name,
                            kind=z.kind,
                            languages=list(z.languages),
                            polygons=json.dumps(z.polygons, separators=(",", ":")),
                        )
                    )
                for old in self._model.scan(attributes_to_get=["code"]):
                    if old.code not in keep:
                        batch.delete(old)
        except PynamoDBException as exc:
            raise StorageError(f"zones table write failed: {exc.msg}") from exc

    def list(self) -> list[Zone]:
        try:
            return [
                Zone(**{**i.attribute_values, "polygons": json.loads(i.polygons)}) for i in self._model.scan()
            ]
        except PynamoDBException as exc:
            raise StorageError(f"zones table scan failed: {exc.msg}") from exc


#: the capture headers a camera sends besides its camera-id
OPTIONAL_METADATA = tuple(h for h in CAPTURE_HEADERS if h != "camera-id")


class S3UploadSigner:
    """Presigned POST for exactly one key, its content type and a size range."""

    def __init__(self, bucket: str, client):
        self._bucket, self._s3 = bucket, client

    def presigned_post(
        self, key: str, content_type: str, max_bytes: int, expires_in_s: int
    ) -> tuple[str, dict[str, str]]:
        camera_id = key.split("/")[2]  # snapshots/{network}/{camera}/...: metadata must agree
        try:
            post = self._s3.generate_presigned_post(
                Bucket=self._bucket,
                Key=key,
                Fields={"Content-Type": content_type, "x-amz-meta-camera-id": camera_id},
                Conditions=[
                    {"key": key},
                    {"Content-Type": content_type},
                    {"x-amz-meta-camera-id": camera_id},
                    ["content-length-range", 1, max_bytes],
                    # S3 refuses a form field the policy does not name: every capture header
                    # (sent empty when unknown); ingest validates their values
                    *(["starts-with", f"$x-amz-meta-{name}", ""] for name in OPTIONAL_METADATA),
                ],
                ExpiresIn=expires_in_s,
            )
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"could not sign the upload: {exc}") from exc
        return post["url"], dict(post["fields"])


def s3_signer(bucket: str, region: str) -> S3UploadSigner:
    return S3UploadSigner(bucket, boto3.client("s3", region_name=region))


def cloudwatch_refusal_counter(namespace: str = "ANPR"):
    """``UploadRefused`` per network and reason, and in total (EMF: no API call)."""

    def count(network_id: str, reason: str) -> None:
        logger.warning("upload refused", extra={"network": network_id, "reason": reason})
        metrics.upload_refused(network_id, reason, namespace)

    return count
