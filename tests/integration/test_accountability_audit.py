"""The DynamoDB + S3 audit trail on moto, and ``anpr audit`` against it."""

import argparse
import json
from itertools import pairwise

import boto3
import pytest
from anpr.accountability import cli as accountability_cli
from anpr.accountability.adapters.dynamo import DynamoAuditTrail
from anpr.accountability.adapters.s3 import S3AuditArchive
from anpr.accountability.settings import AuditTrailSettings
from anpr.accountability.verify import verify_store
from anpr.accountability.wiring import trail_from
from anpr.kernel.audit import AuditEvent
from anpr.kernel.clock import fixed
from anpr.kernel.db import StorageError

from local.resources import REGION
from tests.helpers import NOW_MS


def event(i: int, actor: str = "alice", plates=("1ABC234",), action: str = "search.submitted") -> AuditEvent:
    return AuditEvent(
        action=action, actor_id=f"sub-{actor}", actor_name=actor, roles=["investigator"], resource=f"search/{i}",
        plates=list(plates), case_ref="PV-2026-001", reason="burglary follow-up", detail={"type": "plate"},
        at_ms=NOW_MS + i,
    )  # fmt: skip


@pytest.fixture
def trail(aws):
    archive = S3AuditArchive(aws.name("bucket", "AuditArchive"), region=REGION)
    return DynamoAuditTrail(aws.name("table", "AuditTrail"), REGION, archive=archive, clock=fixed(NOW_MS))


@pytest.fixture
def ddb():
    return boto3.client("dynamodb", region_name=REGION)


def cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="anpr")
    accountability_cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    return args.func(args)


def test_records_are_chained_in_order_and_mirrored(trail, aws):
    recs = [trail.record(event(i)) for i in range(5)]
    assert [r.seq for r in recs] == [1, 2, 3, 4, 5]
    assert all(b.prev_hash == a.hash for a, b in pairwise(recs))
    assert [r.seq for r in trail.archive.records()] == [1, 2, 3, 4, 5]
    report = verify_store(trail, trail.archive)
    assert report.ok and report.head_seq == 5


def test_two_writers_with_stale_heads_never_fork_the_chain(aws, trail):
    # GIVEN two containers that each believe they know the head
    other = DynamoAuditTrail(
        aws.name("table", "AuditTrail"), REGION, archive=trail.archive, clock=fixed(NOW_MS)
    )
    trail.record(event(0))
    other.record(event(1))  # other learnt the head from the failed conditional put
    trail.record(event(2))  # trail's cached head is stale: it retries on top of the winner
    other.record(event(3))
    assert [r.seq for r in trail.records()] == [1, 2, 3, 4]
    assert verify_store(trail, trail.archive).ok


def test_a_new_container_finds_the_end_of_the_chain_with_put_item_only(aws, trail, ddb):
    for i in range(3):
        trail.record(event(i))
    # GIVEN the head hint lags behind (a writer died between its record and the hint)
    ddb.put_item(TableName=aws.name("table", "AuditTrail"), Item={
        "chain": {"S": "HEAD"}, "seq": {"N": "0"}, "head_seq": {"N": "1"}, "head_hash": {"S": next(iter(trail.records())).hash},
    })  # fmt: skip
    # WHEN a fresh container records THEN it walks forward to the true end: no fork, no gap
    fresh = DynamoAuditTrail(
        aws.name("table", "AuditTrail"), REGION, archive=trail.archive, clock=fixed(NOW_MS)
    )
    assert fresh.record(event(3)).seq == 4
    assert verify_store(trail, trail.archive).ok


def test_the_archive_is_write_once(trail):
    rec = trail.record(event(0))
    with pytest.raises(StorageError, match="write-once"):
        trail.archive.put(rec)


def test_who_accessed_reads_the_plate_index(trail):
    trail.record(event(0, "alice", plates=("1ABC234",)))
    trail.record(event(1, "bob", plates=("2XYZ999",)))
    trail.record(event(2, "carol", plates=("1ABC234", "2XYZ999"), action="alert.viewed"))
    assert [r.event.actor_name for r in trail.by_plate("1-abc-234")] == ["alice", "carol"]
    assert [r.seq for r in trail.by_actor("sub-bob", NOW_MS - 1, NOW_MS + 10)] == [2]
    assert [r.seq for r in trail.between(NOW_MS, NOW_MS + 1)] == [1, 2]


def test_the_trail_reads_its_names_from_the_function_env(aws, function_env):
    function_env("Api")
    trail = trail_from(AuditTrailSettings(), clock=fixed(NOW_MS))
    trail.record(event(0))
    assert trail.archive is not None and [r.seq for r in trail.records()] == [1]


# -- anpr audit verify ------------------------------------------------------------------


