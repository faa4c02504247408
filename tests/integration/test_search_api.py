"""Search API + task on moto: submit (202), walk the ASL with the real task handler, read results."""

import json
from urllib.parse import parse_qs, urlparse

import boto3
import pytest
from anpr.kernel.clock import fixed
from anpr.kernel.platform import ROOT
from anpr.reads.cameras import DynamoCameraRegistry
from anpr.reads.repository import DynamoPlateReadRepository
from anpr.search import synthetic as syn
from anpr.search import wiring

from local.resources import REGION
from tests.builders.search import plate_read
from tests.helpers import NOW_MS, FakeLambdaContext, api_event, claims
from tests.integration.conftest import load_handler
from tests.integration.sfn_local import walk

HOUR = 3_600_000
IVAN = claims("ivan", "investigator")
ASL = json.loads((ROOT / "infra/statemachines/search.asl.json").read_text())


def search_handlers(aws, function_env):
    """The search API and task handlers wired at NOW_MS, and five registered cameras on a line."""
    function_env("SearchApi")
    function_env("SearchTask")
    api, task = load_handler("search_api"), load_handler("search_task")
    api.function.services.use(wiring.api_services(clock=fixed(NOW_MS)))
    task.services.use(wiring.task_services(clock=fixed(NOW_MS)))
    cams = syn.cameras_on_a_line(5)
    DynamoCameraRegistry(aws.name("table", "Cameras"), REGION).put_many(cams)
    return api, task, cams


@pytest.fixture
def search(aws, function_env, monkeypatch):
    api, task, cams = search_handlers(aws, function_env)
    reads = DynamoPlateReadRepository(aws.name("table", "Reads"), REGION)
    reads.put_many(plate_read(s) for s in syn.drive("1ABC234", cams, NOW_MS - 3 * HOUR, 60_000))
    reads.put_many(
        plate_read(s) for s in syn.background(200, cams, NOW_MS - 4 * HOUR, NOW_MS, syn.plate_pool(50))
    )
    # near-misses inside the partial-search window
    near = [syn.sighting(p, cams[0], NOW_MS - 3 * HOUR + 120_000) for p in ("1ABD234", "1ABC334", "2ABC234")]
    reads.put_many(plate_read(s) for s in near)
    yield api, task, aws


def call(api, method, resource, path=None, **kw):
    resp = api.lambda_handler(api_event(method, resource, path, **kw), FakeLambdaContext())
    body = resp["body"]
    resp["headers"] = {
        **(resp.get("headers") or {}),
        **{k: v[0] for k, v in (resp.get("multiValueHeaders") or {}).items()},
    }
    return (
        resp["statusCode"],
        (
            json.loads(body)
            if resp["headers"].get("Content-Type", "").startswith("application/json")
            else body
        ),
        resp,
    )


def run_workflow(task, aws, job_id):
    def invoke(resource, payload):
        return json.loads(json.dumps(task.lambda_handler(payload, FakeLambdaContext())))

    s3 = boto3.client("s3", region_name=REGION)
    return walk(
        ASL,
        invoke,
        {"job_id": job_id},
        read_items=lambda b, k: json.loads(s3.get_object(Bucket=b, Key=k)["Body"].read()),
    )


def on_job(api, job, sub="", method="GET", who=IVAN, **kw):
    """Call ``/searches/{id}`` (``sub="/results"``: its results) for a submitted job."""
    job_id = job["job_id"]
    return call(
        api,
        method,
        "/searches/{id}" + sub,
        f"/searches/{job_id}{sub}",
        claims=who,
        path_params={"id": job_id},
        **kw,
    )


def submit(api, **over):
    body = {
        "type": "trajectory",
        "params": {"plate": "1-ABC-234", "start_ms": NOW_MS - 6 * HOUR, "end_ms": NOW_MS},
        "case_ref": "PV-BRU-2026-001",
        "reason": "burglary series, suspect vehicle",
    }
    body.update(over)
    return call(api, "POST", "/searches", body=body, claims=IVAN)


