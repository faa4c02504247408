"""The web apps' hosting: a private S3 bucket behind CloudFront (origin access control), with
security headers on every response and no third-party origin allowed by the CSP.

The console and the patrol app (``web/dist``) are static files; they call the REST API
(``api_origin``) and sign in with Cognito's API (``cognito-idp.<region>.amazonaws.com``), the only
other origins the CSP allows for fetches. Plate crops come as presigned S3
links (``img_origins``).
"""

from __future__ import annotations

from aws_cdk import Annotations, CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.constructs.acknowledge import acknowledge


def content_security_policy(
    api_origin: str = "", img_origins: tuple[str, ...] = (), live_url: str = "", sign_in_origin: str = ""
) -> str:
    """Self only, plus the API (fetch), Cognito's sign-in API (fetch), the live channel
    (WebSocket) and the object store (presigned crop images)."""
    imgs = " ".join(("'self'", "data:", "blob:", *img_origins))
    connect = " ".join(filter(None, ("'self'", api_origin, sign_in_origin, live_url)))
    return (
        f"default-src 'self'; script-src 'self'; style-src 'self'; img-src {imgs}; "
        f"connect-src {connect}; worker-src 'self'; manifest-src 'self'; font-src 'self'; "
        "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    )


#: CloudFront Function (viewer request): the API's routes have no /api prefix
STRIP_API_PREFIX_JS = """function handler(event) {
  var request = event.request;
  request.uri = request.uri.replace(/^\\/api(?=\\/)/, "");
  return request;
}"""


class WebApps(Construct):
    def __init__(
        self,
        scope: Construct,
        cid: str,
        *,
        access_logs: s3.IBucket,
        removal: RemovalPolicy,
        api_origin: str = "",
        img_origins: tuple[str, ...] = (),
        api: apigw.RestApiBase | None = None,
        images: s3.IBucket | None = None,
        live_url: str = "",
    ) -> None:
        """``api`` / ``images``: the REST API and the bucket of presigned crop links, allowed by the CSP."""
        super().__init__(scope, cid)
        if api is not None:
            api_origin = f"https://{api.rest_api_id}.execute-api.{Stack.of(self).region}.amazonaws.com"
        if images is not None:
            img_origins = (*img_origins, f"https://{images.bucket_regional_domain_name}")
        # the apps sign in with Cognito's own API, in the stack's region (src/auth.ts)
        sign_in_origin = f"https://cognito-idp.{Stack.of(self).region}.amazonaws.com"
        # like every bucket of the stack: its own KMS key (rotated); CloudFront's OAC may decrypt
        self.key = kms.Key(
            self, "AssetsKey", enable_key_rotation=True, removal_policy=removal, description="ANPR web assets"
        )
        self.bucket = s3.Bucket(
            self,
            "Assets",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.key,
            bucket_key_enabled=True,
            enforce_ssl=True,
            versioned=True,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="WebAssets/",
            removal_policy=removal,
        )
        self.headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            comment="ANPR web apps: CSP without third-party origins, HSTS, no framing",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=content_security_policy(
                        api_origin, img_origins, live_url, sign_in_origin
                    ),
                    override=True,
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(730),
                    include_subdomains=True,
                    preload=True,
                    override=True,
                ),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.NO_REFERRER, override=True
                ),
            ),
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Cdn",
            comment="ANPR console and patrol app",
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=self.headers,
            ),
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
        )
        if api is not None:
            self._route_api(api)
        # the key policy lets this account's distributions decrypt (a wildcard: naming this one would
        # be a key → bucket → distribution → key cycle); reading still needs the bucket policy,
        # which names this distribution alone (tests/infra/test_web_construct.py)
        Annotations.of(self).acknowledge_warning(
            "@aws-cdk/aws-cloudfront-origins:wildcardKeyPolicyForOac",
            "GetObject is granted to this distribution only by the bucket policy",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR1",
            "Officers and investigators work from anywhere (cross-border operations, travel); access is "
            "controlled by the personal Cognito login with MFA, not by the viewer's country.",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR2",
            "Static, public-by-design application shell without personal data; every data call goes to the "
            "REST API, which authenticates each request. A CloudFront WAF web ACL must live in us-east-1 "
            "and is planned with the deployed domain.",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR3",
            "CloudFront standard logs need an ACL-enabled SSE-S3 bucket, which the stack's bucket rules "
            "(KMS, owner-enforced) forbid; it serves only the static shell, and every data access is "
            "logged by the API stage and audited. The assets bucket's own access is logged.",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR4",
            "No custom domain yet: the default *.cloudfront.net certificate, whose minimum protocol "
            "CloudFront fixes itself; set TLSv1.2_2021 with the domain's ACM certificate when it exists.",
        )
        CfnOutput(self, "Url", value=f"https://{self.distribution.distribution_domain_name}")
        CfnOutput(self, "AssetsBucket", value=self.bucket.bucket_name)
        CfnOutput(self, "DistributionId", value=self.distribution.distribution_id)
        # config.json's liveUrl (infra/deploy.sh publishes web/dist and config.json after the stack)
        CfnOutput(self, "LiveUrl", value=live_url or "")

    def _route_api(self, api: apigw.RestApiBase) -> None:
        """``/api/*`` on the site's own origin goes to the REST API (``/api`` stripped, never cached,
        the bearer token passed on): the apps call ``/api`` as they do locally, with no CORS."""
        strip = cloudfront.Function(
            self,
            "StripApiPrefix",
            comment="/api/x -> /x for the REST API origin",
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            code=cloudfront.FunctionCode.from_inline(STRIP_API_PREFIX_JS),
        )
        self.distribution.add_behavior(
            "/api/*",
            origins.RestApiOrigin(api),
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
            cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
            origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
            response_headers_policy=self.headers,
            function_associations=[
                cloudfront.FunctionAssociation(
                    function=strip, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                )
            ],
        )
