"""SQS (S3 ObjectCreated notifications) → snapshot ingest, with partial batch failures.

Thin on purpose: parse the record, call the ingest service, count the outcome. A record
fails (and is retried, then dead-lettered) only for infrastructure errors; bad input is
quarantined by the domain and counts as processed.
"""

from anpr.events import MalformedEvent, snapshot_refs
from anpr.wiring import ingest_service
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
# domain modules log through std logging ("anpr.*"): same JSON format, same correlation
copy_config_to_registered_loggers(source_logger=logger, include={"anpr"})
tracer = Tracer()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.SQS)


@tracer.capture_method
def record_handler(record: SQSRecord) -> None:
    service = ingest_service()
    try:
        refs = snapshot_refs(record.body)
    except MalformedEvent as exc:
        service.ingestor.quarantine_store.quarantine_event(record.message_id, record.body, str(exc))
        logger.warning(
            "malformed event quarantined", extra={"message_id": record.message_id, "detail": str(exc)}
        )
        metrics.add_metric(name="MalformedEvents", unit=MetricUnit.Count, value=1)
        return
    for ref in refs:
        outcome = service.ingest(ref)
        if outcome.status == "stored":
            metrics.add_metric(name="PlateReadsStored", unit=MetricUnit.Count, value=len(outcome.read_ids))
        else:
            metrics.add_metric(name=f"Quarantined_{outcome.reason.value}", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    ingest_service().config.register_lambda_context(context)
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
