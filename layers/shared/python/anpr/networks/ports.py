"""What the networks services need from storage and AWS (adapters: ``anpr.networks.adapters``,
fakes: ``tests/fakes/networks.py``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from anpr.networks.models import Network, Zone
from anpr.reads.cameras import CameraRegistry  # noqa: F401  (cameras live in the Cameras table)


class NetworkStore(Protocol):
    def get(self, network_id: str) -> Network | None: ...

    def put(self, network: Network) -> None: ...

    def list(self) -> list[Network]: ...


class ZoneStore(Protocol):
    def replace_all(self, zones: Iterable[Zone]) -> None: ...

    def list(self) -> list[Zone]: ...


class UploadSigner(Protocol):
    def presigned_post(
        self, key: str, content_type: str, max_bytes: int, expires_in_s: int
    ) -> tuple[str, dict[str, str]]:
        """(url, form fields) for one POST of ``key``, bound to its type and size."""
        ...


class RefusalCounter(Protocol):
    def __call__(self, network_id: str, reason: str) -> None:
        """Count one refused upload (a metric per network, for the ops alarm)."""
        ...