@pytest.fixture
def cli_env(aws, monkeypatch):
    monkeypatch.delenv("ANPR_API", raising=False)  # these tests read AWS directly
    monkeypatch.setenv("ANPR_TABLE_AUDIT_TRAIL", aws.name("table", "AuditTrail"))
    monkeypatch.setenv("ANPR_BUCKET_AUDIT_ARCHIVE", aws.name("bucket", "AuditArchive"))


def test_anpr_audit_verify_passes_on_an_untouched_trail(trail, cli_env, capsys):
    for i in range(4):
        trail.record(event(i))
    assert cli("audit", "verify") == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True


def test_anpr_audit_verify_detects_an_altered_record(trail, cli_env, ddb, aws, capsys):
    for i in range(4):
        trail.record(event(i))
    # GIVEN someone with table access rewrites record 2's reason
    table = aws.name("table", "AuditTrail")
    item = ddb.get_item(TableName=table, Key={"chain": {"S": "AUDIT"}, "seq": {"N": "2"}})["Item"]
    item["body"]["S"] = item["body"]["S"].replace("burglary follow-up", "just curious, sorry")
    ddb.put_item(TableName=table, Item=item)
    # THEN anpr audit verify fails and names the record
    assert cli("audit", "verify") == 1
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert {"seq": 2, "kind": "altered"} in [{"seq": p["seq"], "kind": p["kind"]} for p in problems]


def test_anpr_audit_verify_detects_a_deleted_record(trail, cli_env, ddb, aws, capsys):
    for i in range(4):
        trail.record(event(i))
    ddb.delete_item(
        TableName=aws.name("table", "AuditTrail"), Key={"chain": {"S": "AUDIT"}, "seq": {"N": "3"}}
    )
    assert cli("audit", "verify") == 1
    kinds = {(p["seq"], p["kind"]) for p in json.loads(capsys.readouterr().out)["problems"]}
    assert (3, "missing") in kinds


def test_anpr_audit_verify_detects_a_deleted_last_record_from_the_locked_mirror(
    trail, cli_env, ddb, aws, capsys
):
    for i in range(4):
        trail.record(event(i))
    ddb.delete_item(
        TableName=aws.name("table", "AuditTrail"), Key={"chain": {"S": "AUDIT"}, "seq": {"N": "4"}}
    )
    # the chain alone cannot see a cut tail, but the plate pointer left behind can
    assert cli("audit", "verify", "--no-archive") == 1
    assert (4, "pointer_orphan") in {
        (p["seq"], p["kind"]) for p in json.loads(capsys.readouterr().out)["problems"]
    }
    assert cli("audit", "verify") == 1
    assert (4, "missing") in {(p["seq"], p["kind"]) for p in json.loads(capsys.readouterr().out)["problems"]}


def test_anpr_audit_who_accessed_is_itself_recorded(trail, cli_env, capsys):
    trail.record(event(0, "alice"))
    trail.record(event(1, "bob", plates=("2XYZ999",)))
    assert (
        cli(
            "audit",
            "who-accessed",
            "1-ABC-234",
            "--case-ref",
            "COC-2026-12",
            "--reason",
            "citizen complaint 12",
        )
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert [a["actor_name"] for a in report["accesses"]] == ["alice"]
    last = list(trail.records())[-1].event
    assert (last.action, last.case_ref, last.plates) == ("audit.accesses_viewed", "COC-2026-12", ["1ABC234"])


def test_anpr_transparency_prints_figures_without_plates(trail, cli_env, aws, monkeypatch, capsys):
    monkeypatch.setenv("ANPR_TABLE_PROBES", aws.name("table", "Probes"))
    monkeypatch.setenv("ANPR_TABLE_CAMERAS", aws.name("table", "Cameras"))
    monkeypatch.setenv("ANPR_TABLE_READS", aws.name("table", "Reads"))
    trail.record(event(0))
    assert cli("transparency", "--from", str(NOW_MS - 1000), "--to", str(NOW_MS + 1000)) == 0
    out = capsys.readouterr().out
    assert json.loads(out)["searches"]["total"] == 1 and "1ABC234" not in out


def test_the_mirror_writes_into_an_object_lock_compliance_bucket(aws):
    # GIVEN a bucket as AWS will have it (Object Lock, compliance mode, default retention)
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(
        Bucket="locked-audit",
        CreateBucketConfiguration={"LocationConstraint": REGION},
        ObjectLockEnabledForBucket=True,
    )
    s3.put_object_lock_configuration(
        Bucket="locked-audit",
        ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 3650}},
        },
    )
    trail = DynamoAuditTrail(
        aws.name("table", "AuditTrail"),
        REGION,
        archive=S3AuditArchive("locked-audit", s3=s3),
        clock=fixed(NOW_MS),
    )
    trail.record(event(0))
    # THEN the record is there, under compliance retention, and cannot be deleted
    key = S3AuditArchive.key(1)
    head = s3.head_object(Bucket="locked-audit", Key=key)
    assert head["ObjectLockMode"] == "COMPLIANCE"
    with pytest.raises(s3.exceptions.ClientError):
        s3.delete_object(Bucket="locked-audit", Key=key, VersionId=head["VersionId"])
    assert verify_store(trail, trail.archive).ok


