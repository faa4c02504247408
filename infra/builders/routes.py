"""REST methods for the spec's routes, each a Lambda proxy to its function (found in the
registry), behind the Cognito authorizer, or for a ``network_key`` route (cameras) with no
authorizer and a tighter throttle of its own (the function checks the network's key)."""

from __future__ import annotations

from anpr.kernel.platform import RouteSpec
from aws_cdk import aws_apigateway as apigw

from infra.constructs.acknowledge import acknowledge
from infra.constructs.registry import Registry

#: per network-key method (no authorizer in front: the limit caps what an anonymous flood costs,
#: one key lookup and one Lambda call each); a throttled camera retries its POST /uploads
DEVICE_THROTTLE_RATE, DEVICE_THROTTLE_BURST = 100, 200


def method_options(routes: tuple[RouteSpec, ...]) -> dict[str, apigw.MethodDeploymentOptions]:
    """The stage's per-method settings: the device routes' own throttle."""
    return {
        # a method's own settings replace the stage's: logging repeated here
        f"{r.path}/{r.method}": apigw.MethodDeploymentOptions(
            logging_level=apigw.MethodLoggingLevel.ERROR,
            data_trace_enabled=False,
            metrics_enabled=True,
            throttling_rate_limit=DEVICE_THROTTLE_RATE,
            throttling_burst_limit=DEVICE_THROTTLE_BURST,
        )
        for r in routes
        if r.auth == "network_key"
    }


def add_routes(
    api: apigw.RestApi,
    routes: tuple[RouteSpec, ...],
    registry: Registry,
    authorizer: apigw.IAuthorizer,
    validator: apigw.IRequestValidator,
) -> dict[tuple[str, str], apigw.Method]:
    methods = {}
    for route in routes:
        cognito_route = route.auth == "cognito"
        method = api.root.resource_for_path(route.path).add_method(
            route.method,
            # no console test-invoke permission: one Lambda permission per method, not two
            apigw.LambdaIntegration(
                registry.get("function", route.function), proxy=True, allow_test_invoke=False
            ),
            authorization_type=apigw.AuthorizationType.COGNITO
            if cognito_route
            else apigw.AuthorizationType.NONE,
            authorizer=authorizer if cognito_route else None,
            request_validator=validator,
        )
        methods[(route.method, route.path)] = method
        if not cognito_route:
            for rule in ("AwsSolutions-APIG4", "AwsSolutions-COG4"):
                acknowledge(
                    method,
                    rule,
                    f"{route.method} {route.path} is called by cameras, which are no Cognito users: the "
                    "function checks the network's upload key (Authorization: Network <key>, "
                    "constant-time hash compare, refusals audited); the method has its own throttle.",
                )
    return methods
