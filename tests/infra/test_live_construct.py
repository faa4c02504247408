"""The live construct in a stack of its own (WebSocket API, push platform applications, VAPID
secret): what it builds, and the cdk-nag gate over it."""

from __future__ import annotations

import json

import pytest
from anpr.kernel import platform as spec
from aws_cdk import App, RemovalPolicy, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks
from constructs import Construct

from infra.builders.functions import lambda_function
from infra.constructs.acknowledge import acknowledge
from infra.constructs.live import Live
from infra.stages import stage
from tests.infra.synthesis import cdk_context

pytestmark = pytest.mark.xdist_group("infra")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    app = App(context=cdk_context(), outdir=str(tmp_path_factory.mktemp("cdk-live")))
    stack = Stack(app, "LiveTest", env={"region": "eu-west-1", "account": "123456789012"})
    dev = stage("dev")
    functions = {}
    for fid in ("LiveConnect", "LiveDisconnect", "LiveFanout", "LiveDevices"):
        functions[fid] = lambda_function(
            Construct(stack, fid),
            stage=dev,
            removal=RemovalPolicy.DESTROY,
            description=fid,
            code=spec.function(fid).code_path,
            x_ray_reason="X-Ray's PutTraceSegments has no resource-level permissions.",
            handler=spec.function(fid).handler,
        )
    pool = cognito.UserPool(stack, "Users", self_sign_up_enabled=False)
    for rule in ("AwsSolutions-COG1", "AwsSolutions-COG2", "AwsSolutions-COG3", "AwsSolutions-COG8"):
        acknowledge(pool, rule, "Test stand-in for the platform's user pool (infra/constructs/api.py).")
    client = pool.add_client("Patrol")
    key = kms.Key(stack, "Secrets", enable_key_rotation=True)
    live = Live(
        stack,
        "Live",
        stage=dev,
        connect=functions["LiveConnect"],
        disconnect=functions["LiveDisconnect"],
        fanout=functions["LiveFanout"],
        devices=functions["LiveDevices"],
        user_pool=pool,
        user_pool_client=client,
        secrets_key=key,
        removal=RemovalPolicy.DESTROY,
        push_platforms=("fcm", "apns"),
    )
    return app, stack, live, Template.from_stack(stack).to_json()


def _of(tpl: dict, cfn_type: str) -> list[dict]:
    return [r.get("Properties", {}) for r in tpl["Resources"].values() if r["Type"] == cfn_type]


def test_no_unacknowledged_aws_solutions_findings(built):
    app, *_ = built
    report = AwsSolutionsChecks(verbose=True).validate_scope(app)
    findings = [
        f"{v.rule_name} {r.construct_path}: {v.description[:120]}"
        for v in report.violations
        for r in v.violating_resources
    ]
    assert findings == [], "\n".join(findings)


def test_websocket_routes_reach_the_connect_and_disconnect_functions_and_the_stage_is_logged(built):
    *_, tpl = built
    (api,) = _of(tpl, "AWS::ApiGatewayV2::Api")
    assert api["ProtocolType"] == "WEBSOCKET"
    assert sorted(r["RouteKey"] for r in _of(tpl, "AWS::ApiGatewayV2::Route")) == ["$connect", "$disconnect"]
    (stage_,) = _of(tpl, "AWS::ApiGatewayV2::Stage")
    assert stage_["AccessLogSettings"]["DestinationArn"]
    assert stage_["DefaultRouteSettings"]["ThrottlingRateLimit"] == 200


def _policies(tpl: dict) -> list[dict]:
    return [s for p in _of(tpl, "AWS::IAM::Policy") for s in p["PolicyDocument"]["Statement"]]


def test_only_the_fanout_may_post_to_connections_of_its_stage(built):
    *_, tpl = built
    posting = [s for s in _policies(tpl) if "execute-api:ManageConnections" in json.dumps(s["Action"])]
    assert len(posting) == 1
    assert "/dev/POST/@connections/*" in json.dumps(posting[0]["Resource"])
    assert all("*" != a and not a.endswith(":*") for s in _policies(tpl) for a in _actions(s))


def _actions(statement: dict) -> list[str]:
    a = statement["Action"]
    return [a] if isinstance(a, str) else a


def test_platform_applications_come_from_secrets_never_from_the_template(built):
    *_, tpl = built
    calls = [r for r in tpl["Resources"].values() if r["Type"] == "Custom::AWS"]
    assert len(calls) == 2
    text = json.dumps(calls)
    assert "createPlatformApplication" in text and "{{resolve:secretsmanager:" in text
    secrets = _of(tpl, "AWS::SecretsManager::Secret")
    assert len(secrets) == 3 and all(s.get("KmsKeyId") for s in secrets)
    assert not any("SecretString" in s for s in secrets)


def test_functions_get_the_endpoint_the_user_pool_and_the_push_settings(built):
    *_, tpl = built
    env = {
        fn["Description"]: fn.get("Environment", {}).get("Variables", {}) for fn in _of(tpl, "AWS::Lambda::Function")
        if fn.get("Description", "").startswith("Live")
    }  # fmt: skip
    assert {"ANPR_USER_POOL_ISSUER", "ANPR_USER_POOL_CLIENT_ID"} <= set(env["LiveConnect"])
    assert {
        "ANPR_LIVE_ENDPOINT",
        "ANPR_PUSH_FCM_APP_ARN",
        "ANPR_PUSH_APNS_APP_ARN",
        "ANPR_PUSH_VAPID_SECRET_ARN",
    } <= set(env["LiveFanout"])
    assert {"ANPR_PUSH_FCM_APP_ARN", "ANPR_PUSH_VAPID_SECRET_ARN"} <= set(env["LiveDevices"])
    assert "ANPR_LIVE_ENDPOINT" not in env["LiveDevices"]
