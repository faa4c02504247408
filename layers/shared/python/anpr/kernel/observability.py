"""Logger, Tracer and Metrics, set up once for every function (powertools).

The service name comes from ``POWERTOOLS_SERVICE_NAME`` (set per function from the spec's
``FunctionSpec.service``); domain modules log through std logging (``anpr.*``) and get the
same JSON format and correlation id.
"""

from __future__ import annotations

from collections.abc import Callable

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.metrics import MetricUnit

logger = Logger()
copy_config_to_registered_loggers(source_logger=logger, include={"anpr"})
tracer = Tracer()
metrics = Metrics()

__all__ = ["MetricUnit", "count", "instrumented", "logger", "metrics", "tracer"]

#: where API Gateway REST events carry the request id
API_GATEWAY_REST = correlation_paths.API_GATEWAY_REST


def instrumented(handler: Callable, *, correlation_id_path: str | None = None) -> Callable:
    """``handler(event, context)`` with the lambda context logged, metrics flushed and traced."""
    wrapped = tracer.capture_lambda_handler(handler)
    wrapped = metrics.log_metrics(wrapped)
    if correlation_id_path:
        return logger.inject_lambda_context(correlation_id_path=correlation_id_path)(wrapped)
    return logger.inject_lambda_context(wrapped)


def count(name: str, value: float = 1) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
