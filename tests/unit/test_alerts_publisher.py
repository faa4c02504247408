"""The SNS message: attributes to filter on, plain JSON for dispatch, push payloads without
the plate in clear."""

import json

from anpr.alerts.models import Match, MatchKind, new_alert
from anpr.alerts.publisher import SnsAlertPublisher, message_attributes
from anpr.alerts.service import sighting_of

from tests.builders.alerts import ZONE, entry, read
from tests.helpers import NOW_MS


class FakeSns:
    def __init__(self):
        self.calls = []

    def publish(self, **kw):
        self.calls.append(kw)
        return {"MessageId": "m1"}


class FakePresigner:
    def url(self, bucket, key):
        return f"https://{bucket}.s3/{key}?X-Amz-Expires=900" if key else None


def alert(kind=MatchKind.EXACT, **entry_kw):
    m = Match(entry=entry(**entry_kw), kind=kind, read_plate="1ABC234")
    return new_alert(m, sighting_of(read(), camera_name="Rue de la Loi"), NOW_MS)


def test_message_carries_what_the_officer_needs_and_attributes_to_filter_on():
    sns = FakeSns()
    SnsAlertPublisher("arn:topic", sns, FakePresigner(), clock=lambda: NOW_MS).publish(alert())
    [call] = sns.calls
    assert call["MessageStructure"] == "json"
    body = json.loads(call["Message"])
    default = json.loads(body["default"])
    assert default["plate"] == "1ABC234" and default["match_kind"] == "exact"
    assert default["camera"]["name"] == "Rue de la Loi" and default["camera"]["heading"] == 90.0
    assert default["handling_instructions"].startswith("Do not stop alone")
    assert default["crop_url"].startswith("https://snaps.s3/crops/") and default["snapshot_url"]
    assert default["urls_expire_ms"] == NOW_MS + 900_000
    attrs = call["MessageAttributes"]
    assert json.loads(attrs["zone"]["StringValue"]) == [ZONE, "national"]
    assert attrs["zone"]["DataType"] == "String.Array"
    assert attrs["priority"]["StringValue"] == "high"
    assert attrs["match_kind"]["StringValue"] == "exact"


def test_push_payloads_never_carry_the_plate_in_clear_nor_links():
    sns = FakeSns()
    SnsAlertPublisher("arn:topic", sns, FakePresigner(), clock=lambda: NOW_MS).publish(alert())
    body = json.loads(sns.calls[0]["Message"])
    for key in ("GCM", "APNS", "APNS_SANDBOX"):
        assert "1ABC234" not in body[key] and "https://" not in body[key]
    gcm = json.loads(body["GCM"])
    assert gcm["data"]["alert_id"] and gcm["notification"]["body"].startswith("1*****4")


def test_zone_limited_entry_targets_only_the_zone_it_was_seen_in():
    attrs = message_attributes(alert(zones=[ZONE]))
    assert json.loads(attrs["zone"]["StringValue"]) == [ZONE]
    assert message_attributes(alert(kind=MatchKind.POSSIBLE_MISREAD))["priority"]["StringValue"] == "medium"
