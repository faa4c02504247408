"""The search state machine's task: one function, a ``step`` per state (anpr.search.workflow).

Input is what infra/statemachines/search.asl.json passes: ``{"step": "validate"|"plan"|"merge"|
"export"|"finish"|"fail", "job_id": ...}`` or ``{"step": "query", "item": {...}}``. Errors are
raised, not returned: Step Functions retries (StorageError) or catches them (SearchRejected,
SearchCancelled...) by the exception's class name.
"""

from anpr.search.wiring import search_workflow
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
copy_config_to_registered_loggers(source_logger=logger, include={"anpr"})
tracer = Tracer()
metrics = Metrics()


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    logger.append_keys(
        step=event.get("step"), job_id=event.get("job_id") or (event.get("item") or {}).get("job_id")
    )
    return search_workflow().dispatch(event)
