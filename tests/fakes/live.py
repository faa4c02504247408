"""Fakes of the live channel's ports (same contracts as the adapters)."""

from __future__ import annotations

from anpr.live.models import Device, DeviceIn
from anpr.live.ports import Gone, InvalidToken


class InMemoryMemberStore:
    def __init__(self):
        self.items: dict[str, object] = {}

    def put(self, item) -> None:
        self.items[item.key] = item

    def get(self, key: str):
        return self.items.get(key)

    def delete(self, key: str) -> None:
        self.items.pop(key, None)

    def members(self, zones) -> list:
        if zones is None:
            return list(self.items.values())
        wanted = set(zones)
        return [i for i in self.items.values() if wanted & set(i.zones)]


class RecordingPoster:
    """The Management API: what each connection was sent; ``closed`` ones answer Gone."""

    def __init__(self, closed: set[str] = frozenset()):
        self.sent: dict[str, list[bytes]] = {}
        self.closed = set(closed)

    def post(self, connection_id: str, data: bytes) -> None:
        if connection_id in self.closed:
            raise Gone(connection_id)
        self.sent.setdefault(connection_id, []).append(data)


class RecordingPush:
    def __init__(self, gone: set[str] = frozenset()):
        self.sent: list[tuple[str, dict]] = []
        self.enrolled: list[str] = []
        self.unenrolled: list[str] = []
        self.gone = set(gone)

    def enroll(self, device: DeviceIn, user_data: str) -> str | None:
        self.enrolled.append(device.device_id)
        return f"arn:aws:sns:eu-west-1:1:endpoint/{device.platform}/{device.device_id}"

    def unenroll(self, device: Device) -> None:
        self.unenrolled.append(device.device_id)

    def send(self, device: Device, payload: dict) -> None:
        if device.device_id in self.gone:
            raise Gone(device.device_id)
        self.sent.append((device.device_id, payload))


class TableVerifier:
    """Tokens are keys of a dict of claims; anything else is refused."""

    def __init__(self, tokens: dict[str, dict]):
        self.tokens = tokens

    def verify(self, token: str) -> dict:
        if token not in self.tokens:
            raise InvalidToken("token refused: bad signature")
        return self.tokens[token]
