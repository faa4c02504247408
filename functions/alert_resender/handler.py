"""Scheduled every minute (spec ScheduleSpec "AlertResend"): publishes alerts the ingest path
could not, re-sends unacknowledged high-priority ones. Plain JSON in, plain JSON out."""

from functools import lru_cache

from anpr.alerts.config import ResenderSettings
from anpr.alerts.service import AlertResender
from anpr.alerts_wiring import resender
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
copy_config_to_registered_loggers(source_logger=logger, include={"anpr"})
tracer = Tracer()
metrics = Metrics()


@lru_cache(maxsize=1)
def service() -> AlertResender:
    return resender(ResenderSettings())


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    result = service().run()
    metrics.add_metric(name="AlertsResent", unit=MetricUnit.Count, value=result["sent"])
    return result
