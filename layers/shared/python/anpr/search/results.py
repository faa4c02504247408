"""Result files: the SearchResults bucket (KMS-encrypted on AWS by the bucket's default
encryption with the plates key; no per-object SSE header, which would override it).

Layout under ``searches/{job_id}/``: ``parts/{index:06d}.json`` (one per Map item that found
something), ``plan.json`` (the Distributed Map's item list), ``result.json`` and
``export.{csv,geojson,kml,html,png}``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from botocore.exceptions import BotoCoreError, ClientError

from anpr.kernel.db import StorageError
from anpr.kernel.errors import NotFound
from anpr.search.models import SearchResult, Sighting

CONTENT_TYPES = {
    "json": "application/json",
    "csv": "text/csv",
    "geojson": "application/geo+json",
    "kml": "application/vnd.google-earth.kml+xml",
    "html": "text/html; charset=utf-8",
    "png": "image/png",
}


def prefix(job_id: str) -> str:
    return f"searches/{job_id}/"


def export_key(job_id: str, fmt: str) -> str:
    return f"{prefix(job_id)}export.{fmt}"


class ResultStore(Protocol):
    bucket: str

    def put(self, key: str, body: bytes, content_type: str = "application/json") -> None: ...

    def get(self, key: str) -> bytes: ...

    def keys(self, key_prefix: str) -> list[str]: ...

    def url(self, key: str, filename: str, expires_s: int = 300) -> str: ...


def put_part(store: ResultStore, job_id: str, index: int, sightings: list[Sighting]) -> str:
    key = f"{prefix(job_id)}parts/{index:06d}.json"
    store.put(key, json.dumps([s.model_dump(mode="json") for s in sightings]).encode())
    return key


def read_parts(store: ResultStore, job_id: str, workers: int = 16) -> Iterator[Sighting]:
    """Every part's sightings; fetched in parallel (a national search has ~1,500 parts)."""
    keys = store.keys(f"{prefix(job_id)}parts/")
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for body in pool.map(store.get, keys):
            for row in json.loads(body):
                yield Sighting.model_validate(row)


def put_result(store: ResultStore, result: SearchResult) -> None:
    store.put(f"{prefix(result.provenance['job_id'])}result.json", result.model_dump_json().encode())


def get_result(store: ResultStore, job_id: str) -> SearchResult:
    return SearchResult.model_validate_json(store.get(f"{prefix(job_id)}result.json"))


class S3ResultStore:
    def __init__(self, bucket: str, client):
        self.bucket = bucket
        self._s3 = client

    def put(self, key: str, body: bytes, content_type: str = "application/json") -> None:
        try:
            self._s3.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type)
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"result write failed: {exc}") from exc

    def get(self, key: str) -> bytes:
        try:
            return self._s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("NoSuchKey", "404"):
                raise NotFound("result not available") from exc
            raise StorageError(f"result read failed: {exc}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"result read failed: {exc}") from exc

    def keys(self, key_prefix: str) -> list[str]:
        try:
            pages = self._s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=key_prefix)
            return sorted(o["Key"] for page in pages for o in page.get("Contents", []))
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"result listing failed: {exc}") from exc

    def url(self, key: str, filename: str, expires_s: int = 300) -> str:
        return self._s3.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": key,
                "ResponseContentDisposition": f'attachment; filename="{filename}"',
            },
            ExpiresIn=expires_s,
        )
