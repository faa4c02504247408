"""The live channel's AWS parts that are no spec kind (docs/alerts.md, "Live delivery"):

    wss://…/{stage} ── $connect ──▶ LiveConnect λ (verifies the Cognito ID token: ?token=)
                   └─ $disconnect ▶ LiveDisconnect λ
    Alerts topic ─▶ LiveFanout queue ─▶ LiveFanout λ ── execute-api:ManageConnections ──▶ sockets
                                                    └─ sns:Publish ─▶ FCM / APNs endpoints
                                                    └─ Web Push (VAPID key: Secrets Manager)
    LiveDevices λ (POST/DELETE /devices) ── sns:CreatePlatformEndpoint on the platform apps

- the WebSocket API and its stage (access-logged, throttled); no API Gateway authorizer on
  ``$connect``: a WebSocket API offers IAM or a Lambda authorizer only, so LiveConnect verifies
  the token itself (the user pool's keys, issuer, app client, token use, expiry) and answers
  401/403, which refuses the handshake;
- the SNS platform applications for FCM and APNs, created by a custom resource
  (``sns:CreatePlatformApplication``: CloudFormation has no type for them) from credentials in
  Secrets Manager; the secrets are created here with a placeholder, filled by operations
  (docs/alerts.md), and a platform application is created only for the platforms the stage
  enables (``push_platforms``): a placeholder credential would fail the deployment;
- the VAPID key pair for Web Push in Secrets Manager (``{"private_key", "public_key"}``).

The functions are the spec's (``anpr.live.spec``), built and wired by their concern; this
construct adds the environment the spec cannot know (the endpoint, the user pool, the platform
applications, the VAPID secret) and the grants for them.
``tests/infra/test_live_construct.py`` synthesizes it alone and runs cdk-nag over it.
"""

from __future__ import annotations

from aws_cdk import CfnOutput, RemovalPolicy, Stack
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secrets
from aws_cdk import custom_resources as cr
from constructs import Construct

from infra.builders.base import log_group
from infra.constructs.acknowledge import acknowledge, acknowledge_wildcard_resource
from infra.stages import Stage

#: platform → SNS platform name and the credential attributes read from its secret
PLATFORMS = {
    # FCM HTTP v1: the service account's JSON key
    "fcm": ("GCM", {"PlatformCredential": "service_account_json"}),
    # APNs token-based: the .p8 signing key, its key id, the team and the app's bundle id
    "apns": (
        "APNS",
        {
            "PlatformCredential": "signing_key",
            "PlatformPrincipal": "key_id",
            "ApplePlatformTeamID": "team_id",
            "ApplePlatformBundleID": "bundle_id",
        },
    ),
}
_THIRD_PARTY = (
    "A credential issued by Google/Apple or a VAPID key pair: rotated by re-issuing it at the "
    "provider and updating the secret (docs/alerts.md), which no rotation Lambda can do."
)


