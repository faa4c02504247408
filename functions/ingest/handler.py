"""SQS (S3 ObjectCreated notifications) → snapshot ingest, with partial batch failures.

Thin on purpose: parse the record, call the ingest service, count the outcome. A record
fails (and is retried, then dead-lettered) only for infrastructure errors; bad input is
quarantined by the domain and counts as processed.
"""

from anpr.ingest.events import MalformedEvent, snapshot_refs
from anpr.ingest.wiring import ingest_service
from anpr.kernel.http import Lazy
from anpr.kernel.observability import count, instrumented, logger, tracer
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

services = Lazy(ingest_service)
processor = BatchProcessor(event_type=EventType.SQS)


@tracer.capture_method
def record_handler(record: SQSRecord) -> None:
    service = services()
    try:
        refs = snapshot_refs(record.body)
    except MalformedEvent as exc:
        service.ingestor.quarantine_store.quarantine_event(record.message_id, record.body, str(exc))
        logger.warning(
            "malformed event quarantined", extra={"message_id": record.message_id, "detail": str(exc)}
        )
        count("MalformedEvents")
        return
    for ref in refs:
        outcome = service.ingest(ref)
        if outcome.status == "stored":
            count("PlateReadsStored", len(outcome.read_ids))
        else:
            count(f"Quarantined_{outcome.reason.value}")


def handle(event: dict, context) -> dict:
    services().config.register_lambda_context(context)
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )


lambda_handler = instrumented(handle)
