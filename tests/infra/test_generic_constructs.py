"""The builders are generic: one Concern built from a spec part written here, holding one of
every kind (topics, subscriptions, state machines, schedules, append/publish/start/invoke/send
uses), builds correctly and nag-clean.
"""

from __future__ import annotations

import json

import pytest
from anpr.kernel import spec as vocab
from aws_cdk import App, RemovalPolicy, Stack
from aws_cdk.assertions import Template

from infra.builders.base import Shared
from infra.builders.buckets import access_log_bucket
from infra.builders.functions import Layers
from infra.constructs.concern import Concern
from infra.constructs.keys import DataKeys
from infra.constructs.registry import Registry
from infra.stages import stage as stage_config
from tests.infra.synthesis import cdk_context, nag_findings

#: a Distributed Map over the worker: the machine must be allowed to run child executions
ASL = {
    "StartAt": "Fan",
    "States": {
        "Fan": {
            "Type": "Map",
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                "StartAt": "Work",
                "States": {"Work": {"Type": "Task", "Resource": "${Worker}", "End": True}},
            },
            "End": True,
        }
    },
}
FILTER = {"zone": ["BRU", "ANR"], "priority": [{"numeric": [">=", 2]}]}


@pytest.fixture(scope="module")
def generic(tmp_path_factory):
    # GIVEN a spec with one of every kind the platform does not use yet
    asl = tmp_path_factory.mktemp("asl") / "search.asl.json"
    asl.write_text(json.dumps(ASL))
    app = App(context=cdk_context(), outdir=str(tmp_path_factory.mktemp("cdk-generic")))
    stack = Stack(app, "Generic")
    registry, removal, stage = Registry(), RemovalPolicy.DESTROY, stage_config("dev")
    keys = DataKeys(stack, "Keys", stage=stage, registry=registry, removal=removal)
    shared = Shared(
        stage,
        keys,
        registry,
        removal,
        access_log_bucket(stack, "Logs", stage, removal),
        Layers(stack, "Layers"),
    )
    part = vocab.SpecPart(
        tables=(vocab.TableSpec("Audit", vocab.Attribute("pk"), vocab.Attribute("sk"), data_class="audit"),),
        queues=(vocab.QueueSpec("AlertsDlq", is_dlq=True), vocab.QueueSpec("Alerts", dlq="AlertsDlq", max_receive_count=5)),
        topics=(vocab.TopicSpec("Hits"),),
        subscriptions=(vocab.SubscriptionSpec("HitsToAlerts", topic="Hits", queue="Alerts", filter_policy=FILTER),),
        functions=(
            vocab.FunctionSpec("Starter", code="api", layers=(), uses=(
                vocab.Use("state_machine", "Search", "start"), vocab.Use("topic", "Hits", "publish"),
                vocab.Use("queue", "Alerts", "send"), vocab.Use("table", "Audit", "append"), vocab.Use("function", "Worker", "invoke"),
            )),
            vocab.FunctionSpec("Worker", code="api", layers=()),
        ),
        state_machines=(vocab.StateMachineSpec("Search", str(asl), {"Worker": "Worker"}),),
        schedules=(vocab.ScheduleSpec("Purge", function="Worker", rate_minutes=15, payload={"task": "purge"}),),
    )  # fmt: skip
    Concern(stack, "Generic", part, shared).wire()
    template = Template.from_stack(stack)
    return app, stack, registry, template.to_json()


def _props(generic, kind, spec_id):
    _, _, registry, tpl = generic
    return tpl["Resources"][registry.logical_id(kind, spec_id)]["Properties"]


def test_generic_spec_is_nag_clean(generic):
    app = generic[0]
    assert nag_findings(app) == []


def test_subscription_carries_the_spec_filter_policy(generic):
    _, _, registry, _ = generic
    props = _props(generic, "subscription", "HitsToAlerts")
    assert props["FilterPolicy"] == FILTER
    assert props["TopicArn"] == {"Ref": registry.logical_id("topic", "Hits")}


def test_state_machine_substitutes_function_arns_and_logs_and_traces(generic):
    _, _, registry, _ = generic
    props = _props(generic, "state_machine", "Search")
    assert props["DefinitionSubstitutions"]["Worker"] == {
        "Fn::GetAtt": [registry.logical_id("function", "Worker"), "Arn"]
    }
    assert props["TracingConfiguration"] == {"Enabled": True}
    assert props["LoggingConfiguration"]["Level"] == "ALL"
    assert props["LoggingConfiguration"]["IncludeExecutionData"] is False


def test_schedule_invokes_its_function_with_the_payload(generic):
    _, _, registry, _ = generic
    props = _props(generic, "schedule", "Purge")
    assert props["ScheduleExpression"] == "rate(15 minutes)"
    assert json.loads(props["Target"]["Input"]) == {"task": "purge"}
    assert props["Target"]["Arn"] == {"Fn::GetAtt": [registry.logical_id("function", "Worker"), "Arn"]}


def test_uses_become_env_vars_and_exact_grants(generic):
    tpl = generic[3]
    env = _props(generic, "function", "Starter")["Environment"]["Variables"]
    assert set(env) >= {
        "ANPR_STATE_MACHINE_SEARCH", "ANPR_TOPIC_HITS", "ANPR_QUEUE_ALERTS", "ANPR_TABLE_AUDIT", "ANPR_FUNCTION_WORKER",
    }  # fmt: skip
    role = _props(generic, "function", "Starter")["Role"]["Fn::GetAtt"][0]
    (policy,) = [
        r["Properties"]["PolicyDocument"]["Statement"]
        for r in tpl["Resources"].values()
        if r["Type"] == "AWS::IAM::Policy" and {"Ref": role} in r["Properties"]["Roles"]
    ]
    actions = {a for s in policy for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert {
        "states:StartExecution",
        "sns:Publish",
        "sqs:SendMessage",
        "dynamodb:PutItem",
        "lambda:InvokeFunction",
    } <= actions
    # append is PutItem only: the audit trail is never updated or deleted
    assert not actions & {"dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}
    assert not [a for a in actions if "*" in a]


def test_distributed_map_may_run_its_own_child_executions(generic):
    tpl = generic[3]
    role = _props(generic, "state_machine", "Search")["RoleArn"]["Fn::GetAtt"][0]
    statements = [
        st
        for r in tpl["Resources"].values()
        if r["Type"] == "AWS::IAM::Policy" and {"Ref": role} in r["Properties"]["Roles"]
        for st in r["Properties"]["PolicyDocument"]["Statement"]
    ]
    by_action = {
        a: st["Resource"]
        for st in statements
        for a in ([st["Action"]] if isinstance(st["Action"], str) else st["Action"])
    }
    assert "stateMachine:anpr-dev-Search" in json.dumps(by_action["states:StartExecution"])
    assert "execution:anpr-dev-Search/*" in json.dumps(by_action["states:StopExecution"])
    assert "lambda:InvokeFunction" in by_action
