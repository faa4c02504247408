"""Alerts → the SNS topic, as one message per send with:

- message attributes ``zone`` (String.Array: the zone where it was seen, plus "national" for
  national entries), ``priority``, ``category``, ``match_kind``: subscribers filter on them
  (per-zone queues, dispatch: ``anpr.alerts.spec``);
- ``MessageStructure="json"``: ``default`` is the full alert as plain JSON (SQS and HTTPS
  dispatch), ``GCM`` (FCM) and ``APNS``/``APNS_SANDBOX`` are the mobile push payloads.

Push payloads travel through Google's and Apple's services, so they carry no plate in clear
and no photo URL: the masked plate, category, priority, place and the alert id, which the app
opens through the authenticated API (recorded as "alert viewed"). The full message (plate,
camera, time, confidence, entry reason and handling instructions, presigned links to the crop
and snapshot, valid ``presign_ttl_s`` seconds) stays on AWS-internal channels.
"""

from __future__ import annotations

import json

from anpr.alerts.models import Alert
from anpr.alerts.ports import Presigner
from anpr.reads.plates import mask

MESSAGE_SCHEMA = "anpr.alert/1"


class NoPresigner:
    def url(self, bucket: str, key: str | None) -> str | None:
        return None


def alert_message(alert: Alert, presigner: Presigner, sent_ms: int, ttl_s: int = 900) -> dict:
    """The plain JSON every dispatch subscriber receives (also returned by GET /alerts/{id})."""
    s = alert.latest
    return {
        "schema": MESSAGE_SCHEMA,
        "alert_id": alert.alert_id,
        "send": alert.sent_count + 1,  # 1 = first send; subscribers dedupe on (alert_id, send)
        "status": alert.status,
        "plate": alert.plate,
        "entry_plate": alert.entry_plate,
        "match_kind": alert.match_kind.value,
        "priority": alert.priority.value,
        "category": alert.category.value,
        "reason": alert.reason,
        "handling_instructions": alert.handling_instructions,
        "owning_unit": alert.owning_unit,
        "country": s.country,
        "entry_country": alert.entry_country,
        "country_mismatch": alert.country_mismatch,
        "zone": s.zone,
        "national": alert.national,
        #: camera-supplied metadata alone, no image evidence from our reader: check the photo
        "unverified": alert.unverified,
        "camera": {
            "camera_id": s.camera_id,
            "name": s.camera_name,
            "lat": s.lat,
            "lon": s.lon,
            "heading": s.heading,
            "direction": s.direction,
        },
        "capture_ms": s.capture_ms,
        "ingested_ms": s.ingested_ms,
        "confidence": round(s.confidence, 3),
        "read_id": s.read_id,
        "sighting_count": alert.sighting_count,
        "first_seen_ms": alert.first.capture_ms,
        "crop_url": presigner.url(s.snapshot_bucket, s.crop_key),
        "snapshot_url": presigner.url(s.snapshot_bucket, s.snapshot_key),
        "urls_expire_ms": sent_ms + ttl_s * 1000,
        "sent_ms": sent_ms,
        **_handling(alert),
    }


def _push_text(alert: Alert) -> tuple[str, str]:
    s = alert.latest
    title = f"{alert.priority.value.upper()} {alert.category.value.replace('_', ' ')}"
    if alert.match_kind.value == "possible_misread":
        title += " (possible misread: check the photo)"
    elif alert.unverified:
        title += " (camera read only: check the photo)"
    where = s.camera_name or s.camera_id
    return title, f"{mask(alert.plate)} at {where} ({s.zone})"


def push_payloads(alert: Alert) -> dict[str, str]:
    title, body = _push_text(alert)
    data = {
        "alert_id": alert.alert_id,
        "priority": alert.priority.value,
        "category": alert.category.value,
        "match_kind": alert.match_kind.value,
        "zone": alert.latest.zone,
    }
    gcm = {
        "notification": {"title": title, "body": body},
        "data": data,
        "android": {"priority": "high" if alert.priority.value == "high" else "normal"},
    }
    apns = {
        "aps": {
            "alert": {"title": title, "body": body},
            "sound": "default",
            "interruption-level": "time-sensitive" if alert.priority.value == "high" else "active",
        },
        **data,
    }
    return {"GCM": json.dumps(gcm), "APNS": json.dumps(apns), "APNS_SANDBOX": json.dumps(apns)}


def message_attributes(alert: Alert) -> dict:
    return {
        "zone": {"DataType": "String.Array", "StringValue": json.dumps(alert.target_zones)},
        "priority": {"DataType": "String", "StringValue": alert.priority.value},
        "category": {"DataType": "String", "StringValue": alert.category.value},
        "match_kind": {"DataType": "String", "StringValue": alert.match_kind.value},
        "alert_id": {"DataType": "String", "StringValue": alert.alert_id},
    }


def alert_view(alert: Alert, presigner: Presigner, now_ms: int, ttl_s: int = 900) -> dict:
    """GET /alerts/{id}: the message, its acknowledgement and every kept sighting."""
    view = alert_message(alert, presigner, now_ms, ttl_s)
    view.pop("send")
    view.pop("sent_ms")
    view["sent_count"] = alert.sent_count
    view["acknowledgement"] = alert.acknowledgement.model_dump(mode="json") if alert.acknowledgement else None
    view["sightings"] = [
        s.model_dump(mode="json", exclude={"snapshot_bucket", "snapshot_key", "crop_key"})
        for s in alert.sightings
    ]
    return view


def alert_summary(alert: Alert) -> dict:
    """One line of the patrol feed (no links: open the alert to get them, audited)."""
    s = alert.latest
    return {
        "alert_id": alert.alert_id,
        "status": alert.status,
        "plate": alert.plate,
        "match_kind": alert.match_kind.value,
        "priority": alert.priority.value,
        "category": alert.category.value,
        "zone": s.zone,
        "national": alert.national,
        "unverified": alert.unverified,
        "camera_name": s.camera_name,
        "capture_ms": s.capture_ms,
        "sighting_count": alert.sighting_count,
        "outcome": alert.acknowledgement.outcome.value if alert.acknowledgement else None,
        **_handling(alert),
    }


def _handling(alert: Alert) -> dict:
    """Who took it and whether it was escalated: every officer of the zone sees it."""
    return {
        "claimed_by": (alert.claim.by_name or alert.claim.by_id) if alert.claim else None,
        "claimed_ms": alert.claim.at_ms if alert.claim else None,
        "escalated": alert.escalated_ms is not None,
    }
