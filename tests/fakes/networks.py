"""Fakes of the networks ports (same contracts as anpr.networks.adapters)."""

from __future__ import annotations

from collections.abc import Iterable

from anpr.networks.models import Network, Zone


class InMemoryNetworkStore:
    def __init__(self):
        self.items: dict[str, Network] = {}

    def get(self, network_id: str) -> Network | None:
        return self.items.get(network_id)

    def put(self, network: Network) -> None:
        self.items[network.network_id] = network

    def list(self) -> list[Network]:
        return list(self.items.values())


class InMemoryZoneStore:
    def __init__(self, zones: Iterable[Zone] = ()):
        self.items = {z.code: z for z in zones}

    def replace_all(self, zones: Iterable[Zone]) -> None:
        self.items = {z.code: z for z in zones}

    def list(self) -> list[Zone]:
        return list(self.items.values())


class RecordingSigner:
    """Signs nothing: remembers what it was asked, returns a form like S3's."""

    def __init__(self):
        self.calls: list[tuple[str, str, int, int]] = []

    def presigned_post(self, key: str, content_type: str, max_bytes: int, expires_in_s: int):
        self.calls.append((key, content_type, max_bytes, expires_in_s))
        return "https://snapshots.example/", {"key": key, "Content-Type": content_type}


class RefusalLog:
    def __init__(self):
        self.refusals: list[tuple[str, str]] = []

    def __call__(self, network_id: str, reason: str) -> None:
        self.refusals.append((network_id, reason))


class InMemoryDisagreementStore:
    def __init__(self):
        self.items: list = []

    def put(self, disagreement) -> None:
        self.items = [d for d in self.items if d.read_id != disagreement.read_id] + [disagreement]

    def list(self, network: str, since_ms: int, limit: int = 200) -> list:
        mine = [d for d in self.items if d.network == network and d.capture_ms >= since_ms]
        return sorted(mine, key=lambda d: d.capture_ms, reverse=True)[:limit]


class RecordingIngestOps:
    """The ingest observer: remembers what it would have counted and audited."""

    def __init__(self):
        self.refusals: list[tuple[str, str, str]] = []
        self.quarantines: list[tuple[str, str]] = []
        self.stored_: list[tuple[str, float | None, float | None, int]] = []

    def refused(self, network: str, camera_id: str, key: str, reason: str, detail: str) -> None:
        self.refusals.append((network, camera_id, reason))

    def quarantined(self, network: str, reason: str) -> None:
        self.quarantines.append((network, reason))

    def stored(self, network, upload_to_read_ms, confidence, disagreements) -> None:
        self.stored_.append((network, upload_to_read_ms, confidence, disagreements))


class RecordingActivity:
    def __init__(self):
        self.records: list[tuple[str, str, int]] = []
        self.latencies: list[tuple[str, float, int]] = []

    def record(self, camera_id, network, capture_ms, upload=None) -> None:
        self.records.append((camera_id, network, capture_ms))
        if upload is not None:
            self.latencies.append((camera_id, upload.upload_to_read_ms, upload.read_ms))
