"""REST API (API Gateway + Cognito authorizer). Routes are declared in anpr.spec.API_ROUTES."""

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.utilities.typing import LambdaContext

from anpr.api_app import build_app

logger = Logger()
# domain modules log through std logging ("anpr.*"): same JSON format, same correlation
copy_config_to_registered_loggers(source_logger=logger, include={"anpr"})
tracer = Tracer()
metrics = Metrics()
app: APIGatewayRestResolver = build_app()


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)


__all__ = ["lambda_handler", "Response", "content_types"]
