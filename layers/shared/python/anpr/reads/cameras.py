"""The camera registry: which cameras exist, where they are, which zone they serve."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from pynamodb.exceptions import DoesNotExist, PynamoDBException

from anpr.kernel.db import StorageError, cameras_model
from anpr.reads.models import Camera


class CameraRegistry(Protocol):
    def get(self, camera_id: str) -> Camera | None: ...

    def put_many(self, cameras: Iterable[Camera]) -> None: ...

    def list(self) -> list[Camera]: ...


class DynamoCameraRegistry:
    """Reads through a per-container cache: cameras change rarely, snapshots arrive constantly."""

    def __init__(self, table_name: str, region: str, cache_size: int = 20_000):
        self._model = cameras_model(table_name, region)
        self._cache: dict[str, Camera | None] = {}
        self._cache_size = cache_size

    def get(self, camera_id: str) -> Camera | None:
        if camera_id in self._cache:
            return self._cache[camera_id]
        try:
            item = self._model.get(camera_id)
            camera = Camera(**item.attribute_values)
        except DoesNotExist:
            camera = None
        except PynamoDBException as exc:
            raise StorageError(f"cameras table read failed: {exc.msg}") from exc
        if len(self._cache) < self._cache_size:
            self._cache[camera_id] = camera
        return camera

    def put_many(self, cameras: Iterable[Camera]) -> None:
        try:
            with self._model.batch_write() as batch:
                for c in cameras:
                    batch.save(self._model(**c.model_dump(mode="json")))
        except PynamoDBException as exc:
            raise StorageError(f"cameras table write failed: {exc.msg}") from exc
        self._cache.clear()

    def list(self) -> list[Camera]:
        try:
            return sorted(
                (Camera(**i.attribute_values) for i in self._model.scan()), key=lambda c: c.camera_id
            )
        except PynamoDBException as exc:
            raise StorageError(f"cameras table scan failed: {exc.msg}") from exc


def load_seed(path: Path) -> list[Camera]:
    """Cameras from a seed file (JSON list of camera objects)."""
    return [Camera(**c) for c in json.loads(Path(path).read_text())]
