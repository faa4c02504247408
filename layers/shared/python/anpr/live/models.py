"""Who is connected (a WebSocket connection), which devices take push, and what goes to them."""

from __future__ import annotations

import hashlib
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator

from anpr.kernel.auth import NATIONAL_SCOPE, Caller

Platform = Literal["fcm", "apns", "webpush"]
#: what the fan-out posts on the socket: a new alert (or a re-send), a claim, a close
MessageType = Literal["alert", "alert.claimed", "alert.closed"]
LIVE_SCHEMA = "anpr.live/1"


class Member(BaseModel):
    """A person as the live channel keeps them: from the verified token, never from the client."""

    model_config = ConfigDict(frozen=True)

    user_id: str
    username: str
    groups: tuple[str, ...]
    zones: tuple[str, ...]

    @staticmethod
    def fields_of(caller: Caller) -> dict:
        return {
            "user_id": caller.user_id,
            "username": caller.username,
            "groups": tuple(sorted(caller.groups)),
            "zones": tuple(sorted(caller.zones)),
        }

    def caller(self) -> Caller:
        return Caller(self.user_id, self.username, frozenset(self.groups), frozenset(self.zones))


class Connection(Member):
    connection_id: str
    connected_ms: int
    expires_at: int  # epoch seconds (DynamoDB TTL): API Gateway closes a socket after 2 h

    @property
    def key(self) -> str:
        return self.connection_id


class WebPushKeys(BaseModel):
    model_config = ConfigDict(extra="forbid")

    p256dh: str = Field(min_length=16, max_length=200)
    auth: str = Field(min_length=8, max_length=100)


class WebPushSubscription(BaseModel):
    """The browser's ``PushSubscription.toJSON()``."""

    model_config = ConfigDict(extra="ignore")

    endpoint: HttpUrl
    keys: WebPushKeys


class DeviceIn(BaseModel):
    """``POST /devices``: a phone's FCM/APNs token, or the web app's push subscription."""

    model_config = ConfigDict(extra="forbid")

    platform: Platform
    token: str | None = Field(default=None, min_length=8, max_length=4096, pattern=r"^[A-Za-z0-9_:\-.]+$")
    subscription: WebPushSubscription | None = None

    @model_validator(mode="after")
    def _one_address(self):
        if self.platform == "webpush" and (self.subscription is None or self.token is not None):
            raise ValueError("webpush needs a subscription {endpoint, keys: {p256dh, auth}} and no token")
        if self.platform != "webpush" and (self.token is None or self.subscription is not None):
            raise ValueError(f"{self.platform} needs the device token and no subscription")
        return self

    @property
    def address(self) -> str:
        """What identifies the device to its push service."""
        return self.token if self.subscription is None else str(self.subscription.endpoint)

    @property
    def device_id(self) -> str:
        """One device, one registration: the same token registered again is the same device."""
        return hashlib.sha256(f"{self.platform}#{self.address}".encode()).hexdigest()[:32]


class Device(Member):
    device_id: str
    platform: Platform
    token: str | None = None
    subscription: dict | None = None
    #: the SNS platform endpoint (fcm, apns); None for webpush
    endpoint_arn: str | None = None
    registered_ms: int
    expires_at: int

    @property
    def key(self) -> str:
        return self.device_id

    def public(self) -> dict:
        """What the API answers: never the token or the subscription keys back."""
        return {
            "device_id": self.device_id,
            "platform": self.platform,
            "zones": list(self.zones),
            "registered_ms": self.registered_ms,
        }


def audience(zones_seen: frozenset[str], national_entry: bool) -> tuple[str, ...] | None:
    """The zone keys whose members get an alert: the zones it was seen in plus national scope;
    None = everyone (a national entry's alert is for every zone)."""
    if national_entry:
        return None
    return tuple(sorted({*zones_seen, NATIONAL_SCOPE}))
