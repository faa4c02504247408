"""The quarantine browser (ops, served by NetworksApi): documents by reason a page at a time, and
a kept snapshot through a short presigned link, justified and audited (anpr.ingest.quarantine_api)."""

import json
import urllib.parse

import boto3
import pytest
from anpr.accountability.adapters.dynamo import DynamoAuditTrail
from anpr.ingest.quarantine import S3QuarantineStore
from anpr.kernel.clock import fixed
from anpr.networks import wiring
from anpr.reads.models import QuarantineReason, SnapshotRef

from local.resources import REGION
from tests.helpers import NOW_MS, FakeLambdaContext, api_event, claims
from tests.integration.conftest import load_handler

OLGA = claims("olga", "ops")
IVAN = claims("ivan", "investigator")
CASE = {"case_ref": "INC-2026-0042", "reason": "Camera GNT-1 sends unreadable images since Monday"}


@pytest.fixture
def quarantined(aws, function_env):
    """Three snapshots quarantined (two too large, one corrupt, its copy kept), one event message."""
    function_env("NetworksApi")
    module = load_handler("networks_api")
    module.function.services.use(wiring.api_services(clock=fixed(NOW_MS)))
    s3 = boto3.client("s3", region_name=REGION)
    snapshots = aws.name("bucket", "Snapshots")
    store = S3QuarantineStore(aws.name("bucket", "Quarantine"), fixed(NOW_MS))
    for i, reason in enumerate(["too_large", "too_large", "corrupt_image"]):
        key = f"snapshots/gent-lez/GNT-1/2026/11/18/10/{NOW_MS - i}_{i}.jpg"
        s3.put_object(Bucket=snapshots, Key=key, Body=b"\xff\xd8 not really a jpeg")
        store.quarantine(
            SnapshotRef(bucket=snapshots, key=key, size=21), QuarantineReason(reason), f"why {i}"
        )
    store.quarantine_event("m-1", "{not json", "not an S3 event")
    return module, aws


def call(module, path, who=OLGA, **query):
    resp = module.lambda_handler(api_event("GET", path, claims=who, query=query or None), FakeLambdaContext())
    return resp["statusCode"], json.loads(resp["body"])


def test_ops_page_through_the_quarantine_filtered_by_reason(quarantined):
    module, _ = quarantined
    # WHEN ops list the too-large snapshots one at a time
    status, first = call(module, "/quarantine", reason="too_large", limit="1")
    status2, second = call(module, "/quarantine", reason="too_large", limit="1", after=first["next"])
    # THEN each page holds one document with its camera, network, detail and time, then none left
    assert (status, status2) == (200, 200)
    items = first["items"] + second["items"]
    assert [i["reason"] for i in items] == ["too_large", "too_large"]
    assert {i["camera_id"] for i in items} == {"GNT-1"} and {i["network"] for i in items} == {"gent-lez"}
    assert {i["detail"] for i in items} == {"why 0", "why 1"} and all(i["image"] for i in items)
    assert items[0]["quarantined_ms"] == NOW_MS and second["next"] is None
    # AND unfiltered, the event message is listed too (no camera, no image)
    status, everything = call(module, "/quarantine")
    assert sorted(i["reason"] for i in everything["items"]) == [
        "corrupt_image",
        "malformed_event",
        "too_large",
        "too_large",
    ]
    assert next(i for i in everything["items"] if i["reason"] == "malformed_event")["image"] is False
    # AND an unknown reason is a 400, and no other role may list
    assert call(module, "/quarantine", reason="nope")[0] == 400
    assert call(module, "/quarantine", after="snapshots/\x00../x")[0] == 400
    assert call(module, "/quarantine", who=IVAN)[0] == 403


def test_a_quarantined_image_is_a_short_link_justified_and_audited(quarantined):
    module, aws = quarantined
    _, listing = call(module, "/quarantine", reason="corrupt_image")
    doc = listing["items"][0]["id"]
    # WHEN ops open it without a reason, then with one
    refused, out = call(module, "/quarantine/image", id=doc)
    status, image = call(module, "/quarantine/image", id=doc, **CASE)
    # THEN the first is a 400 saying why, the second a link living a minute to the kept copy
    assert refused == 400 and "case_ref" in out["error"]
    assert status == 200 and image["expires_s"] == 60
    url = urllib.parse.urlparse(image["url"])
    assert url.path.endswith(
        "corrupt_image/snapshots/gent-lez/GNT-1/2026/11/18/10/"
        + doc.split("/")[-1].removesuffix(".reason.json")
    )
    # AND both are in the audit trail with the person, the refusal denied
    trail = DynamoAuditTrail(aws.name("table", "AuditTrail"), REGION, clock=fixed(NOW_MS))
    events = [r.event for r in trail.records() if r.event.action == "quarantine.image_viewed"]
    assert [(e.actor_name, e.outcome, e.case_ref) for e in events] == [
        ("olga", "denied", None),
        ("olga", "allowed", CASE["case_ref"]),
    ]
    # AND an event message has no image (404), a key outside the documents is a 400
    _, events_page = call(module, "/quarantine", reason="malformed_event")
    assert call(module, "/quarantine/image", id=events_page["items"][0]["id"], **CASE)[0] == 404
    assert call(module, "/quarantine/image", id="too_large/snapshots/x.jpg", **CASE)[0] == 400
