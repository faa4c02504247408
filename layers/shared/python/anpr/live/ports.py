"""What the live channel needs from the outside world, and the errors its services act on."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from anpr.live.models import Device, DeviceIn, Member

M = TypeVar("M", bound=Member)


class Gone(Exception):
    """The connection or device no longer exists at its end (closed socket, uninstalled app)."""


class InvalidToken(Exception):
    pass


class MemberStore(Protocol[M]):
    """Connections or devices, findable by key and by the zones of their person."""

    def put(self, item: M) -> None: ...

    def get(self, key: str) -> M | None: ...

    def delete(self, key: str) -> None: ...

    def members(self, zones: Iterable[str] | None) -> list[M]:
        """Those whose person has one of ``zones``; None: everyone."""
        ...


class Poster(Protocol):
    """API Gateway's Management API: ``post_to_connection``."""

    def post(self, connection_id: str, data: bytes) -> None:
        """Raises ``Gone`` when the socket is closed."""
        ...


class PushSender(Protocol):
    def enroll(self, device: DeviceIn, user_data: str) -> str | None:
        """The push service's handle for the device (an SNS platform endpoint), or None."""
        ...

    def unenroll(self, device: Device) -> None: ...

    def send(self, device: Device, payload: dict) -> None:
        """Raises ``Gone`` when the push service says the device is no longer there."""
        ...


class TokenVerifier(Protocol):
    def verify(self, token: str) -> dict:
        """The token's verified claims; raises ``InvalidToken``."""
        ...
