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
