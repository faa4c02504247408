"""After `cdk synth`: the search functions know where the analytics copy is, and the search task
may query it on Athena — in the stack's workgroup only, explicit actions, cdk-nag clean."""

from __future__ import annotations

import pytest

from tests.infra.synthesis import nag_findings, synthesize

pytestmark = pytest.mark.xdist_group("infra")


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    return synthesize(tmp_path_factory, "dev")


def _statements(synth, fid: str) -> list[dict]:
    role = synth.props(synth.logical_id("function", fid))["Role"]["Fn::GetAtt"][0]
    return [
        s
        for p in synth.resources("AWS::IAM::Policy").values()
        if {"Ref": role} in p["Properties"]["Roles"]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]


def test_both_search_functions_are_told_athena_with_the_stacks_workgroup_and_table(synth):
    wg = next(iter(synth.resources("AWS::Athena::WorkGroup").values()))["Properties"]["Name"]
    for fid in ("SearchTask", "SearchApi"):
        env = synth.props(synth.logical_id("function", fid))["Environment"]["Variables"]
        assert env["ANPR_ANALYTICS_ENGINE"] == "athena" and env["ANPR_ANALYTICS_WORKGROUP"] == wg
        assert (
            env["ANPR_ANALYTICS_DATABASE"] == "anpr_dev_analytics" and env["ANPR_ANALYTICS_TABLE"] == "reads"
        )


def test_the_task_may_query_the_workgroup_and_read_the_copy_the_api_may_not(synth):
    task = _statements(synth, "SearchTask")
    athena = [s for s in task if any(a.startswith("athena:") for a in s["Action"])]
    assert len(athena) == 1 and "workgroup/anpr-dev-analytics" in str(athena[0]["Resource"])
    assert {"athena:StartQueryExecution", "athena:GetQueryResults"} <= set(athena[0]["Action"])
    assert any("glue:GetTable" in s["Action"] for s in task)
    api = _statements(synth, "SearchApi")
    assert not any(str(a).startswith(("athena:", "glue:")) for s in api for a in _list(s["Action"]))


def test_cdk_nag_has_no_unacknowledged_finding_on_the_search_functions(synth):
    findings = [f for f in nag_findings(synth.app) if "Search" in f or "Analytics" in f]
    assert findings == [], "\n".join(findings)


def _list(x):
    return x if isinstance(x, list) else [x]
