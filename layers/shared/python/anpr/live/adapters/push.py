"""Push to devices: SNS mobile push (FCM, APNs platform applications) and Web Push (VAPID) on
AWS; a sink file on the local runtime. Payloads: ``anpr.live.service.push_payload`` (no plate
in clear, no image: they transit Google's, Apple's and browser vendors' services)."""

from __future__ import annotations

import json
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from anpr.kernel.clock import Clock
from anpr.kernel.db import StorageError
from anpr.kernel.errors import BadRequest
from anpr.live.models import Device, DeviceIn
from anpr.live.ports import Gone, PushSender


def _text(payload: dict) -> tuple[str, str]:
    title = f"{payload['priority'].upper()} {payload['category'].replace('_', ' ')}"
    return title, f"{payload['plate_masked']} ({payload['zone']})"


class SnsMobilePush:
    """One SNS platform endpoint per device token (``CreatePlatformEndpoint`` is idempotent)."""

    def __init__(self, sns_client, platform_apps: dict[str, str]):
        #: platform ("fcm", "apns") → platform application ARN
        self._sns, self.apps = sns_client, platform_apps

    def enroll(self, device: DeviceIn, user_data: str) -> str | None:
        app = self.apps.get(device.platform)
        if not app:
            raise BadRequest(f"{device.platform} push is not configured on this platform")
        try:
            arn = self._sns.create_platform_endpoint(PlatformApplicationArn=app, Token=device.token)[
                "EndpointArn"
            ]
            self._sns.set_endpoint_attributes(
                EndpointArn=arn, Attributes={"Enabled": "true", "CustomUserData": user_data}
            )
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"push endpoint not created: {exc}") from exc
        return arn

    def unenroll(self, device: Device) -> None:
        if device.endpoint_arn:
            try:
                self._sns.delete_endpoint(EndpointArn=device.endpoint_arn)
            except (ClientError, BotoCoreError) as exc:
                raise StorageError(f"push endpoint not deleted: {exc}") from exc

    def send(self, device: Device, payload: dict) -> None:
        title, body = _text(payload)
        high = payload["priority"] == "high"
        gcm = {
            "notification": {"title": title, "body": body},
            "data": payload,
            "android": {"priority": "high" if high else "normal"},
        }
        apns = {
            "aps": {
                "alert": {"title": title, "body": body},
                "sound": "default",
                "interruption-level": "time-sensitive" if high else "active",
            },
            **payload,
        }
        message = {
            "default": body,
            "GCM": json.dumps(gcm),
            "APNS": json.dumps(apns),
            "APNS_SANDBOX": json.dumps(apns),
        }
        try:
            self._sns.publish(
                TargetArn=device.endpoint_arn, MessageStructure="json", Message=json.dumps(message)
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("EndpointDisabled", "NotFound"):
                raise Gone(device.device_id) from exc
            raise StorageError(f"push not sent: {exc}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"push not sent: {exc}") from exc


class _NoEndpoint:
    """Senders that address the device directly (no endpoint to create or delete)."""

    def enroll(self, device: DeviceIn, user_data: str) -> str | None:
        return None

    def unenroll(self, device: Device) -> None:
        return None


class WebPush(_NoEndpoint):
    """Web Push with VAPID (RFC 8291/8292) through ``pywebpush``."""

    def __init__(self, private_key: str, subject: str, ttl_s: int = 300):
        self.private_key, self.subject, self.ttl_s = private_key, subject, ttl_s

    def send(self, device: Device, payload: dict) -> None:
        from pywebpush import WebPushException, webpush

        title, body = _text(payload)
        try:
            webpush(
                subscription_info=device.subscription,
                data=json.dumps({"title": title, "body": body, **payload}),
                vapid_private_key=self.private_key,
                vapid_claims={"sub": self.subject},
                ttl=self.ttl_s,
                timeout=10,
            )
        except WebPushException as exc:
            if exc.response is not None and exc.response.status_code in (404, 410):
                raise Gone(device.device_id) from exc
            raise StorageError(f"web push not sent: {exc}") from exc


class SinkPush(_NoEndpoint):
    """The local runtime's push service: one JSON line per push, read by tests and the demo."""

    def __init__(self, path: str | Path, clock: Clock):
        self.path, self.clock = Path(path), clock

    def send(self, device: Device, payload: dict) -> None:
        title, body = _text(payload)
        line = {
            "device_id": device.device_id,
            "user_id": device.user_id,
            "platform": device.platform,
            "title": title,
            "body": body,
            "data": payload,
            "at_ms": self.clock(),
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as f:  # O_APPEND: one short line, one write
            f.write(json.dumps(line) + "\n")


class ByPlatform:
    """Each device to the sender of its platform; a platform without one is refused (400)."""

    def __init__(self, senders: dict[str, PushSender]):
        self.senders = senders

    def _for(self, platform: str) -> PushSender:
        sender = self.senders.get(platform)
        if sender is None:
            raise BadRequest(f"{platform} push is not configured on this platform")
        return sender

    def enroll(self, device: DeviceIn, user_data: str) -> str | None:
        return self._for(device.platform).enroll(device, user_data)

    def unenroll(self, device: Device) -> None:
        self._for(device.platform).unenroll(device)

    def send(self, device: Device, payload: dict) -> None:
        self._for(device.platform).send(device, payload)