def test_a_trajectory_search_end_to_end(search):
    api, task, aws = search
    # WHEN an investigator submits a trajectory search
    status, job, resp = submit(api)
    assert (
        status == 202
        and job["status"] == "QUEUED"
        and resp["headers"]["Location"] == f"/searches/{job['job_id']}"
    )
    sfn = boto3.client("stepfunctions", region_name=REGION)
    (execution,) = sfn.list_executions(stateMachineArn=aws.arns[("state_machine", "Search")])["executions"]
    assert execution["name"] == job["job_id"]
    # AND the state machine's steps run (the task handler, with the ASL's JSON)
    run_workflow(task, aws, job["job_id"])
    # THEN the status shows it done, with progress, and the results list every camera in order
    status, state, _ = on_job(api, job)
    assert status == 200 and state["status"] == "SUCCEEDED" and state["progress"]["percent"] == 100.0
    status, page, _ = on_job(api, job, "/results", query={"page_size": "3"})
    assert status == 200 and page["total"] == 5 and page["next_page"] == 2
    assert [i["camera_id"] for i in page["items"]] == ["CAM-000", "CAM-001", "CAM-002"]
    assert page["provenance"]["case_ref"] == "PV-BRU-2026-001"
    # AND downloads come as presigned links or inline
    status, link, _ = on_job(api, job, "/results", query={"format": "kml"})
    assert status == 200 and urlparse(link["url"]).path.endswith("export.kml")
    assert "attachment" in parse_qs(urlparse(link["url"]).query)["response-content-disposition"][0]
    status, text, resp = on_job(api, job, "/results", query={"format": "csv", "inline": "true"})
    assert status == 200 and "PV-BRU-2026-001" in text and resp["headers"]["Content-Type"] == "text/csv"
    # AND every access is in the audit trail with the plates touched
    trail = api.function.services().audit
    actions = [(r.event.action, r.event.plates) for r in trail.records()]
    assert ("search.submitted", ["1ABC234"]) in actions
    assert ("search.results_viewed", ["1ABC234"]) in actions
    assert ("search.results_downloaded", ["1ABC234"]) in actions


def test_missing_case_reference_is_400(search):
    api, _, _ = search
    status, body, _ = submit(api, case_ref="")
    assert status == 400 and "case" in body["error"]


def test_older_than_the_admin_window_without_prosecutor_decision_is_403(search):
    api, _, _ = search
    params = {"plate": "1ABC234", "start_ms": NOW_MS - 40 * 24 * HOUR, "end_ms": NOW_MS}
    status, body, _ = submit(api, params=params)
    assert status == 403 and "prosecutor" in body["error"]
    status, _, _ = submit(api, params=params, prosecutor_ref="PG-BRU-77/26")
    assert status == 202


def test_roles_patrol_cannot_search_supervisor_reads_others_do_not_see(search):
    api, _, _ = search
    status, _, _ = call(api, "POST", "/searches", body={}, claims=claims("pat", "patrol"))
    assert status == 403
    _, job, _ = submit(api)
    assert on_job(api, job, who=claims("sam", "supervisor"))[0] == 200
    assert on_job(api, job, who=claims("olga", "investigator"))[0] == 404
    assert on_job(api, job, method="DELETE", who=claims("sam", "supervisor"))[0] == 403


def test_results_before_the_end_are_409_and_cancel_works(search):
    api, task, aws = search
    _, job, _ = submit(api)
    status, _, _ = on_job(api, job, "/results")
    assert status == 409
    status, state, _ = on_job(api, job, method="DELETE")
    assert status == 200 and state["status"] == "CANCELLED"
    run_workflow(task, aws, job["job_id"])  # the steps stop on their own
    status, state, _ = on_job(api, job)
    assert state["status"] == "CANCELLED"


