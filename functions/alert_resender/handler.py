"""Scheduled every minute (spec ScheduleSpec "AlertResend"): publishes alerts the ingest path
could not, re-sends unacknowledged high-priority ones. Plain JSON in, plain JSON out."""

from anpr.alerts.wiring import resender_services
from anpr.kernel.http import Lazy
from anpr.kernel.observability import count, instrumented

services = Lazy(resender_services)


def handle(event: dict, context) -> dict:
    result = services().resender.run()
    count("AlertsResent", result["sent"])
    return result


lambda_handler = instrumented(handle)
