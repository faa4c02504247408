"""PynamoDB models, built per table name (physical names come from config, not code).

Attribute names and key schemas mirror the spec (``anpr.kernel.platform.TABLES``);
``tests/unit/test_table_models.py`` keeps them in step.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from functools import cache, wraps
from typing import TypeVar

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
)
from pynamodb.exceptions import PynamoDBException
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model


class StorageError(RuntimeError):
    """The data store failed (infrastructure): the caller should retry, never drop."""


T = TypeVar("T")


def _endpoint() -> str | None:
    # botocore honours AWS_ENDPOINT_URL (local runtime, tests)
    return os.environ.get("AWS_ENDPOINT_URL") or None


def table_models(build: Callable[[str, str, str | None], T]) -> Callable[[str, str], T]:
    """Turn ``build(table_name, region, host)`` into a cached ``factory(table_name, region)``.

    PynamoDB model classes keep their connection, so the endpoint is part of the cache key:
    a new local cloud in the same process never reuses a connection to the previous one.
    Every module that defines table models uses this, never its own cache.
    """
    cached = cache(build)

    @wraps(build)
    def factory(table_name: str, region: str) -> T:
        return cached(table_name, region, _endpoint())

    return factory


def save_all(model: type[Model], items: Iterable[Model], what: str) -> None:
    """Batch-write ``items`` (PynamoDB sends 25 a request and retries the unprocessed ones); a
    failure is a ``StorageError`` saying ``what`` failed, for the caller to retry."""
    try:
        with model.batch_write() as batch:
            for item in items:
                batch.save(item)
    except PynamoDBException as exc:
        raise StorageError(f"{what} failed: {exc.msg}") from exc


def table_meta(table_name: str, region: str, host: str | None) -> type:
    """A PynamoDB ``Meta`` for one physical table (names come from config, never from code)."""
    return type("Meta", (), {"table_name": table_name, "region": region, "host": host})


def all_projection_index(index_name: str, hash_key: str, range_key: str) -> GlobalSecondaryIndex:
    """A GSI projecting every attribute, keyed by two string attributes (the spec's ``Index``)."""
    attrs = {
        "Meta": type("Meta", (), {"index_name": index_name, "projection": AllProjection()}),
        hash_key: UnicodeAttribute(hash_key=True),
        range_key: UnicodeAttribute(range_key=True),
    }
    return type(f"{index_name[0].upper()}{index_name[1:]}Index", (GlobalSecondaryIndex,), attrs)()


@table_models
def reads_model(table_name: str, region: str, host: str | None) -> type[Model]:
    class PlateReadItem(Model):
        Meta = table_meta(table_name, region, host)

        pk = UnicodeAttribute(hash_key=True)
        sk = UnicodeAttribute(range_key=True)
        plate_pk = UnicodeAttribute()
        camera_pk = UnicodeAttribute()
        ts_sk = UnicodeAttribute()
        by_plate = all_projection_index("byPlate", "plate_pk", "ts_sk")
        by_camera = all_projection_index("byCamera", "camera_pk", "ts_sk")

        read_id = UnicodeAttribute()
        plate = UnicodeAttribute()
        raw_text = UnicodeAttribute()
        confidence = NumberAttribute()
        country = UnicodeAttribute()
        bbox = ListAttribute(of=NumberAttribute)
        alternatives = ListAttribute(of=UnicodeAttribute, default=list)
        camera_id = UnicodeAttribute()
        zone = UnicodeAttribute()
        capture_ms = NumberAttribute()
        lat = NumberAttribute()
        lon = NumberAttribute()
        heading = NumberAttribute(null=True)
        lane = NumberAttribute(null=True)
        direction = UnicodeAttribute(null=True)
        snapshot_bucket = UnicodeAttribute()
        snapshot_key = UnicodeAttribute()
        crop_key = UnicodeAttribute(null=True)
        source = UnicodeAttribute()
        engine = UnicodeAttribute(default="")
        ingested_ms = NumberAttribute()
        expires_at = TTLAttribute(null=True)
        legal_hold = UnicodeAttribute(null=True)
        # the camera's own reading beside ours (anpr.reads.models.PlateRead)
        camera_plate = UnicodeAttribute(null=True)
        camera_confidence = NumberAttribute(null=True)
        camera_country = UnicodeAttribute(null=True)
        agree = BooleanAttribute(null=True)

    return PlateReadItem


@table_models
def cameras_model(table_name: str, region: str, host: str | None) -> type[Model]:
    class CameraItem(Model):
        Meta = table_meta(table_name, region, host)

        camera_id = UnicodeAttribute(hash_key=True)
        name = UnicodeAttribute(default="")
        kind = UnicodeAttribute()
        lat = NumberAttribute()
        lon = NumberAttribute()
        heading = NumberAttribute(null=True)
        road = UnicodeAttribute(default="")
        municipality = UnicodeAttribute(default="")
        zone = UnicodeAttribute()
        status = UnicodeAttribute()
        network = UnicodeAttribute(default="")  # anpr.networks
        lanes = NumberAttribute(null=True)

    return CameraItem
