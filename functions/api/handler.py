"""REST API (API Gateway + Cognito authorizer). Routes are declared in anpr.spec.API_ROUTES."""

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.utilities.typing import LambdaContext

from anpr.api_app import build_app

logger = Logger()
tracer = Tracer()
metrics = Metrics()
app: APIGatewayRestResolver = build_app()


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)


__all__ = ["lambda_handler", "Response", "content_types"]
