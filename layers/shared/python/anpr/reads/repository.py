"""Where plate reads are kept: the repository interface, its DynamoDB and in-memory forms."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Protocol

from pynamodb.exceptions import PynamoDBException

from anpr.kernel.db import StorageError, reads_model
from anpr.reads import keys
from anpr.reads.models import PlateRead


class PlateReadRepository(Protocol):
    def put_many(self, reads: Iterable[PlateRead]) -> None: ...

    def by_plate(self, plate: str, start_ms: int, end_ms: int) -> Iterator[PlateRead]: ...

    def by_camera(self, camera_id: str, start_ms: int, end_ms: int) -> Iterator[PlateRead]: ...

    def in_partition(self, partition: str, start_ms: int, end_ms: int) -> Iterator[PlateRead]: ...


def _range(start_ms: int, end_ms: int) -> tuple[str, str]:
    # sort keys are "{ms:013d}#{read_id}"; '~' sorts after every hex digit
    return f"{start_ms:013d}#", f"{end_ms:013d}#~"


class DynamoPlateReadRepository:
    def __init__(self, table_name: str, region: str):
        self._model = reads_model(table_name, region)

    def put_many(self, reads: Iterable[PlateRead]) -> None:
        try:
            with self._model.batch_write() as batch:
                for read in reads:
                    batch.save(self._to_item(read))
        except PynamoDBException as exc:
            raise StorageError(f"reads table write failed: {exc.msg}") from exc

    def by_plate(self, plate: str, start_ms: int, end_ms: int) -> Iterator[PlateRead]:
        lo, hi = _range(start_ms, end_ms)
        yield from self._run(
            self._model.by_plate.query, keys.plate_key(plate), self._model.ts_sk.between(lo, hi)
        )

    def by_camera(self, camera_id: str, start_ms: int, end_ms: int) -> Iterator[PlateRead]:
        lo, hi = _range(start_ms, end_ms)
        for day_key in keys.camera_hours(camera_id, start_ms, end_ms):
            yield from self._run(self._model.by_camera.query, day_key, self._model.ts_sk.between(lo, hi))

    def in_partition(self, partition: str, start_ms: int, end_ms: int) -> Iterator[PlateRead]:
        lo, hi = _range(start_ms, end_ms)
        yield from self._run(self._model.query, partition, self._model.sk.between(lo, hi))

    def _run(self, query, hash_key, condition) -> Iterator[PlateRead]:
        try:
            for item in query(hash_key, condition):
                yield self._from_item(item)
        except PynamoDBException as exc:
            raise StorageError(f"reads table query failed: {exc.msg}") from exc

    def _to_item(self, r: PlateRead):
        return self._model(
            pk=keys.partition_key(r.capture_ms, r.read_id),
            sk=keys.sort_key(r.capture_ms, r.read_id),
            plate_pk=keys.plate_key(r.plate),
            camera_pk=keys.camera_key(r.camera_id, r.capture_ms),
            ts_sk=keys.sort_key(r.capture_ms, r.read_id),
            expires_at=datetime.fromtimestamp(r.expires_at, tz=UTC),
            **r.model_dump(exclude={"expires_at", "bbox", "alternatives"}),
            bbox=list(r.bbox),
            alternatives=list(r.alternatives),
        )

    @staticmethod
    def _from_item(item) -> PlateRead:
        data = item.attribute_values
        exp = data.get("expires_at")
        return PlateRead(
            **{k: v for k, v in data.items() if k in PlateRead.model_fields and k != "expires_at"},
            expires_at=int(exp.timestamp()) if exp else 0,
        )
