"""``anpr patrol`` against moto: follows the zone queue, prints what to do, saves the crop,
acknowledges non-interactively through the API."""

import argparse
import io
import json
import urllib.error

import boto3
from anpr.alerts import cli as patrol_cli
from anpr.alerts.models import Category, WatchlistEntry, from_ms
from anpr.alerts.watchlist import DynamoWatchlistRepository

from local.resources import REGION
from tests.helpers import NOW_MS, FakeLambdaContext, sqs_event
from tests.integration.test_alerts_ingest import ZONE, ingest, snapshot_bodies  # noqa: F401


class RecordingApi:
    def __init__(self):
        self.acks = []

    def acknowledge(self, alert_id, outcome, comment):
        self.acks.append((alert_id, outcome, comment))
        return {}


def test_patrol_follows_its_zone_saves_the_crop_and_acknowledges(aws, ingest, tmp_path):  # noqa: F811
    # GIVEN a possible misread of a listed plate seen in the officer's zone
    now = NOW_MS
    DynamoWatchlistRepository(aws.name("table", "Watchlist"), REGION).create(
        WatchlistEntry(
            entry_id="e1",
            plate="1ABC234",
            category=Category.WANTED_PERSON,
            reason="warrant 7",
            owning_unit="PJF",
            handling_instructions="armed: do not approach alone",
            valid_from=from_ms(now - 3_600_000),
            expires=from_ms(now + 3_600_000),
            zones=[ZONE],
        )
    )
    ingest.lambda_handler(
        sqs_event(snapshot_bodies(aws, ("BXL-A", "1A8C234", now - 1000))), FakeLambdaContext()
    )
    # WHEN the officer follows the zone non-interactively
    sqs = boto3.client("sqs", region_name=REGION)
    url = patrol_cli.dispatch_queue_url(sqs, aws.prefix)
    api = RecordingApi()
    out = io.StringIO()
    s3 = boto3.client("s3", region_name=REGION)

    def fetch(presigned: str) -> bytes:  # moto: fetch the object the link names
        key = presigned.split(".amazonaws.com/", 1)[1].split("?", 1)[0]
        return s3.get_object(Bucket=aws.name("bucket", "Snapshots"), Key=key)["Body"].read()

    console = patrol_cli.PatrolConsole(
        feed=patrol_cli.QueueFeed(sqs, url, wait_s=0, zone=ZONE),
        api=api,
        crops_dir=tmp_path,
        out=out,
        outcome="misread",
        comment="it was 1A8C234",
        fetch=fetch,
    )
    [handled] = console.run(max_alerts=1)
    # THEN it shows plate, misread warning, where, what to do; saves the crop; acknowledges
    text = out.getvalue()
    assert "1A8C234" in text and "POSSIBLE MISREAD" in text and "Boulevard Anspach" in text
    assert "armed: do not approach alone" in text
    assert (tmp_path / f"{handled['alert_id']}_1.jpg").read_bytes()[:3] == b"\xff\xd8\xff"
    assert api.acks == [(handled["alert_id"], "misread", "it was 1A8C234")]
    # AND the queue is drained
    assert sqs.receive_message(QueueUrl=url).get("Messages") is None


def test_cli_parser_registers_patrol():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    patrol_cli.register(sub)
    args = parser.parse_args(["patrol", "--zone", ZONE, "--outcome", "stopped", "--max-alerts", "2"])
    assert args.func is patrol_cli.main and args.max_alerts == 2


def test_interactive_choice_other_needs_a_comment(tmp_path):
    answers = iter(["o", "", "driver fled on foot"])
    console = patrol_cli.PatrolConsole(
        feed=[], api=None, crops_dir=tmp_path, out=io.StringIO(), ask=lambda _: next(answers)
    )
    assert console.choose() == ("other", "driver fled on foot")


def test_api_source_outside_my_zones_says_why_and_exits_1(tmp_path):
    # GIVEN the API refuses the feed (the zone is not one of the officer's)
    reason = "zone BXL-5342 is not one of your zones (BXL-5339)"

    def refusing(req, timeout):
        body = io.BytesIO(json.dumps({"error": reason}).encode())
        raise urllib.error.HTTPError(req.full_url, 403, "Forbidden", {}, body)

    parser = argparse.ArgumentParser()
    patrol_cli.register(parser.add_subparsers())
    args = parser.parse_args(
        ["patrol", "--zone", "BXL-5342", "--source", "api", "--api", "http://api.test", "--token", "t"]
        + ["--crops", str(tmp_path), "--max-alerts", "1", "--outcome", "stopped"]
    )
    # WHEN the officer follows that zone
    out, err = io.StringIO(), io.StringIO()
    code = patrol_cli.main(args, out=out, err=err, opener=refusing)
    # THEN one line with the API's reason, exit 1, no traceback
    assert code == 1 and err.getvalue() == f"anpr patrol: HTTP 403: {reason}\n"


def test_an_unverified_alert_tells_the_officer_to_check_the_photo():
    alert = {
        "alert_id": "a-1",
        "priority": "medium",
        "category": "stolen_vehicle",
        "plate": "1ABC234",
        "entry_plate": "1ABC234",
        "match_kind": "exact",
        "unverified": True,
        "camera": {"camera_id": "BXL-A", "name": "Boulevard Anspach", "lat": 50.85, "lon": 4.35},
        "zone": ZONE,
        "capture_ms": NOW_MS - 5000,
        "confidence": 0.9,
        "reason": "stolen",
        "handling_instructions": "",
    }
    text = "\n".join(patrol_cli.render(alert, NOW_MS))
    assert "CAMERA READ ONLY" in text and "CHECK THE PHOTO" in text