class Live(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: Stage,
        connect: lambda_.IFunction,
        disconnect: lambda_.IFunction,
        fanout: lambda_.IFunction,
        devices: lambda_.IFunction,
        user_pool: cognito.IUserPool,
        user_pool_client: cognito.IUserPoolClient,
        secrets_key: kms.IKey,
        removal: RemovalPolicy,
        push_platforms: tuple[str, ...] = (),
    ) -> None:
        super().__init__(scope, construct_id)
        region, account = Stack.of(self).region, Stack.of(self).account
        self.api = apigw.WebSocketApi(
            self,
            "Socket",
            api_name=f"anpr-live-{stage.name}",
            description="Live alerts to the patrol app: $connect verifies the Cognito ID token",
            connect_route_options=apigw.WebSocketRouteOptions(
                integration=integrations.WebSocketLambdaIntegration("Connect", connect)
            ),
            disconnect_route_options=apigw.WebSocketRouteOptions(
                integration=integrations.WebSocketLambdaIntegration("Disconnect", disconnect)
            ),
        )
        for route in self.api.node.find_all():
            if isinstance(route, apigw.CfnRoute):
                acknowledge(
                    route,
                    "AwsSolutions-APIG4",
                    "WebSocket APIs offer no Cognito authorizer: the $connect function verifies the "
                    "Cognito ID token (keys, issuer, client, expiry) and refuses the handshake (401/403).",
                )
        access = log_group(self, "AccessLogs", stage, removal)
        self.stage = apigw.WebSocketStage(
            self,
            "Stage",
            web_socket_api=self.api,
            stage_name=stage.name,
            auto_deploy=True,
            throttle=apigw.ThrottleSettings(rate_limit=200, burst_limit=400),
        )
        cfn_stage: apigw.CfnStage = self.stage.node.default_child
        cfn_stage.access_log_settings = apigw.CfnStage.AccessLogSettingsProperty(
            destination_arn=access.log_group_arn,
            format='{"requestId":"$context.requestId","ip":"$context.identity.sourceIp",'
            '"route":"$context.routeKey","status":"$context.status","connectionId":"$context.connectionId"}',
        )
        self.url = self.stage.url  # wss://{api}.execute-api.{region}.amazonaws.com/{stage}

        # $connect: the token must name this user pool and the patrol app's client
        connect.add_environment(
            "ANPR_USER_POOL_ISSUER", f"https://cognito-idp.{region}.amazonaws.com/{user_pool.user_pool_id}"
        )
        connect.add_environment("ANPR_USER_POOL_CLIENT_ID", user_pool_client.user_pool_client_id)

        # the fan-out posts to the sockets (connection ids are known only at run time)
        fanout.add_environment("ANPR_LIVE_ENDPOINT", self.stage.callback_url)
        connections = (
            f"arn:aws:execute-api:{region}:{account}:{self.api.api_id}/{stage.name}/POST/@connections/*"
        )
        fanout.add_to_role_policy(
            iam.PolicyStatement(actions=["execute-api:ManageConnections"], resources=[connections])
        )
        acknowledge_wildcard_resource(
            fanout.role,
            connections,
            "Posts to any open connection of this API's stage: connection ids exist only at run time.",
        )

        # push credentials (placeholders until operations fill them) and the VAPID key pair
        self.vapid = secrets.Secret(
            self,
            "VapidKeys",
            description="Web Push VAPID key pair {private_key, public_key} (docs/alerts.md)",
            encryption_key=secrets_key,
            removal_policy=removal,
        )
        acknowledge(self.vapid, "AwsSolutions-SMG4", _THIRD_PARTY)
        for fn in (fanout, devices):
            fn.add_environment("ANPR_PUSH_VAPID_SECRET_ARN", self.vapid.secret_arn)
            self.vapid.grant_read(fn)
        self.credentials: dict[str, secrets.Secret] = {}
        self.applications: dict[str, str] = {}
        for platform, (sns_platform, attributes) in PLATFORMS.items():
            secret = secrets.Secret(
                self,
                f"{platform.capitalize()}Credentials",
                description=f"{sns_platform} push credentials {sorted(attributes.values())} (docs/alerts.md)",
                encryption_key=secrets_key,
                removal_policy=removal,
            )
            acknowledge(secret, "AwsSolutions-SMG4", _THIRD_PARTY)
            self.credentials[platform] = secret
            if platform in push_platforms:
                arn = self._platform_application(stage, platform, sns_platform, attributes, secret)
                self.applications[platform] = arn
                for fn in (fanout, devices):
                    fn.add_environment(f"ANPR_PUSH_{platform.upper()}_APP_ARN", arn)
        if self.applications:
            self._grant_push(fanout, devices, region, account)
            # the custom resources' one provider function (CDK's singleton, created with them)
            provider_id = "AWS" + cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace("-", "")
            provider = Stack.of(self).node.try_find_child(provider_id)
            if provider is not None:
                acknowledge(
                    provider,
                    "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
                    "CDK's AwsCustomResource provider writes its own logs with AWSLambdaBasicExecutionRole; it "
                    "runs only at deployment (SNS platform applications).",
                )
        CfnOutput(
            self, "LiveUrl", value=self.url, description="the patrol app's live channel (config.json liveUrl)"
        )

    def _platform_application(
        self, stage: Stage, platform: str, sns_platform: str, attributes: dict, secret: secrets.ISecret
    ) -> str:
        """sns:CreatePlatformApplication (no CloudFormation type), credentials resolved by
        CloudFormation from the secret at deployment (dynamic references: never in the template)."""
        name = f"anpr-{stage.name}-{platform}"
        attrs = {
            attr: secret.secret_value_from_json(field).unsafe_unwrap() for attr, field in attributes.items()
        }
        cr.AwsCustomResource(
            self,
            f"{platform.capitalize()}Application",
            on_create=cr.AwsSdkCall(
                service="SNS",
                action="createPlatformApplication",
                parameters={"Name": name, "Platform": sns_platform, "Attributes": attrs},
                physical_resource_id=cr.PhysicalResourceId.from_response("PlatformApplicationArn"),
            ),
            on_update=cr.AwsSdkCall(
                service="SNS",
                action="setPlatformApplicationAttributes",
                parameters={"PlatformApplicationArn": cr.PhysicalResourceIdReference(), "Attributes": attrs},
                physical_resource_id=cr.PhysicalResourceId.from_response("PlatformApplicationArn"),
            ),
            on_delete=cr.AwsSdkCall(
                service="SNS",
                action="deletePlatformApplication",
                parameters={"PlatformApplicationArn": cr.PhysicalResourceIdReference()},
            ),
            policy=cr.AwsCustomResourcePolicy.from_statements(
                [
                    iam.PolicyStatement(
                        actions=[
                            "sns:CreatePlatformApplication",
                            "sns:SetPlatformApplicationAttributes",
                            "sns:DeletePlatformApplication",
                        ],
                        resources=[
                            Stack.of(self).format_arn(service="sns", resource=f"app/{sns_platform}/{name}")
                        ],
                    )
                ]
            ),
            install_latest_aws_sdk=False,
        )
        return Stack.of(self).format_arn(service="sns", resource=f"app/{sns_platform}/{name}")

    def _grant_push(
        self, fanout: lambda_.IFunction, devices: lambda_.IFunction, region: str, account: str
    ) -> None:
        endpoints = [
            f"arn:aws:sns:{region}:{account}:endpoint/{arn.split(':')[-1]}/*"
            for arn in self.applications.values()
        ]
        fanout.add_to_role_policy(iam.PolicyStatement(actions=["sns:Publish"], resources=endpoints))
        devices.add_to_role_policy(
            iam.PolicyStatement(
                actions=["sns:CreatePlatformEndpoint"], resources=list(self.applications.values())
            )
        )
        devices.add_to_role_policy(
            iam.PolicyStatement(
                actions=["sns:SetEndpointAttributes", "sns:DeleteEndpoint"], resources=endpoints
            )
        )
        reason = "One SNS endpoint per registered device, created at run time under the platform application."
        for arn in endpoints:
            acknowledge_wildcard_resource(fanout.role, arn, reason)
            acknowledge_wildcard_resource(devices.role, arn, reason)