# -- what the reports rely on: index attributes and plate pointers (issue 11, finding 5) ---


@pytest.mark.parametrize(
    ("attribute", "forged"),
    [
        ("day_pk", {"S": "D#19700101"}),
        ("actor_pk", {"S": "A#sub-nobody"}),
        ("at_sk", {"S": "0000000000000#000000000002"}),
        ("action", {"S": "probe.drawn"}),
    ],
)
def test_anpr_audit_verify_detects_a_rewritten_index_attribute(
    trail, cli_env, ddb, aws, capsys, attribute, forged
):
    for i in range(4):
        trail.record(event(i))
    # GIVEN someone rewrites an index attribute of record 2 (the body and its hash untouched),
    # which hides it from the transparency figures or the actor's history
    table = aws.name("table", "AuditTrail")
    item = ddb.get_item(TableName=table, Key={"chain": {"S": "AUDIT"}, "seq": {"N": "2"}})["Item"]
    ddb.put_item(TableName=table, Item=item | {attribute: forged})
    # WHEN anpr audit verify runs THEN it exits non-zero and names the record and the attribute
    assert cli("audit", "verify") == 1
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert [(p["seq"], p["kind"]) for p in problems] == [(2, "index_mismatch")]
    assert attribute in problems[0]["detail"]


def test_anpr_audit_verify_detects_deleted_plate_pointers(trail, cli_env, ddb, aws, capsys):
    trail.record(event(0, plates=("1ABC234",)))
    trail.record(event(1, plates=("1ABC234", "2XYZ999")))
    # GIVEN the pointer items of plate 1ABC234 are deleted: who-accessed would show nothing
    table = aws.name("table", "AuditTrail")
    for seq in (1, 2):
        ddb.delete_item(TableName=table, Key={"chain": {"S": "P#1ABC234"}, "seq": {"N": str(seq)}})
    assert trail.by_plate("1ABC234") == []
    # THEN verify finds every missing pointer from the bodies, and fails
    assert cli("audit", "verify") == 1
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert [(p["seq"], p["kind"]) for p in problems] == [(1, "pointer_missing"), (2, "pointer_missing")]
    assert all("1ABC234" in p["detail"] for p in problems)


def test_anpr_audit_verify_detects_a_pointer_to_a_record_that_does_not_name_the_plate(
    trail, cli_env, ddb, aws, capsys
):
    trail.record(event(0, plates=("1ABC234",)))
    trail.record(event(1, plates=("2XYZ999",)))
    # GIVEN a forged pointer attributing record 2 to plate 1ABC234
    ddb.put_item(TableName=aws.name("table", "AuditTrail"), Item={
        "chain": {"S": "P#1ABC234"}, "seq": {"N": "2"}, "at_ms": {"N": str(NOW_MS + 1)},
        "action": {"S": "search.submitted"},
    })  # fmt: skip
    assert cli("audit", "verify") == 1
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert [(p["seq"], p["kind"]) for p in problems] == [(2, "pointer_orphan")]


