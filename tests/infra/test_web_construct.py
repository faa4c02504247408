"""The web apps' hosting in a stack of its own: private bucket, CloudFront with OAC and security
headers, and the cdk-nag gate over it."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from aws_cdk import App, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks

from infra.constructs.web import STRIP_API_PREFIX_JS, WebApps
from tests.infra.synthesis import cdk_context

pytestmark = pytest.mark.xdist_group("infra")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    app = App(context=cdk_context(), outdir=str(tmp_path_factory.mktemp("cdk-web")))
    stack = Stack(app, "WebTest", env={"region": "eu-west-1"})
    logs = s3.Bucket(
        stack,
        "AccessLogs",
        enforce_ssl=True,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        encryption=s3.BucketEncryption.S3_MANAGED,
    )
    web = WebApps(
        stack,
        "Web",
        access_logs=logs,
        removal=RemovalPolicy.RETAIN,
        api_origin="https://api.example.police.be",
        img_origins=("https://snapshots.s3.eu-west-1.amazonaws.com",),
    )
    return app, stack, web, Template.from_stack(stack).to_json()


def _of(tpl: dict, cfn_type: str) -> list[dict]:
    return [r.get("Properties", {}) for r in tpl["Resources"].values() if r["Type"] == cfn_type]


def test_assets_bucket_is_private_encrypted_and_tls_only(built):
    _, stack, web, tpl = built
    # GIVEN the synthesized web hosting THEN the assets bucket blocks all public access, is
    # encrypted, logs its access, and its policy lets only CloudFront (this distribution) read it
    assets = tpl["Resources"][stack.get_logical_id(web.bucket.node.default_child)]["Properties"]
    assert all(assets["PublicAccessBlockConfiguration"].values())
    rule = assets["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert rule["SSEAlgorithm"] == "aws:kms" and "KMSMasterKeyID" in rule
    assert assets["LoggingConfiguration"]["LogFilePrefix"] == "WebAssets/"
    policies = [p["PolicyDocument"]["Statement"] for p in _of(tpl, "AWS::S3::BucketPolicy")]
    statements = [s for doc in policies for s in doc]
    readers = [s for s in statements if s["Effect"] == "Allow" and "s3:GetObject" in str(s["Action"])]
    assert readers and all(s["Principal"] == {"Service": "cloudfront.amazonaws.com"} for s in readers)
    assert any(s["Effect"] == "Deny" and "aws:SecureTransport" in str(s.get("Condition")) for s in statements)


def test_distribution_uses_origin_access_control_and_https(built):
    _, _, _, tpl = built
    (dist,) = _of(tpl, "AWS::CloudFront::Distribution")
    cfg = dist["DistributionConfig"]
    assert _of(tpl, "AWS::CloudFront::OriginAccessControl")
    assert "OriginAccessControlId" in cfg["Origins"][0]
    assert cfg["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"


def test_security_headers_allow_no_third_party_origin(built):
    _, _, _, tpl = built
    (policy,) = _of(tpl, "AWS::CloudFront::ResponseHeadersPolicy")
    sec = policy["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    csp = sec["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    # THEN scripts, styles and fonts come from the site only; fetches go to the site, the API and
    # Cognito's sign-in API in the stack's region (the apps' MFA sign-in, src/auth.ts)
    assert "script-src 'self';" in csp and "style-src 'self';" in csp and "font-src 'self';" in csp
    assert (
        "connect-src 'self' https://api.example.police.be https://cognito-idp.eu-west-1.amazonaws.com;" in csp
    )
    assert "frame-ancestors 'none'" in csp and "unsafe" not in csp
    origins = {w for w in csp.replace(";", " ").split() if w.startswith("http")}
    assert origins == {
        "https://api.example.police.be",
        "https://cognito-idp.eu-west-1.amazonaws.com",
        "https://snapshots.s3.eu-west-1.amazonaws.com",
    }
    assert sec["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31_536_000
    assert sec["FrameOptions"]["FrameOption"] == "DENY"
    assert sec["ContentTypeOptions"]["Override"] is True


def test_only_this_distribution_can_read_the_encrypted_assets(built):
    _, stack, web, tpl = built
    # GIVEN the assets key and bucket policy
    (key,) = _of(tpl, "AWS::KMS::Key")
    assert key["EnableKeyRotation"] is True
    cdn = [
        s
        for s in key["KeyPolicy"]["Statement"]
        if s.get("Principal") == {"Service": "cloudfront.amazonaws.com"}
    ]
    # THEN CloudFront may decrypt only for distributions of this account (CDK's cycle-free wildcard) ...
    assert cdn and all("AWS:SourceArn" in str(s["Condition"]) for s in cdn)
    assert all(s["Action"] == "kms:Decrypt" for s in cdn)
    # ... and the bucket policy lets this distribution, and no other, get objects
    dist_id = stack.get_logical_id(web.distribution.node.default_child)
    statements = [s for p in _of(tpl, "AWS::S3::BucketPolicy") for s in p["PolicyDocument"]["Statement"]]
    readers = [s for s in statements if s["Effect"] == "Allow" and "s3:GetObject" in str(s["Action"])]
    assert readers and all(dist_id in str(s["Condition"]["StringEquals"]["AWS:SourceArn"]) for s in readers)


def test_cdk_nag_clean_with_per_resource_reasons(built):
    app, *_ = built
    # GIVEN the web hosting WHEN the AWS Solutions pack validates it THEN nothing is left
    report = AwsSolutionsChecks(verbose=True).validate_scope(app)
    findings = [f"{v.rule_name} {r.construct_path}" for v in report.violations for r in v.violating_resources]
    assert findings == [], "\n".join(findings)


@pytest.fixture(scope="module")
def with_api(tmp_path_factory):
    app = App(context=cdk_context(), outdir=str(tmp_path_factory.mktemp("cdk-web-api")))
    stack = Stack(app, "WebApiTest", env={"region": "eu-west-1"})
    logs = s3.Bucket(stack, "AccessLogs", enforce_ssl=True)
    api = apigw.RestApi(stack, "Api", deploy_options=apigw.StageOptions(stage_name="prod"))
    api.root.add_method("GET", apigw.MockIntegration())
    WebApps(stack, "Web", access_logs=logs, removal=RemovalPolicy.DESTROY, api=api)
    return Template.from_stack(stack).to_json()


def test_api_is_reached_on_the_sites_own_origin_uncached(with_api):
    # GIVEN the web hosting given the REST API
    (dist,) = _of(with_api, "AWS::CloudFront::Distribution")
    (api_route,) = dist["DistributionConfig"]["CacheBehaviors"]
    # THEN /api/* goes to the API, every method, HTTPS only, never cached, through the prefix-stripping function
    assert api_route["PathPattern"] == "/api/*"
    assert api_route["ViewerProtocolPolicy"] == "https-only"
    assert set(api_route["AllowedMethods"]) >= {"GET", "POST", "PUT", "DELETE"}
    assert api_route["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # managed CachingDisabled
    assert api_route["FunctionAssociations"][0]["EventType"] == "viewer-request"
    # AND the CSP lets pages call the API's own origin
    (policy,) = _of(with_api, "AWS::CloudFront::ResponseHeadersPolicy")
    csp = policy["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]["ContentSecurityPolicy"]
    assert "execute-api" in json.dumps(csp["ContentSecurityPolicy"])


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize(
    "uri,expected",
    [
        ("/api/searches/j1", "/searches/j1"),
        ("/api/alerts", "/alerts"),
        ("/apix/a", "/apix/a"),
        ("/console/", "/console/"),
    ],
)
def test_api_prefix_function_strips_only_the_api_prefix(uri, expected):
    # GIVEN the CloudFront Function's code WHEN run on a request URI THEN only a leading /api/ is removed
    script = (
        f"{STRIP_API_PREFIX_JS}\nprocess.stdout.write(handler({{request: {{uri: {json.dumps(uri)}}}}}).uri);"
    )
    out = subprocess.run(
        ["node", "-e", script], capture_output=True, text=True, timeout=30, check=True
    ).stdout
    assert out == expected
