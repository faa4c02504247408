"""Fakes of the reads ports (same contracts as the adapters)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from anpr.reads import keys
from anpr.reads.models import Camera, PlateRead


class InMemoryCameraRegistry:
    def __init__(self, cameras: Iterable[Camera] = ()):
        self._cameras = {c.camera_id: c for c in cameras}

    def get(self, camera_id: str) -> Camera | None:
        return self._cameras.get(camera_id)

    def put_many(self, cameras: Iterable[Camera]) -> None:
        self._cameras.update({c.camera_id: c for c in cameras})

    def list(self) -> list[Camera]:
        return sorted(self._cameras.values(), key=lambda c: c.camera_id)


class InMemoryPlateReadRepository:
    """Fake for unit tests: same contract, a dict of partitions."""

    def __init__(self):
        self.partitions: dict[str, dict[str, PlateRead]] = defaultdict(dict)
        self.fail_next: Exception | None = None

    def put_many(self, reads: Iterable[PlateRead]) -> None:
        if self.fail_next:
            exc, self.fail_next = self.fail_next, None
            raise exc
        for r in reads:
            self.partitions[keys.partition_key(r.capture_ms, r.read_id)][
                keys.sort_key(r.capture_ms, r.read_id)
            ] = r

    def all(self) -> list[PlateRead]:
        return sorted((r for p in self.partitions.values() for r in p.values()), key=lambda r: r.capture_ms)

    def by_plate(self, plate: str, start_ms: int, end_ms: int) -> Iterator[PlateRead]:
        yield from (r for r in self.all() if r.plate == plate and start_ms <= r.capture_ms <= end_ms)

    def by_camera(self, camera_id: str, start_ms: int, end_ms: int) -> Iterator[PlateRead]:
        yield from (r for r in self.all() if r.camera_id == camera_id and start_ms <= r.capture_ms <= end_ms)

    def in_partition(self, partition: str, start_ms: int, end_ms: int) -> Iterator[PlateRead]:
        items = self.partitions.get(partition, {})
        yield from (items[k] for k in sorted(items) if start_ms <= items[k].capture_ms <= end_ms)
