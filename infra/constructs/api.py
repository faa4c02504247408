"""Who may call what: a Cognito user pool (personal accounts, MFA, groups = ``spec.ROLES``)
and a REST API whose methods (``spec.API_ROUTES``) sit behind the Cognito authorizer.

Authentication is API Gateway's job; the role check (``RouteSpec.roles``) happens in the
function (``anpr.kernel.auth``), which receives the caller's ``cognito:groups`` claim.
The one exception is a ``network_key`` route (``POST /uploads``): cameras are no Cognito users,
so API Gateway passes the call on unauthenticated (still throttled, with a tighter limit of its
own) and the function checks the network's key itself (docs/networks.md "Upload endpoint").
"""

from __future__ import annotations

from anpr.kernel.platform import API_ROUTES, ROLES, RouteSpec
from aws_cdk import CfnOutput, Duration, RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from infra.builders.base import log_group
from infra.builders.routes import add_routes, method_options
from infra.constructs.acknowledge import acknowledge
from infra.constructs.registry import Registry
from infra.stages import Stage

#: requests per second across the API (steady / burst): a national fleet of officers
THROTTLE_RATE, THROTTLE_BURST = 200, 400

#: what each access-log line holds (not the caller: an IAM identity, which people calling with
#: a Cognito token do not have)
ACCESS_LOG_FIELDS = (
    "http_method", "ip", "protocol", "request_time", "resource_path", "response_length", "status", "user"
)  # fmt: skip

#: identity attributes that scope what a person sees; set by administrators only
SCOPE_ATTRIBUTES = ("zones", "unit")


class ApiAuth(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: Stage,
        registry: Registry,
        removal: RemovalPolicy,
        routes: tuple[RouteSpec, ...] = API_ROUTES,
        roles: tuple[str, ...] = ROLES,
    ) -> None:
        super().__init__(scope, construct_id)
        self.user_pool = self._user_pool(stage, removal)
        self.groups = {
            role: cognito.CfnUserPoolGroup(
                self,
                f"Group-{role}",
                user_pool_id=self.user_pool.user_pool_id,
                group_name=role,
                description=f"ANPR role {role}",
            )
            for role in roles
        }
        # the web apps' client: public (no secret in a browser), signing in with Cognito's own API
        # (USER_PASSWORD_AUTH over TLS, then the TOTP challenge; docs/decisions.md 2026-12-01),
        # SRP kept for clients that prefer it; a sign-in session lasts 3 minutes
        self.client = self.user_pool.add_client(
            "WebClient",
            auth_flows=cognito.AuthFlow(user_password=True, user_srp=True),
            generate_secret=False,
            prevent_user_existence_errors=True,
            disable_o_auth=True,
            auth_session_validity=Duration.minutes(3),
            access_token_validity=Duration.hours(1),
            id_token_validity=Duration.hours(1),
            refresh_token_validity=Duration.hours(12),
            enable_token_revocation=True,
            # the ID token carries the person's zones and unit (patrol scope, anpr.kernel.auth)...
            read_attributes=cognito.ClientAttributes()
            .with_standard_attributes(email=True, preferred_username=True)
            .with_custom_attributes(*SCOPE_ATTRIBUTES),
            # ...which only administrators set (AdminUpdateUserAttributes): a user may not widen
            # their own scope with UpdateUserAttributes
            write_attributes=cognito.ClientAttributes().with_standard_attributes(preferred_username=True),
        )
        # config.json's "auth" (infra/deploy.sh): the endpoint's region is the pool id's prefix
        CfnOutput(self, "UserPoolId", value=self.user_pool.user_pool_id)
        CfnOutput(self, "WebClientId", value=self.client.user_pool_client_id)
        self.api: apigw.RestApi | None = None
        self.methods: dict[tuple[str, str], apigw.Method] = {}
        if routes:
            self._rest_api(stage, registry, removal, routes)

    def _user_pool(self, stage: Stage, removal: RemovalPolicy) -> cognito.UserPool:
        return cognito.UserPool(
            self,
            "Users",
            user_pool_name=f"anpr-{stage.name}",
            # accounts are created by administrators for named officers only
            self_sign_up_enabled=False,
            # custom:zones (comma-separated police-zone codes, or "national") and custom:unit:
            # the scope claims anpr.kernel.auth.Caller reads (docs/operations.md "Users, groups and MFA")
            custom_attributes={
                name: cognito.StringAttribute(min_len=1, max_len=2048, mutable=True)
                for name in SCOPE_ATTRIBUTES
            },
            sign_in_aliases=cognito.SignInAliases(username=True, email=True),
            sign_in_case_sensitive=False,
            mfa=cognito.Mfa.REQUIRED,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            password_policy=cognito.PasswordPolicy(
                min_length=14,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(3),
            ),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            # Plus tier: compromised-credential detection and adaptive authentication, enforced
            feature_plan=cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
            deletion_protection=removal == RemovalPolicy.RETAIN,
            removal_policy=removal,
        )

    def _rest_api(
        self, stage: Stage, registry: Registry, removal: RemovalPolicy, routes: tuple[RouteSpec, ...]
    ) -> None:
        access_logs = log_group(self, "AccessLogs", stage, removal)
        api = apigw.RestApi(
            self,
            "Api",
            rest_api_name=f"anpr-{stage.name}",
            description="ANPR platform API (Cognito-authenticated)",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            # API Gateway needs an account-level role to write execution/access logs
            # the account-wide API Gateway → CloudWatch Logs role: declared by one stage per
            # account (Stage.owns_account_resources), set once by hand elsewhere (docs/networks.md)
            cloud_watch_role=stage.owns_account_resources,
            cloud_watch_role_removal_policy=removal,
            deploy_options=apigw.StageOptions(
                stage_name=stage.name,
                tracing_enabled=True,
                metrics_enabled=True,
                logging_level=apigw.MethodLoggingLevel.ERROR,
                # bodies and headers carry plates and tokens: never into execution logs
                data_trace_enabled=False,
                access_log_destination=apigw.LogGroupLogDestination(access_logs),
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=False, **dict.fromkeys(ACCESS_LOG_FIELDS, True)
                ),
                throttling_rate_limit=THROTTLE_RATE,
                throttling_burst_limit=THROTTLE_BURST,
                method_options=method_options(routes),
            ),
        )
        authorizer = apigw.CognitoUserPoolsAuthorizer(
            self, "Authorizer", cognito_user_pools=[self.user_pool], results_cache_ttl=Duration.minutes(5)
        )
        validator = apigw.RequestValidator(
            self, "Validator", rest_api=api, validate_request_body=True, validate_request_parameters=True
        )
        self.methods = add_routes(api, routes, registry, authorizer, validator)
        acknowledge(
            api.deployment_stage,
            "AwsSolutions-APIG3",
            "WAF is optional for now: every method needs a Cognito token with MFA and the stage is throttled; "
            "a WebACL is planned with the public-facing rollout.",
        )
        acknowledge(
            api.node.find_child("CloudWatchRole"),
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]",
            "AWS-managed policy for the account-level API Gateway logging role; it only writes CloudWatch Logs.",
        )
        self.api = api
