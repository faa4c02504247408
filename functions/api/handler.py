"""Core REST API: the camera registry. Routes and roles: anpr.specs.core."""

from functools import lru_cache

from anpr.api_app import new_resolver
from anpr.audit_store import default_trail
from anpr.cameras import DynamoCameraRegistry
from anpr.config import ApiSettings
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
copy_config_to_registered_loggers(source_logger=logger, include={"anpr"})
tracer = Tracer()
metrics = Metrics()
app = new_resolver(audit=default_trail)  # denied attempts are recorded


@lru_cache(maxsize=1)
def cameras() -> DynamoCameraRegistry:
    settings = ApiSettings()
    return DynamoCameraRegistry(settings.table_cameras, settings.region)


@app.get("/cameras")
def list_cameras() -> dict:
    return {"cameras": [c.model_dump(mode="json") for c in cameras().list()]}


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