def test_a_partial_search_on_moto_returns_all_and_only_matches(search):
    api, task, aws = search
    params = {
        "pattern": "1AB?23*",
        "start_ms": NOW_MS - 3 * HOUR - 300_000,
        "end_ms": NOW_MS - 3 * HOUR + 900_000,
    }
    _, job, _ = submit(api, type="partial", params=params)
    run_workflow(task, aws, job["job_id"])
    _, page, _ = on_job(api, job, "/results")
    from anpr.search.partition import wildcard_regex

    all_plates = {
        s["plate"]["S"]
        for s in boto3.client("dynamodb", region_name=REGION).scan(TableName=aws.name("table", "Reads"))[
            "Items"
        ]
        if params["start_ms"] <= int(s["capture_ms"]["N"]) <= params["end_ms"]
    }
    assert {i["plate"] for i in page["items"]} == {
        p for p in all_plates if wildcard_regex("1AB?23*").fullmatch(p)
    }
    assert {"1ABC234", "1ABD234"} <= {i["plate"] for i in page["items"]}
    assert not {"1ABC334", "2ABC234"} & {i["plate"] for i in page["items"]}


@pytest.mark.parametrize("body", ["hello", "{not json", "[1, 2]", ""])
def test_a_body_that_is_not_a_json_object_is_400_with_a_reason(search, body):
    api, _, _ = search
    # GIVEN a POST /searches whose body is not a JSON object WHEN sent THEN 400 with a reason, no 500
    status, answer, _ = call(api, "POST", "/searches", body=body, claims=IVAN)
    assert status == 400 and answer["error"]


@pytest.mark.parametrize("pattern", ["1-AB[", "ÄÖÜ123", "**", "1?A*"])
def test_a_pattern_that_is_not_a_plate_pattern_is_400_saying_why(search, pattern):
    api, _, _ = search
    params = {"pattern": pattern, "start_ms": NOW_MS - HOUR, "end_ms": NOW_MS}
    status, answer, _ = submit(api, type="partial", params=params)
    assert status == 400 and "pattern" in answer["error"]


def test_a_national_month_is_refused_and_a_day_says_its_estimate(search):
    api, _, _ = search
    # GIVEN a 29-day partial 1A* without cameras WHEN submitted THEN 400 saying what to narrow
    month = {"pattern": "1A*", "start_ms": NOW_MS - 29 * 24 * HOUR, "end_ms": NOW_MS}
    status, answer, _ = submit(api, type="partial", params=month)
    assert status == 400 and "cameras or zones" in answer["error"]
    # AND a zone-limited search is estimated from the camera registry, in the 202 answer
    zone = {"pattern": "1A*", "start_ms": NOW_MS - HOUR, "end_ms": NOW_MS, "zones": ["BRU-NORD"]}
    status, job, _ = submit(api, type="partial", params=zone)
    assert status == 202 and job["estimate"]["partitions"] == 5  # the zone's five cameras
    assert job["estimate"]["map"] == "inline"


def test_get_searches_lists_my_jobs(search):
    api, _, _ = search
    _, mine, _ = submit(api)
    status, listed, _ = call(api, "GET", "/searches", claims=IVAN)
    assert status == 200 and [j["job_id"] for j in listed["items"]] == [mine["job_id"]]
    # AND a colleague sees none of them
    status, other, _ = call(api, "GET", "/searches", claims=claims("olga", "investigator"))
    assert status == 200 and other["items"] == []
    # AND a supervisor sees everyone's
    status, everyone, _ = call(api, "GET", "/searches", claims=claims("sam", "supervisor"))
    assert status == 200 and [j["job_id"] for j in everyone["items"]] == [mine["job_id"]]
    # AND patrol has no such route
    status, _, _ = call(api, "GET", "/searches", claims=claims("pat", "patrol"))
    assert status == 403


