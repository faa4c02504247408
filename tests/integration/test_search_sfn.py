"""The search ASL executed by moto's own Step Functions engine, Lambda tasks run in-process."""

import json

import boto3
import pytest
from anpr.kernel.auth import Caller
from anpr.kernel.clock import fixed
from anpr.reads.repository import DynamoPlateReadRepository
from anpr.search import synthetic as syn
from anpr.search import wiring
from anpr.search.models import JobStatus, SubmitRequest
from moto import mock_aws

from local.resources import REGION, physical_name, provision
from tests.builders.search import plate_read
from tests.helpers import NOW_MS, FakeLambdaContext
from tests.integration.conftest import load_handler
from tests.integration.sfn_local import create_lambda, lambda_in_process, wait_for

HOUR = 3_600_000
PREFIX = "anpr-sfn"
IVAN = Caller("sub-ivan", "ivan", frozenset({"investigator"}))


_TASK = {}


def _search():
    """The search API's service with the test clock (a new one sees the current env)."""
    return wiring.api_services(clock=fixed(NOW_MS)).search


def _rewire_task() -> None:
    """The task function's services, rebuilt from the current env with the test clock."""
    _TASK["handler"].services.use(wiring.task_services(clock=fixed(NOW_MS)))


def _submit(svc, type_: str, params: dict):
    """Submit as investigator Ivan with a valid justification."""
    return svc.submit(
        IVAN, SubmitRequest(type=type_, params=params, case_ref="PV-1", reason="hit and run on the ring road")
    )


@pytest.fixture
def machine(monkeypatch):
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        session = boto3.Session(region_name=REGION)
        arns = {fid: create_lambda(session, physical_name(PREFIX, fid)) for fid in ("SearchTask",)}
        prov = provision(session, prefix=PREFIX, function_arn=lambda fid: arns[fid])
        from anpr.kernel import platform as spec

        from infra.stages import stage

        for fid in ("SearchApi", "SearchTask"):
            for k, v in prov.function_env(spec.function(fid), stage("local")).items():
                monkeypatch.setenv(k, v)
        task = _TASK["handler"] = load_handler("search_task")
        _rewire_task()
        with lambda_in_process(
            {physical_name(PREFIX, "SearchTask"): task.lambda_handler}, context_factory=FakeLambdaContext
        ):
            yield prov, session


def test_moto_executes_a_trajectory_search_to_succeeded(machine):
    prov, session = machine
    cams = syn.cameras_on_a_line(4)
    reads = DynamoPlateReadRepository(prov.name("table", "Reads"), REGION)
    reads.put_many(plate_read(s) for s in syn.drive("1ABC234", cams, NOW_MS - 2 * HOUR, 60_000))
    # GIVEN a search submitted through the service (which starts the execution, named after the job)
    svc = _search()
    job = _submit(svc, "trajectory", {"plate": "1ABC234", "start_ms": NOW_MS - 3 * HOUR, "end_ms": NOW_MS})
    # WHEN moto's engine runs the definition
    out = wait_for(session.client("stepfunctions", region_name=REGION), job.execution_arn)
    # THEN it SUCCEEDED and the job shows every camera in order
    assert out["status"] == "SUCCEEDED", out
    assert json.loads(out["output"])["finished"]["status"] == "SUCCEEDED"
    assert svc.jobs.get(job.job_id).status == JobStatus.SUCCEEDED
    page = svc.results(IVAN, job.job_id)
    assert [i["camera_id"] for i in page["items"]] == [c.camera_id for c in cams]


def test_moto_execution_of_a_failing_search_marks_the_job_failed(machine):
    _, session = machine
    svc = _search()
    # GIVEN a convoy search for a plate that was never seen (plan raises SearchRejected)
    job = _submit(svc, "convoy", {"plate": "9NOPE99", "start_ms": NOW_MS - 3 * HOUR, "end_ms": NOW_MS})
    out = wait_for(session.client("stepfunctions", region_name=REGION), job.execution_arn)
    assert out["status"] == "FAILED"
    failed = svc.jobs.get(job.job_id)
    assert failed.status == JobStatus.FAILED
    assert failed.error == "SearchRejected: the target plate was not seen in this period"


def test_moto_executes_the_distributed_map_path(machine, monkeypatch):
    prov, session = machine
    # GIVEN a plan larger than the inline bound (items go to S3, read by the Distributed Map)
    monkeypatch.setenv("ANPR_PLAN_INLINE_MAX_ITEMS", "2")
    _rewire_task()
    cams = syn.cameras_on_a_line(3)
    reads = DynamoPlateReadRepository(prov.name("table", "Reads"), REGION)
    reads.put_many(plate_read(s) for s in syn.drive("1ABC234", cams, NOW_MS - 2 * HOUR, 60_000))
    svc = _search()
    window = {"start_ms": NOW_MS - 2 * HOUR, "end_ms": NOW_MS - 2 * HOUR + 240_000}
    job = _submit(svc, "partial", {"pattern": "1AB*", **window})
    out = wait_for(session.client("stepfunctions", region_name=REGION), job.execution_arn)
    assert out["status"] == "SUCCEEDED", out
    assert json.loads(out["output"])["plan"]["mode"] == "distributed"
    assert [i["plate"] for i in svc.results(IVAN, job.job_id)["items"]] == ["1ABC234"]
