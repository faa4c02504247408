"""The live channel: WebSocket ``$connect``/``$disconnect`` (spec LiveConnect/LiveDisconnect),
the fan-out of alerts, claims and closes to every connection of the zone (LiveFanout, from the
LiveFanout queue) and the device routes (LiveDevices: ``lambda_handler``). Thin: parse, call
one service, answer."""

import json

from anpr.kernel.auth import Forbidden, Unauthenticated
from anpr.kernel.http import ApiFunction, Lazy
from anpr.kernel.observability import count, instrumented, logger, tracer
from anpr.live.api import router
from anpr.live.wiring import connection_store, devices_services, fanout_services, gate_services
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

gate = Lazy(gate_services)
fan = Lazy(fanout_services)
connections = Lazy(connection_store)
processor = BatchProcessor(event_type=EventType.SQS)

function = ApiFunction([router], Lazy(devices_services))
lambda_handler = function.lambda_handler


def _answer(status: int, message: str = "") -> dict:
    return {"statusCode": status, "body": json.dumps({"error": message} if message else {"ok": True})}


def handle_connect(event: dict, context) -> dict:
    """A non-2xx answer makes API Gateway refuse the handshake."""
    connection_id = (event.get("requestContext") or {}).get("connectionId")
    if not connection_id:
        return _answer(400, "no connection id")
    token = (event.get("queryStringParameters") or {}).get("token")
    try:
        gate().gate.connect(connection_id, token)
    except Unauthenticated as exc:
        count("LiveRefused")
        return _answer(401, str(exc))
    except Forbidden as exc:
        count("LiveRefused")
        return _answer(403, str(exc))
    count("LiveConnected")
    return _answer(200)


def handle_disconnect(event: dict, context) -> dict:
    connection_id = (event.get("requestContext") or {}).get("connectionId")
    if connection_id:
        connections().delete(connection_id)
    return _answer(200)


@tracer.capture_method
def record_handler(record: SQSRecord) -> None:
    try:
        body = json.loads(record.body)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        logger.warning("live: not a JSON object, dropped", extra={"message_id": record.message_id})
        count("LiveMalformed")
        return
    result = fan().fanout.deliver(body)
    count("LivePosted", result["posted"])
    count("LivePushed", result["pushed"])


def handle_fanout(event: dict, context) -> dict:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )


connect = instrumented(handle_connect)
disconnect = instrumented(handle_disconnect)
fanout = instrumented(handle_fanout)