def test_the_estimate_says_cost_bound_and_age_rule_before_submitting(search, aws):
    api, _, _ = search
    sfn = boto3.client("stepfunctions", region_name=REGION)
    # GIVEN a zone-limited partial search of the last hour WHEN its estimate is asked
    zone = {"pattern": "1A*", "start_ms": NOW_MS - HOUR, "end_ms": NOW_MS, "zones": ["BRU-NORD"]}
    status, est, _ = call(
        api, "POST", "/searches/estimate", body={"type": "partial", "params": zone}, claims=IVAN
    )
    # THEN the cost is the one a submit would record, within bounds, no prosecutor decision needed
    assert status == 200 and est["estimate"]["partitions"] == 5 and est["refusal"] is None
    assert est["age"]["needs_prosecutor_ref"] is False and est["age"]["admin_window_days"] == 30
    # AND nothing was started
    assert sfn.list_executions(stateMachineArn=aws.arns[("state_machine", "Search")])["executions"] == []
    # GIVEN a national month WHEN estimated THEN the refusal a submit would give, and the age rule
    month = {"pattern": "1A*", "start_ms": NOW_MS - 40 * 24 * HOUR, "end_ms": NOW_MS - 11 * 24 * HOUR}
    status, est, _ = call(
        api, "POST", "/searches/estimate", body={"type": "partial", "params": month}, claims=IVAN
    )
    assert status == 200 and est["age"]["needs_prosecutor_ref"] is True and est["age"]["days"] == 40
    assert "cameras or zones" in est["refusal"] and est["estimate"]["partitions"] > 100_000
    # AND a malformed query is a 400 with a reason, a patrol officer may not ask at all
    status, body, _ = call(
        api, "POST", "/searches/estimate", body={"type": "partial", "params": {}}, claims=IVAN
    )
    assert status == 400 and body["error"]
    status, _, _ = call(
        api,
        "POST",
        "/searches/estimate",
        body={"type": "partial", "params": zone},
        claims=claims("pat", "patrol"),
    )
    assert status == 403


def test_the_overview_image_of_a_result_read_is_a_presigned_link_audited_per_view(search):
    api, task, aws = search
    # GIVEN a finished trajectory search
    _, job, _ = submit(api)
    run_workflow(task, aws, job["job_id"])
    _, page, _ = on_job(api, job, "/results")
    read = page["items"][2]
    # WHEN the investigator asks for one result read's overview image
    image = f"/searches/{job['job_id']}/reads/{read['read_id']}/image"
    params = {"id": job["job_id"], "read_id": read["read_id"]}
    status, body, _ = call(
        api, "GET", "/searches/{id}/reads/{read_id}/image", image, claims=IVAN, path_params=params
    )
    # THEN a short-lived link to that read's snapshot in the Snapshots bucket comes back
    assert status == 200 and body["read_id"] == read["read_id"] and body["camera_id"] == read["camera_id"]
    url = urlparse(body["url"])
    assert url.path.endswith(read["snapshot_key"]) and aws.name("bucket", "Snapshots") in body["url"]
    # AND the view is audited with the plate
    trail = api.function.services().audit
    viewed = [r.event for r in trail.records() if r.event.action == "search.image_viewed"]
    assert [(e.outcome, e.plates, e.detail["read_id"]) for e in viewed] == [
        ("allowed", ["1ABC234"], read["read_id"])
    ]
    # WHEN a read that is not among the results is asked THEN 404, audited as denied
    other = {"id": job["job_id"], "read_id": "not-in-this-search"}
    path = f"/searches/{job['job_id']}/reads/not-in-this-search/image"
    status, _, _ = call(
        api, "GET", "/searches/{id}/reads/{read_id}/image", path, claims=IVAN, path_params=other
    )
    assert status == 404
    assert [r.event.outcome for r in trail.records() if r.event.action == "search.image_viewed"][
        -1
    ] == "denied"
    # AND a patrol officer may not ask at all
    status, _, _ = call(
        api,
        "GET",
        "/searches/{id}/reads/{read_id}/image",
        image,
        claims=claims("pat", "patrol"),
        path_params=params,
    )
    assert status == 403