def test_anpr_transparency_to_a_date_includes_that_day_and_counts_alerts_raised(
    trail, cli_env, aws, monkeypatch, capsys
):
    monkeypatch.setenv("ANPR_TABLE_PROBES", aws.name("table", "Probes"))
    monkeypatch.setenv("ANPR_TABLE_CAMERAS", aws.name("table", "Cameras"))
    monkeypatch.setenv("ANPR_TABLE_ALERTS", aws.name("table", "Alerts"))
    nov_30_evening = 1_796_068_800_000  # 2026-11-30T20:00:00Z
    # GIVEN a search on the evening of the 30th, and one alert that day, looked at many times
    trail.record(event(0).model_copy(update={"at_ms": nov_30_evening}))
    for i in range(3):
        trail.record(event(i + 1, "pat", action="alert.viewed").model_copy(
            update={"at_ms": nov_30_evening + i, "resource": "alert/A1"}))  # fmt: skip
    ddb = boto3.client("dynamodb", region_name=REGION)
    ack = {"outcome": "vehicle_stopped", "by_id": "sub-pat", "at_ms": nov_30_evening + 60_000}
    ddb.put_item(TableName=aws.name("table", "Alerts"), Item={  # the alerts store's item: pk A#..., JSON doc
        "pk": {"S": "A#A1"}, "zone_status": {"S": "BXL-5339#acknowledged"}, "seen_sk": {"S": "x"},
        "doc": {"S": json.dumps({"alert_id": "A1", "feed_zone": "BXL-5339", "created_ms": nov_30_evening - 1000,
                                 "acknowledgement": ack})},
    })  # fmt: skip
    ddb.put_item(TableName=aws.name("table", "Alerts"), Item={  # and one in another zone nobody answered
        "pk": {"S": "A#A2"}, "zone_status": {"S": "BXL-5342#open"}, "seen_sk": {"S": "y"},
        "doc": {"S": json.dumps({"alert_id": "A2", "feed_zone": "BXL-5342", "created_ms": nov_30_evening})},
    })  # fmt: skip
    # WHEN the report runs to the 30th THEN the 30th is in it, and stated as included
    assert cli("transparency", "--from", "2026-11-01", "--to", "2026-11-30", "--no-reads") == 0
    out = json.loads(capsys.readouterr().out)
    assert out["period"] == "2026-11-01 to 2026-11-30, both days included (UTC)"
    assert out["searches"]["total"] == 1
    assert (out["watchlist_hits"], out["alerts"]["by_outcome"]) == (2, {"vehicle_stopped": 1})
    # AND the follow-up rate per zone (issue 13): every alert of one zone answered, none of the other
    assert out["alerts"]["follow_up_by_zone"] == {
        "BXL-5339": {"raised": 1, "closed": 1, "follow_up_rate": 1.0},
        "BXL-5342": {"raised": 1, "closed": 0, "follow_up_rate": 0.0},
    }


# -- the CLI through the API, as the person logged in (issue 17, item 2) -----------------------


@pytest.fixture
def api_server(aws, rest_function, cameras):
    """The audit API function behind a localhost HTTP server: bearer token "user:group"."""
    import re
    import threading
    import urllib.parse
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from anpr.accountability.wiring import audit_api_services
    from anpr.kernel.platform import API_ROUTES

    from tests.helpers import FakeLambdaContext, api_event, claims

    handler = rest_function("AuditApi", "audit_api", audit_api_services)
    routes = [(r, re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", r.path) + "$")) for r in API_ROUTES]

    class Gateway(BaseHTTPRequestHandler):
        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            path = urllib.parse.unquote(url.path)
            route, params = next(
                (r, m.groupdict()) for r, m in ((r, rx.match(path)) for r, rx in routes) if m
            )
            user, group = self.headers["Authorization"].removeprefix("Bearer ").split(":")
            query = dict(urllib.parse.parse_qsl(url.query))
            resp = handler.lambda_handler(api_event("GET", route.path, path, claims=claims(user, group),
                                                    query=query, path_params=params), FakeLambdaContext())  # fmt: skip
            self.send_response(resp["statusCode"])
            self.end_headers()
            self.wfile.write(resp["body"].encode())

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", handler
    server.shutdown()


def test_the_audit_cli_goes_through_the_api_as_the_person(api_server, capsys):
    url, handler = api_server
    trail = handler.function.services().trail
    trail.record(event(0, "alice"))
    # WHEN auditor "aud" asks who accessed the plate through the API
    assert cli("audit", "who-accessed", "1-ABC-234", "--case-ref", "COC-2026-12", "--reason",
               "citizen complaint 12", "--api", url, "--token", "aud:auditor") == 0  # fmt: skip
    # THEN the answer comes from the API, and the access is recorded under their own name
    assert [a["actor_name"] for a in json.loads(capsys.readouterr().out)["accesses"]] == ["alice"]
    last = list(trail.records())[-1].event
    assert (last.action, last.actor_name, last.roles) == ("audit.accesses_viewed", "aud", ["auditor"])
    assert cli("audit", "verify", "--api", url, "--token", "aud:auditor") == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True
    assert (
        cli(
            "transparency",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
            "--api",
            url,
            "--token",
            "sup:supervisor",
        )
        == 0
    )
    assert (
        json.loads(capsys.readouterr().out)["period"] == "2026-11-01 to 2026-11-30, both days included (UTC)"
    )


def test_the_audit_cli_prints_the_api_s_refusal_in_one_line(api_server):
    url, _ = api_server
    # a patrol officer may not run the oversight query: the API's reason, no traceback
    with pytest.raises(
        SystemExit,
        match=r"^anpr: GET /audit/plates/\{plate\}/accesses requires one of \['auditor'\].*\(HTTP 403\)$",
    ):
        cli("audit", "who-accessed", "1ABC234", "--case-ref", "COC-2026-12", "--reason", "citizen complaint 12",
            "--api", url, "--token", "pat:patrol")  # fmt: skip
    with pytest.raises(SystemExit, match=r"^anpr: cannot reach the API at http://127.0.0.1:9"):
        cli("audit", "verify", "--api", "http://127.0.0.1:9", "--token", "aud:auditor")
